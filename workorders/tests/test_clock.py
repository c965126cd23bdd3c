"""Due dates and pause arithmetic: stored at the event, moved by the working days paused."""
import datetime
import zoneinfo

import pytest
from django.db import IntegrityError

from departments.tests.factories import DepartmentFactory, OfficerFactory
from projects.tests.factories import StaffFactory, UserFactory
from workdays.calendar import get_calendar
from workorders.exceptions import WorkOrderError
from workorders.models import Assignment, ClockPause, ServiceRequest
from workorders.services import issue_work_order, pause_assignment, resume_assignment, sla_state_for
from workorders.tests.factories import AssignmentFactory, ServiceRequestFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = datetime.date


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def staff():
    return StaffFactory(username="staff-clock")


@pytest.fixture
def departments():
    return DepartmentFactory(short_code="JT"), DepartmentFactory(short_code="JW")


@pytest.mark.django_db
def test_issue_stores_a_due_date_ten_working_days_on(staff, departments):
    lead, co = departments
    request = ServiceRequestFactory()
    work_order = issue_work_order(actor=staff, request=request, lead_department=lead, co_departments=[co], at=at(2026, 2, 12))
    assignments = list(work_order.assignments.order_by("department__short_code"))
    assert [a.department.short_code for a in assignments] == ["JT", "JW"]
    assert {a.role for a in assignments} == {Assignment.Role.LEAD, Assignment.Role.CO_HANDLING}
    for assignment in assignments:
        assert assignment.issued_on == D(2026, 2, 12)
        assert assignment.sla_working_days == 10
        assert assignment.due_date == D(2026, 3, 4)  # across Spring Festival 2026
        assert assignment.sla_state == Assignment.SlaState.ON_TRACK
        assert assignment.history.first().history_user == staff
    request.refresh_from_db()
    assert request.status == ServiceRequest.Status.IN_PROGRESS


@pytest.mark.django_db
def test_the_issue_date_is_the_shanghai_date(staff, departments):
    # 2026-09-29 23:30 UTC is already 2026-09-30 07:30 in Shanghai.
    moment = datetime.datetime(2026, 9, 29, 23, 30, tzinfo=datetime.UTC)
    work_order = issue_work_order(actor=staff, request=ServiceRequestFactory(), lead_department=departments[0], at=moment)
    assignment = work_order.assignments.get()
    assert assignment.issued_on == D(2026, 9, 30)
    # 10-08 (1), 10-09 (2), Saturday 10-10 (3), 10-12..10-16 (4..8), 10-19 (9), 10-20 (10)
    assert assignment.due_date == D(2026, 10, 20)


@pytest.mark.django_db
def test_working_days_per_request_kind(staff, departments, settings):
    settings.CENTER_SLA_WORKING_DAYS_BY_KIND = {"extension": 5}
    request = ServiceRequestFactory(kind=ServiceRequest.Kind.EXTENSION, requested_completion_date=D(2027, 6, 30))
    assignment = issue_work_order(actor=staff, request=request, lead_department=departments[0], at=at(2026, 9, 29)).assignments.get()
    assert assignment.sla_working_days == 5
    # 09-30 (1), 10-08 (2), 10-09 (3), Saturday 10-10 (4), 10-12 (5)
    assert assignment.due_date == D(2026, 10, 12)


@pytest.mark.django_db
def test_a_request_gets_one_work_order(staff, departments):
    request = ServiceRequestFactory()
    issue_work_order(actor=staff, request=request, lead_department=departments[0])
    with pytest.raises(WorkOrderError) as raised:
        issue_work_order(actor=staff, request=request, lead_department=departments[0])
    assert raised.value.code == "not_submitted"


@pytest.mark.django_db
def test_a_request_without_project_cannot_be_issued(staff, departments):
    request = ServiceRequestFactory(project=None)
    with pytest.raises(WorkOrderError) as raised:
        issue_work_order(actor=staff, request=request, lead_department=departments[0])
    assert raised.value.code == "no_project"
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_one_assignment_per_work_order_and_department(staff, departments):
    assignment = AssignmentFactory(department=departments[0])
    with pytest.raises(IntegrityError):
        AssignmentFactory(work_order=assignment.work_order, department=departments[0])


