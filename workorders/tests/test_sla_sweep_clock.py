"""The SLA sweep's acknowledgement reminders and the third-party pauses that resume by themselves."""
import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import roles
from core.system import system_user
from departments.tests.factories import DepartmentFactory, HeadFactory, OfficerFactory
from notifications.models import Notification
from projects.tests.factories import UserFactory
from workdays.calendar import get_calendar
from workorders.models import AcknowledgementReminder, Assignment, ClockPause, RequestEvent
from workorders.services import pause_assignment, sla_state_for
from workorders.services.sla_sweep import run_sweep
from workorders.tests.factories import AssignmentFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

S = Assignment.SlaState
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 11, 23)  # a Monday
NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
D = datetime.date


def _staff():
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.CENTER_STAFF))
    return user


def _unacknowledged(department, *, ack_due_on=D(2026, 11, 20), **fields):
    """An open assignment far from its due date (no SLA step), acknowledgement due on ``ack_due_on``."""
    fields.setdefault("status", Assignment.Status.IN_PROGRESS)
    return AssignmentFactory(department=department, issued_on=D(2026, 11, 19), due_date=D(2026, 12, 30),
                             ack_due_on=ack_due_on, **fields)


def _third_party_pause(department, *, started=D(2026, 11, 13), due=D(2026, 11, 27), actor=None):
    """An assignment paused for Shentong Metro Group on ``started``; it resumes by itself 5 working
    days later (2026-11-20 for the default, before TODAY)."""
    assignment = AssignmentFactory(department=department, issued_on=started - datetime.timedelta(days=3), due_date=due,
                                   original_due_date=due, status=Assignment.Status.IN_PROGRESS)
    pause = pause_assignment(actor=actor or _staff(), assignment=assignment, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
                             third_party_name="申通地铁集团", note="等待地铁保护区评估。",
                             at=datetime.datetime.combine(started, datetime.time(10), tzinfo=SHANGHAI))
    return assignment, pause


def test_a_late_acknowledgement_is_told_once_to_the_heads_and_center_staff():
    department = DepartmentFactory()
    officer = OfficerFactory(department=department).user
    head = HeadFactory(department=department).user
    staff = _staff()
    late = _unacknowledged(department)
    acknowledged = _unacknowledged(department, acknowledged_at=NOW - datetime.timedelta(days=2))
    due_today = _unacknowledged(department, ack_due_on=TODAY)
    done = _unacknowledged(department, status=Assignment.Status.DONE, sla_state=S.DONE)
    result = run_sweep(today=TODAY, now=NOW)
    assert (result.ack_reminders, result.transitions, result.digests) == (1, 0, 2)
    by_user = {n.recipient_id: n for n in Notification.objects.all()}
    assert set(by_user) == {head.pk, staff.pk}  # not the officer
    assert late.work_order.request.tracking_number in by_user[head.pk].body
    assert f"/desk/assignments/{late.pk}/" in by_user[head.pk].body
    assert f"/center/requests/{late.work_order.request.tracking_number}/" in by_user[staff.pk].body
    assert "未签收" in by_user[head.pk].body and "2026-11-20" in by_user[head.pk].body
    for other in (acknowledged, due_today, done):
        assert other.work_order.request.tracking_number not in by_user[head.pk].body
    late.refresh_from_db()
    assert late.ack_reminder.sent_at == NOW
    assert AcknowledgementReminder.objects.count() == 1
    # Told once: the next day's sweep tells only the one that was due on TODAY.
    seen = Notification.objects.count()
    again = run_sweep(today=TODAY + datetime.timedelta(days=1), now=NOW + datetime.timedelta(days=1))
    assert (again.ack_reminders, again.digests) == (1, 2)
    for notice in Notification.objects.order_by("id")[seen:]:
        assert due_today.work_order.request.tracking_number in notice.body
        assert late.work_order.request.tracking_number not in notice.body
    assert officer.pk not in Notification.objects.values_list("recipient_id", flat=True)


def test_reminders_fold_into_the_heads_digest_with_the_overdue_work():
    department = DepartmentFactory()
    head = HeadFactory(department=department).user
    _unacknowledged(department)
    overdue = AssignmentFactory(department=department, issued_on=D(2026, 10, 1), due_date=TODAY - datetime.timedelta(days=2),
                                status=Assignment.Status.IN_PROGRESS, acknowledged_at=NOW - datetime.timedelta(days=40))
    result = run_sweep(today=TODAY, now=NOW)
    assert result.ack_reminders == 1 and result.assignment_transitions == 1
    digest = Notification.objects.get(recipient=head)
    assert overdue.work_order.request.tracking_number in digest.body
    assert "2" in digest.subject and digest.body.count("\n") == 1  # two lines, one notice


