"""Submitting, answering and rating: atomic, idempotent, told to the right people."""
import datetime
from pathlib import Path

import pytest
from django.core import mail

from notifications.models import Notification, OutboundEmail
from notifications.services import send_pending_emails
from projects.tests.factories import InvestmentProjectFactory, UserFactory
from workorders.exceptions import WorkOrderError
from workorders.models import Assignment, Attachment, RequestEvent, ServiceRequest
from workorders.services import pause_assignment, provide_material, rate_request, submit_request
from workorders.tests import samples
from workorders.tests.factories import AssignmentFactory, ServiceRequestFactory


@pytest.fixture
def contact():
    return UserFactory(username="contact-a", email="a@example.com")


@pytest.fixture
def project(contact):
    project = InvestmentProjectFactory(current_completion_date=datetime.date(2026, 12, 31))
    project.enterprise.users.add(contact)
    return project


def submit(contact, project, **overrides):
    fields = dict(actor=contact, project=project, kind=ServiceRequest.Kind.BLOCKER, title="天春路未开通",
                  description="道路未开通，影响竣工验收和入驻。", files=[("材料.pdf", samples.pdf())])
    fields.update(overrides)
    return submit_request(**fields)


@pytest.mark.django_db
def test_submit_stores_request_attachments_and_timeline_and_tells_the_enterprise(contact, project, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request, created = submit(contact, project, files=[("材料.pdf", samples.pdf()), ("现场.png", samples.png())])
    assert created and callbacks  # the outbox is sent after the commit
    assert request.tracking_number.startswith("BS") and len(request.tracking_number) == 18
    assert request.enterprise == project.enterprise and request.status == ServiceRequest.Status.SUBMITTED
    attachments = list(request.attachments.order_by("id"))
    assert [a.original_name for a in attachments] == ["材料.pdf", "现场.png"]
    for attachment in attachments:
        assert Path(attachment.file.path).exists()
        assert "材料" not in attachment.file.name  # stored under a random name
    assert list(request.events.values_list("kind", flat=True)) == [RequestEvent.Kind.SUBMITTED]
    # The submitter sees the number on screen; the record of it is the e-mail (no in-app notice).
    assert not Notification.objects.filter(recipient=contact).exists()
    assert set(OutboundEmail.objects.values_list("to", flat=True)) == {"a@example.com", project.enterprise.contact_email}
    assert send_pending_emails() == 2
    assert send_pending_emails() == 0  # each e-mail once
    assert {m.to[0] for m in mail.outbox} == {"a@example.com", project.enterprise.contact_email}
    assert all(request.tracking_number in m.subject for m in mail.outbox)


@pytest.mark.django_db
def test_the_submission_e_mails_leave_after_the_commit(contact, project, queued_emails,
                                                       django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        request, _created = submit(contact, project)
        assert not queued_emails and not mail.outbox  # nothing leaves before the commit
    assert queued_emails == [True]  # the outbox task queued once, after the commit
    assert {m.to[0] for m in mail.outbox} == {"a@example.com", project.enterprise.contact_email}
    assert all(request.tracking_number in m.subject for m in mail.outbox)
    assert not OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).exists()


@pytest.mark.django_db
def test_the_same_token_gives_the_same_request(contact, project):
    first, created = submit(contact, project, token="token-1")
    second, created_again = submit(contact, project, token="token-1")
    assert created and not created_again
    assert first.pk == second.pk
    assert ServiceRequest.objects.count() == 1 and Attachment.objects.count() == 1


@pytest.mark.django_db
def test_another_enterprise_cannot_reuse_a_token(contact, project):
    submit(contact, project, token="token-1")
    stranger = UserFactory(username="stranger")
    other_project = InvestmentProjectFactory()
    other_project.enterprise.users.add(stranger)
    with pytest.raises(WorkOrderError) as raised:
        submit(stranger, other_project, token="token-1")
    assert raised.value.code == "token_reused"


@pytest.mark.django_db
def test_nothing_half_written_when_a_file_fails_to_store(contact, project, monkeypatch, settings):
    """Fault injection: the second attachment row fails; the request, the first row and its file go."""
    original_save = Attachment.save
    calls = []

    def failing_save(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise OSError("disk full")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", failing_save)
    with pytest.raises(OSError):
        submit(contact, project, files=[("a.pdf", samples.pdf()), ("b.pdf", samples.pdf())])
    assert ServiceRequest.objects.count() == 0
    assert Attachment.objects.count() == 0 and RequestEvent.objects.count() == 0
    assert Notification.objects.count() == 0 and OutboundEmail.objects.count() == 0
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert stored == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        (dict(kind=ServiceRequest.Kind.EXTENSION), "requested_completion_date", "date_required"),
        (dict(kind=ServiceRequest.Kind.EXTENSION, requested_completion_date=datetime.date(2026, 12, 31)), "requested_completion_date", "date_not_later"),
        (dict(kind="holiday"), "kind", "kind"),
        (dict(title="  "), "title", "title"),
        (dict(description="太短"), "description", "description"),
        (dict(files=[("x.pdf", samples.exe())]), "attachments", "file_type"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_stored(contact, project, overrides, field, code):
    with pytest.raises(WorkOrderError) as raised:
        submit(contact, project, **overrides)
    assert (raised.value.field, raised.value.code) == (field, code)
    assert ServiceRequest.objects.count() == 0 and Attachment.objects.count() == 0


@pytest.mark.django_db
def test_an_extension_after_the_current_date_is_accepted(contact, project):
    request, _ = submit(contact, project, kind=ServiceRequest.Kind.EXTENSION, requested_completion_date=datetime.date(2027, 6, 30))
    assert request.requested_completion_date == datetime.date(2027, 6, 30)


@pytest.mark.django_db
def test_a_foreign_project_is_refused(contact):
    with pytest.raises(WorkOrderError) as raised:
        submit(contact, InvestmentProjectFactory())
    assert raised.value.field == "project"
    assert ServiceRequest.objects.count() == 0


@pytest.mark.django_db
def test_material_answer_resumes_the_clock_and_tells_the_department(contact, project):
    from departments.tests.factories import OfficerFactory

    request = ServiceRequestFactory(project=project, enterprise=project.enterprise, status=ServiceRequest.Status.IN_PROGRESS)
    assignment = AssignmentFactory(work_order__request=request, issued_on=datetime.date(2026, 3, 2), due_date=datetime.date(2026, 3, 16))
    officer = OfficerFactory(department=assignment.department)
    pause_assignment(actor=officer.user, assignment=assignment, reason="material", note="补充消防方案")
    provide_material(actor=contact, assignment=assignment, text="已补充", files=[("消防方案.pdf", samples.pdf())])
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.IN_PROGRESS
    pause = assignment.pauses.get()
    assert pause.ended_at is not None
    assert assignment.due_date >= datetime.date(2026, 3, 16)
    event = request.events.get(kind=RequestEvent.Kind.MATERIAL_PROVIDED)
    assert event.attachments.get().original_name == "消防方案.pdf"
    assert Notification.objects.filter(recipient=officer.user).exists()


@pytest.mark.django_db
def test_material_cannot_be_given_by_a_stranger_or_when_nothing_is_asked(contact, project):
    request = ServiceRequestFactory(project=project, enterprise=project.enterprise)
    assignment = AssignmentFactory(work_order__request=request)
    with pytest.raises(WorkOrderError) as raised:
        provide_material(actor=contact, assignment=assignment, text="x")
    assert raised.value.code == "not_paused"
    with pytest.raises(WorkOrderError) as raised:
        provide_material(actor=UserFactory(username="nobody"), assignment=assignment, text="x")
    assert raised.value.code == "forbidden"


@pytest.mark.django_db
def test_rating_once_after_resolution(contact, project):
    request = ServiceRequestFactory(project=project, enterprise=project.enterprise)
    with pytest.raises(WorkOrderError):
        rate_request(actor=contact, request=request, rating=5)
    request.status = ServiceRequest.Status.RESOLVED
    request.save()
    with pytest.raises(WorkOrderError):
        rate_request(actor=contact, request=request, rating=6)
    rate_request(actor=contact, request=request, rating=4, comment="很快")
    assert (request.rating, request.rating_comment) == (4, "很快")
    with pytest.raises(WorkOrderError) as raised:
        rate_request(actor=contact, request=request, rating=5)
    assert raised.value.code == "already_rated"
