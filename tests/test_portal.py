"""The enterprise portal through its views: sign-up, projects, submitting, material, rating, commitments."""
import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from notifications.models import Notification, OutboundEmail
from notifications.services import send_pending_emails
from projects.models import Enterprise, InvestmentProject
from projects.tests.factories import TownFactory, make_credit_code
from workorders.models import Attachment, Commitment, RequestEvent, ServiceRequest
from workorders.services import complete_assignment, request_material
from workorders.tests import samples

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(name, content, content_type="application/pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


SIGNUP = {
    "name": "上海测试科技有限公司", "contact_name": "李四", "contact_mobile": "13912345678",
    "contact_email": "li@example.com", "username": "shtest", "password1": "Quite-long-pass-2026",
    "password2": "Quite-long-pass-2026",
}


def test_signup_creates_the_enterprise_and_logs_in():
    client = Client()
    response = client.post("/signup/", {**SIGNUP, "credit_code": make_credit_code(7)})
    assert response.status_code == 302 and response["Location"] == "/projects/new/"
    enterprise = Enterprise.objects.get(name="上海测试科技有限公司")
    assert enterprise.users.get().username == "shtest"
    assert enterprise.users.get().groups.filter(name="enterprise_contact").exists()
    assert client.get("/projects/").status_code == 200


def test_signup_with_a_wrong_check_character_keeps_what_was_typed():
    code = make_credit_code(8)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = Client().post("/signup/", {**SIGNUP, "credit_code": wrong})
    assert response.status_code == 200
    assert "credit_code" in response.context["form"].errors
    page = response.content.decode()
    assert "李四" in page and "li@example.com" in page and wrong in page
    assert not Enterprise.objects.exists()


def test_signup_twice_with_the_same_code_is_refused():
    code = make_credit_code(9)
    Client().post("/signup/", {**SIGNUP, "credit_code": code})
    response = Client().post("/signup/", {**SIGNUP, "credit_code": code, "username": "other"})
    assert response.status_code == 200 and "credit_code" in response.context["form"].errors
    assert Enterprise.objects.count() == 1


def test_signup_tells_a_taken_user_name_only_to_a_complete_new_registration(world):
    """Issue 17, finding 10, decided: a credit code is public register data (the national enterprise
    credit register publishes it with the name), so sign-up says an enterprise is already registered
    and whom to ask. A user name is not public: the sign-up says it is taken only once everything
    else is valid and the credit code is new, so a probe that misses creates a real enterprise
    account (and spends a fresh credit code), every attempt counts against the per-address limit,
    and a known name still meets the login lock and two-factor sign-in."""
    taken = world.staff.username
    weak = Client().post("/signup/", {**SIGNUP, "credit_code": make_credit_code(11), "username": taken,
                                      "password2": "something-else-2026"})
    assert set(weak.context["form"].errors) == {"password2"}
    registered = Client().post("/signup/", {**SIGNUP, "credit_code": world.ent_a.credit_code, "username": taken})
    assert set(registered.context["form"].errors) == {"credit_code"}
    complete = Client().post("/signup/", {**SIGNUP, "credit_code": make_credit_code(12), "username": taken})
    assert set(complete.context["form"].errors) == {"username"}
    assert not Enterprise.objects.filter(credit_code=make_credit_code(12)).exists()


def test_add_a_project(world):
    town = TownFactory()
    client = _client(world.user_a)
    response = client.post("/projects/new/", {"name": "新厂房", "town": town.pk, "total_investment": "5000000",
                                              "stage": "under_construction", "planned_completion_date": "2027-03-31"})
    assert response.status_code == 302
    project = InvestmentProject.objects.get(name="新厂房")
    assert project.enterprise == world.ent_a and project.current_completion_date == datetime.date(2027, 3, 31)
    again = client.post("/projects/new/", {"name": "新厂房", "town": town.pk, "total_investment": "1",
                                           "stage": "filing", "planned_completion_date": "2027-03-31"})
    assert again.status_code == 200 and "name" in again.context["form"].errors


def _request_form(world, **overrides):
    data = {"kind": "extension", "project": world.project_a.pk, "title": "申请延期六个月",
            "description": "道路未开通，竣工验收无法进行，申请延期。", "requested_completion_date": "2027-12-31",
            "submission_token": "tok-" + "x" * 30}
    data.update(overrides)
    return data


def test_submit_a_request_gives_a_tracking_number_and_an_email(world):
    client = _client(world.user_a)
    form = client.get("/requests/new/")
    token = form.context["form"].initial["submission_token"]
    assert len(token) >= 20
    response = client.post("/requests/new/", {**_request_form(world, submission_token=token),
                                              "attachments": [_upload("说明.pdf", samples.pdf())]})
    assert response.status_code == 302
    created = ServiceRequest.objects.get(submission_token=token)
    assert response["Location"] == f"/requests/{created.tracking_number}/"
    assert created.attachments.get().original_name == "说明.pdf"
    assert OutboundEmail.objects.filter(subject__contains=created.tracking_number, to=world.ent_a.contact_email).exists()
    send_pending_emails()
    assert any(created.tracking_number in message.subject for message in mail.outbox)
    page = client.get(response["Location"]).content.decode()
    assert created.tracking_number in page and "说明.pdf" in page


def test_a_double_submission_creates_one_request(world):
    client = _client(world.user_a)
    data = _request_form(world)
    first = client.post("/requests/new/", data)
    second = client.post("/requests/new/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ServiceRequest.objects.filter(submission_token=data["submission_token"]).count() == 1


def test_a_bad_field_keeps_the_uploaded_file_for_the_retry(world):
    client = _client(world.user_a)
    data = _request_form(world, requested_completion_date="2026-01-01")  # before the planned date
    response = client.post("/requests/new/", {**data, "attachments": [_upload("图纸.pdf", samples.pdf())]})
    assert response.status_code == 200
    assert "requested_completion_date" in response.context["form"].errors
    kept = response.context["kept"]
    assert [item["name"] for item in kept] == ["图纸.pdf"]
    page = response.content.decode()
    assert "图纸.pdf" in page and "道路未开通" in page
    assert not ServiceRequest.objects.filter(submission_token=data["submission_token"]).exists()
    # The retry sends the kept token instead of the file.
    retry = client.post("/requests/new/", {**data, "requested_completion_date": "2027-12-31", "kept": [kept[0]["token"]]})
    assert retry.status_code == 302
    created = ServiceRequest.objects.get(submission_token=data["submission_token"])
    attachment = created.attachments.get()
    assert attachment.original_name == "图纸.pdf" and attachment.file.read() == samples.pdf()


def test_someone_elses_kept_file_is_ignored(world):
    from workorders import upload_stash

    stolen = upload_stash.stash(user=world.user_b, name="b-secret.pdf", content=samples.pdf())
    response = _client(world.user_a).post("/requests/new/", {**_request_form(world), "kept": [stolen["token"]]})
    assert response.status_code == 302
    assert not Attachment.objects.filter(original_name="b-secret.pdf").exists()


def test_a_file_of_the_wrong_type_is_refused_beside_the_field(world):
    client = _client(world.user_a)
    data = _request_form(world)
    response = client.post("/requests/new/", {**data, "attachments": [
        _upload("ok.pdf", samples.pdf()), _upload("report.pdf", samples.exe(), "application/pdf")]})
    assert response.status_code == 200
    assert any("report.pdf" in message for message in response.context["file_errors"])
    assert [item["name"] for item in response.context["kept"]] == ["ok.pdf"]
    assert not ServiceRequest.objects.filter(submission_token=data["submission_token"]).exists()
    assert not Attachment.objects.filter(original_name="ok.pdf").exists()


def test_someone_elses_project_cannot_be_chosen(world):
    response = _client(world.user_a).post("/requests/new/", _request_form(world, project=world.project_b.pk))
    assert response.status_code == 200 and "project" in response.context["form"].errors


def test_download_headers(world):
    response = _client(world.user_a).get(f"/attachments/{world.attachment_a.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == samples.pdf()


def test_material_answer_resumes_the_clock_and_moves_the_due_date(world):
    assignment = world.assignment_a
    request_material(actor=world.officer_a, assignment=assignment, text="请补充道路规划许可证复印件")
    assignment.refresh_from_db()
    assert assignment.status == "paused"
    client = _client(world.user_a)
    page = client.get(f"/requests/{world.request_a.tracking_number}/").content.decode()
    assert "请补充道路规划许可证复印件" in page
    url = f"/requests/{world.request_a.tracking_number}/material/{assignment.pk}/"
    empty = client.post(url, {"text": ""})
    assert empty.status_code == 400 and "text" in empty.context["material_form"].errors
    response = client.post(url, {"text": "已上传", "attachments": [_upload("许可证.pdf", samples.pdf())]})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == "in_progress"
    assert Attachment.objects.filter(assignment=assignment, original_name="许可证.pdf").exists()
    assert RequestEvent.objects.filter(request=world.request_a, kind="material_provided").exists()
    assert Notification.objects.filter(recipient=world.officer_a, subject__contains=world.request_a.tracking_number).exists()


def test_rating_after_resolution(world):
    complete_assignment(actor=world.officer_a, assignment=world.assignment_a, text="道路已开通")
    client = _client(world.user_a)
    url = f"/requests/{world.request_a.tracking_number}/rate/"
    bad = client.post(url, {"rating": "9"})
    assert bad.status_code == 400
    assert client.post(url, {"rating": "5", "comment": "很及时"}).status_code == 302
    world.request_a.refresh_from_db()
    assert (world.request_a.rating, world.request_a.rating_comment) == (5, "很及时")
    assert client.post(url, {"rating": "1"}).status_code == 400  # rated once
    world.request_a.refresh_from_db()
    assert world.request_a.rating == 5


def test_accepting_conditions_records_the_pledge(world):
    from workorders.services import stamp_assignment

    due = timezone.localdate() + datetime.timedelta(days=60)
    stamp_assignment(actor=world.officer_a, assignment=world.assignment_a, decision="conditional",
                     conditions="竣工前完成消防通道整改", commitment_due_date=due)
    commitment = Commitment.objects.get()
    client = _client(world.user_a)
    page = client.get(f"/requests/{world.request_a.tracking_number}/").content.decode()
    assert "竣工前完成消防通道整改" in page
    url = f"/requests/{world.request_a.tracking_number}/accept/{commitment.pk}/"
    empty = client.post(url, {"pledge": ""})
    assert empty.status_code == 400 and "pledge" in empty.context["commitment_form"].errors
    assert client.post(url, {"pledge": "我司承诺整改"}).status_code == 302
    commitment.refresh_from_db()
    assert (commitment.pledge, commitment.due_date, commitment.accepted_by) == ("我司承诺整改", due, world.user_a)
    assert client.post(url, {"pledge": "again"}).status_code == 400
    assert Commitment.objects.count() == 1
    stamp_assignment(actor=world.officer_b, assignment=world.assignment_b, decision="conditional", conditions="x",
                     commitment_due_date=due)
    other = Commitment.objects.exclude(pk=commitment.pk).get()
    foreign = client.post(f"/requests/{world.request_a.tracking_number}/accept/{other.pk}/", {"pledge": "x"})
    assert foreign.status_code == 404


def test_timeline_names_departments_not_officers(world):
    from workorders.services import reply_to_assignment

    world.officer_a.first_name, world.officer_a.last_name = "秘密", "姓名"
    world.officer_a.save()
    reply_to_assignment(actor=world.officer_a, assignment=world.assignment_a, text="正在协调道路开通")
    page = _client(world.user_a).get(f"/requests/{world.request_a.tracking_number}/").content.decode()
    assert "正在协调道路开通" in page and "区交通委" in page
    assert "officer_a" not in page and "秘密" not in page
