"""Changes to the calendar: entering a year's official schedule (the State Council's notice).

The schedule's days become overrides marked ``official_schedule``; the year is then official and
its entered days replace the package's rules for it (``workdays.calendar``). Moving the due dates
that the change touches is ``workorders.services.calendar.enter_official_schedule``, which calls
this inside its own transaction.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from workdays.models import CalendarOverride

# One entry per line (or separated by commas / semicolons): a date or a range, then what it is.
#   2027-02-06..2027-02-13 off      2027-02-14 work      2027-10-09 班  (Chinese 休 / 班 too)
_ENTRY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*(?:\.\.|~|至|—|–)\s*(\d{4}-\d{2}-\d{2}))?\s+(\S+)")
_OFF_WORDS = {"off", "holiday", "休", "放假", "休息"}
_WORK_WORDS = {"work", "working", "班", "上班", "补班"}
MAX_RANGE_DAYS = 31


@dataclass(frozen=True)
class Schedule:
    year: int
    days_off: frozenset[datetime.date]
    working_days: frozenset[datetime.date]


def _dates(first: str, last: str | None, line: str) -> list[datetime.date]:
    try:
        start = datetime.date.fromisoformat(first)
        end = datetime.date.fromisoformat(last) if last else start
    except ValueError:
        raise DomainError(_("Line “%(line)s”: not a date (write YYYY-MM-DD).") % {"line": line}, field="schedule")
    if end < start or (end - start).days >= MAX_RANGE_DAYS:
        raise DomainError(_("Line “%(line)s”: a range runs forward and spans at most %(days)s days.")
                          % {"line": line, "days": MAX_RANGE_DAYS}, field="schedule")
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def parse_schedule(year: int, text: str) -> Schedule:
    """Read a schedule typed or imported as text: one date or range per line with ``off`` / ``work``
    (or 休 / 班); ``#`` starts a comment. Raises ``DomainError`` (field ``schedule``) naming the line
    that cannot be read, a date outside ``year``, a make-up working day that is not a weekend day,
    a day given as both, or a schedule without any day off."""
    days_off: set[datetime.date] = set()
    working: set[datetime.date] = set()
    for raw in re.split(r"[\n;，；]+", text or ""):
        line = raw.split("#", 1)[0].strip().strip(",").strip()
        if not line:
            continue
        match = _ENTRY.match(line)
        if not match:
            raise DomainError(_("Line “%(line)s”: write a date or a range, then “off” or “work” (休 / 班).")
                              % {"line": line}, field="schedule")
        first, last, word = match.groups()
        word = word.lower()
        if word not in _OFF_WORDS | _WORK_WORDS:
            raise DomainError(_("Line “%(line)s”: write “off” or “work” (休 / 班) after the date.") % {"line": line},
                              field="schedule")
        for day in _dates(first, last, line):
            if day.year != year:
                raise DomainError(_("%(day)s is not in %(year)s: enter each year's schedule on its own.")
                                  % {"day": day.isoformat(), "year": year}, field="schedule")
            if word in _WORK_WORDS and day.weekday() < 5:
                raise DomainError(_("%(day)s is a weekday: only a Saturday or Sunday can be a make-up working day.")
                                  % {"day": day.isoformat()}, field="schedule")
            (working if word in _WORK_WORDS else days_off).add(day)
    both = sorted(days_off & working)
    if both:
        raise DomainError(_("%(day)s is given both as a day off and as a working day.") % {"day": both[0].isoformat()},
                          field="schedule")
    if not days_off:
        raise DomainError(_("The schedule names no day off: enter the holidays of the year."), field="schedule")
    return Schedule(year=year, days_off=frozenset(days_off), working_days=frozenset(working))


def record_official_schedule(*, actor, schedule: Schedule, note: str = "") -> int:
    """Write ``schedule`` as the year's official overrides, replacing an earlier entry of that year
    and any staff override on the same dates; other staff overrides of the year stay. Atomic; the
    history names ``actor``. Returns the number of overrides the year now has from the schedule.

    The caller checks who may (``workorders.services.calendar``)."""
    note = (note.strip() or _("Official schedule %(year)s") % {"year": schedule.year})[:200]
    wanted = {day: False for day in schedule.days_off} | {day: True for day in schedule.working_days}
    with transaction.atomic():
        year_rows = CalendarOverride.objects.select_for_update().filter(date__year=schedule.year)
        for row in year_rows:
            if row.date not in wanted and row.official_schedule:
                row._history_user = actor
                row.delete()
        existing = {row.date: row for row in CalendarOverride.objects.filter(date__in=list(wanted))}
        for day, working in sorted(wanted.items()):
            row = existing.get(day) or CalendarOverride(date=day)
            row.is_working_day, row.official_schedule, row.note = working, True, note
            row._history_user = actor
            row.save()
    return len(wanted)
