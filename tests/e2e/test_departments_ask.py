"""Departments ask, the center decides (issue 18): the Tiancheng story, clicked through in a real browser.

The Transportation Commission's officer acknowledges the assignment, pauses the clock for Shentong
Metro Group, then asks for 5 more working days; staff grant 3. The Gaojing Town government asks to
be re-routed as not competent, and staff refuse. The town sends its conclusion to the lead and adds
an internal note; the Commission runs the clock again and answers the enterprise, which sees one
answer and the new due date on its timeline, and no internal text anywhere. Screenshots of each
page, at 1280 px and a phone's 390 px, go to tests/e2e/screenshots/.
"""
import datetime

import pytest

from departments.tests.factories import DepartmentFactory, OfficerFactory
from projects.tests.factories import (
    EnterpriseFactory,
    EnterpriseUserFactory,
    InvestmentProjectFactory,
    OfficerUserFactory,
    StaffFactory,
)
from tests.e2e.test_journey import _log_in
from workdays.calendar import get_calendar
from workorders.models import Assignment, DepartmentAsk, RequestEvent
from workorders.services import submit_request, triage_and_issue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

METRO = "申通地铁集团"
PAUSE_NOTE = "等待申通地铁集团出具地铁保护区施工方案审查意见（内部）"
EXTENSION_REASON = "地铁保护区方案审查需要申通地铁集团会签，申请延长五个工作日。"
RULING_DAYS = "同意延长三个工作日，请同步推进地下施工许可。"
REROUTE_TEXT = "地铁保护区审查不属镇政府职责（内部）"
REROUTE_RULING = "镇政府负责属地协调，请继续配合交通委（内部裁定）"
CONCLUSION = "镇政府已完成属地协调，同意围挡方案（协办意见）"
NOTE = "内部备注：下周一集中办公会复核进度"
ANSWER = "经与申通地铁集团会商，地铁保护区方案已通过审查，地下施工许可将在两周内办结。"


def _submit(page, form_selector):
    page.click(f"{form_selector} button[type=submit]")
    page.wait_for_load_state()


