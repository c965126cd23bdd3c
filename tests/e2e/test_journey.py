"""One request from submission to resolution, clicked through in a real browser.

An enterprise submits an extension with a PDF, corrects a bad date without picking the file again;
staff issue the work order; the officer replies and asks for material; the enterprise answers;
the due date has moved by the working days the clock stood still; the officer finishes and the
work order resolves. Screenshots of each page go to tests/e2e/screenshots/.
"""
import datetime
import re

import pytest

from departments.tests.factories import DepartmentFactory, OfficerFactory
from projects.tests.factories import (
    EnterpriseFactory,
    EnterpriseUserFactory,
    InvestmentProjectFactory,
    OfficerUserFactory,
    StaffFactory,
)
from tests.world import PASSWORD
from workdays.calendar import get_calendar, local_date
from workorders.models import Assignment, ClockPause, ServiceRequest, WorkOrder
from workorders.tests import samples

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def _log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_request_to_resolution(live_server, browser, shots, tmp_path):
    base = live_server.url
    staff = StaffFactory(username="e2e-staff")
    department = DepartmentFactory(short_code="JT", name_zh="区交通委", name_en="Transportation Commission")
    officer = OfficerFactory(department=department, user=OfficerUserFactory(username="e2e-officer"), display_name="交通委经办人")
    enterprise = EnterpriseFactory(name="上海乐氏科技有限公司")
    contact = EnterpriseUserFactory(username="e2e-enterprise")
    enterprise.users.add(contact)
    InvestmentProjectFactory(enterprise=enterprise, name="乐氏科技园", planned_completion_date=datetime.date(2027, 6, 30),
                             current_completion_date=datetime.date(2027, 6, 30))
    pdf = tmp_path / "延期申请.pdf"
    pdf.write_bytes(samples.pdf())

    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})

    # The enterprise submits an extension with a date before the planned one, and a PDF.
    _log_in(page, base, contact.username)
    page.goto(f"{base}/requests/new/")
    page.select_option("#id_kind", "extension")
    page.fill("#id_title", "申请竣工延期六个月")
    page.fill("#id_description", "天春路尚未开通，无法组织竣工验收，申请延期六个月。")
    page.fill("#id_requested_completion_date", "2027-01-31")
    page.set_input_files("#id_attachments", str(pdf))
    shots(page, "request-form")
    page.click("#submit-request")
    page.wait_for_load_state()
    error = page.locator("#field-requested_completion_date .errorlist")
    assert "2027-06-30" in error.inner_text()
    assert page.locator(".kept-files").inner_text().count("延期申请.pdf") == 1
    assert page.input_value("#id_title") == "申请竣工延期六个月"
    shots(page, "request-form-error-file-kept")
    assert not ServiceRequest.objects.exists()

    # The person fixes the date only; the kept file goes with the retry.
    page.fill("#id_requested_completion_date", "2027-12-31")
    page.click("#submit-request")
    page.wait_for_load_state()
    tracking_number = page.inner_text("#tracking-number")
    assert re.fullmatch(r"BS\d{16}", tracking_number)
    request = ServiceRequest.objects.get(tracking_number=tracking_number)
    assert request.attachments.get().original_name == "延期申请.pdf"
    shots(page, "request-submitted")

    # Center staff issue the work order to the Transportation Commission.
    _log_in(page, base, staff.username)
    page.goto(f"{base}/center/")
    page.click(f"text={tracking_number}")
    page.select_option("#id_lead_department", str(department.pk))
    page.fill("#id_proposed_approach", "协调天春路开通时间")
    shots(page, "triage")
    page.click("#issue-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".messages").count() == 1
    assignment = Assignment.objects.get(work_order__request=request)
    issued_due = assignment.due_date
    assert issued_due == get_calendar().add_working_days(local_date(), 10)

    # The officer sees it on the desk, replies, then asks for material.
    _log_in(page, base, officer.user.username)
    page.goto(f"{base}/desk/")
    shots(page, "desk-list")
    page.click(f"text={tracking_number}")
    page.fill("#id_reply-text", "已收到，正在与建设单位核实道路开通计划。")
    page.click("#reply-form button[type=submit]")
    page.wait_for_load_state()
    page.fill("#id_material-text", "请补充道路施工许可证复印件。")
    page.click("#material-form button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#assignment-status") == Assignment.Status.PAUSED.label
    shots(page, "desk-paused")

    # Time passes: the enterprise answers five working days after the request for material.
    calendar = get_calendar()
    pause = ClockPause.objects.get(assignment=assignment, ended_at__isnull=True)
    five_back = _working_days_before(calendar, local_date(), 5)
    ClockPause.objects.filter(pk=pause.pk).update(started_on=five_back)

    _log_in(page, base, contact.username)
    page.goto(f"{base}/requests/{tracking_number}/")
    assert "请补充道路施工许可证复印件" in page.inner_text("main")
    shots(page, "material-asked")
    form = page.locator("form.material-form")
    form.locator("textarea[name=text]").fill("已上传施工许可证复印件。")
    form.locator("input[name=attachments]").set_input_files(str(pdf))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assignment.refresh_from_db()
    moved = calendar.working_days_between(five_back, local_date())
    assert moved == 5
    assert assignment.due_date == calendar.add_working_days(issued_due, 5)
    assert page.inner_text(f"#assignment-{assignment.pk} .due-date") == assignment.due_date.isoformat()
    shots(page, "material-answered-due-date-moved")

    # The officer finishes; the work order and the request resolve.
    _log_in(page, base, officer.user.username)
    page.goto(f"{base}/desk/assignments/{assignment.pk}/")
    page.fill("#id_done-text", "天春路已于本周开通，同意延期。")
    page.click("#done-form button[type=submit]")
    page.wait_for_load_state()
    assert WorkOrder.objects.get(request=request).status == WorkOrder.Status.RESOLVED
    _log_in(page, base, contact.username)
    page.goto(f"{base}/requests/{tracking_number}/")
    assert page.inner_text("#request-status") == ServiceRequest.Status.RESOLVED.label
    page.check("input[name=rating][value='5']")
    page.fill("#id_comment", "办理及时")
    shots(page, "resolved-rate")
    page.click("#rating button[type=submit]")
    page.wait_for_load_state()
    request.refresh_from_db()
    assert request.rating == 5
    shots(page, "rated")
    page.close()


def _working_days_before(calendar, day, count):
    while count:
        day -= datetime.timedelta(days=1)
        if calendar.is_working_day(day):
            count -= 1
    return day
