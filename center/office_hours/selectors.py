"""Reads of office hours: the sessions, one session's agenda by department, this week's session."""
from django.db.models import Count, Q

from center.models import AgendaItem, OfficeHoursSession
from workdays.calendar import local_date


def upcoming_sessions(limit: int = 10):
    return (OfficeHoursSession.objects.filter(date__gte=local_date()).order_by("date")
            .annotate(item_count=_item_count())[:limit])


def past_sessions(limit: int = 10):
    return (OfficeHoursSession.objects.filter(date__lt=local_date()).order_by("-date")
            .annotate(item_count=_item_count())[:limit])


def _item_count():
    return Count("items", filter=Q(items__removed=False))


def agenda_by_department(session, *, include_removed: bool = False) -> list[tuple]:
    """The session's items grouped by department (in agenda order), each group ``(department, items)``;
    items without a department come last. A fixed number of queries whatever the agenda's size."""
    items = (AgendaItem.objects.filter(session=session)
             .select_related("department", "work_order__request__enterprise", "assignment__department", "project")
             .order_by("position", "slot_start", "id"))
    if not include_removed:
        items = items.filter(removed=False)
    groups: dict = {}
    for item in items:
        groups.setdefault(item.department, []).append(item)
    ordered = sorted(groups.items(), key=lambda pair: (pair[0] is None, pair[0].short_code if pair[0] else ""))
    return ordered


def this_weeks_session(today=None):
    """The next office-hours session (today or later) with its items counted per department, or None.
    Two queries."""
    today = today or local_date()
    session = OfficeHoursSession.objects.filter(date__gte=today).order_by("date").first()
    if session is None:
        return None
    session.by_department = list(
        AgendaItem.objects.filter(session=session, removed=False)
        .values("department__name_zh", "department__name_en", "department__short_code")
        .annotate(items=Count("id")).order_by("department__short_code"))
    session.total_items = sum(row["items"] for row in session.by_department)
    return session
