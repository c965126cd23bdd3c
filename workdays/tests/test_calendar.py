"""The calendar against the State Council's holiday schedules for 2025 and 2026."""
import datetime
import random
import zoneinfo

import pytest

from workdays.calendar import (
    WorkCalendar,
    add_working_days,
    get_calendar,
    is_working_day,
    working_days_between,
    working_days_left,
)
from workdays.models import CalendarOverride

D = datetime.date
PACKAGE = WorkCalendar()  # the holidays package alone, no overrides


def days(start, end):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (D(2025, 1, 1), D(2025, 1, 1)),  # New Year's Day
        (D(2025, 1, 28), D(2025, 2, 4)),  # Spring Festival 2025
        (D(2025, 4, 4), D(2025, 4, 6)),  # Qingming
        (D(2025, 5, 1), D(2025, 5, 5)),  # Labour Day
        (D(2025, 10, 1), D(2025, 10, 8)),  # National Day and Mid-Autumn 2025
        (D(2026, 1, 1), D(2026, 1, 3)),
        (D(2026, 2, 15), D(2026, 2, 23)),  # Spring Festival 2026
        (D(2026, 10, 1), D(2026, 10, 7)),  # National Day 2026
    ],
)
def test_statutory_holidays_are_off(first, last):
    assert [day for day in days(first, last) if PACKAGE.is_working_day(day)] == []


@pytest.mark.parametrize(
    "day",
    [
        D(2025, 1, 26),  # Sunday, make-up for Spring Festival 2025
        D(2025, 2, 8),  # Saturday
        D(2025, 4, 27),  # Sunday, make-up for Labour Day
        D(2025, 9, 28),  # Sunday, make-up for National Day
        D(2025, 10, 11),  # Saturday
        D(2026, 1, 4),  # Sunday, make-up for New Year's Day 2026
        D(2026, 2, 14),  # Saturday, make-up for Spring Festival 2026
        D(2026, 2, 28),  # Saturday
        D(2026, 5, 9),  # Saturday
        D(2026, 9, 20),  # Sunday, make-up for National Day 2026
        D(2026, 10, 10),  # Saturday
    ],
)
def test_make_up_weekend_days_are_working_days(day):
    assert day.weekday() >= 5
    assert PACKAGE.is_working_day(day)


def test_plain_weekdays_and_weekends():
    assert PACKAGE.is_working_day(D(2026, 11, 20))  # a Friday
    assert not PACKAGE.is_working_day(D(2026, 11, 21))  # a Saturday
    assert not PACKAGE.is_working_day(D(2026, 11, 22))  # a Sunday


def test_issued_just_before_spring_festival_2026():
    # Issued Thursday 2026-02-12. Working days after it: 02-13 (1), Saturday 02-14 make-up (2),
    # 02-15..02-23 off, 02-24 (3), 02-25 (4), 02-26 (5), 02-27 (6), Saturday 02-28 make-up (7),
    # 03-02 (8), 03-03 (9), 03-04 (10).
    assert PACKAGE.add_working_days(D(2026, 2, 12), 10) == D(2026, 3, 4)


def test_issued_just_before_national_day_2026():
    # Issued Tuesday 2026-09-29: 09-30 (1), 10-01..10-07 off, 10-08 (2), 10-09 (3),
    # Saturday 10-10 make-up (4), 10-12 (5), 10-13 (6), 10-14 (7), 10-15 (8), 10-16 (9), 10-19 (10).
    assert PACKAGE.add_working_days(D(2026, 9, 29), 10) == D(2026, 10, 19)


def test_issued_just_before_spring_festival_2025():
    # Issued Friday 2025-01-24: Sunday 01-26 make-up (1), 01-27 (2), 01-28..02-04 off, 02-05 (3),
    # 02-06 (4), 02-07 (5), Saturday 02-08 make-up (6), 02-10 (7), 02-11 (8), 02-12 (9), 02-13 (10).
    assert PACKAGE.add_working_days(D(2025, 1, 24), 10) == D(2025, 2, 13)


def test_issued_on_a_holiday_counts_from_the_next_working_day():
    assert PACKAGE.add_working_days(D(2026, 10, 3), 1) == D(2026, 10, 8)
    assert PACKAGE.add_working_days(D(2026, 10, 3), 0) == D(2026, 10, 3)


def test_add_working_days_refuses_a_negative_count():
    with pytest.raises(ValueError):
        PACKAGE.add_working_days(D(2026, 1, 5), -1)


def test_working_days_between():
    assert PACKAGE.working_days_between(D(2026, 2, 12), D(2026, 3, 4)) == 10
    assert PACKAGE.working_days_between(D(2026, 2, 14), D(2026, 2, 23)) == 0  # the whole festival
    assert PACKAGE.working_days_between(D(2026, 3, 4), D(2026, 2, 12)) == 0
    assert PACKAGE.working_days_between(D(2026, 3, 4), D(2026, 3, 4)) == 0
    # A whole year: 2026 has 365 days, 104 weekend days, 19 weekdays off (01-01, 01-02, 02-16..02-20,
    # 02-23, 04-06, 05-01, 05-04, 05-05, 06-19, 09-25, 10-01, 10-02, 10-05..10-07) and 6 make-up
    # weekend days (01-04, 02-14, 02-28, 05-09, 09-20, 10-10).
    assert PACKAGE.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 365 - 104 - 19 + 6


