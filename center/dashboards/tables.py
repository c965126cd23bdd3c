"""The dashboards' tables, each shown as HTML and exported as CSV or Excel from the same rows.

A ``Table`` is built from a selector's aggregate rows (``center.dashboards.selectors``); the page and the two
exports read the same ``rows``, so what a leader downloads is what they saw. Numbers stay numbers
in the exports (a rate of 87.5 % is 87.5 in a "%" column), and empty figures stay empty.
"""
from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.downloads import download_response, spreadsheet_text

TEXT, COUNT, PERCENT, DECIMAL, DATE = "text", "count", "percent", "decimal", "date"


@dataclass
class Column:
    label: str
    kind: str = TEXT


@dataclass
class Table:
    slug: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    footer: list | None = None

    def all_rows(self) -> list[list]:
        return self.rows + ([self.footer] if self.footer else [])

    def headers(self) -> list[str]:
        return [str(column.label) + (" (%)" if column.kind == PERCENT else "") for column in self.columns]

    def cells(self):
        """The rows for the page: each cell as (value, kind)."""
        return [list(zip(row, (c.kind for c in self.columns))) for row in self.rows]

    def footer_cells(self):
        return list(zip(self.footer, (c.kind for c in self.columns))) if self.footer else None


def filename(table: Table, suffix: str, extension: str) -> str:
    return f"{table.slug}{'-' + suffix if suffix else ''}.{extension}"


def csv_response(table: Table, *, suffix: str = "") -> HttpResponse:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.headers())
    for row in table.all_rows():
        writer.writerow(["" if value is None else _plain(value) for value in row])
    return download_response(("\ufeff" + buffer.getvalue()).encode("utf-8"), filename=filename(table, suffix, "csv"),
                             content_type="text/csv; charset=utf-8")


