"""Issue 25, part 3: a year whose holiday schedule is not yet official, and entering it.

The 2026 schedule is played as if it had arrived late (``CENTER_CALENDAR_LAST_OFFICIAL_YEAR=2025``):
due dates counted on the package's guess for 2026 must move, when staff enter the State Council's
notice, to the dates that two independent calendars agree on: the package's own 2026 data and the
notice typed below (国办发明电〔2025〕7号), each checked by hand in ``workdays/tests/test_calendar.py``.
"""
import datetime

import pytest
from django.test import Client, override_settings

from core.errors import DomainError
from notifications.models import OutboundEmail
from workdays.calendar import WorkCalendar, get_calendar
from workdays.models import CalendarOverride
from workdays.selectors import missing_schedules
from workdays.services import parse_schedule
from workorders.exceptions import WorkOrderError
from workorders.models import Assignment, RequestEvent
from workorders.services.calendar import enter_official_schedule
from workorders.tests.factories import AssignmentFactory, CommitmentFactory

D = datetime.date

NOTICE_2026 = """
# 国务院办公厅关于2026年部分节假日安排的通知
2026-01-01..2026-01-03 休   # 元旦
2026-01-04 班
2026-02-15..2026-02-23 休   # 春节
2026-02-14 班; 2026-02-28 班
2026-04-04..2026-04-06 off  # 清明节
2026-05-01..2026-05-05 off  # 劳动节
2026-05-09 work
2026-06-19..2026-06-21 off  # 端午节
2026-09-25..2026-09-27 off  # 中秋节
2026-10-01..2026-10-07 off  # 国庆节
2026-09-20 work
2026-10-10 work
"""

LATE = override_settings(CENTER_CALENDAR_LAST_OFFICIAL_YEAR=2025)


def _days(year):
    day = D(year, 1, 1)
    while day.year == year:
        yield day
        day += datetime.timedelta(days=1)


def test_the_typed_notice_and_the_package_agree_on_every_day_of_2026():
    schedule = parse_schedule(2026, NOTICE_2026)
    entered = WorkCalendar(overrides={d: False for d in schedule.days_off} | {d: True for d in schedule.working_days},
                           entered_years=frozenset({2026}))
    package = WorkCalendar()
    assert [d for d in _days(2026) if entered.is_working_day(d) != package.is_working_day(d)] == []
    assert entered.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 365 - 104 - 19 + 6


@LATE
def test_a_late_year_is_guessed_and_provisional():
    guess = WorkCalendar()
    assert not guess.is_official(2026) and guess.is_official(2025)
    assert guess.is_provisional_between(D(2025, 12, 24), D(2026, 1, 8))
    assert not guess.is_working_day(D(2026, 2, 17))  # Spring Festival is statutory, so guessed
    assert not guess.is_working_day(D(2026, 2, 14))  # the make-up Saturday is not known
    assert guess.is_working_day(D(2026, 2, 20))  # nor the moved day off
    assert guess.add_working_days(D(2026, 2, 6), 10) == D(2026, 2, 26)  # 02-20 and 02-23 guessed as working
    assert guess.add_working_days(D(2026, 9, 29), 10) == D(2026, 10, 16)


@pytest.mark.django_db
@LATE
def test_entering_the_schedule_moves_the_due_dates_it_changes(world):
    guess = get_calendar()
    spring = AssignmentFactory(department=world.dept_a, issued_on=D(2026, 2, 6),
                               due_date=guess.add_working_days(D(2026, 2, 6), 10))
    national = AssignmentFactory(department=world.dept_b, issued_on=D(2026, 9, 29),
                                 due_date=guess.add_working_days(D(2026, 9, 29), 10))
    extended = AssignmentFactory(department=world.dept_a, issued_on=D(2026, 9, 29),
                                 due_date=guess.add_working_days(D(2026, 9, 29), 15))
    in_2025 = AssignmentFactory(department=world.dept_a, issued_on=D(2025, 3, 3), due_date=D(2025, 3, 17))
    finished = AssignmentFactory(department=world.dept_a, issued_on=D(2026, 2, 12), status=Assignment.Status.DONE,
                                 due_date=guess.add_working_days(D(2026, 2, 12), 10))
    finished_due = finished.due_date
    commitment = CommitmentFactory(request=spring.work_order.request, department=world.dept_a, due_date=D(2026, 2, 20))
    kept = CommitmentFactory(request=national.work_order.request, department=world.dept_b, due_date=D(2026, 3, 10))
    assert spring.due_date != D(2026, 2, 27) and national.due_date != D(2026, 10, 19)

    result = enter_official_schedule(actor=world.staff, schedule=parse_schedule(2026, NOTICE_2026),
                                     note="国办发明电〔2025〕7号", today=D(2026, 2, 13))

    with override_settings(CENTER_CALENDAR_LAST_OFFICIAL_YEAR=2026):
        official = WorkCalendar()  # the package's own 2026 schedule
        want_spring = official.add_working_days(D(2026, 2, 6), 10)
        want_national = official.add_working_days(D(2026, 9, 29), 10)
        want_extended = official.add_working_days(D(2026, 9, 29), 15)
    # As counted by hand: 02-09..02-13 (5), Saturday 02-14 make-up (6), 02-24..02-27 (10); and
    # 09-30 (1), 10-08 (2), 10-09 (3), Saturday 10-10 (4), 10-12..10-16 (9), 10-19 (10).
    assert (want_spring, want_national) == (D(2026, 2, 27), D(2026, 10, 19))
    for row, want in ((spring, want_spring), (national, want_national), (extended, want_extended)):
        row.refresh_from_db()
        assert row.due_date == want
        event = RequestEvent.objects.get(request=row.work_order.request, assignment=row,
                                         kind=RequestEvent.Kind.DUE_DATE_MOVED)
        assert event.due_date == want and event.public and "2026" in event.text
        assert row.history.filter(history_user=world.staff).exists()
    spring.refresh_from_db()
    assert spring.sla_state == Assignment.SlaState.ON_TRACK  # judged again on the new date
    for row, unchanged in ((in_2025, D(2025, 3, 17)), (finished, finished_due)):
        row.refresh_from_db()
        assert row.due_date == unchanged
    commitment.refresh_from_db()
    kept.refresh_from_db()
    assert commitment.due_date == D(2026, 2, 24)  # 02-20 became a day off; next working day
    assert kept.due_date == D(2026, 3, 10)
    assert {a.pk for a, _old, _new in result.assignments_moved} == {spring.pk, national.pk, extended.pk}
    assert len(result.commitments_moved) == 1
    # The enterprises are told once per request whose dates moved.
    told = OutboundEmail.objects.filter(subject__contains=spring.work_order.request.tracking_number)
    assert told.exists()
    assert get_calendar().is_official(2026) and get_calendar().add_working_days(D(2026, 2, 12), 10) == D(2026, 3, 4)

    # Entering it again (a correction) moves nothing that is already right.
    again = enter_official_schedule(actor=world.staff, schedule=parse_schedule(2026, NOTICE_2026), today=D(2026, 2, 13))
    assert again.assignments_moved == [] and again.commitments_moved == []


