"""An officer stamps an item at the office hours; the QR code on the approval leads to the public
verification page, which says the stamp is genuine and in force."""
import datetime
import subprocess

import pytest

from center.office_hours.services import build_agenda
from center.tests.factories import OfficeHoursSessionFactory
from departments.tests.factories import DepartmentFactory, OfficerFactory
from projects.tests.factories import OfficerUserFactory, StaffFactory
from tests.e2e.test_journey import _log_in
from workorders.models import Approval, Assignment
from workorders.tests.factories import AssignmentFactory, WorkOrderFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_stamp_at_office_hours_and_verify_from_the_qr_code(live_server, browser, shots, settings, tmp_path):
    settings.CENTER_PUBLIC_BASE_URL = live_server.url
    staff = StaffFactory(username="stamp-staff")
    department = DepartmentFactory(short_code="TC", name_zh="宝山区投资促进办公室", name_en="Investment Promotion Office",
                                   seal_text="审批专用章")
    officer = OfficerFactory(department=department, user=OfficerUserFactory(username="stamp-officer"), display_name="投促办经办人")
    work_order = WorkOrderFactory(needs_consultation=True)
    AssignmentFactory(work_order=work_order, department=department, status=Assignment.Status.IN_PROGRESS,
                      issued_on=datetime.date(2026, 11, 2), due_date=datetime.date(2026, 11, 16))
    session = OfficeHoursSessionFactory(date=datetime.date(2026, 11, 30))
    build_agenda(actor=staff, session=session)

    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    _log_in(page, live_server.url, officer.user.username)
    page.goto(f"{live_server.url}/center/office-hours/2026-11-30/")
    shots(page, "agenda-for-the-officer")
    page.click("a.stamp-link")
    page.wait_for_load_state()
    page.check("input[name='stamp-decision'][value='approved']")
    page.fill("#id_stamp-opinion", "同意，现场盖章。")
    shots(page, "stamp-form")
    page.click("#stamp-form button[type=submit]")
    page.wait_for_load_state()
    approval = Approval.objects.get()
    assert page.url.endswith(f"/approvals/{approval.serial}/")
    shots(page, "approval-with-seal-and-qr")
    qr_png = tmp_path / "qr.png"
    page.locator(".qr svg").screenshot(path=str(qr_png))
    url = subprocess.run(["zbarimg", "--raw", "-q", str(qr_png)], capture_output=True, text=True, check=True).stdout.strip()
    assert url == f"{live_server.url}/verify/{approval.serial}/{approval.verification_token}/"

    visitor = browser.new_page(locale="zh-CN")  # no login
    visitor.goto(url)
    assert "verify-genuine" in visitor.locator(".verify").get_attribute("class")
    assert "宝山区投资促进办公室" in visitor.inner_text("main")
    assert approval.assignment.work_order.request.tracking_number in visitor.inner_text("main")  # the token shows details
    shots(visitor, "verification-genuine")
    visitor.close()
    page.close()
