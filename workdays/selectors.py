"""Reads about the calendar that pages show: which years are official, and the warning to staff."""
from __future__ import annotations

import datetime

from workdays.calendar import entered_years, last_package_year

# From this day of the year on, staff are reminded that next year's schedule is not yet entered
# (the State Council usually publishes it in November).
WARN_FROM = (11, 1)


def is_official(year: int, entered: frozenset[int] | None = None) -> bool:
    """Whether ``year`` has an official schedule (the package's, or entered by staff: one query
    unless ``entered`` is given)."""
    if year <= last_package_year():
        return True
    return year in (entered_years() if entered is None else entered)


def missing_schedules(today: datetime.date) -> list[int]:
    """The years staff should enter now: this year if it has no official schedule, and from
    1 November next year too. No query before November while this year is the package's."""
    years = [today.year]
    if (today.month, today.day) >= WARN_FROM:
        years.append(today.year + 1)
    if all(year <= last_package_year() for year in years):
        return []
    entered = entered_years()
    return [year for year in years if not is_official(year, entered)]