def xlsx_response(table: Table, *, suffix: str = "") -> HttpResponse:
    # Local: openpyxl is loaded only when someone asks for an Excel export, not by every page.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = table.slug[:31]
    sheet.append(table.headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.all_rows():
        sheet.append([_excel(value) for value in row])
    for index, column in enumerate(table.columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 28 if column.kind == TEXT else 14
        if column.kind in (PERCENT, DECIMAL):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "0.0"
        elif column.kind == DATE:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return download_response(buffer.getvalue(), filename=filename(table, suffix, "xlsx"),
                             content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _plain(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return spreadsheet_text(str(value))


def _excel(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (int, float, datetime.date)) or value is None:
        return value
    return spreadsheet_text(str(value))


def _local(zh: str, en: str = "") -> str:
    """A name in the active language: Chinese first, English when chosen and known."""
    return (en if (get_language() or "").startswith("en") and en else zh) or ""


def _name(obj) -> str:
    return _local(obj.name_zh, obj.name_en) if obj is not None else ""



# --- The tables ------------------------------------------------------------------------------------

def projects_by_town_table(rows) -> Table:
    table = Table("projects-by-town", _("Projects by town (not yet in operation)"), [
        Column(_("town")), Column(_("Red"), COUNT), Column(_("Yellow"), COUNT), Column(_("Green"), COUNT),
        Column(_("total"), COUNT)])
    table.rows = [[_local(r["town"], r["town_en"]), r["red"], r["yellow"], r["green"], r["total"]] for r in rows]
    if rows:
        table.footer = [_("District"), *(sum(r[key] for r in rows) for key in ("red", "yellow", "green", "total"))]
    return table


def late_work_table(rows) -> Table:
    table = Table("overdue-by-department", _("Overdue work by department"), [
        Column(_("department")), Column(_("Overdue"), COUNT), Column(_("Escalated"), COUNT),
        Column(_("total"), COUNT)])
    table.rows = [[_local(r["department"], r["department_en"]), r["overdue"], r["escalated"], r["late"]] for r in rows]
    if rows:
        table.footer = [_("District"), *(sum(r[key] for r in rows) for key in ("overdue", "escalated", "late"))]
    return table


def _figure_columns(first: Column) -> list[Column]:
    # The two on-time rates side by side: against the original clock (no extension raises it) and
    # against the due dates with the extensions granted.
    return [first, Column(_("issued"), COUNT), Column(_("response rate"), PERCENT), Column(_("finished"), COUNT),
            Column(_("on-time rate (original due date)"), PERCENT),
            Column(_("on-time rate (extensions granted included)"), PERCENT),
            Column(_("median working days to resolve"), DECIMAL),
            Column(_("satisfaction (1–5)"), DECIMAL), Column(_("ratings"), COUNT),
            Column(_("became overdue"), COUNT), Column(_("escalated"), COUNT)]


def _figures(row) -> list:
    return [row.issued, row.response_rate, row.resolved, row.on_time_rate, row.on_time_extended_rate,
            row.median_working_days, row.satisfaction, row.ratings, row.became_overdue, row.became_escalated]


def department_month_table(rows, district, month) -> Table:
    table = Table("departments-month", _("Departments in %(month)s") % {"month": month.strftime("%Y-%m")},
                  _figure_columns(Column(_("department"))))
    table.rows = [[_name(row.department), *_figures(row)] for row in rows]
    if district is not None:
        table.footer = [_("District"), *_figures(district)]
    return table


def _ask_figures(row) -> list:
    return [row.acknowledged, row.ack_in_time_rate, row.ack_median_working_hours, row.reroutes_asked,
            row.reroutes_approved, row.reroutes_refused, row.extensions_asked, row.extensions_granted,
            row.extension_days_granted, row.third_party_pause_days]


def department_asks_table(rows, district, month) -> Table:
    """Acknowledgement, the requests to the center and the third-party pauses of ``month``, per
    department and for the district (the same DepartmentMonth rows as ``department_month_table``)."""
    table = Table("departments-asks", _("Acknowledgement and requests to the center in %(month)s") % {
        "month": month.strftime("%Y-%m")}, [
        Column(_("department")), Column(_("acknowledged"), COUNT), Column(_("share acknowledged in time"), PERCENT),
        Column(_("median working hours to acknowledge"), DECIMAL), Column(_("re-routes asked"), COUNT),
        Column(_("re-routes approved"), COUNT), Column(_("re-routes refused"), COUNT),
        Column(_("extensions asked"), COUNT), Column(_("extensions granted"), COUNT),
        Column(_("working days of extension granted"), COUNT),
        Column(_("working days paused for a third party"), COUNT)])
    table.rows = [[_name(row.department), *_ask_figures(row)] for row in rows]
    if district is not None:
        table.footer = [_("District"), *_ask_figures(district)]
    return table


def trend_table(rows) -> Table:
    table = Table("district-by-month", _("The district month by month"), _figure_columns(Column(_("month"))))
    table.rows = [[row.month.strftime("%Y-%m"), *_figures(row)] for row in rows]
    return table


def escalated_table(items) -> Table:
    table = Table("escalated", _("Escalated work"), [
        Column(_("tracking number")), Column(_("title")), Column(_("enterprise")), Column(_("town")),
        Column(_("department")), Column(_("due date"), DATE), Column(_("working days overdue"), COUNT)])
    for item in items:
        request = item.work_order.request
        project = request.project
        table.rows.append([request.tracking_number, request.title, request.enterprise.name,
                           _name(project.town) if project else "", _name(item.department), item.due_date,
                           item.working_days_overdue])
    return table


def workload_table(departments) -> Table:
    table = Table("open-work-by-department", _("Open work by department"), [
        Column(_("department")), Column(_("open"), COUNT), Column(_("Overdue"), COUNT), Column(_("Escalated"), COUNT),
        Column(_("Paused"), COUNT)])
    table.rows = [[_name(d), d.open_count, d.overdue_count, d.escalated_count, d.paused_count] for d in departments]
    return table


def candidates_table(candidates) -> Table:
    table = Table("mechanism-candidates", _("Mechanism candidates"), [
        Column(_("problem tag")), Column(_("town")), Column(_("cases"), COUNT), Column(_("mechanism"))])
    table.rows = [[_local(c["tag"], c["tag_en"]), c["town"], c["seen"], _("yes") if c["covered"] else _("no")] for c in candidates]
    return table
