"""The district leader opens the dashboard on the demo data in a real browser: the charts draw, a
month is chosen, a table downloads as Excel with the figures shown on the page."""
import io

import pytest
from django.core.management import call_command

from center.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_leader_dashboard_on_the_demo(live_server, browser, shots, settings, tmp_path):
    from openpyxl import load_workbook

    from center.dashboards.figures import add_months, month_start
    from workdays.calendar import local_date

    settings.CENTER_SIMILARITY_INDEX_PATH = str(tmp_path / "index.joblib")
    call_command("load_demo", stdout=io.StringIO())
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "leader")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/leader/")
    # Towns, late work and the 12-month trend always draw; the month's on-time chart only once the month
    # has finished work.
    assert page.locator("#towns svg.chart, #late svg.chart, #trend svg.chart").count() == 3
    assert page.locator("#trend svg rect[data-value]").count() >= 6
    # The demo's towns: 高境镇 has the red Tiancheng project; the escalated Metro Line 19 lead assignment is listed.
    assert "高境镇" in page.inner_text("#table-projects-by-town")
    assert "BS-DEMO-TIANCHENG" in page.inner_text("#table-escalated")
    assert page.locator("#towns svg rect[fill='#c0392b']").count() >= 1
    shots(page, "leader-dashboard")

    last_month = add_months(month_start(local_date()), -1).strftime("%Y-%m")
    page.fill("#id_month", last_month)
    page.click(".month-form button[type=submit]")
    page.wait_for_url(f"**/leader/?month={last_month}")
    heading = page.inner_text("#months h2")
    assert last_month in heading
    shown = [cell.strip() for cell in page.locator("#table-departments-month tfoot td").all_inner_texts()]
    with page.expect_download() as download_info:
        page.click("#months a[href$='.xlsx?month=%s']" % last_month)
    path = tmp_path / "departments.xlsx"
    download_info.value.save_as(path)
    sheet = load_workbook(path).active
    footer = [cell for cell in list(sheet.iter_rows(values_only=True))[-1]]
    # The download's total row holds the page's total row (numbers as numbers, "—" as empty).
    assert footer[0] == shown[0]
    for got, text in zip(footer[1:], shown[1:]):
        assert (got is None and text == "—") or float(got) == float(text), (got, text)
    shots(page, "leader-dashboard-month")
    page.close()