def test_working_days_between_agrees_with_counting_day_by_day():
    rng = random.Random(2026)
    calendar = WorkCalendar(overrides={D(2026, 3, 2): False, D(2026, 3, 1): True, D(2026, 2, 17): True, D(2026, 2, 14): False})
    for snapshot in (PACKAGE, calendar):
        for _ in range(500):
            start = D(2024, 12, 1) + datetime.timedelta(days=rng.randint(0, 800))
            end = start + datetime.timedelta(days=rng.randint(-3, 400))
            by_day = sum(snapshot.is_working_day(day) for day in days(start + datetime.timedelta(days=1), end))
            assert snapshot.working_days_between(start, end) == by_day, (start, end)


def test_working_days_left_is_signed():
    due = D(2026, 10, 19)
    assert PACKAGE.working_days_left(due, due) == 0
    assert PACKAGE.working_days_left(due, D(2026, 10, 15)) == 2  # 10-16, 10-19
    assert PACKAGE.working_days_left(due, D(2026, 9, 30)) == 9
    assert PACKAGE.working_days_left(due, D(2026, 10, 20)) == -1
    assert PACKAGE.working_days_left(due, D(2026, 10, 26)) == -5


def test_a_year_without_official_schedule_falls_back_to_weekends_and_fixed_holidays():
    # 2031 has no make-up days in the package: Saturdays stay off until staff add overrides.
    saturdays = [day for day in days(D(2031, 1, 1), D(2031, 12, 31)) if day.weekday() == 5]
    assert not any(PACKAGE.is_working_day(day) for day in saturdays)
    assert PACKAGE.is_working_day(D(2031, 3, 12))  # a plain Wednesday


@pytest.mark.django_db
def test_staff_overrides_win_and_count_at_once():
    monday = D(2026, 3, 9)
    sunday = D(2026, 3, 8)
    national_day = D(2026, 10, 1)
    assert is_working_day(monday) and not is_working_day(sunday) and not is_working_day(national_day)

    CalendarOverride.objects.create(date=monday, is_working_day=False, note="台风停工 typhoon")
    CalendarOverride.objects.create(date=sunday, is_working_day=True, note="补班 make-up")
    CalendarOverride.objects.create(date=national_day, is_working_day=True, note="test")
    assert not is_working_day(monday)
    assert is_working_day(sunday)
    assert is_working_day(national_day)
    assert working_days_between(D(2026, 3, 6), D(2026, 3, 9)) == 1  # only the Sunday now
    assert add_working_days(D(2026, 3, 6), 1) == sunday
    assert working_days_left(D(2026, 3, 10), D(2026, 3, 6)) == 2  # Sunday and Tuesday

    CalendarOverride.objects.filter(date=monday).delete()
    assert is_working_day(monday)


@pytest.mark.django_db
def test_a_snapshot_costs_one_query(django_assert_num_queries):
    CalendarOverride.objects.create(date=D(2026, 3, 2), is_working_day=False)
    with django_assert_num_queries(1):
        calendar = get_calendar()
        for offset in range(200):
            calendar.add_working_days(D(2026, 1, 1) + datetime.timedelta(days=offset), 10)


def _shanghai(*parts):
    return datetime.datetime(*parts, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(("start", "end", "hours"), [
    # Friday 16:00 to Monday 10:00: 8 hours on Friday, the weekend not at all, 10 on Monday.
    (_shanghai(2026, 11, 20, 16), _shanghai(2026, 11, 23, 10), 18.0),
    # Across National Day 2026 (10-01..10-07 off): 4 hours of 09-30 and 9 of 10-08.
    (_shanghai(2026, 9, 30, 20), _shanghai(2026, 10, 8, 9), 13.0),
    # A make-up working Saturday (2026-10-10) counts whole; the Sunday after it does not.
    (_shanghai(2026, 10, 10, 0), _shanghai(2026, 10, 11, 12), 24.0),
    # Within one working day, to the half hour; and the same instants given in UTC.
    (_shanghai(2026, 11, 24, 9), _shanghai(2026, 11, 24, 11, 30), 2.5),
    (datetime.datetime(2026, 11, 20, 8, tzinfo=datetime.UTC), datetime.datetime(2026, 11, 23, 2, tzinfo=datetime.UTC), 18.0),
    (_shanghai(2026, 11, 23, 10), _shanghai(2026, 11, 20, 16), 0.0),
])
def test_working_hours_between_count_only_working_days(start, end, hours):
    assert PACKAGE.working_hours_between(start, end) == pytest.approx(hours)
