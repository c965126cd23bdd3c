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


def test_each_email_carries_its_rows_message_id_at_every_try():
    """A worker killed after the server took an e-mail but before the row was marked sends it again:
    with the same Message-ID, so mail servers and clients see one message."""
    first, second = OutboundEmailFactory.create_batch(2)
    assert send_pending_emails() == 2
    OutboundEmail.objects.filter(pk=first.pk).update(status=OutboundEmail.Status.PENDING)  # as if killed
    assert send_pending_emails() == 1
    ids = [message.extra_headers["Message-ID"] for message in mail.outbox]
    assert ids[0] == ids[2] != ids[1]
    assert ids[0].startswith(f"<outbox-{first.pk}.") and ids[0].endswith("@localhost>")


def test_a_row_another_worker_holds_is_left_to_it(transactional_db):
    """Rows are locked one at a time with skip_locked: a row locked elsewhere is skipped, not waited for."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    import threading

    from django.db import transaction

    held, other = OutboundEmailFactory.create_batch(2)
    locked, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            OutboundEmail.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(30)
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert locked.wait(30)
        assert send_pending_emails() == 1
        assert [m.to for m in mail.outbox] == [[other.to]]
    finally:
        release.set()
        thread.join()
    assert send_pending_emails() == 1  # free again: sent now


def test_the_mail_queued_by_notify_leaves_after_the_commit(queued_emails, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alice = UserFactory(email="alice@example.com")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(recipients=[alice], subject="新工单", body="正文", url="/desk/")
        assert not queued_emails and not mail.outbox  # nothing leaves before the commit
    assert len(callbacks) == 1 and queued_emails == [True]
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_nothing_is_queued_when_the_change_rolls_back(queued_emails, django_capture_on_commit_callbacks):
    from django.db import transaction

    alice = UserFactory(email="alice@example.com")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(recipients=[alice], subject="新工单")
            raise RuntimeError
    assert callbacks == [] and queued_emails == []
    assert not OutboundEmail.objects.exists() and not mail.outbox
