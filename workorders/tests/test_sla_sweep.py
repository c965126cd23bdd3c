"""The SLA sweep: set-based, idempotent, exact notifications, history, the calendar's holidays."""
import datetime
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import roles
from core.system import system_user
from departments.tests.factories import DepartmentFactory, HeadFactory, OfficerFactory
from notifications.models import Notification, OutboundEmail, Preference
from projects.tests.factories import UserFactory
from workdays.calendar import get_calendar
from workorders.models import Assignment, Commitment, SlaTransition
from workorders.services import pause_assignment, resume_assignment, sla_state_for
from workorders.services.sla_sweep import run_sweep
from workorders.tests.factories import AssignmentFactory, CommitmentFactory, ServiceRequestFactory, WorkOrderFactory

S = Assignment.SlaState
TODAY = datetime.date(2026, 11, 23)  # a Monday
NOW = timezone.make_aware(datetime.datetime(2026, 11, 23, 9, 0))


def _assignment(due: datetime.date, *, department=None, status=Assignment.Status.IN_PROGRESS, state=S.ON_TRACK):
    issued = min(due, TODAY) - datetime.timedelta(days=30)
    return AssignmentFactory(department=department or DepartmentFactory(), due_date=due, status=status,
                             sla_state=state, issued_on=issued)


