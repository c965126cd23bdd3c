"""Issue 17, finding 5: every download is named after the type its content was checked to be.

``report.html`` and ``invoice.pdf.bat`` that start with ``%PDF-`` were accepted and downloaded under
those names. Now the name a download carries (and the one the pages and the API show) is the stem
plus the checked type's extension, for new uploads and for rows stored before the fix alike.
"""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from api.models import ApiClient
from workorders.models import Attachment, ServiceRequest
from workorders.services import request_material
from workorders.tests import samples
from workorders.uploads import download_name

PDF = "application/pdf"
HOSTILE_NAMES = [("report.html", "report.pdf"), ("invoice.pdf.bat", "invoice.pdf")]


@pytest.mark.parametrize(
    ("given", "content_type", "served"),
    [
        ("report.html", PDF, "report.pdf"),
        ("invoice.pdf.bat", PDF, "invoice.pdf"),
        ("invoice.pdf.bat.exe", PDF, "invoice.pdf"),
        ("invoice.bat.", PDF, "invoice.pdf"),  # Windows drops trailing dots and spaces: so do we
        ("invoice.pdf .bat . ", PDF, "invoice.pdf"),
        ("许可.pdf", PDF, "许可.pdf"),
        ("SCAN.PDF", PDF, "SCAN.PDF"),
        ("Mr.Smith.html", PDF, "Mr.Smith.pdf"),  # a dotted name keeps its dots
        ("纪要.2024.03", PDF, "纪要.2024.03.pdf"),  # numbers are not extensions
        ("no extension", PDF, "no extension.pdf"),
        (".html", PDF, "html.pdf"),
        ("../../x.html", PDF, "x.pdf"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("photo.png", "image/jpeg", "photo.jpg"),
        ("site.jpg.svg", "image/png", "site.png"),
        ("预算.xls", "application/vnd.ms-office", "预算.xls"),
        ("预算.xls.exe", "application/vnd.ms-office", "预算.xls"),
        ("方案.doc.html", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "方案.docx"),
        ("证照.zip", "application/ofd", "证照.ofd"),
        ("whatever.exe", "text/html", "whatever.bin"),  # a type that was never accepted: nothing to run
    ],
)
def test_the_download_name_ends_with_the_checked_types_extension(given, content_type, served):
    assert download_name(given, content_type) == served


def _session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _assert_served_as(client, attachment: Attachment, name: str) -> None:
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def _hostile_uploads():
    return [SimpleUploadedFile(given, samples.pdf(), content_type="text/html") for given, _served in HOSTILE_NAMES]


@pytest.mark.django_db
def test_portal_upload_and_download(world):
    client = _session(world.user_a)
    data = {"kind": "blocker", "project": world.project_a.pk, "title": "名字", "description": "道路未开通，影响竣工验收。",
            "submission_token": "tok-" + "n" * 30, "attachments": _hostile_uploads()}
    assert client.post("/requests/new/", data).status_code == 302
    created = ServiceRequest.objects.get(submission_token=data["submission_token"])
    attachments = {a.original_name: a for a in created.attachments.all()}
    page = client.get(f"/requests/{created.tracking_number}/").content.decode()
    for given, served in HOSTILE_NAMES:
        attachment = attachments[given]  # the record keeps what the person gave
        assert attachment.file.name.endswith(".pdf")  # the stored file is named by the check too
        _assert_served_as(client, attachment, served)
        assert f">{served}</a>" in page and f">{given}</a>" not in page


@pytest.mark.django_db
def test_material_upload_and_desk_download(world):
    request_material(actor=world.officer_a, assignment=world.assignment_a, text="请补充材料")
    url = f"/requests/{world.request_a.tracking_number}/material/{world.assignment_a.pk}/"
    assert _session(world.user_a).post(url, {"text": "已补充", "attachments": _hostile_uploads()}).status_code == 302
    officer = _session(world.officer_a)
    page = officer.get(f"/desk/assignments/{world.assignment_a.pk}/").content.decode()
    for given, served in HOSTILE_NAMES:
        attachment = Attachment.objects.get(assignment=world.assignment_a, original_name=given)
        _assert_served_as(officer, attachment, served)
        assert f">{served}</a>" in page and f">{given}</a>" not in page


@pytest.mark.django_db
def test_api_upload_lists_and_serves_the_checked_name(world):
    account = ApiClient(name="erp", user=world.user_a, scope="write")
    token = account.issue_token()
    account.save()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = {"project": world.project_a.pk, "kind": "blocker", "title": "接口上传", "description": "道路未开通，影响竣工验收。",
            "files": _hostile_uploads()}
    response = api.post("/api/v1/requests/", body, format="multipart")
    assert response.status_code == 201, response.content
    listed = {item["original_name"]: item for item in response.json()["attachments"]}
    for given, served in HOSTILE_NAMES:
        assert listed[given]["name"] == served
        assert listed[given]["content_type"] == "application/pdf"
        _assert_served_as(_session(world.user_a), Attachment.objects.get(pk=listed[given]["id"]), served)


@pytest.mark.django_db
def test_a_row_stored_before_the_fix_is_served_under_the_checked_name(world):
    old = Attachment(request=world.request_a, original_name="old report.html", content_type="application/pdf",
                     size=len(samples.pdf()), sha256="0" * 64, uploaded_by=world.user_a)
    old.file.save("upload.html", ContentFile(samples.pdf()), save=False)  # as a row from before might be
    old.save()
    _assert_served_as(_session(world.user_a), old, "old report.pdf")
    _assert_served_as(_session(world.officer_a), old, "old report.pdf")


@pytest.mark.django_db
def test_a_row_with_a_type_never_accepted_is_served_as_bytes(world):
    odd = Attachment(request=world.request_a, original_name="page.html", content_type="text/html",
                     size=5, sha256="0" * 64, uploaded_by=world.user_a)
    odd.file.save("upload.pdf", ContentFile(b"<h1>"), save=False)
    odd.save()
    response = _session(world.user_a).get(f"/attachments/{odd.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="page.bin"'
