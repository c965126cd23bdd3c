"""Every service refuses a user who may not, whatever door called it (issue 16, part 3).

Each exported state change of ``workorders.services``, ``workorders.services.stamps`` and
``center.office_hours.services`` is called with valid arguments by people who may not do it (an
enterprise user, an officer of another department, a district leader, and where the rule is a
head's, an officer of the right department): each call raises the domain error with the code
``forbidden`` (``project`` for a request filed on another's project), and leaves every row of our apps as it was, with nothing scheduled after the commit.
"""
from __future__ import annotations

import datetime
import inspect

import pytest
from django.apps import apps
from django.utils import timezone

import center.office_hours.services as office_hours
import workorders.services as services
import workorders.services.stamps as stamps
from departments.models import Officer
from workdays.calendar import local_date
from workorders.exceptions import WorkOrderError
from workorders.models import ClockPause, ServiceRequest, WorkOrder
from workorders.tests.factories import ProblemTagFactory

pytestmark = pytest.mark.django_db

# Functions that take no acting user: pure computations, helpers and the system's own jobs (beat).
NO_ACTOR = {
    "compute_due_date", "sla_state_for", "sla_working_days_for", "validate_request_fields",
    "next_serial", "approval_payload", "revocation_payload",
    "ensure_sessions", "next_session", "prepare_office_hours", "session_date_for_week",
}
APPS = ("projects", "departments", "workorders", "center", "notifications")


def _state() -> dict:
    """Every row of our apps' tables (history included), to compare before and after."""
    return {model._meta.label: list(model._default_manager.order_by("pk").values())
            for label in APPS for model in apps.get_app_config(label).get_models()}


def _paused(w):
    services.request_material(actor=w.officer_a, assignment=w.assignment_a, text="请补充规划许可证。")
    w.assignment_a.refresh_from_db()


def _paused_for_third_party(w):
    services.pause_assignment(actor=w.officer_a, assignment=w.assignment_a,
                              reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY, third_party_name="申通地铁集团",
                              note="等待地铁公司。")
    ClockPause.objects.filter(assignment=w.assignment_a).update(resumes_on=local_date() + datetime.timedelta(days=7))
    w.assignment_a.refresh_from_db()


def _extension_asked(w):
    w.ask = services.ask_extension(actor=w.officer_a, assignment=w.assignment_a, working_days=3, text="等待评估。")


def _resolved_request(w):
    ServiceRequest.objects.filter(pk=w.request_a.pk).update(status=ServiceRequest.Status.RESOLVED)
    w.request_a.refresh_from_db()


def _resolved_work_order(w):
    WorkOrder.objects.filter(pk=w.assignment_a.work_order_id).update(status=WorkOrder.Status.RESOLVED)
    w.tag = ProblemTagFactory()


# name -> (setup or None, the call with ``actor``, the users (keys of world) who may not, one who may)
ENTERPRISE_OTHERS = ("enterprise_b", "officer_a", "leader", "staff")
NOT_STAFF = ("enterprise_a", "officer_a", "head_a", "leader")
NOT_DEPARTMENT_A = ("enterprise_a", "officer_b", "leader")
NOT_HEAD_OF_A = ("enterprise_a", "officer_b", "leader", "officer_a")