def _bulk_assignments(count: int, *, today=TODAY):
    """``count`` open assignments in bulk, due dates spread from 15 days late to 25 days ahead."""
    departments = [DepartmentFactory() for _ in range(20)]
    orders = [WorkOrderFactory() for _ in range(-(-count // len(departments)))]
    rows = []
    for i in range(count):
        due = today + datetime.timedelta(days=(i % 40) - 15)
        rows.append(Assignment(work_order=orders[i // len(departments)], department=departments[i % len(departments)],
                               issued_at=NOW, issued_on=due - datetime.timedelta(days=20), sla_working_days=10,
                               due_date=due, status=Assignment.Status.IN_PROGRESS))
    Assignment.objects.bulk_create(rows, batch_size=500)


@pytest.mark.django_db
def test_a_fixed_number_of_statements_whatever_the_number_of_rows():
    def statements_for(count):
        Assignment.objects.all().delete()
        _bulk_assignments(count)
        with CaptureQueriesContext(connection) as queries:
            result = run_sweep(today=TODAY, now=NOW)
        assert result.assignment_transitions > count / 3  # many rows move off "on track"
        return len(queries)

    assert statements_for(10) == statements_for(2000)


@pytest.mark.django_db
def test_states_match_the_rule_row_by_row_across_holidays():
    """For every due date around Spring Festival and National Day 2026, seen from several days, the SQL
    sweep gives the state that ``sla_state_for`` computes with the calendar."""
    calendar = get_calendar()
    for today in (datetime.date(2026, 2, 13), datetime.date(2026, 2, 24), datetime.date(2026, 2, 27),
                  datetime.date(2026, 9, 30), datetime.date(2026, 10, 9), datetime.date(2026, 10, 12)):
        Assignment.objects.all().delete()
        department = DepartmentFactory()
        made = {}
        for offset in range(-25, 20):
            due = today + datetime.timedelta(days=offset)
            made[due] = AssignmentFactory(department=department, due_date=due, issued_on=due - datetime.timedelta(days=1),
                                          status=Assignment.Status.IN_PROGRESS)
        run_sweep(today=today, now=NOW)
        for due, assignment in made.items():
            assignment.refresh_from_db()
            assert assignment.sla_state == sla_state_for(due, today, calendar=calendar), (today, due)


@pytest.mark.django_db
def test_spring_festival_keeps_an_assignment_on_track():
    # Due on the first working day after the holiday (2026-02-24): seen on 2026-02-13 (the last
    # working day before it), the working days in between are 02-14 (a make-up day) and 02-24.
    assignment = _assignment(datetime.date(2026, 2, 24))
    run_sweep(today=datetime.date(2026, 2, 13), now=NOW)
    assignment.refresh_from_db()
    assert assignment.sla_state == S.DUE_SOON
    run_sweep(today=datetime.date(2026, 2, 25), now=NOW)
    assignment.refresh_from_db()
    assert assignment.sla_state == S.OVERDUE


@pytest.mark.django_db
def test_second_run_changes_and_sends_nothing():
    department = DepartmentFactory()
    OfficerFactory(department=department)
    for offset in (-10, -1, 1, 20):
        _assignment(TODAY + datetime.timedelta(days=offset), department=department)
    first = run_sweep(today=TODAY, now=NOW)
    assert first.transitions == 3 and first.digests >= 1
    notices, mails, history = Notification.objects.count(), OutboundEmail.objects.count(), Assignment.history.count()
    second = run_sweep(today=TODAY, now=NOW)
    assert (second.transitions, second.digests) == (0, 0)
    assert (Notification.objects.count(), OutboundEmail.objects.count(), Assignment.history.count()) == (notices, mails, history)


@pytest.mark.django_db
def test_each_state_tells_its_people_once_in_one_digest_each():
    department = DepartmentFactory(short_code="JT")
    officer = OfficerFactory(department=department).user
    head = HeadFactory(department=department).user
    staff = UserFactory()
    staff.groups.add(Group.objects.get(name=roles.CENTER_STAFF))
    leader = UserFactory()
    leader.groups.add(Group.objects.get(name=roles.LEADER))
    Preference.objects.create(user=leader, language="en")
    soon = [_assignment(TODAY + datetime.timedelta(days=1), department=department) for _ in range(3)]
    late = _assignment(TODAY - datetime.timedelta(days=2), department=department)
    very_late = _assignment(TODAY - datetime.timedelta(days=14), department=department)
    result = run_sweep(today=TODAY, now=NOW)
    assert result.assignment_transitions == 5
    assert result.digests == 4
    by_user = {n.recipient_id: n for n in Notification.objects.all()}
    assert set(by_user) == {officer.pk, head.pk, staff.pk, leader.pk}
    assert all(a.work_order.request.tracking_number in by_user[officer.pk].body for a in soon)
    assert late.work_order.request.tracking_number in by_user[head.pk].body
    assert late.work_order.request.tracking_number in by_user[staff.pk].body
    assert f"/center/requests/{late.work_order.request.tracking_number}/" in by_user[staff.pk].body
    assert very_late.work_order.request.tracking_number in by_user[leader.pk].body
    assert "attention" in by_user[leader.pk].subject  # the leader reads English
    assert "需关注" in by_user[officer.pk].subject  # the officer reads Chinese
    assert OutboundEmail.objects.count() == 4
    very_late.refresh_from_db()
    assert (very_late.sla_state, very_late.escalation_level) == (S.ESCALATED, 1)


@pytest.mark.django_db
def test_transitions_are_in_history_by_the_system():
    assignment = _assignment(TODAY - datetime.timedelta(days=3))
    run_sweep(today=TODAY, now=NOW)
    record = assignment.history.order_by("-history_id").first()
    assert record.sla_state == S.OVERDUE
    assert record.history_user == system_user()  # a real account: history always names someone
    assert record.history_change_reason == "SLA: on_track → overdue"
    transition = SlaTransition.objects.get(assignment=assignment)
    assert (transition.from_state, transition.to_state) == (S.ON_TRACK, S.OVERDUE)


@pytest.mark.django_db
def test_paused_and_done_stand_aside_and_a_resumed_one_is_judged_by_its_moved_date():
    department = DepartmentFactory()
    paused = _assignment(TODAY - datetime.timedelta(days=20), department=department, status=Assignment.Status.PAUSED,
                         state=S.PAUSED)
    done = _assignment(TODAY - datetime.timedelta(days=20), department=department, status=Assignment.Status.DONE,
                       state=S.DONE)
    run_sweep(today=TODAY, now=NOW)
    paused.refresh_from_db()
    done.refresh_from_db()
    assert (paused.sla_state, done.sla_state) == (S.PAUSED, S.DONE)
    # A running assignment due today is paused for a week, then resumed: its due date moves past today.
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.CENTER_STAFF))
    running = _assignment(TODAY, department=department)
    started = timezone.now() - datetime.timedelta(days=7)
    pause_assignment(actor=user, assignment=running, reason="material", at=started)
    resume_assignment(actor=user, assignment=running)
    running.refresh_from_db()
    assert running.due_date > TODAY
    run_sweep(today=TODAY, now=NOW)
    running.refresh_from_db()
    assert running.sla_state == sla_state_for(running.due_date, TODAY)


@pytest.mark.django_db
def test_commitments_due_soon_and_overdue_tell_the_enterprise_and_the_department():
    department = DepartmentFactory()
    officer = OfficerFactory(department=department).user
    request = ServiceRequestFactory()
    contact = UserFactory()
    request.enterprise.users.add(contact)
    soon = CommitmentFactory(request=request, department=department, due_date=TODAY + datetime.timedelta(days=1))
    late = CommitmentFactory(request=request, department=department, due_date=TODAY - datetime.timedelta(days=3))
    kept = CommitmentFactory(request=request, department=department, due_date=TODAY - datetime.timedelta(days=3),
                             fulfilled_at=NOW)
    result = run_sweep(today=TODAY, now=NOW)
    assert result.commitment_transitions == 2
    for commitment, state in ((soon, S.DUE_SOON), (late, S.OVERDUE), (kept, S.ON_TRACK)):
        commitment.refresh_from_db()
        assert commitment.sla_state == state
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {officer.pk, contact.pk}
    assert f"/requests/{request.tracking_number}/" in Notification.objects.get(recipient=contact).body
    assert Commitment.history.filter(history_change_reason="SLA: on_track → overdue").count() == 1


@pytest.mark.django_db
def test_the_command_and_the_task_run_the_sweep():
    from django.core.management import call_command

    from workorders.tasks import sla_sweep

    _assignment(TODAY - datetime.timedelta(days=30))
    call_command("sla_sweep", "--today", TODAY.isoformat())
    assert SlaTransition.objects.count() == 1
    assert sla_sweep()["transitions"] == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_make_each_transition_and_notice_once():
    leader = UserFactory()
    leader.groups.add(Group.objects.get(name=roles.LEADER))
    _bulk_assignments(400)
    expected_moves = sum(
        1 for a in Assignment.objects.all() if sla_state_for(a.due_date, TODAY) != S.ON_TRACK
    )
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(run_sweep(today=TODAY, now=NOW))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(r.transitions for r in results) == [0, expected_moves]
    assert SlaTransition.objects.count() == expected_moves
    assert Assignment.history.filter(history_user=system_user(), history_change_reason__startswith="SLA").count() == expected_moves
    digests = sum(r.digests for r in results)
    assert digests >= 1 and sorted(r.digests for r in results)[0] == 0
    assert Notification.objects.count() == digests
