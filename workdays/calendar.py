"""The working-day calendar of mainland China: the one place that knows which days count.

Rules, strongest first:
1. a staff ``CalendarOverride`` for the date (working or not);
2. a weekend make-up working day (调休上班) from the ``holidays`` package (``weekend_workdays``);
3. a statutory holiday or substituted day off from the ``holidays`` package's China calendar;
4. Saturday and Sunday are off, other days are working days.

The package's rules are computed once per year per process (they never change at run time).
Overrides are read fresh: ``get_calendar()`` takes a snapshot with one small query, so a staff
edit counts from the next snapshot in every process, with no cache to invalidate. Code that
asks many questions at once (a page of assignments, a sweep) takes one snapshot and asks it.

Official and provisional years: the package carries the State Council's schedule (holidays moved
and make-up working weekends) up to ``last_package_year()``; for a later year it can only guess
from the fixed statutory days. A year is *official* when the package has its schedule or staff have
entered it (overrides marked ``official_schedule``: the entered schedule then replaces the package's
rules for that year entirely), and *provisional* otherwise; due dates over a provisional year are
shown as provisional, and entering the year's schedule moves them (``workorders.services.calendar``).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone
from holidays.countries.china import ChinaStaticHolidays

from workdays.models import CalendarOverride

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class _YearRules:
    days_off_on_weekdays: frozenset[datetime.date]
    working_weekend_days: frozenset[datetime.date]


# The last year whose official schedule the pinned ``holidays`` package carries.
PACKAGE_LAST_OFFICIAL_YEAR = max(ChinaStaticHolidays.special_public_holidays)


def last_package_year() -> int:
    """The last year the package's schedule is taken as official (``CENTER_CALENDAR_LAST_OFFICIAL_YEAR``
    lowers it: the tests pretend a year's schedule arrived late)."""
    return getattr(settings, "CENTER_CALENDAR_LAST_OFFICIAL_YEAR", None) or PACKAGE_LAST_OFFICIAL_YEAR


@lru_cache(maxsize=512)
def _package_rules(year: int, official: bool = True) -> _YearRules:
    """The package's days for ``year``: with its official schedule, or (``official`` false) only the
    statutory days it computes for any year, as it does for a year it has no schedule for."""
    china = holidays.China(years=year)
    if official:
        return _YearRules(
            days_off_on_weekdays=frozenset(day for day in china if day.weekday() < 5),
            working_weekend_days=frozenset(day for day in china.weekend_workdays if day.year == year),
        )
    moved = {datetime.date(year, entry[0], entry[1])
             for entry in ChinaStaticHolidays.special_public_holidays.get(year, ())}
    return _YearRules(days_off_on_weekdays=frozenset(day for day in china if day.weekday() < 5 and day not in moved),
                      working_weekend_days=frozenset())


def _weekdays_after_until(start: datetime.date, end: datetime.date) -> int:
    """Monday-to-Friday dates d with start < d <= end, by arithmetic (no loop over days)."""
    days = (end - start).days
    if days <= 0:
        return 0
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    weekday = start.weekday()
    for step in range(1, rest + 1):
        if (weekday + step) % 7 < 5:
            count += 1
    return count