CASES = {
    # the enterprise's own acts
    "submit_request": (None, lambda w, actor: services.submit_request(
        actor=actor, project=w.project_a, kind="blocker", title="新诉求", description="道路尚未开通，影响竣工验收。"),
        ENTERPRISE_OTHERS, "enterprise_a"),
    "provide_material": (_paused, lambda w, actor: services.provide_material(
        actor=actor, assignment=w.assignment_a, text="已补充材料。"), ENTERPRISE_OTHERS, "enterprise_a"),
    "rate_request": (_resolved_request, lambda w, actor: services.rate_request(
        actor=actor, request=w.request_a, rating=5), ENTERPRISE_OTHERS, "enterprise_a"),
    "accept_commitment": (None, lambda w, actor: services.accept_commitment(
        actor=actor, commitment=w.commitment, pledge="我们承诺按期完成。"), ENTERPRISE_OTHERS, "enterprise_a"),
    # center staff's triage
    "link_project": (None, lambda w, actor: services.link_project(
        actor=actor, request=w.waiting_a, project=w.project_a), NOT_STAFF, "staff"),
    "triage_and_issue": (None, lambda w, actor: services.triage_and_issue(
        actor=actor, request=w.waiting_a, lead_department=w.dept_a), NOT_STAFF, "staff"),
    "issue_work_order": (None, lambda w, actor: services.issue_work_order(
        actor=actor, request=w.waiting_a, lead_department=w.dept_a), NOT_STAFF, "staff"),
    "flag_for_consultation": (None, lambda w, actor: services.flag_for_consultation(
        actor=actor, work_order=w.assignment_a.work_order, flagged=True), NOT_STAFF, "staff"),
    "reject_request": (None, lambda w, actor: services.reject_request(
        actor=actor, request=w.waiting_a, reason="不属于受理范围。"), NOT_STAFF, "staff"),
    "merge_request": (None, lambda w, actor: services.merge_request(
        actor=actor, request=w.waiting_a, into=w.request_a, reason="重复提交。"), NOT_STAFF, "staff"),
    "mark_model_case": (_resolved_work_order, lambda w, actor: services.mark_model_case(
        actor=actor, work_order=w.assignment_a.work_order, title="案例", summary="临时出入口。", tags=[w.tag]),
        NOT_STAFF, "staff"),
    # the department's work
    "acknowledge_assignment": (None, lambda w, actor: services.acknowledge_assignment(
        actor=actor, assignment=w.assignment_a), (*NOT_DEPARTMENT_A, "staff"), "officer_a"),
    "reply_to_assignment": (None, lambda w, actor: services.reply_to_assignment(
        actor=actor, assignment=w.assignment_a, text="已协调。"), NOT_DEPARTMENT_A, "officer_a"),
    "request_material": (None, lambda w, actor: services.request_material(
        actor=actor, assignment=w.assignment_a, text="请补充材料。"), NOT_DEPARTMENT_A, "officer_a"),
    "complete_assignment": (None, lambda w, actor: services.complete_assignment(
        actor=actor, assignment=w.assignment_a, text="已办结。"), NOT_DEPARTMENT_A, "officer_a"),
    "pause_assignment": (None, lambda w, actor: services.pause_assignment(
        actor=actor, assignment=w.assignment_a, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
        third_party_name="申通地铁集团", note="等待地铁保护区评估。"),
        NOT_DEPARTMENT_A, "officer_a"),
    # the enterprise answering resumes the clock through provide_material, so only another's is refused here
    "resume_assignment": (_paused, lambda w, actor: services.resume_assignment(
        actor=actor, assignment=w.assignment_a), ("enterprise_b", "officer_b", "leader"), "enterprise_a"),
    "stamp_assignment": (None, lambda w, actor: services.stamp_assignment(
        actor=actor, assignment=w.assignment_b, decision="approved"), ("enterprise_b", "officer_a", "leader"), "officer_b"),
    # internal notes: the work order's departments and the center (department B is not on A's work order)
    "add_internal_note": (None, lambda w, actor: services.add_internal_note(
        actor=actor, assignment=w.assignment_a, text="内部备注。"), NOT_DEPARTMENT_A, "officer_a"),
    "fulfil_commitment": (None, lambda w, actor: services.fulfil_commitment(
        actor=actor, commitment=w.commitment), NOT_DEPARTMENT_A, "officer_a"),
    # a head's decisions
    "reassign_assignment": (None, lambda w, actor: services.reassign_assignment(
        actor=actor, assignment=w.assignment_a, officer=Officer.objects.get(user=w.officer_a)), NOT_HEAD_OF_A, "head_a"),
    "revoke_approval": (None, lambda w, actor: services.revoke_approval(
        actor=actor, approval=w.approval, reason="盖章有误。"), NOT_HEAD_OF_A, "head_a"),
    # the department asks the center, the center decides and extends (issue 18): a head no longer extends
    "ask_reroute": (None, lambda w, actor: services.ask_reroute(
        actor=actor, assignment=w.assignment_a, reason_category="not_competent", text="不属于本部门职权。"),
        NOT_DEPARTMENT_A + ("staff",), "officer_a"),
    "ask_extension": (None, lambda w, actor: services.ask_extension(
        actor=actor, assignment=w.assignment_a, working_days=3, text="等待地铁公司评估。"),
        NOT_DEPARTMENT_A + ("staff",), "head_a"),
    "ask_pause_going_on": (_paused_for_third_party, lambda w, actor: services.ask_pause_going_on(
        actor=actor, assignment=w.assignment_a, text="地铁公司尚未答复。"), NOT_DEPARTMENT_A + ("staff",), "officer_a"),
    "decide_ask": (_extension_asked, lambda w, actor: services.decide_ask(
        actor=actor, ask=w.ask, grant=True), NOT_STAFF, "staff"),
    "extend_by_center": (None, lambda w, actor: services.extend_by_center(
        actor=actor, assignment=w.assignment_a, working_days=3, reason="等待地铁公司评估。"), NOT_STAFF, "staff"),
    "move_due_date": (None, lambda w, actor: services.move_due_date(
        actor=actor, assignment=w.assignment_a, working_days=3, reason="会商后延期。"), NOT_STAFF, "staff"),
    # the office hours (center staff)
    "build_agenda": (None, lambda w, actor: office_hours.build_agenda(actor=actor, session=w.session), NOT_STAFF, "staff"),
    "add_item": (None, lambda w, actor: office_hours.add_item(actor=actor, session=w.session, title="新议题"),
                 NOT_STAFF, "staff"),
    "edit_item": (None, lambda w, actor: office_hours.edit_item(actor=actor, item=w.item, title="改名"), NOT_STAFF, "staff"),
    "record_minutes": (None, lambda w, actor: office_hours.record_minutes(
        actor=actor, item=w.item, outcome="已商定。"), NOT_STAFF, "staff"),
    "convene_consultation": (None, lambda w, actor: office_hours.convene_consultation(
        actor=actor, work_order=w.assignment_a.work_order, held_at=timezone.now(), departments=[w.dept_a]),
        NOT_STAFF, "staff"),
}
# The code of the refusal where it is not "forbidden": the request form shows this one beside the project.
REFUSAL_CODE = {"submit_request": "project"}


def _public_functions(module) -> set[str]:
    return {name for name, value in vars(module).items()
            if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")}


def test_every_exported_service_is_in_the_table():
    exported = set(services.__all__) | _public_functions(stamps) | _public_functions(office_hours)
    assert exported - NO_ACTOR == set(CASES)


@pytest.mark.parametrize("name", list(CASES))
def test_a_user_who_may_not_is_refused_and_nothing_changes(name, rich_world, django_capture_on_commit_callbacks):
    setup, call, refused, _allowed = CASES[name]
    w = rich_world
    if setup is not None:
        setup(w)
    before = _state()
    for key in refused:
        with django_capture_on_commit_callbacks() as callbacks:
            with pytest.raises(WorkOrderError) as raised:
                call(w, w.users[key])
        assert raised.value.code == REFUSAL_CODE.get(name, "forbidden"), (key, raised.value.code)
        assert callbacks == [], key
        assert _state() == before, key


@pytest.mark.parametrize("name", list(CASES))
def test_someone_who_may_succeeds_with_the_same_call(name, rich_world):
    """The control: the refusals above are the permission's, not the data's."""
    setup, call, _refused, allowed = CASES[name]
    if setup is not None:
        setup(rich_world)
    assert call(rich_world, rich_world.users[allowed])
