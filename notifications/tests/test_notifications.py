"""In-app notices and the e-mail outbox."""
import pytest
from django.core import mail
from django.test import Client

from notifications.models import Notification, OutboundEmail
from notifications.services import MAX_ATTEMPTS, mark_read, notify, send_pending_emails
from notifications.tests.factories import NotificationFactory, OutboundEmailFactory
from projects.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notify_makes_one_notice_per_active_person_and_queues_mail():
    alice, bob = UserFactory(email="alice@example.com"), UserFactory(email="")
    gone = UserFactory(is_active=False, email="gone@example.com")
    made = notify(recipients=[alice, alice, bob, gone, None], subject="新工单", body="正文", url="/desk/")
    assert made == 2
    assert Notification.objects.filter(recipient=alice).count() == 1
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == ["alice@example.com"]


def test_each_email_is_sent_once():
    OutboundEmailFactory.create_batch(3)
    assert send_pending_emails() == 3
    assert send_pending_emails() == 0
    assert len(mail.outbox) == 3
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT, sent_at__isnull=False).count() == 3


REFUSING = "notifications.tests.failing_backend.RefusingBackend"


def test_a_failing_server_is_recorded_and_retried_then_given_up(settings):
    row = OutboundEmailFactory()
    settings.EMAIL_BACKEND = REFUSING
    assert send_pending_emails() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundEmail.Status.PENDING, 1)  # one try per run
    for _ in range(MAX_ATTEMPTS - 1):
        send_pending_emails()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.FAILED and row.attempts == MAX_ATTEMPTS
    assert "smtp down" in row.last_error
    healthy = OutboundEmailFactory()
    assert send_pending_emails() == 1
    healthy.refresh_from_db()
    assert healthy.status == OutboundEmail.Status.SENT


def test_list_shows_only_ones_own_and_marks_read():
    me, other = UserFactory(), UserFactory()
    mine = NotificationFactory(recipient=me, subject="我的通知")
    NotificationFactory(recipient=other, subject="别人的通知")
    client = Client()
    client.force_login(me)
    page = client.get("/notifications/").content.decode()
    assert "我的通知" in page and "别人的通知" not in page
    assert client.post("/notifications/read/").status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1


def test_mark_read_ignores_other_peoples_notices():
    me, other = UserFactory(), UserFactory()
    theirs = NotificationFactory(recipient=other)
    mark_read(user=me, notification_ids=[theirs.pk])
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_run_tries_each_row_once_even_past_a_batch(settings):
    OutboundEmailFactory.create_batch(5)
    settings.EMAIL_BACKEND = REFUSING
    send_pending_emails(batch=2)
    assert sorted(OutboundEmail.objects.values_list("attempts", flat=True)) == [1, 1, 1, 1, 1]
