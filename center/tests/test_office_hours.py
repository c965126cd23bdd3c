"""Office hours: sessions, the agenda and its rebuilds, invitations, minutes, iCalendar, consultations."""
import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from center.office_hours import ical
from center.models import AgendaItem, OfficeHoursSession
from center.office_hours.services import (
    add_item,
    build_agenda,
    convene_consultation,
    edit_item,
    ensure_sessions,
    prepare_office_hours,
    record_minutes,
    session_date_for_week,
)
from center.tests.factories import OfficeHoursSessionFactory
from departments.tests.factories import DepartmentFactory, OfficerFactory
from notifications.models import Notification
from projects.models import InvestmentProject
from projects.tests.factories import LeaderFactory, StaffFactory, UserFactory
from workdays.calendar import get_calendar
from workorders.models import Assignment, RequestEvent, WorkOrder
from workorders.tests.factories import ApprovalFactory, AssignmentFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db
K = AgendaItem.Kind
S = Assignment.SlaState
SESSION_DAY = datetime.date(2026, 11, 30)


@pytest.fixture
def staff():
    return StaffFactory(username="oh-staff")


@pytest.fixture
def session():
    return OfficeHoursSessionFactory(date=SESSION_DAY)


def _late(state=S.OVERDUE, department=None):
    return AssignmentFactory(sla_state=state, status=Assignment.Status.IN_PROGRESS,
                             department=department or DepartmentFactory(),
                             issued_on=datetime.date(2026, 10, 1), due_date=datetime.date(2026, 10, 20))


def _kinds(session):
    return {(item.kind, item.assignment_id or item.work_order_id or item.project_id)
            for item in AgendaItem.objects.filter(session=session, removed=False)}


def test_the_holiday_monday_moves_the_session_to_the_next_working_day():
    calendar = get_calendar()
    day = session_date_for_week(datetime.date(2026, 10, 5))
    assert day > datetime.date(2026, 10, 5) and calendar.is_working_day(day)
    assert not any(calendar.is_working_day(datetime.date(2026, 10, 5) + datetime.timedelta(days=n))
                   for n in range((day - datetime.date(2026, 10, 5)).days))
    assert session_date_for_week(datetime.date(2026, 11, 30)) == datetime.date(2026, 11, 30)
    created = ensure_sessions(today=datetime.date(2026, 9, 28), weeks=2)
    assert [s.date for s in created] == [datetime.date(2026, 10, 5) + (day - datetime.date(2026, 10, 5)),
                                        datetime.date(2026, 10, 12)]


def test_sessions_are_made_once_with_the_permanent_members():
    member = DepartmentFactory(is_permanent_member=True)
    DepartmentFactory(is_permanent_member=False)
    roaming = OfficerFactory(is_mobile_staff=True, department=member).user
    first = ensure_sessions(today=datetime.date(2026, 11, 23), weeks=8)
    assert len(first) == 8 and ensure_sessions(today=datetime.date(2026, 11, 23), weeks=8) == []
    assert list(first[0].departments.all()) == [member]
    assert list(first[0].staff.all()) == [roaming]
    assert first[0].date == datetime.date(2026, 11, 30) and first[0].starts_at == datetime.time(9, 0)


def test_each_kind_of_item_appears(session, staff):
    overdue, escalated = _late(S.OVERDUE), _late(S.ESCALATED)
    on_track = AssignmentFactory(status=Assignment.Status.IN_PROGRESS)
    flagged = WorkOrderFactory(needs_consultation=True)
    ready = WorkOrderFactory()
    for _ in range(2):
        AssignmentFactory(work_order=ready, status=Assignment.Status.IN_PROGRESS, replied_at=timezone.now(), reply="ok")
    stamped = WorkOrderFactory()
    done = AssignmentFactory(work_order=stamped, status=Assignment.Status.IN_PROGRESS, replied_at=timezone.now(), reply="ok")
    ApprovalFactory(assignment=done, department=done.department)
    red_order = WorkOrderFactory()
    red = red_order.request.project
    InvestmentProject.objects.filter(pk=red.pk).update(difficulty="red")
    previous = OfficeHoursSessionFactory(date=SESSION_DAY - datetime.timedelta(days=7))
    left_over = WorkOrderFactory()
    AgendaItem.objects.create(session=previous, kind=K.CONSULTATION, work_order=left_over, title="上周未结")
    AgendaItem.objects.create(session=previous, kind=K.CONSULTATION, work_order=WorkOrderFactory(), title="已结",
                              concluded=True, outcome="已解决")

    build_agenda(actor=staff, session=session)
    kinds = _kinds(session)
    assert (K.OVERDUE, overdue.pk) in kinds and (K.ESCALATED, escalated.pk) in kinds
    assert (K.CONSULTATION, flagged.pk) in kinds and (K.READY_TO_STAMP, ready.pk) in kinds
    assert (K.RED_PROJECT, red.pk) in kinds and (K.CARRIED_OVER, left_over.pk) in kinds
    assert not any(subject in (on_track.pk,) for kind, subject in kinds if kind in (K.OVERDUE, K.ESCALATED))
    assert (K.READY_TO_STAMP, stamped.pk) not in kinds
    assert len(kinds) == 6


