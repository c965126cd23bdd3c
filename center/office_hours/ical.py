"""iCalendar (RFC 5545) export of an office-hours session: one event per agenda item, times in
Asia/Shanghai with a VTIMEZONE, and UIDs that stay the same across exports so that importing
again updates the events instead of adding copies."""
from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from center.models import AgendaItem, OfficeHoursSession

UID_DOMAIN = "investment-center.example.gov.cn"


def session_calendar(session: OfficeHoursSession, items) -> bytes:
    zone = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//District investment-service work-order center//Office hours//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("x-wr-calname", f"集中办公日 Office hours {session.date:%Y-%m-%d}")
    stamp = timezone.now()
    # A later build of the agenda gets a higher SEQUENCE, so calendars take the newer times.
    sequence = int(session.agenda_built_at.timestamp() // 60) % 2**31 if session.agenda_built_at else 0
    for item in items:
        start_time = item.slot_start or session.starts_at
        start = datetime.datetime.combine(session.date, start_time, tzinfo=zone)
        event = Event()
        event.add("uid", f"agenda-item-{item.pk}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + datetime.timedelta(minutes=item.slot_minutes or settings.CENTER_AGENDA_SLOT_MINUTES))
        event.add("summary", item.title)
        event.add("location", session.venue)
        department = item.department.name_zh if item.department_id else ""
        event.add("description", " · ".join(part for part in (item.get_kind_display(), department) if part))
        event.add("sequence", sequence)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def export_items(session: OfficeHoursSession, department_id: int | None = None):
    items = AgendaItem.objects.filter(session=session, removed=False).select_related("department")
    if department_id is not None:
        items = items.filter(department_id=department_id)
    return items.order_by("position", "slot_start", "id")
