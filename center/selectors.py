"""Reads of the center's own: the health report, office-hours sessions and their agenda."""
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from center.models import AgendaItem, OfficeHoursSession, WorkerHeartbeat
from center.services import HEARTBEAT_NAME
from workorders import permissions


def health_report() -> dict:
    """Database, broker and worker heartbeat, each ``ok`` or not, plus the heartbeat's age in seconds."""
    report = {"database": {"ok": False}, "broker": {"ok": False}, "worker": {"ok": False, "heartbeat_age_seconds": None}}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"]["ok"] = True
    except Exception as error:  # noqa: BLE001 - health reports every failure as data
        report["database"]["error"] = type(error).__name__
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=3) as broker:
            broker.ensure_connection(max_retries=1, timeout=3)
        report["broker"]["ok"] = True
    except Exception as error:  # noqa: BLE001
        report["broker"]["error"] = type(error).__name__
    if report["database"]["ok"]:
        heartbeat = WorkerHeartbeat.objects.filter(name=HEARTBEAT_NAME).first()
        if heartbeat is not None:
            age = (timezone.now() - heartbeat.last_seen).total_seconds()
            report["worker"]["heartbeat_age_seconds"] = round(age, 1)
            report["worker"]["ok"] = age <= settings.CENTER_HEARTBEAT_MAX_AGE_SECONDS
    report["ok"] = all(part["ok"] for part in (report["database"], report["broker"], report["worker"]))
    return report



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
    from workdays.calendar import local_date

    return (sessions_visible_to(user).filter(date__gte=local_date()).order_by("date")
            .annotate(item_count=_item_count())[:limit])


def past_sessions(user, limit: int = 10):
    """The user's visible sessions before today, latest first, with their item counts (one query
    after the permission check)."""
    from workdays.calendar import local_date

    return (sessions_visible_to(user).filter(date__lt=local_date()).order_by("-date")
            .annotate(item_count=_item_count())[:limit])


def _item_count():
    from django.db.models import Count, Q

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


def own_assignments_by_work_order(user, work_order_ids) -> dict[int, int]:
    """{work order id: id of the user's department's assignment on it} (one query)."""
    from workorders.models import Assignment
    from workorders.permissions import department_ids

    departments = department_ids(user)
    if not departments or not work_order_ids:
        return {}
    return dict(Assignment.objects.filter(work_order_id__in=set(work_order_ids), department_id__in=departments)
                .values_list("work_order_id", "pk"))


def mechanism_candidates(*, today=None, count: int | None = None, months: int | None = None) -> list[dict]:
    """Problem tags seen at least ``count`` times in one town within ``months`` months (tags of model
    cases whose requests were submitted in the window), with whether a mechanism already covers
    that tag and town. One aggregate query plus one for the existing mechanisms."""
    import datetime

    from django.conf import settings
    from django.db.models import Count

    from center.models import Mechanism
    from workdays.calendar import local_date
    from workorders.models import ModelCase

    today = today or local_date()
    count = settings.CENTER_MECHANISM_CANDIDATE_COUNT if count is None else count
    months = settings.CENTER_MECHANISM_CANDIDATE_MONTHS if months is None else months
    since = today - datetime.timedelta(days=round(months * 30.44))
    rows = (ModelCase.tags.through.objects
            .filter(modelcase__work_order__request__submitted_at__date__gte=since,
                    modelcase__work_order__request__project__isnull=False)
            .values("problemtag_id", "problemtag__name_zh", "problemtag__name_en",
                    "modelcase__work_order__request__project__town_id",
                    "modelcase__work_order__request__project__town__name_zh")
            .annotate(seen=Count("modelcase_id", distinct=True))
            .filter(seen__gte=count)
            .order_by("-seen", "problemtag__name_zh"))
    covered = set(Mechanism.objects.filter(status__in=[Mechanism.Status.REFINING, Mechanism.Status.PUBLISHED])
                  .values_list("tags", "towns"))
    return [{"tag_id": r["problemtag_id"], "tag": r["problemtag__name_zh"], "tag_en": r["problemtag__name_en"],
             "town_id": r["modelcase__work_order__request__project__town_id"],
             "town": r["modelcase__work_order__request__project__town__name_zh"], "seen": r["seen"],
             "covered": (r["problemtag_id"], r["modelcase__work_order__request__project__town_id"]) in covered}
            for r in rows]


def published_mechanisms(*, tag_ids=None, town_id=None):
    """Published mechanisms, optionally those for any of the tags or the town."""
    from django.db.models import Q

    from center.models import Mechanism

    queryset = Mechanism.objects.filter(status=Mechanism.Status.PUBLISHED).prefetch_related("tags", "towns")
    if tag_ids is not None or town_id is not None:
        condition = Q()
        if tag_ids:
            condition |= Q(tags__in=tag_ids)
        if town_id:
            condition |= Q(towns=town_id)
        queryset = queryset.filter(condition).distinct() if condition else queryset.none()
    return queryset.order_by("title_zh")


# --- Dashboards ---------------------------------------------------------------------------------
# Every figure comes from an aggregate query (or the DepartmentMonth rows that center.services.figures
# keeps); no function here loops over assignments or requests.

