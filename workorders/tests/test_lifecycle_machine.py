"""A state machine over one work order (TESTING.md T15): Hypothesis drives the services in any order
(reply, ask for material, answer, finish, stamp, extend, reassign) as the departments, the
enterprise and the center would, and after every step checks the lifecycle tables hold: each
status change the services made is one the table allows, a refused step changed nothing, and the
work order and the request are resolved exactly when no assignment is open.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from departments.models import Officer
from departments.tests.factories import DepartmentFactory, HeadFactory, OfficerFactory
from projects.tests.factories import (
    EnterpriseFactory,
    EnterpriseUserFactory,
    HeadUserFactory,
    InvestmentProjectFactory,
    OfficerUserFactory,
    StaffFactory,
)
from workorders import services
from workorders.exceptions import WorkOrderError
from workorders.models import (
    ASSIGNMENT_LIFECYCLE,
    OPEN_ASSIGNMENT_STATUSES,
    REQUEST_LIFECYCLE,
    WORK_ORDER_LIFECYCLE,
    Assignment,
    ServiceRequest,
    WorkOrder,
)
from workorders.tests import samples

ACTIONS = ("reply", "material", "answer", "complete", "stamp", "extend", "reassign")


def _statuses(work_order: WorkOrder) -> dict:
    work_order.refresh_from_db()
    return {"request": work_order.request.status, "work_order": work_order.status,
            **{a.pk: (a.status, a.due_date, a.assigned_officer_id) for a in work_order.assignments.all()}}


class WorkOrderMachine(RuleBasedStateMachine):
    @initialize()
    def issue(self):
        self.serial = getattr(type(self), "_serial", 0) + 1
        type(self)._serial = self.serial
        n = self.serial
        self.staff = StaffFactory(username=f"m-staff-{n}")
        self.departments = [DepartmentFactory(short_code=f"M{n}{i}") for i in range(2)]
        self.officers = [OfficerFactory(department=d, user=OfficerUserFactory(username=f"m-off-{n}-{i}")).user
                         for i, d in enumerate(self.departments)]
        self.heads = [HeadFactory(department=d, user=HeadUserFactory(username=f"m-head-{n}-{i}")).user
                      for i, d in enumerate(self.departments)]
        enterprise = EnterpriseFactory()
        self.contact = EnterpriseUserFactory(username=f"m-ent-{n}", enterprise=enterprise)
        project = InvestmentProjectFactory(enterprise=enterprise)
        request, _ = services.submit_request(actor=self.contact, project=project, kind="blocker", title="道路未开通",
                                             description="天春路未开通，影响竣工验收。")
        self.work_order = services.triage_and_issue(actor=self.staff, request=request,
                                                    lead_department=self.departments[0],
                                                    co_departments=[self.departments[1]], problem="道路")
        self.before = _statuses(self.work_order)

    def _assignment(self, index: int) -> Assignment:
        return Assignment.objects.get(work_order=self.work_order, department=self.departments[index])

    @rule(action=st.sampled_from(ACTIONS), index=st.integers(0, 1), stranger=st.booleans())
    def act(self, action, index, stranger):
        assignment = self._assignment(index)
        # A stranger: the other department's officer (or, for the enterprise's answer, staff of no
        # enterprise). Whatever the table says, a stranger's step must be refused.
        officer = self.officers[1 - index] if stranger else self.officers[index]
        head = self.heads[1 - index] if stranger else self.heads[index]
        before = _statuses(self.work_order)
        event = {"reply": "reply", "material": "pause", "answer": "resume", "complete": "complete",
                 "stamp": "stamp", "extend": "move_due_date", "reassign": "reassign"}[action]
        allowed_by_table = ASSIGNMENT_LIFECYCLE.allows(assignment.status, event)
        try:
            if action == "reply":
                services.reply_to_assignment(actor=officer, assignment=assignment, text="答复")
            elif action == "material":
                services.request_material(actor=officer, assignment=assignment, text="请补充材料")
            elif action == "answer":
                services.provide_material(actor=self.officers[index] if stranger else self.contact,
                                          assignment=assignment, text="已补充",
                                          files=[("补充.pdf", samples.pdf())])
            elif action == "complete":
                services.complete_assignment(actor=officer, assignment=assignment, text="办结")
            elif action == "stamp":
                services.stamp_assignment(actor=officer, assignment=assignment, decision="approved")
            elif action == "extend":
                # Only center staff extend (issue 18); a department's head is a stranger to it.
                services.extend_by_center(actor=head if stranger else self.staff, assignment=assignment,
                                          working_days=2, reason="会商")
            elif action == "reassign":
                target = Officer.objects.get(user=self.officers[index], department=self.departments[index])
                services.reassign_assignment(actor=head, assignment=assignment, officer=target)
        except WorkOrderError:
            assert _statuses(self.work_order) == before, f"a refused {action} changed something"
            return
        assert not stranger, f"a stranger's {action} went through"
        assert allowed_by_table, f"{action} went through from {assignment.status}, which the table refuses"
        assignment.refresh_from_db()
        assert assignment.status == ASSIGNMENT_LIFECYCLE.target(before[assignment.pk][0], event)

    @invariant()
    def statuses_follow_the_tables(self):
        if not hasattr(self, "work_order"):
            return
        now = _statuses(self.work_order)
        for key, value in now.items():
            if isinstance(key, int):
                old, new = self.before[key][0], value[0]
                assert old == new or new in ASSIGNMENT_LIFECYCLE.transitions[old], f"{old} → {new}"
        for name, lifecycle in (("request", REQUEST_LIFECYCLE), ("work_order", WORK_ORDER_LIFECYCLE)):
            old, new = self.before[name], now[name]
            assert old == new or new in lifecycle.transitions[old], f"{name}: {old} → {new}"
        still_open = self.work_order.assignments.filter(status__in=OPEN_ASSIGNMENT_STATUSES).exists()
        assert (self.work_order.status == WorkOrder.Status.RESOLVED) == (not still_open)
        assert (self.work_order.request.status == ServiceRequest.Status.RESOLVED) == (not still_open)
        self.before = now


@pytest.mark.django_db
def test_the_services_never_leave_the_lifecycle_tables():
    run_state_machine_as_test(WorkOrderMachine, settings=settings(
        max_examples=40, stateful_step_count=12, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