@pytest.mark.django_db
def test_pause_and_resume_across_national_day_moves_the_due_date(staff, departments):
    assignment = issue_work_order(
        actor=staff, request=ServiceRequestFactory(), lead_department=departments[0], at=at(2026, 9, 21)
    ).assignments.get()
    # Issued Monday 09-21: 09-22..09-24 (1..3), 09-25 is Mid-Autumn, 09-28..09-30 (4..6), 10-08 (7),
    # 10-09 (8), Saturday 10-10 (9), 10-12 (10).
    assert assignment.due_date == D(2026, 10, 12)

    officer = OfficerFactory(department=departments[0], user=UserFactory(username="officer-clock")).user
    pause = pause_assignment(actor=officer, assignment=assignment, reason=ClockPause.Reason.WAITING_FOR_MATERIAL, note="请补充消防方案", at=at(2026, 9, 29))
    assert assignment.status == Assignment.Status.PAUSED
    assert assignment.sla_state == Assignment.SlaState.PAUSED
    assert pause.requested_by == officer and pause.started_on == D(2026, 9, 29)

    resume_assignment(actor=officer, assignment=assignment, at=at(2026, 10, 9, 16))
    pause.refresh_from_db()
    # Paused 09-29, resumed 10-09: the working days 09-30, 10-08, 10-09 stood still.
    assert pause.working_days == 3
    assert pause.ended_on == D(2026, 10, 9)
    assert assignment.paused_working_days == 3
    # 10-12 plus 3 working days: 10-13, 10-14, 10-15.
    assert assignment.due_date == D(2026, 10, 15)
    assert assignment.status == Assignment.Status.IN_PROGRESS
    assert assignment.sla_state == sla_state_for(D(2026, 10, 15), D(2026, 10, 9))
    assert assignment.history.first().history_user == officer


@pytest.mark.django_db
def test_pause_and_resume_on_the_same_day_moves_nothing(staff, departments):
    assignment = issue_work_order(actor=staff, request=ServiceRequestFactory(), lead_department=departments[0], at=at(2026, 3, 2)).assignments.get()
    due = assignment.due_date
    pause_assignment(actor=staff, assignment=assignment, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
                     third_party_name="申通地铁集团", note="等待地铁保护区评估。", at=at(2026, 3, 3, 9))
    resume_assignment(actor=staff, assignment=assignment, at=at(2026, 3, 3, 17))
    assert assignment.due_date == due
    assert assignment.paused_working_days == 0


@pytest.mark.django_db
def test_two_pauses_add_up(staff, departments):
    assignment = issue_work_order(actor=staff, request=ServiceRequestFactory(), lead_department=departments[0], at=at(2026, 3, 2)).assignments.get()
    assert assignment.due_date == D(2026, 3, 16)
    pause_assignment(actor=staff, assignment=assignment, reason="material", at=at(2026, 3, 3))
    resume_assignment(actor=staff, assignment=assignment, at=at(2026, 3, 5))  # 03-04, 03-05
    pause_assignment(actor=staff, assignment=assignment, reason="material", at=at(2026, 3, 9))
    resume_assignment(actor=staff, assignment=assignment, at=at(2026, 3, 10))  # 03-10
    assert assignment.paused_working_days == 3
    assert assignment.due_date == D(2026, 3, 19)
    assert list(assignment.pauses.values_list("working_days", flat=True)) == [2, 1]


@pytest.mark.django_db
def test_pausing_twice_is_refused_and_changes_nothing(staff, departments):
    assignment = AssignmentFactory()
    pause_assignment(actor=staff, assignment=assignment, reason="material")
    with pytest.raises(WorkOrderError) as raised:
        pause_assignment(actor=staff, assignment=assignment, reason="material")
    assert raised.value.code == "not_running"
    assert assignment.pauses.count() == 1


@pytest.mark.django_db
def test_an_unknown_reason_is_refused(staff):
    assignment = AssignmentFactory()
    with pytest.raises(WorkOrderError):
        pause_assignment(actor=staff, assignment=assignment, reason="lunch")
    assert not assignment.pauses.exists()


@pytest.mark.django_db
def test_resuming_a_running_clock_is_refused(staff):
    assignment = AssignmentFactory()
    with pytest.raises(WorkOrderError) as raised:
        resume_assignment(actor=staff, assignment=assignment)
    assert raised.value.code == "not_paused"


@pytest.mark.django_db
def test_a_done_assignment_cannot_be_paused(staff):
    assignment = AssignmentFactory(status=Assignment.Status.DONE)
    with pytest.raises(WorkOrderError):
        pause_assignment(actor=staff, assignment=assignment, reason="material")


@pytest.mark.django_db
def test_only_one_open_pause_per_assignment_in_the_database():
    pause = ClockPause.objects.create(
        assignment=AssignmentFactory(), reason="material", started_at=at(2026, 3, 3), started_on=D(2026, 3, 3)
    )
    with pytest.raises(IntegrityError):
        ClockPause.objects.create(assignment=pause.assignment, reason="material", started_at=at(2026, 3, 4), started_on=D(2026, 3, 4))


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (D(2026, 10, 9), Assignment.SlaState.ON_TRACK),  # 4 working days left
        (D(2026, 10, 12), Assignment.SlaState.ON_TRACK),  # 3 left
        (D(2026, 10, 13), Assignment.SlaState.DUE_SOON),  # 2 left
        (D(2026, 10, 15), Assignment.SlaState.DUE_SOON),  # due today
        (D(2026, 10, 16), Assignment.SlaState.OVERDUE),  # 1 working day over
        (D(2026, 10, 21), Assignment.SlaState.OVERDUE),  # 4 over
        (D(2026, 10, 22), Assignment.SlaState.ESCALATED),  # 5 over
    ],
)
@pytest.mark.django_db
def test_sla_state_by_working_days_left(today, state):
    assert sla_state_for(D(2026, 10, 15), today, calendar=get_calendar()) == state