def test_an_expired_third_party_pause_resumes_by_itself():
    department = DepartmentFactory()
    OfficerFactory(department=department)
    assignment, pause = _third_party_pause(department)
    assert pause.resumes_on == D(2026, 11, 20)
    calendar = get_calendar()
    result = run_sweep(today=TODAY, now=NOW)
    assert result.resumed == 1
    pause.refresh_from_db()
    assert (pause.ended_on, pause.working_days, pause.resumed_automatically) == (D(2026, 11, 20), 5, True)
    assert pause.ended_at == NOW
    assignment.refresh_from_db()
    new_due = calendar.add_working_days(D(2026, 11, 27), 5)
    assert assignment.due_date == new_due == D(2026, 12, 4)
    assert assignment.original_due_date == D(2026, 11, 27)  # a third party never moves the original clock
    assert (assignment.paused_working_days, assignment.third_party_paused_working_days) == (5, 5)
    assert assignment.status == Assignment.Status.IN_PROGRESS
    assert assignment.sla_state == sla_state_for(new_due, TODAY, calendar=calendar)
    record = assignment.history.order_by("-history_id").first()
    assert record.history_user == system_user() and record.status == Assignment.Status.IN_PROGRESS
    assert record.history_change_reason.startswith("Clock resumed by itself; SLA: paused →")
    pause_record = pause.history.order_by("-history_id").first()
    assert (pause_record.history_user, pause_record.resumed_automatically) == (system_user(), True)
    event = RequestEvent.objects.get(assignment=assignment, kind=RequestEvent.Kind.RESUMED)
    assert (event.public, event.due_date, event.created_by, event.department_id) == (
        True, new_due, system_user(), department.pk)
    # Idempotent: the next sweep finds nothing to resume.
    assert run_sweep(today=TODAY, now=NOW + datetime.timedelta(hours=1)).resumed == 0
    assert RequestEvent.objects.filter(kind=RequestEvent.Kind.RESUMED).count() == 1


def test_pauses_not_expired_approved_or_for_material_stand_aside():
    department = DepartmentFactory()
    staff = _staff()
    recent, _recent_pause = _third_party_pause(department, started=D(2026, 11, 20), actor=staff)  # resumes 11-27
    approved, approved_pause = _third_party_pause(department, actor=staff)
    ClockPause.objects.filter(pk=approved_pause.pk).update(resumes_on=None, continuation_approved_at=NOW,
                                                           continuation_approved_by=staff)
    material = AssignmentFactory(department=department, issued_on=D(2026, 11, 1), due_date=D(2026, 11, 27),
                                 status=Assignment.Status.IN_PROGRESS)
    pause_assignment(actor=staff, assignment=material, reason=ClockPause.Reason.WAITING_FOR_MATERIAL,
                     at=datetime.datetime(2026, 11, 2, 10, tzinfo=SHANGHAI))
    result = run_sweep(today=TODAY, now=NOW)
    assert result.resumed == 0
    for assignment in (recent, approved, material):
        assignment.refresh_from_db()
        assert (assignment.status, assignment.sla_state, assignment.due_date) == (
            Assignment.Status.PAUSED, S.PAUSED, D(2026, 11, 27))
    assert not ClockPause.objects.filter(ended_at__isnull=False).exists()


def test_the_statement_count_is_fixed_with_one_or_many_reminders_and_resumptions():
    department = DepartmentFactory()
    HeadFactory(department=department)
    _staff()
    started = datetime.datetime(2026, 11, 13, 10, tzinfo=SHANGHAI)

    def statements_for(count):
        resumed_before = RequestEvent.objects.filter(kind=RequestEvent.Kind.RESUMED).count()
        work_orders = WorkOrderFactory.create_batch(count)
        Assignment.objects.bulk_create([
            Assignment(work_order=w, department=department, issued_at=started, issued_on=D(2026, 11, 1),
                       sla_working_days=10, due_date=D(2026, 12, 30), ack_due_on=D(2026, 11, 20),
                       status=Assignment.Status.IN_PROGRESS) for w in work_orders])
        paused = Assignment.objects.bulk_create([
            Assignment(work_order=w, department=DepartmentFactory(), issued_at=started, issued_on=D(2026, 11, 1),
                       sla_working_days=10, due_date=D(2026, 11, 16) + datetime.timedelta(days=i % 20),
                       status=Assignment.Status.PAUSED, sla_state=S.PAUSED, acknowledged_at=started)
            for i, w in enumerate(work_orders)])
        ClockPause.objects.bulk_create([
            ClockPause(assignment=a, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY, third_party_name="申通地铁集团",
                       started_at=started, started_on=started.date(), resumes_on=D(2026, 11, 20)) for a in paused])
        with CaptureQueriesContext(connection) as queries:
            result = run_sweep(today=TODAY, now=NOW)
        assert (result.ack_reminders, result.resumed) == (count, count)
        assert RequestEvent.objects.filter(kind=RequestEvent.Kind.RESUMED).count() == resumed_before + count
        assert not ClockPause.objects.filter(ended_at__isnull=True).exists()
        return len(queries)

    assert statements_for(1) == statements_for(60)