def _shoot_both_widths(page, shots, name):
    shots(page, name)
    page.set_viewport_size({"width": 390, "height": 844})
    shots(page, f"{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_tiancheng_story(live_server, browser, shots):
    base = live_server.url
    staff = StaffFactory(username="e2e-staff")
    transport = DepartmentFactory(short_code="JT", name_zh="区交通委", name_en="Transportation Commission")
    town = DepartmentFactory(short_code="GJ", name_zh="高境镇政府", name_en="Gaojing Town Government")
    jt_officer = OfficerFactory(department=transport, user=OfficerUserFactory(username="e2e-jt"),
                                display_name="交通委经办人").user
    gj_officer = OfficerFactory(department=town, user=OfficerUserFactory(username="e2e-gj"),
                                display_name="高境镇经办人").user
    enterprise = EnterpriseFactory(name="上海天成置业有限公司")
    contact = EnterpriseUserFactory(username="e2e-tiancheng")
    enterprise.users.add(contact)
    project = InvestmentProjectFactory(enterprise=enterprise, name="高境天成项目",
                                       planned_completion_date=datetime.date(2027, 6, 30),
                                       current_completion_date=datetime.date(2027, 6, 30))
    request, _ = submit_request(actor=contact, project=project, kind="blocker", title="地铁19号线保护区内地下施工许可",
                                description="项目位于地铁19号线保护区内，地下施工许可需地铁方审查。")
    triage_and_issue(actor=staff, request=request, lead_department=transport, co_departments=[town],
                     problem="地铁保护区内地下施工许可")
    lead = Assignment.objects.get(work_order__request=request, department=transport)
    co = Assignment.objects.get(work_order__request=request, department=town)
    issued_due = lead.due_date
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})

    # The Commission's officer acknowledges, then pauses the clock for Shentong Metro Group.
    _log_in(page, base, jt_officer.username)
    page.goto(f"{base}/desk/")
    assert page.locator(f"text={request.tracking_number}").count() >= 1
    page.goto(f"{base}/desk/assignments/{lead.pk}/")
    _submit(page, "#acknowledge-form")
    assert page.locator("#acknowledge-form").count() == 0
    assert "签收时间" in page.inner_text("#acknowledgement")
    page.fill("#id_pause-third_party_name", METRO)
    page.fill("#id_pause-note", PAUSE_NOTE)
    _submit(page, "#pause-form")
    lead.refresh_from_db()
    assert lead.acknowledged_at is not None and lead.status == Assignment.Status.PAUSED
    assert METRO in page.inner_text("#pauses")

    # It asks for 5 more working days; a 0 is refused beside the field, with the reason kept.
    page.fill("#id_extension-working_days", "0")
    page.fill("#id_extension-text", EXTENSION_REASON)
    _submit(page, "#extension-ask-form")
    assert page.locator("#field-extension-working_days .errorlist").count() == 1
    assert page.input_value("#id_extension-text") == EXTENSION_REASON
    assert not DepartmentAsk.objects.exists()
    page.fill("#id_extension-working_days", "5")
    _submit(page, "#extension-ask-form")
    assert "待中心审核" in page.inner_text("#asks")
    _shoot_both_widths(page, shots, "desk-lead-asked")

    # The Gaojing Town government asks to be re-routed as not competent.
    _log_in(page, base, gj_officer.username)
    page.goto(f"{base}/desk/assignments/{co.pk}/")
    page.check("#id_reroute-reason_category_0")  # not our competence
    page.fill("#id_reroute-text", REROUTE_TEXT)
    _submit(page, "#reroute-ask-form")
    assert DepartmentAsk.objects.filter(assignment=co, kind=DepartmentAsk.Kind.REROUTE,
                                        status=DepartmentAsk.Status.PENDING).exists()

    # Staff see both requests at the top of /center/, grant 3 of the 5 days and refuse the re-route.
    _log_in(page, base, staff.username)
    page.goto(f"{base}/center/")
    pending = page.inner_text("main")
    assert "高境镇政府" in pending and "区交通委" in pending
    _shoot_both_widths(page, shots, "center-pending")
    page.goto(f"{base}/center/requests/{request.tracking_number}/")
    extension = DepartmentAsk.objects.get(kind=DepartmentAsk.Kind.EXTENSION)
    reroute = DepartmentAsk.objects.get(kind=DepartmentAsk.Kind.REROUTE)
    page.check(f"#id_ask-{extension.pk}-decision_0")
    page.fill(f"#id_ask-{extension.pk}-working_days_granted", "3")
    page.fill(f"#id_ask-{extension.pk}-ruling", RULING_DAYS)
    _submit(page, f"#ask-{extension.pk} .decide-form")
    page.check(f"#id_ask-{reroute.pk}-decision_1")
    page.fill(f"#id_ask-{reroute.pk}-ruling", REROUTE_RULING)
    _submit(page, f"#ask-{reroute.pk} .decide-form")
    extension.refresh_from_db()
    reroute.refresh_from_db()
    assert (extension.status, extension.working_days_granted) == (DepartmentAsk.Status.GRANTED, 3)
    assert reroute.status == DepartmentAsk.Status.REFUSED
    lead.refresh_from_db()
    calendar = get_calendar()
    assert lead.due_date == calendar.add_working_days(issued_due, 3) and lead.extension_working_days == 3
    assert lead.original_due_date == issued_due  # no approval moves the original clock
    _shoot_both_widths(page, shots, "center-decided")

    # The town reads the ruling, keeps the work, sends its conclusion and adds an internal note.
    _log_in(page, base, gj_officer.username)
    page.goto(f"{base}/desk/assignments/{co.pk}/")
    assert REROUTE_RULING in page.inner_text("#asks")
    page.fill("#id_reply-text", CONCLUSION)
    _submit(page, "#reply-form")
    page.fill("#id_note-text", NOTE)
    _submit(page, "#note-form")
    assert NOTE in page.inner_text("#notes")

    # The Commission runs the clock again and answers the enterprise, with the conclusion beside its form.
    _log_in(page, base, jt_officer.username)
    page.goto(f"{base}/desk/assignments/{lead.pk}/")
    _submit(page, "#resume-form")
    assert CONCLUSION in page.inner_text("#answer")
    page.fill("#id_reply-text", ANSWER)
    _submit(page, "#reply-form")
    _shoot_both_widths(page, shots, "desk-lead-answered")

    # The enterprise sees one answer and the new due date with its reason; no internal text anywhere.
    lead.refresh_from_db()
    _log_in(page, base, contact.username)
    page.goto(f"{base}/requests/{request.tracking_number}/")
    seen = page.inner_text("main")
    assert ANSWER in seen
    assert lead.due_date.isoformat() in seen
    assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.DUE_DATE_MOVED, public=True).exists()
    assert METRO in seen  # whom the clock waited for is public
    for internal in (PAUSE_NOTE, REROUTE_TEXT, REROUTE_RULING, CONCLUSION, NOTE):
        assert internal not in seen
    _shoot_both_widths(page, shots, "portal-one-answer")
    page.goto(f"{base}/notifications/")
    notices = page.inner_text("main")
    for internal in (PAUSE_NOTE, REROUTE_TEXT, REROUTE_RULING, CONCLUSION, NOTE):
        assert internal not in notices
