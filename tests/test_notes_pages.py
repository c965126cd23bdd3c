"""Internal notes and the lead's one answer through every door (issue 18, point 5): the enterprise's
pages, its API token, its notices and e-mails never carry a note or a co-handler's conclusion; the
departments' desk pages and the center's page show them."""
import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from api.models import ApiClient
from notifications.models import Notification
from workorders.models import RequestEvent
from workorders.services import add_internal_note, reply_to_assignment, triage_and_issue

pytestmark = pytest.mark.django_db

SECRETS = ("NOTE-BY-LEAD-7f3a", "NOTE-BY-CO-2b9c", "NOTE-BY-STAFF-5d1e", "CONCLUSION-OF-CO-8e4f")
ANSWER = "ANSWER-OF-LEAD-1c6d"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def shared(world, settings, queued_emails, django_capture_on_commit_callbacks):
    """Enterprise A's waiting request issued to department A (lead) and B (co-handling); every kind
    of internal text written, then the lead's answer; the e-mails sent as the worker would."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        work_order = triage_and_issue(actor=world.staff, request=world.waiting_a, lead_department=world.dept_a,
                                      co_departments=[world.dept_b], problem="道路")
    world.lead = work_order.assignments.get(department=world.dept_a)
    world.co = work_order.assignments.get(department=world.dept_b)
    with django_capture_on_commit_callbacks(execute=True):
        add_internal_note(actor=world.officer_a, assignment=world.lead, text=SECRETS[0])
        add_internal_note(actor=world.officer_b, assignment=world.co, text=SECRETS[1])
        add_internal_note(actor=world.staff, assignment=world.co, text=SECRETS[2])
        reply_to_assignment(actor=world.officer_b, assignment=world.co, text=SECRETS[3])
        reply_to_assignment(actor=world.officer_a, assignment=world.lead, text=ANSWER)
    return world


def _enterprise_doors(w) -> dict[str, str]:
    """What enterprise A can read: its pages, its API (with a token of its own), its notices and e-mails."""
    page = _client(w.user_a)
    record = ApiClient(name="erp", user=w.user_a, scope=ApiClient.Scope.READ)
    token = record.issue_token()
    record.save()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    number, work_order = w.waiting_a.tracking_number, w.lead.work_order_id
    urls = {"page": [f"/requests/{number}/", "/requests/", "/notifications/"],
            "api": ["/api/v1/requests/", f"/api/v1/requests/{w.waiting_a.pk}/", "/api/v1/work-orders/",
                    f"/api/v1/work-orders/{work_order}/", "/api/v1/assignments/", "/api/v1/approvals/",
                    "/api/v1/commitments/"]}
    doors = {}
    for url in urls["page"]:
        response = page.get(url)
        assert response.status_code == 200, url
        doors[url] = response.content.decode()
    for url in urls["api"]:
        response = api.get(url)
        assert response.status_code == 200, url
        doors[f"api {url}"] = response.content.decode()
    addresses = {w.user_a.email, w.ent_a.contact_email}
    doors["notices"] = repr(list(Notification.objects.filter(recipient=w.user_a).values_list("subject", "body")))
    doors["e-mails"] = repr([(m.subject, m.body) for m in mail.outbox if set(m.to) & addresses])
    return doors


def test_no_note_or_conclusion_reaches_the_enterprise_and_the_answer_does(shared):
    doors = _enterprise_doors(shared)
    for door, content in doors.items():
        for secret in SECRETS:
            assert secret not in content, f"{secret} in {door}"
    # The one answer, the lead's, is on its page, in the API's work order and in its mail.
    for door in (f"/requests/{shared.waiting_a.tracking_number}/", f"api /api/v1/work-orders/{shared.lead.work_order_id}/",
                 "notices", "e-mails"):
        assert ANSWER in doors[door], door
    assert mail.outbox, "the worker sent the e-mails"


def test_the_departments_and_the_center_read_the_notes_and_conclusions(shared):
    lead_page = _client(shared.officer_a).get(f"/desk/assignments/{shared.lead.pk}/").content.decode()
    co_page = _client(shared.officer_b).get(f"/desk/assignments/{shared.co.pk}/").content.decode()
    center_page = _client(shared.staff).get(f"/center/requests/{shared.waiting_a.tracking_number}/").content.decode()
    for page in (lead_page, co_page, center_page):
        for note in SECRETS[:3]:
            assert note in page
    assert 'id="conclusion-' in lead_page and SECRETS[3] in lead_page
    assert 'id="conclusion-' in center_page
    assert 'id="conclusion-' not in co_page
    # The forms say who the answer goes to.
    assert "Answer the enterprise" in lead_page or "答复企业" in lead_page
    assert "向牵头单位和服务中心报送我单位协办意见" in co_page or "Send our conclusion" in co_page
    # The co-handler's notice tells the lead's officer and the center, not the enterprise.
    assert Notification.objects.filter(recipient=shared.officer_a, body=SECRETS[3]).exists()
    assert Notification.objects.filter(recipient=shared.staff, body=SECRETS[3]).exists()


def test_a_desk_note_is_added_and_bad_input_is_shown_beside_the_field(world):
    client = _client(world.officer_a)
    url = f"/desk/assignments/{world.assignment_a.pk}/notes/"
    empty = client.post(url, {"note-text": "   "})
    assert empty.status_code == 400 and "text" in empty.context["note_form"].errors
    assert client.post(url, {"note-text": "待地铁公司评估"}).status_code == 302
    note = RequestEvent.objects.get(kind=RequestEvent.Kind.NOTE)
    assert (note.text, note.public, note.department) == ("待地铁公司评估", False, world.dept_a)
    # Refused on a finished assignment: the message on the form, the text kept.
    world.assignment_a.status = "done"
    world.assignment_a.save()
    refused = client.post(url, {"note-text": "办结后再补一句"})
    assert refused.status_code == 400 and refused.context["note_form"].non_field_errors()
    assert "办结后再补一句" in refused.content.decode()


@pytest.mark.parametrize("role,status", [("officer_b", 404), ("enterprise_a", 403), ("leader", 403), ("staff", 403)])
def test_a_desk_note_on_another_departments_assignment_is_refused(world, role, status):
    response = _client(world.users[role]).post(f"/desk/assignments/{world.assignment_a.pk}/notes/",
                                               {"note-text": "猜的编号"})
    assert response.status_code == status
    assert not RequestEvent.objects.filter(kind=RequestEvent.Kind.NOTE).exists()


def test_staff_note_from_the_center_page(world):
    url = f"/center/requests/{world.request_a.tracking_number}/notes/"
    client = _client(world.staff)
    empty = client.post(url, {"note-assignment": world.assignment_a.pk, "note-text": ""})
    assert empty.status_code == 400 and "text" in empty.context["note_form"].errors
    foreign = client.post(url, {"note-assignment": world.assignment_b.pk, "note-text": "别的工单"})
    assert foreign.status_code == 400 and "assignment" in foreign.context["note_form"].errors
    assert client.post(url, {"note-assignment": world.assignment_a.pk, "note-text": "中心督促"}).status_code == 302
    note = RequestEvent.objects.get(kind=RequestEvent.Kind.NOTE)
    assert (note.assignment, note.department, note.public) == (world.assignment_a, None, False)
    for role in ("enterprise_a", "officer_a", "leader"):
        assert _client(world.users[role]).post(url, {"note-assignment": world.assignment_a.pk,
                                                     "note-text": "x"}).status_code == 403
    assert RequestEvent.objects.filter(kind=RequestEvent.Kind.NOTE).count() == 1
