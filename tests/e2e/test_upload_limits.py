"""A file over the limit is stopped in the browser, beside the field, before anything is sent
(static/js/files.js); the server's own checks stay the rule (tests/test_upload_limits.py)."""
import datetime

import pytest

from projects.tests.factories import EnterpriseFactory, EnterpriseUserFactory, InvestmentProjectFactory
from tests.e2e.test_journey import _log_in
from workorders.models import ServiceRequest
from workorders.tests import samples

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_a_file_over_the_limit_is_stopped_before_sending(live_server, browser, shots, tmp_path, settings):
    settings.CENTER_UPLOAD_MAX_FILE_BYTES = 50_000
    enterprise = EnterpriseFactory(name="上海乐氏科技有限公司")
    contact = EnterpriseUserFactory(username="e2e-limits")
    enterprise.users.add(contact)
    InvestmentProjectFactory(enterprise=enterprise, name="乐氏科技园", planned_completion_date=datetime.date(2027, 6, 30))
    big = tmp_path / "扫描件.pdf"
    big.write_bytes(samples.pdf() + b"0" * 60_000)
    small = tmp_path / "说明.pdf"
    small.write_bytes(samples.pdf())

    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    _log_in(page, live_server.url, contact.username)
    sent.clear()
    page.goto(f"{live_server.url}/requests/new/")
    page.select_option("#id_kind", "blocker")
    page.fill("#id_title", "道路未开通")
    page.fill("#id_description", "天春路尚未开通，无法组织竣工验收。")
    page.set_input_files("#id_attachments", [str(big), str(small)])
    page.click("#submit-request")
    error = page.locator("#field-attachments ul.errorlist.client")
    error.wait_for()
    assert "扫描件.pdf" in error.inner_text() and "说明.pdf" not in error.inner_text()
    assert sent == [] and page.input_value("#id_title") == "道路未开通"
    assert page.locator("#submit-request").is_enabled()  # once.js did not lock the form
    shots(page, "file-over-the-limit")

    page.set_input_files("#id_attachments", [str(small)])
    page.click("#submit-request")
    page.wait_for_url(f"{live_server.url}/requests/*/")
    assert ServiceRequest.objects.get(title="道路未开通").attachments.get().original_name == "说明.pdf"