def test_two_builds_give_the_same_agenda_and_slots_follow_departments(session, staff):
    a, b = DepartmentFactory(short_code="AA"), DepartmentFactory(short_code="BB")
    for department in (b, a, b):
        _late(department=department)
    build_agenda(actor=staff, session=session)
    first = list(AgendaItem.objects.filter(session=session).values_list("id", "kind", "position", "slot_start",
                                                                          "department__short_code"))
    again = build_agenda(actor=staff, session=session)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert list(AgendaItem.objects.filter(session=session).values_list(
        "id", "kind", "position", "slot_start", "department__short_code")) == first
    ordered = sorted(first, key=lambda row: row[2])
    assert [row[4] for row in ordered] == ["AA", "BB", "BB"]
    assert [row[3] for row in ordered] == [datetime.time(9, 0), datetime.time(9, 15), datetime.time(9, 30)]


def test_staff_edits_survive_a_rebuild(session, staff):
    items = []
    for _ in range(3):
        _late()
    build_agenda(actor=staff, session=session)
    items = list(AgendaItem.objects.filter(session=session).order_by("position"))
    edit_item(actor=staff, item=items[0], removed=True)
    edit_item(actor=staff, item=items[1], slot_start=datetime.time(14, 0), position=99, slot_minutes=30)
    own = add_item(actor=staff, session=session, title="园区道路协调", slot_start=datetime.time(11, 0))
    build_agenda(actor=staff, session=session)
    build_agenda(actor=staff, session=session)
    items[0].refresh_from_db()
    items[1].refresh_from_db()
    assert items[0].removed
    assert (items[1].slot_start, items[1].position, items[1].slot_minutes) == (datetime.time(14, 0), 99, 30)
    assert AgendaItem.objects.filter(pk=own.pk, removed=False).exists()
    assert AgendaItem.objects.filter(session=session).count() == 4  # no duplicates


def test_an_item_that_no_longer_qualifies_is_dropped_unless_staff_touched_it(session, staff):
    gone, kept = _late(), _late()
    build_agenda(actor=staff, session=session)
    edit_item(actor=staff, item=AgendaItem.objects.get(assignment=kept), slot_start=datetime.time(10, 0))
    Assignment.objects.filter(pk__in=[gone.pk, kept.pk]).update(status=Assignment.Status.DONE, sla_state=S.DONE)
    result = build_agenda(actor=staff, session=session)
    assert result.deleted == 1
    assert list(AgendaItem.objects.filter(session=session).values_list("assignment_id", flat=True)) == [kept.pk]


def test_a_constant_number_of_statements_whatever_the_agenda_size(session, staff):
    def statements(count):
        AgendaItem.objects.all().delete()
        Assignment.objects.all().delete()
        department = DepartmentFactory()
        for _ in range(count):
            _late(department=department)
        with CaptureQueriesContext(connection) as queries:
            build_agenda(actor=staff, session=session)
        return len(queries)

    assert statements(3) == statements(40)


def test_enterprises_are_invited_once_with_their_slot(session, staff):
    assignment = _late()
    contact = UserFactory()
    assignment.work_order.request.enterprise.users.add(contact)
    build_agenda(actor=staff, session=session)
    build_agenda(actor=staff, session=session)
    notices = Notification.objects.filter(recipient=contact)
    assert notices.count() == 1
    item = AgendaItem.objects.get(assignment=assignment)
    assert f"{item.slot_start:%H:%M}" in notices.get().body and "2026-11-30" in notices.get().subject
    assert item.invited_at is not None


def test_minutes_move_the_due_dates_and_unconcluded_items_carry_over(session, staff):
    work_order = WorkOrderFactory(needs_consultation=True)
    first = AssignmentFactory(work_order=work_order, status=Assignment.Status.IN_PROGRESS,
                              issued_on=datetime.date(2026, 11, 2), due_date=datetime.date(2026, 11, 16))
    second = AssignmentFactory(work_order=work_order, status=Assignment.Status.PAUSED, sla_state=S.PAUSED,
                               issued_on=datetime.date(2026, 11, 2), due_date=datetime.date(2026, 11, 16))
    build_agenda(actor=staff, session=session)
    item = AgendaItem.objects.get(session=session, work_order=work_order)
    record_minutes(actor=staff, item=item, outcome="申通地铁集团出具意见后两周内办理", next_steps="交通委跟进",
                   new_due_date=datetime.date(2026, 12, 14), concluded=False)
    for assignment in (first, second):
        assignment.refresh_from_db()
        assert assignment.due_date == datetime.date(2026, 12, 14)
        record = assignment.history.order_by("-history_id").first()
        assert record.history_user == staff and "office hours" in record.history_change_reason
    event = RequestEvent.objects.get(request=work_order.request, kind=RequestEvent.Kind.OFFICE_HOURS)
    assert "申通" in event.text and event.due_date == datetime.date(2026, 12, 14)
    WorkOrder.objects.filter(pk=work_order.pk).update(needs_consultation=False)
    following = OfficeHoursSessionFactory(date=SESSION_DAY + datetime.timedelta(days=7))
    build_agenda(actor=staff, session=following)
    carried = AgendaItem.objects.get(session=following, work_order=work_order)
    assert carried.kind == K.CARRIED_OVER and carried.carried_over_from == item


