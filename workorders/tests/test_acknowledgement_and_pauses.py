"""Acknowledgement (签收) and pauses with their reasons: the rules of the services (who may is also in
test_permissions_in_services)."""
import datetime
import zoneinfo
from decimal import Decimal

import pytest

from departments.tests.factories import DepartmentFactory, OfficerFactory
from projects.tests.factories import StaffFactory, UserFactory
from workdays.calendar import get_calendar
from notifications.models import Notification
from workorders.exceptions import WorkOrderError
from workorders.models import Assignment, ClockPause, RequestEvent
from workorders.services import (
    acknowledge_assignment,
    complete_assignment,
    issue_work_order,
    pause_assignment,
    provide_material,
    reply_to_assignment,
    request_material,
    resume_assignment,
)
from workorders.tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = datetime.date
METRO = "申通地铁集团"


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def staff():
    return StaffFactory(username="staff-ack")


@pytest.fixture
def department():
    return DepartmentFactory(short_code="JT")


@pytest.fixture
def officer(department):
    return OfficerFactory(department=department).user


@pytest.fixture
def assignment(staff, department):
    """Issued on Friday 2026-11-20 at 16:00: due 2026-12-04, acknowledgement due 2026-11-23."""
    return issue_work_order(actor=staff, request=ServiceRequestFactory(), lead_department=department,
                            at=at(2026, 11, 20, 16)).assignments.get()


def _events(assignment, kind):
    return list(RequestEvent.objects.filter(assignment=assignment, kind=kind))


def test_an_officer_acknowledges_once_in_working_hours_and_the_clock_does_not_move(assignment, officer):
    assert (assignment.ack_due_on, assignment.due_date) == (D(2026, 11, 23), D(2026, 12, 4))
    acknowledge_assignment(actor=officer, assignment=assignment, at=at(2026, 11, 23, 10))
    assert assignment.acknowledged_at == at(2026, 11, 23, 10) and assignment.acknowledged_by == officer
    assert assignment.ack_working_hours == Decimal("18.0")  # 8 hours of Friday, none of the weekend, 10 of Monday
    assert (assignment.due_date, assignment.original_due_date) == (D(2026, 12, 4), D(2026, 12, 4))
    [event] = _events(assignment, RequestEvent.Kind.ACKNOWLEDGED)
    assert (event.public, event.created_by) == (False, officer)
    assert assignment.history.first().history_user == officer
    with pytest.raises(WorkOrderError) as raised:
        acknowledge_assignment(actor=officer, assignment=assignment, at=at(2026, 11, 24))
    assert raised.value.code == "already_acknowledged" and "2026-11-23 10:00" in raised.value.message
    assignment.refresh_from_db()
    assert assignment.acknowledged_at == at(2026, 11, 23, 10)
    assert len(_events(assignment, RequestEvent.Kind.ACKNOWLEDGED)) == 1


def test_a_finished_assignment_cannot_be_acknowledged(assignment, officer):
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.DONE)
    with pytest.raises(WorkOrderError) as raised:
        acknowledge_assignment(actor=officer, assignment=assignment)
    assert raised.value.code == "not_open"
    assert not _events(assignment, RequestEvent.Kind.ACKNOWLEDGED)


@pytest.mark.parametrize("act", [
    lambda officer, a: reply_to_assignment(actor=officer, assignment=a, text="正在协调。"),
    lambda officer, a: request_material(actor=officer, assignment=a, text="请补充图纸。"),
    lambda officer, a: complete_assignment(actor=officer, assignment=a, text="已办结。"),
    lambda officer, a: pause_assignment(actor=officer, assignment=a, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
                                        third_party_name=METRO, note="等待评估。"),
], ids=["reply", "material", "done", "third_party"])
def test_working_on_the_assignment_acknowledges_it_once(assignment, officer, act):
    act(officer, assignment)
    assignment.refresh_from_db()
    assert assignment.acknowledged_by == officer and assignment.ack_working_hours is not None
    assert len(_events(assignment, RequestEvent.Kind.ACKNOWLEDGED)) == 1


def test_a_later_reply_leaves_the_acknowledgement_alone(assignment, officer):
    acknowledge_assignment(actor=officer, assignment=assignment, at=at(2026, 11, 23, 10))
    reply_to_assignment(actor=officer, assignment=assignment, text="正在协调。")
    assignment.refresh_from_db()
    assert assignment.acknowledged_at == at(2026, 11, 23, 10)
    assert len(_events(assignment, RequestEvent.Kind.ACKNOWLEDGED)) == 1


def test_staff_pausing_does_not_acknowledge(assignment, staff):
    pause_assignment(actor=staff, assignment=assignment, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
                     third_party_name=METRO, note="等待评估。")
    assignment.refresh_from_db()
    assert assignment.acknowledged_at is None


def test_a_pause_for_an_outside_organisation_names_it_publicly_and_has_a_limit(assignment, officer):
    pause = pause_assignment(actor=officer, assignment=assignment, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
                             third_party_name=f" {METRO} ", note="等待地铁保护区评估意见。", at=at(2026, 11, 24))
    assert (pause.third_party_name, pause.third_party, pause.note) == (METRO, METRO, "等待地铁保护区评估意见。")
    assert pause.requested_by == officer
    assert pause.resumes_on == get_calendar().add_working_days(D(2026, 11, 24), 5) == D(2026, 12, 1)
    [event] = _events(assignment, RequestEvent.Kind.PAUSED)
    assert (event.public, event.text) == (True, METRO)  # the third party, never the internal text