@dataclass(frozen=True)
class WorkCalendar:
    """A snapshot of the calendar: the package's rules plus the overrides read at ``get_calendar()``;
    ``entered_years`` are the years whose official schedule staff entered (their overrides replace the
    package's rules for the year)."""

    overrides: dict[datetime.date, bool] = field(default_factory=dict)
    entered_years: frozenset[int] = frozenset()
    # Read once, when the snapshot is taken: the calendar is asked millions of times in a sweep.
    last_official_year: int = field(default_factory=lambda: last_package_year())
    _by_year: dict = field(default_factory=dict, repr=False, compare=False)

    def _rules(self, year: int) -> _YearRules | None:
        """The package's rules that apply to ``year``; None when staff entered its schedule."""
        try:
            return self._by_year[year]
        except KeyError:
            rules = None if year in self.entered_years else _package_rules(year, year <= self.last_official_year)
            self._by_year[year] = rules
            return rules

    def is_official(self, year: int) -> bool:
        """Whether ``year``'s working days follow a published schedule (the package's or entered)."""
        return year <= self.last_official_year or year in self.entered_years

    def is_provisional_between(self, start: datetime.date, end: datetime.date) -> bool:
        """Whether a date counted from ``start`` to ``end`` crosses a year without an official schedule."""
        return any(not self.is_official(year) for year in range(min(start, end).year, max(start, end).year + 1))

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        rules = self._rules(day.year)
        if rules is not None and day in rules.working_weekend_days:
            return True
        if day.weekday() >= 5:
            return False
        return rules is None or day not in rules.days_off_on_weekdays

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The n-th working day strictly after ``start``; ``start`` itself when n is 0."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        while n:
            day += ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """The number of working days d with start < d <= end (0 when end <= start)."""
        if end <= start:
            return 0
        count = _weekdays_after_until(start, end)
        for year in range(start.year, end.year + 1):
            rules = self._rules(year)
            if rules is None:
                continue
            for day in rules.days_off_on_weekdays:
                if start < day <= end and day not in self.overrides:
                    count -= 1
            for day in rules.working_weekend_days:
                if start < day <= end and day not in self.overrides:
                    count += 1
        for day, working in self.overrides.items():
            if start < day <= end:
                # The package loops above skipped this day; correct the plain weekday count.
                count += int(working) - int(day.weekday() < 5)
        return count

    def working_hours_between(self, start: datetime.datetime, end: datetime.datetime) -> float:
        """The hours from ``start`` to ``end`` (aware datetimes) that fall on working days, each day
        taken whole from midnight to midnight in the site's time zone (Asia/Shanghai); 0 when end <= start.
        Time-of-day is not office hours: a working day counts all its 24 hours."""
        if end <= start:
            return 0.0
        start, end = timezone.localtime(start), timezone.localtime(end)
        seconds, day = 0.0, start.date()
        while day <= end.date():
            if self.is_working_day(day):
                day_start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()), start.tzinfo)
                day_end = timezone.make_aware(datetime.datetime.combine(day + ONE_DAY, datetime.time()), start.tzinfo)
                seconds += max(0.0, (min(end, day_end) - max(start, day_start)).total_seconds())
            day += ONE_DAY
        return seconds / 3600

    def working_days_left(self, due: datetime.date, today: datetime.date) -> int:
        """Working days left until ``due`` (positive), or working days overdue (negative); 0 on the due date."""
        if today <= due:
            return self.working_days_between(today, due)
        return -self.working_days_between(due, today)


def get_calendar() -> WorkCalendar:
    """A snapshot with the current staff overrides and the years whose schedule staff entered (one query)."""
    overrides, entered = {}, set()
    for day, working, official in CalendarOverride.objects.values_list("date", "is_working_day", "official_schedule"):
        overrides[day] = working
        if official:
            entered.add(day.year)
    return WorkCalendar(overrides=overrides, entered_years=frozenset(entered))


def entered_years() -> frozenset[int]:
    """The years whose official schedule staff entered (one small query)."""
    return frozenset(day.year for day in CalendarOverride.objects.filter(official_schedule=True)
                     .order_by().values_list("date", flat=True).distinct())


def local_date(moment: datetime.datetime | None = None) -> datetime.date:
    """The date in the site's time zone (Asia/Shanghai) of an aware datetime; today when None."""
    return timezone.localdate(moment)


# Convenience for a single question; for many, take one ``get_calendar()`` and ask it.
def is_working_day(day: datetime.date) -> bool:
    return get_calendar().is_working_day(day)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    return get_calendar().add_working_days(start, n)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    return get_calendar().working_days_between(start, end)


def working_days_left(due: datetime.date, today: datetime.date) -> int:
    return get_calendar().working_days_left(due, today)
