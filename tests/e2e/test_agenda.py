"""Center staff open next Monday's agenda in a real browser; it prints on A4 without navigation."""
import datetime

import pytest

from center.office_hours.services import build_agenda
from center.tests.factories import OfficeHoursSessionFactory
from departments.tests.factories import DepartmentFactory
from projects.tests.factories import StaffFactory
from tests.e2e.test_journey import _log_in
from workorders.models import Assignment
from workorders.tests.factories import AssignmentFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_agenda_page_and_print(live_server, browser, shots, tmp_path):
    staff = StaffFactory(username="agenda-staff")
    session = OfficeHoursSessionFactory(date=datetime.date(2026, 11, 30))
    for code in ("JT", "GH"):
        AssignmentFactory(department=DepartmentFactory(short_code=code, name_zh=f"区{code}委"),
                          status=Assignment.Status.IN_PROGRESS, sla_state=Assignment.SlaState.OVERDUE,
                          issued_on=datetime.date(2026, 10, 1), due_date=datetime.date(2026, 10, 20))
    build_agenda(actor=staff, session=session)
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    _log_in(page, live_server.url, staff.username)
    page.goto(f"{live_server.url}/center/office-hours/2026-11-30/")
    assert page.locator(".agenda-group").count() == 2
    assert "09:00" in page.inner_text(".agenda-items")
    shots(page, "agenda")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator("details").first.is_visible()
    assert page.locator(".agenda-items").first.is_visible()
    shots(page, "agenda-print")
    pdf = tmp_path / "agenda.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF")
    page.close()
