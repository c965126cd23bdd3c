"""Reads of office hours: the sessions, one session's agenda by department, this week's session.
Who sees them is decided here (``sessions_visible_to``), for the pages and the API alike."""
from django.db.models import Count, Q

from center.models import AgendaItem, OfficeHoursSession
from workdays.calendar import local_date
from workorders import permissions


def sessions_visible_to(user):
    """Every office-hours session for those who ``sees_office_hours`` (center staff, leaders,
    department members); none for anyone else. The pages and the API start from here."""
    return OfficeHoursSession.objects.all() if permissions.sees_office_hours(user) else OfficeHoursSession.objects.none()


def agenda_items_visible_to(user):
    """The agenda items of the sessions the user sees; the items staff removed only for center staff."""
    if not permissions.sees_office_hours(user):
        return AgendaItem.objects.none()
    items = AgendaItem.objects.all()
    return items if permissions.is_center_staff(user) else items.filter(removed=False)


def upcoming_sessions(user, limit: int = 10):
    """The user's visible sessions from today on, soonest first, with their item counts (one query
    after the permission check)."""
    return (sessions_visible_to(user).filter(date__gte=local_date()).order_by("date")
            .annotate(item_count=_item_count())[:limit])


def past_sessions(user, limit: int = 10):
    """The user's visible sessions before today, latest first, with their item counts (one query
    after the permission check)."""
    return (sessions_visible_to(user).filter(date__lt=local_date()).order_by("-date")
            .annotate(item_count=_item_count())[:limit])


def _item_count():
    return Count("items", filter=Q(items__removed=False))


def agenda_by_department(user, session) -> list[tuple]:
    """The session's items the user sees (``agenda_items_visible_to``: removed ones for center staff
    only) grouped by department (in agenda order), each group ``(department, items)``; items without
    a department come last. A fixed number of queries whatever the agenda's size."""
    items = (agenda_items_visible_to(user).filter(session=session)
             .select_related("department", "work_order__request__enterprise", "assignment__department", "project")
             .order_by("position", "slot_start", "id"))
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