def projects_by_town() -> list[dict]:
    """Per town, its projects not yet in operation by difficulty light (red, yellow, green), reddest
    towns first. One aggregate query."""
    from django.db.models import Count, Q

    from projects.models import InvestmentProject

    light = InvestmentProject.Difficulty
    rows = (InvestmentProject.objects.exclude(stage=InvestmentProject.Stage.IN_OPERATION)
            .values("town_id", "town__name_zh", "town__name_en")
            .annotate(red=Count("id", filter=Q(difficulty=light.RED)),
                      yellow=Count("id", filter=Q(difficulty=light.YELLOW)),
                      green=Count("id", filter=Q(difficulty=light.GREEN)), total=Count("id"))
            .order_by("-red", "-yellow", "town__name_zh"))
    return [{"town_id": r["town_id"], "town": r["town__name_zh"], "town_en": r["town__name_en"], "red": r["red"],
             "yellow": r["yellow"], "green": r["green"], "total": r["total"]} for r in rows]


def late_work_by_department() -> list[dict]:
    """Per department, its open assignments the sweep has marked overdue and escalated, most first.
    One aggregate query over the late rows alone (read from a partial index; joining the
    departments in it made PostgreSQL scan ten times longer) and one for the departments' names."""
    from django.db.models import Count, Q

    from departments.models import Department
    from workorders.models import Assignment

    state = Assignment.SlaState
    rows = list(Assignment.objects.filter(sla_state__in=(state.OVERDUE, state.ESCALATED),
                                          status__in=Assignment.OPEN_STATUSES)
                .values("department_id")
                .annotate(overdue=Count("id", filter=Q(sla_state=state.OVERDUE)),
                          escalated=Count("id", filter=Q(sla_state=state.ESCALATED)), late=Count("id"))
                .order_by())
    names = Department.objects.in_bulk([row["department_id"] for row in rows])
    result = [{"department_id": r["department_id"], "department": names[r["department_id"]].name_zh,
               "department_en": names[r["department_id"]].name_en, "code": names[r["department_id"]].short_code,
               "overdue": r["overdue"], "escalated": r["escalated"], "late": r["late"]} for r in rows]
    return sorted(result, key=lambda r: (-r["late"], r["code"]))


def escalated_items(limit: int | None = None, today=None):
    """The escalated open assignments, longest overdue first, each with ``working_days_overdue``
    (one calendar snapshot) and its request, project and town. Two queries."""
    from django.conf import settings

    from workdays.calendar import get_calendar, local_date
    from workorders.models import Assignment

    limit = settings.CENTER_DASHBOARD_ESCALATED_ROWS if limit is None else limit
    today = today or local_date()
    items = list(Assignment.objects.filter(sla_state=Assignment.SlaState.ESCALATED, status__in=Assignment.OPEN_STATUSES)
                 .select_related("department", "work_order__request__enterprise", "work_order__request__project__town")
                 .order_by("due_date", "id")[:limit])
    calendar = get_calendar()
    overdue_by_due_date: dict = {}  # many items share a due date; count each date's working days once
    for item in items:
        if item.due_date not in overdue_by_due_date:
            overdue_by_due_date[item.due_date] = -calendar.working_days_left(item.due_date, today)
        item.working_days_overdue = overdue_by_due_date[item.due_date]
    return items


def escalated_count() -> int:
    from workorders.models import Assignment

    return Assignment.objects.filter(sla_state=Assignment.SlaState.ESCALATED,
                                     status__in=Assignment.OPEN_STATUSES).count()


def department_months(month) -> tuple[list, object]:
    """The figures of ``month`` per department (by short code) and the district's row (or None). One query."""
    from center.models import DepartmentMonth

    rows = list(DepartmentMonth.objects.filter(month=month).select_related("department"))
    district = next((row for row in rows if row.department_id is None), None)
    departments = sorted((row for row in rows if row.department_id is not None), key=lambda row: row.department.short_code)
    return departments, district


def district_trend(last_month, count: int = 12) -> list:
    """The district's figures for the ``count`` months up to ``last_month``, oldest first; a month
    without a row gets an empty one (all zero). One query."""
    from center.models import DepartmentMonth
    from center.services.figures import add_months

    months = [add_months(last_month, -n) for n in range(count - 1, -1, -1)]
    found = {row.month: row for row in DepartmentMonth.objects.filter(department__isnull=True, month__in=months)}
    return [found.get(month) or DepartmentMonth(month=month) for month in months]


def figures_refreshed_at():
    from django.db.models import Max

    from center.models import DepartmentMonth

    return DepartmentMonth.objects.aggregate(at=Max("refreshed_at"))["at"]


def incoming_requests(today=None) -> dict:
    """Requests submitted today, in the last 7 days and the last 30 days, and how many wait for
    triage. One aggregate query."""
    import datetime

    from django.db.models import Count, Q
    from django.utils import timezone

    from workdays.calendar import local_date
    from workorders.models import ServiceRequest

    today = today or local_date()
    tz = timezone.get_current_timezone()

    def since(days):
        return datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time(), tzinfo=tz)

    return ServiceRequest.objects.filter(
        Q(submitted_at__gte=since(29)) | Q(status=ServiceRequest.Status.SUBMITTED)).aggregate(
        today=Count("id", filter=Q(submitted_at__gte=since(0))),
        week=Count("id", filter=Q(submitted_at__gte=since(6))),
        month=Count("id", filter=Q(submitted_at__gte=since(29))),
        waiting=Count("id", filter=Q(status=ServiceRequest.Status.SUBMITTED)),
    )


def this_weeks_session(today=None):
    """The next office-hours session (today or later) with its items counted per department, or None.
    Two queries."""
    from django.db.models import Count

    from center.models import AgendaItem, OfficeHoursSession
    from workdays.calendar import local_date

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
