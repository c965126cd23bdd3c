"""Reads of the dashboards: the leader's figures and the center's incoming requests.

Every figure comes from an aggregate query (or the DepartmentMonth rows that
center.dashboards.figures keeps); no function here loops over assignments or requests.
"""
import datetime

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from center.dashboards.figures import add_months
from center.models import DepartmentMonth
from departments.models import Department
from projects.models import InvestmentProject
from workdays.calendar import get_calendar, local_date
from workorders.models import OPEN_ASSIGNMENT_STATUSES, Assignment, ServiceRequest
from workorders.selectors import WAITING_FOR_TRIAGE


def projects_by_town() -> list[dict]:
    """Per town, its projects not yet in operation by difficulty light (red, yellow, green), reddest
    towns first. One aggregate query."""
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
    state = Assignment.SlaState
    rows = list(Assignment.objects.filter(sla_state__in=(state.OVERDUE, state.ESCALATED),
                                          status__in=OPEN_ASSIGNMENT_STATUSES)
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
    limit = settings.CENTER_DASHBOARD_ESCALATED_ROWS if limit is None else limit
    today = today or local_date()
    items = list(Assignment.objects.filter(sla_state=Assignment.SlaState.ESCALATED, status__in=OPEN_ASSIGNMENT_STATUSES)
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
    return Assignment.objects.filter(sla_state=Assignment.SlaState.ESCALATED,
                                     status__in=OPEN_ASSIGNMENT_STATUSES).count()


def department_months(month) -> tuple[list, object]:
    """The figures of ``month`` per department (by short code) and the district's row (or None). One query."""
    rows = list(DepartmentMonth.objects.filter(month=month).select_related("department"))
    district = next((row for row in rows if row.department_id is None), None)
    departments = sorted((row for row in rows if row.department_id is not None), key=lambda row: row.department.short_code)
    return departments, district


def district_trend(last_month, count: int = 12) -> list:
    """The district's figures for the ``count`` months up to ``last_month``, oldest first; a month
    without a row gets an empty one (all zero). One query."""
    months = [add_months(last_month, -n) for n in range(count - 1, -1, -1)]
    found = {row.month: row for row in DepartmentMonth.objects.filter(department__isnull=True, month__in=months)}
    return [found.get(month) or DepartmentMonth(month=month) for month in months]


def figures_refreshed_at():
    return DepartmentMonth.objects.aggregate(at=Max("refreshed_at"))["at"]


def incoming_requests(today=None) -> dict:
    """Requests submitted today, in the last 7 days and the last 30 days, and how many wait for
    triage. One aggregate query."""
    today = today or local_date()
    tz = timezone.get_current_timezone()

    def since(days):
        return datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time(), tzinfo=tz)

    return ServiceRequest.objects.filter(
        Q(submitted_at__gte=since(29)) | Q(status__in=WAITING_FOR_TRIAGE)).aggregate(
        today=Count("id", filter=Q(submitted_at__gte=since(0))),
        week=Count("id", filter=Q(submitted_at__gte=since(6))),
        month=Count("id", filter=Q(submitted_at__gte=since(29))),
        waiting=Count("id", filter=Q(status__in=WAITING_FOR_TRIAGE)),
    )