@pytest.mark.django_db
def test_only_center_staff_enter_a_schedule_and_nothing_is_half_written(world):
    before = AssignmentFactory(department=world.dept_a, issued_on=D(2027, 2, 1), due_date=D(2027, 2, 20))
    for role in ("officer_a", "head_a", "leader", "enterprise_a"):
        with pytest.raises(WorkOrderError):
            enter_official_schedule(actor=world.users[role], schedule=parse_schedule(2027, "2027-02-05..2027-02-12 off"))
    assert not CalendarOverride.objects.exists()
    before.refresh_from_db()
    assert before.due_date == D(2027, 2, 20)


@pytest.mark.parametrize(("text", "words"), [
    ("2027-13-01 off", "2027-13-01"),
    ("2027-02-06 maybe", "maybe"),
    ("2026-12-31 off", "2026-12-31"),
    ("2027-02-08 work", "2027-02-08"),  # a Monday cannot be a make-up working day
    ("2027-02-06 off\n2027-02-06 班", "2027-02-06"),
    ("2027-02-14 work", ""),  # no day off at all
    ("2027-02-01..2027-04-01 off", "2027-02-01"),  # far too long a range
])
def test_a_schedule_that_cannot_be_read_names_the_line(text, words):
    with pytest.raises(DomainError) as raised:
        parse_schedule(2027, text)
    assert "schedule" in raised.value.errors
    assert words in " ".join(raised.value.errors["schedule"])


@pytest.mark.django_db
def test_staff_are_warned_from_november_until_next_year_is_entered():
    assert missing_schedules(D(2026, 10, 31)) == []
    assert missing_schedules(D(2026, 11, 1)) == [2027]
    assert missing_schedules(D(2027, 1, 5)) == [2027]
    CalendarOverride.objects.create(date=D(2027, 1, 1), is_working_day=False, official_schedule=True)
    assert missing_schedules(D(2026, 11, 1)) == []
    assert missing_schedules(D(2027, 11, 1)) == [2028]


@pytest.mark.django_db
def test_the_pages_mark_provisional_dates_and_take_the_schedule(world):
    """The desk and the portal say a 2027 date is provisional; staff enter 2027 on /center/calendar/
    (typed, or as a file), after which the mark is gone and the date has moved."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    assignment = world.assignment_a
    Assignment.objects.filter(pk=assignment.pk).update(issued_on=D(2026, 12, 24), due_date=D(2027, 1, 8))
    officer, enterprise, staff = Client(), Client(), Client()
    officer.force_login(world.users["officer_a"])
    enterprise.force_login(world.users["enterprise_a"])
    staff.force_login(world.staff)
    desk = officer.get(f"/desk/assignments/{assignment.pk}/").content.decode()
    assert 'class="provisional"' in desk
    portal = enterprise.get(f"/requests/{assignment.work_order.request.tracking_number}/").content.decode()
    assert 'class="provisional"' in portal
    assert officer.get("/center/calendar/").status_code == 403
    assert enterprise.post("/center/calendar/", {"year": 2027, "schedule": "2027-01-01 off"}).status_code == 403

    bad = staff.post("/center/calendar/", {"year": 2027, "schedule": "2027-01-01 off\n2027-01-04 班", "note": "通知"})
    assert bad.status_code == 200 and "2027-01-04" in bad.content.decode()  # a Monday; what was typed stays
    assert not CalendarOverride.objects.exists()

    notice = "2027-01-01..2027-01-03 off\n2027-01-04..2027-01-05 off\n2027-01-10 班\n".encode()
    response = staff.post("/center/calendar/", {"year": 2027, "schedule": "",
                                                "file": SimpleUploadedFile("2027.txt", notice)})
    assert response.status_code == 302
    assignment.refresh_from_db()
    # Counted from 12-24 over the entered days: 12-25, 12-28..12-31 (5), 01-06..01-08 (8), Sunday 01-10 (9), 01-11 (10).
    assert assignment.due_date == D(2027, 1, 11)
    desk = officer.get(f"/desk/assignments/{assignment.pk}/").content.decode()
    assert 'class="provisional"' not in desk and "2027-01-11" in desk
    page = staff.get("/center/calendar/").content.decode()
    assert "01-10" in page