def test_ics_parses_with_asia_shanghai_times_and_stable_uids(session, staff):
    department = DepartmentFactory(short_code="JT")
    _late(department=department)
    _late()
    build_agenda(actor=staff, session=session)
    first = icalendar.Calendar.from_ical(ical.session_calendar(session, ical.export_items(session)))
    events = first.walk("VEVENT")
    assert len(events) == 2
    assert first.walk("VTIMEZONE")[0]["TZID"] == "Asia/Shanghai"
    starts = sorted(event.decoded("DTSTART") for event in events)
    assert starts[0] == datetime.datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert starts[0].utcoffset() == datetime.timedelta(hours=8)
    assert events[0]["DTSTART"].params["TZID"] == "Asia/Shanghai"
    again = icalendar.Calendar.from_ical(ical.session_calendar(session, ical.export_items(session)))
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(str(e["UID"]) for e in events)
    only_jt = icalendar.Calendar.from_ical(ical.session_calendar(session, ical.export_items(session, department.pk)))
    assert len(only_jt.walk("VEVENT")) == 1


def test_prepare_office_hours_builds_the_next_agenda_in_its_window(settings):
    settings.CENTER_AGENDA_BUILD_DAYS_BEFORE = 4
    _late()
    early = prepare_office_hours(today=datetime.date(2026, 11, 23))  # a Monday: next session in 7 days
    assert early["session"] == "2026-11-30" and early["agenda"] is None
    thursday = prepare_office_hours(today=datetime.date(2026, 11, 26))
    assert thursday["agenda"]["created"] == 1
    assert OfficeHoursSession.objects.get(date=SESSION_DAY).agenda_built_at is not None


def test_consultation_is_recorded_on_the_timeline(staff):
    work_order = WorkOrderFactory()
    jt = DepartmentFactory(name_zh="区交通委")
    convene_consultation(actor=staff, work_order=work_order, held_at=timezone.now(), departments=[jt],
                         outside_parties="上海申通地铁集团有限公司", attendees="投促办、交通委", outcome="形成一致意见",
                         decisions="两周内办理许可")
    event = RequestEvent.objects.get(request=work_order.request, kind=RequestEvent.Kind.CONSULTED)
    assert "申通" in event.text and "区交通委" in event.text and "两周内办理许可" in event.text
    assert work_order.consultations.get().departments.get() == jt


def test_pages_and_who_may_use_them(session, staff):
    _late()
    build_agenda(actor=staff, session=session)
    officer = OfficerFactory().user
    leader = LeaderFactory()
    enterprise = UserFactory()
    url = "/center/office-hours/2026-11-30/"
    for user, status in ((staff, 200), (officer, 200), (leader, 200), (enterprise, 403)):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.get(url + "agenda.ics").status_code == status
        assert client.post(url + "build/").status_code == (302 if user == staff else 403)
    client = Client()
    client.force_login(staff)
    response = client.get(url + "agenda.ics")
    assert response["Content-Type"].startswith("text/calendar")
    assert client.get("/center/office-hours/2026-13-01/").status_code == 404
    item = AgendaItem.objects.get(session=session)
    bad = client.post(f"/center/office-hours/items/{item.pk}/minutes/", {f"m{item.pk}-outcome": ""})
    assert bad.status_code == 400
    ok = client.post(f"/center/office-hours/items/{item.pk}/minutes/", {f"m{item.pk}-outcome": "已协调",
                                                                         f"m{item.pk}-concluded": "on"})
    assert ok.status_code == 302
    item.refresh_from_db()
    assert item.concluded and item.outcome == "已协调"
    other = Client()
    other.force_login(officer)
    assert other.post(f"/center/office-hours/items/{item.pk}/edit/", {"do": "remove"}).status_code == 403


def test_consultation_form_on_the_center_request_page(staff):
    work_order = WorkOrderFactory()
    metro = DepartmentFactory(short_code="JT")
    client = Client()
    client.force_login(staff)
    url = f"/center/requests/{work_order.request.tracking_number}/consult/"
    assert client.get(url).status_code == 200
    empty = client.post(url, {"held_at": "2026-11-30T10:00"})
    assert empty.status_code == 400 and "departments" in empty.context["form"].errors
    done = client.post(url, {"held_at": "2026-11-30T10:00", "departments": [metro.pk],
                             "outside_parties": "上海申通地铁集团有限公司", "outcome": "同意方案"})
    assert done.status_code == 302
    consultation = work_order.consultations.get()
    assert consultation.held_at == datetime.datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert RequestEvent.objects.filter(request=work_order.request, kind=RequestEvent.Kind.CONSULTED).exists()