def test_a_pause_for_another_department(assignment, officer, settings):
    settings.CENTER_THIRD_PARTY_PAUSE_WORKING_DAYS = 3
    planning = DepartmentFactory(short_code="GH", name_zh="区规划资源局")
    planning_head = OfficerFactory(department=planning, role="head").user
    planning_officer = OfficerFactory(department=planning).user
    pause = pause_assignment(actor=officer, assignment=assignment, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
                             third_party_department=planning, note="等待规划意见。", at=at(2026, 11, 24))
    assert pause.third_party == "区规划资源局" and pause.resumes_on == D(2026, 11, 27)
    assert _events(assignment, RequestEvent.Kind.PAUSED)[0].text == "区规划资源局"
    # The department waited for is told, through its heads, by whom and for what.
    told = Notification.objects.get(recipient=planning_head)
    assert "等待规划意见。" in told.body and assignment.work_order.request.tracking_number in told.subject
    assert not Notification.objects.filter(recipient=planning_officer).exists()


@pytest.mark.parametrize(("fields", "field"), [
    ({"note": "等待。"}, "third_party_department"),
    ({"third_party_name": METRO, "third_party_department": "other", "note": "等待。"}, "third_party_name"),
    ({"third_party_department": "own", "note": "等待。"}, "third_party_department"),
    ({"third_party_department": "inactive", "note": "等待。"}, "third_party_department"),
    ({"third_party_name": METRO}, "note"),
    ({"third_party_name": METRO, "note": "等待。", "reason": ClockPause.Reason.WAITING_FOR_MATERIAL}, "third_party_name"),
], ids=["nobody", "both", "itself", "inactive", "no_text", "material_with_third_party"])
def test_a_pause_without_a_clear_third_party_is_refused_beside_the_field(assignment, officer, department, fields, field):
    departments = {"other": DepartmentFactory(), "own": department, "inactive": DepartmentFactory(is_active=False)}
    if "third_party_department" in fields:
        fields["third_party_department"] = departments[fields["third_party_department"]]
    fields.setdefault("reason", ClockPause.Reason.WAITING_FOR_THIRD_PARTY)
    with pytest.raises(WorkOrderError) as raised:
        pause_assignment(actor=officer, assignment=assignment, **fields)
    assert raised.value.field == field
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.ISSUED and not assignment.pauses.exists()
    assert not RequestEvent.objects.filter(assignment=assignment).exists()


def test_resuming_a_third_party_pause_leaves_the_original_clock(assignment, officer):
    pause_assignment(actor=officer, assignment=assignment, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
                     third_party_name=METRO, note="等待评估。", at=at(2026, 11, 24))
    resume_assignment(actor=officer, assignment=assignment, at=at(2026, 11, 26))  # 11-25, 11-26
    assert (assignment.paused_working_days, assignment.third_party_paused_working_days) == (2, 2)
    assert (assignment.due_date, assignment.original_due_date) == (D(2026, 12, 8), D(2026, 12, 4))
    [event] = _events(assignment, RequestEvent.Kind.RESUMED)
    assert (event.public, event.due_date) == (True, D(2026, 12, 8))


def test_resuming_a_material_pause_moves_the_original_clock_too(assignment, staff):
    pause_assignment(actor=staff, assignment=assignment, reason=ClockPause.Reason.WAITING_FOR_MATERIAL, at=at(2026, 11, 24))
    resume_assignment(actor=staff, assignment=assignment, at=at(2026, 11, 26))
    assert (assignment.paused_working_days, assignment.third_party_paused_working_days) == (2, 0)
    assert (assignment.due_date, assignment.original_due_date) == (D(2026, 12, 8), D(2026, 12, 8))


def test_a_late_resume_of_a_third_party_pause_counts_only_to_its_limit(assignment, officer):
    pause = pause_assignment(actor=officer, assignment=assignment, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
                             third_party_name=METRO, note="等待评估。", at=at(2026, 11, 24))
    resume_assignment(actor=officer, assignment=assignment, at=at(2026, 12, 10))  # the sweep had not run
    pause.refresh_from_db()
    assert (pause.working_days, pause.ended_on) == (5, D(2026, 12, 10))
    assert assignment.third_party_paused_working_days == 5


def test_the_enterprise_cannot_end_a_wait_for_a_third_party(assignment, officer):
    contact = UserFactory()
    assignment.work_order.request.enterprise.users.add(contact)
    pause_assignment(actor=officer, assignment=assignment, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
                     third_party_name=METRO, note="等待评估。")
    for call in (lambda: provide_material(actor=contact, assignment=assignment, text="已补充。"),
                 lambda: resume_assignment(actor=contact, assignment=assignment)):
        with pytest.raises(WorkOrderError) as raised:
            call()
        assert raised.value.code == "not_waiting_for_material"
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.PAUSED and assignment.pauses.get().ended_at is None
