"""The district leader's dashboard (read-only; center staff see it too) and the exports of every
dashboard table. Thin: the figures come from ``center.dashboards.selectors``, the tables from ``center.dashboards.tables``."""
from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from center.dashboards import charts, selectors, tables
from center.dashboards.db_router import reads_from_replica
from center.dashboards.figures import month_start
from center.mechanisms.selectors import mechanism_candidates
from workdays.calendar import local_date
from workorders import selectors as workorder_selectors
from workorders.permissions import can_view_dashboards, is_center_staff

EXPORT_ESCALATED_ROWS = 10_000
# The tables of one month, whose downloads carry the month in their name.
MONTH_TABLES = ("departments-month", "departments-asks")
FORMATS = {"csv": tables.csv_response, "xlsx": tables.xlsx_response}


# The first month the dashboards answer for: the trend reaches a year back from the month asked,
# and nothing before the district's digital records is worth a query (nor year 0 a date).
FIRST_MONTH = datetime.date(2000, 1, 1)


def _month(value: str | None) -> tuple[datetime.date, str]:
    """The month asked for (``YYYY-MM``, from ``FIRST_MONTH`` to this month), or this month and an
    error message when it cannot be read or is out of that range."""
    current = month_start(local_date())
    if not value:
        return current, ""
    try:
        month = datetime.datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError:
        return current, _("Enter a month as YYYY-MM, e.g. %(example)s.") % {"example": current.strftime("%Y-%m")}
    if not FIRST_MONTH <= month <= current:
        return current, _("Choose a month from %(first)s to %(last)s.") % {
            "first": FIRST_MONTH.strftime("%Y-%m"), "last": current.strftime("%Y-%m")}
    return month, ""


def _leader_tables(month: datetime.date) -> dict:
    """slug → a function building that table (an export builds only its own)."""
    return {
        "projects-by-town": lambda: tables.projects_by_town_table(selectors.projects_by_town()),
        "overdue-by-department": lambda: tables.late_work_table(selectors.late_work_by_department()),
        "departments-month": lambda: tables.department_month_table(*selectors.department_months(month), month),
        "departments-asks": lambda: tables.department_asks_table(*selectors.department_months(month), month),
        "district-by-month": lambda: tables.trend_table(selectors.district_trend(month)),
        "escalated": lambda: tables.escalated_table(selectors.escalated_items(limit=EXPORT_ESCALATED_ROWS)),
    }


def _center_tables(user) -> dict:
    return {
        "open-work-by-department": lambda: tables.workload_table(
            workorder_selectors.department_workload(user, local_date())),
        "mechanism-candidates": lambda: tables.candidates_table(mechanism_candidates()),
    }


@login_required
@require_GET
@reads_from_replica
def leader_dashboard(request):
    if not can_view_dashboards(request.user):
        raise PermissionDenied
    month, month_error = _month(request.GET.get("month"))
    departments, district = selectors.department_months(month)
    trend = selectors.district_trend(month)
    on_time_series = [("rate", _("against the original due date")), ("extended", _("extensions granted included"))]
    built = {
        "projects-by-town": tables.projects_by_town_table(selectors.projects_by_town()),
        "overdue-by-department": tables.late_work_table(selectors.late_work_by_department()),
        "departments-month": tables.department_month_table(departments, district, month),
        "departments-asks": tables.department_asks_table(departments, district, month),
        "district-by-month": tables.trend_table(trend),
        "escalated": tables.escalated_table(selectors.escalated_items()),
    }
    context = {
        "month": month, "month_value": request.GET.get("month", month.strftime("%Y-%m")), "month_error": month_error,
        "refreshed_at": selectors.figures_refreshed_at(), **{slug.replace("-", "_"): table for slug, table in built.items()},
        "export_base": reverse("leader:dashboard") + "export/", "month_query": "?month=" + month.strftime("%Y-%m"),
        "escalated_total": selectors.escalated_count(),
        "town_chart": charts.stacked_bars(
            [(row[0], [(row[1], "red", _("Red")), (row[2], "yellow", _("Yellow")), (row[3], "green", _("Green"))])
             for row in built["projects-by-town"].rows], title=_("Projects by town (not yet in operation)")),
        "late_chart": charts.stacked_bars(
            [(row[0], [(row[1], "overdue", _("Overdue")), (row[2], "escalated", _("Escalated"))])
             for row in built["overdue-by-department"].rows], title=_("Overdue work by department")),
        "on_time_chart": charts.grouped_columns(
            [(row.department.short_code, [row.on_time_rate, row.on_time_extended_rate]) for row in departments],
            series=on_time_series,
            title=_("On-time rate by department in %(month)s") % {"month": month.strftime("%Y-%m")}),
        "trend_chart": charts.grouped_columns(
            [(row.month.strftime("%y-%m"), [row.on_time_rate, row.on_time_extended_rate]) for row in trend],
            series=on_time_series, title=_("The district's on-time rate, month by month")),
        "can_triage": is_center_staff(request.user), "export_limit": EXPORT_ESCALATED_ROWS,
    }
    return render(request, "leader/dashboard.html", context)


@login_required
@require_GET
@reads_from_replica
def leader_export(request, slug: str, fmt: str):
    if not can_view_dashboards(request.user):
        raise PermissionDenied
    month, month_error = _month(request.GET.get("month"))
    if month_error:
        return HttpResponse(month_error, status=400, content_type="text/plain; charset=utf-8")
    return _export(_leader_tables(month), slug, fmt, suffix=month.strftime("%Y-%m") if slug in MONTH_TABLES else "")


@login_required
@require_GET
@reads_from_replica
def center_export(request, slug: str, fmt: str):
    if not is_center_staff(request.user):
        raise PermissionDenied
    return _export(_center_tables(request.user), slug, fmt, suffix=local_date().isoformat())


def _export(builders: dict, slug: str, fmt: str, *, suffix: str):
    if slug not in builders or fmt not in FORMATS:
        raise Http404
    return FORMATS[fmt](builders[slug](), suffix=suffix)
