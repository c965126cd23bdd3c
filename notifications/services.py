"""Telling people: in-app notices and e-mail through an outbox.

``notify`` writes inside the caller's transaction, so a notice exists exactly when the change
that called for it was committed. E-mail rows are sent after the commit by a task; if the broker
is down, the beat task ``send_pending_emails`` picks them up later. Sending locks each row
(``skip_locked``), so two workers never send one e-mail twice.
"""
from __future__ import annotations

from collections.abc import Iterable

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from notifications.models import Notification, OutboundEmail, Preference

MAX_ATTEMPTS = 5


def notify(*, recipients: Iterable, subject: str, body: str = "", url: str = "", email: bool = True) -> int:
    """Give each recipient (a user) an in-app notice and, when they have an address, an e-mail.

    Runs in the caller's transaction; the e-mails leave after it commits. Returns the notices made.
    """
    people = {user.pk: user for user in recipients if user is not None and user.is_active}.values()
    Notification.objects.bulk_create(
        [Notification(recipient=user, subject=str(subject)[:200], body=str(body), url=url) for user in people]
    )
    if email:
        send_to(addresses=[user.email for user in people if user.email], subject=subject, body=f"{body}\n\n{url}".strip())
    return len(people)


def languages_of(user_ids) -> dict[int, str]:
    """Each person's language for notices (their preference, else the site's), in one query."""
    ids = list(user_ids)
    chosen = dict(Preference.objects.filter(user_id__in=ids).values_list("user_id", "language"))
    return {pk: chosen.get(pk, settings.LANGUAGE_CODE) for pk in ids}


def deliver_personal(messages) -> tuple[int, int]:
    """Bulk personal notices: ``messages`` are (user id, e-mail or "", subject, body, url), each
    already rendered in its reader's language. One in-app notice each and an e-mail where there is
    an address, in two statements inside the caller's transaction; the e-mails leave after it
    commits. Returns (notices, e-mails)."""
    notices, mails = [], []
    for user_id, email, subject, body, url in messages:
        notices.append(Notification(recipient_id=user_id, subject=str(subject)[:200], body=str(body), url=url))
        if email:
            mails.append(OutboundEmail(to=email, subject=str(subject)[:200], body=str(body)))
    batch = None if connection.vendor == "postgresql" else 500
    Notification.objects.bulk_create(notices, batch_size=batch)
    OutboundEmail.objects.bulk_create(mails, batch_size=batch)
    if mails:
        transaction.on_commit(_enqueue_sending)
    return len(notices), len(mails)


def send_to(*, addresses: Iterable[str], subject: str, body: str) -> None:
    """Queue e-mails to plain addresses (e.g. an enterprise's contact address)."""
    rows = OutboundEmail.objects.bulk_create(
        [OutboundEmail(to=address, subject=str(subject)[:200], body=str(body)) for address in dict.fromkeys(addresses)]
    )
    if rows:
        transaction.on_commit(_enqueue_sending)


def send_to_selected(*, addresses: QuerySet, extra: Iterable[str] = (), subject: str, body: str) -> None:
    """Queue e-mails to the addresses a query selects (``addresses``: a queryset of one column named
    ``address``, e.g. ``users.annotate(address=F("email")).values_list("address")``) and to ``extra``
    plain ones, each address once, in one
    INSERT ... SELECT: the addresses are never read into Python (a submission saves the statement that
    read the enterprise's accounts). Empty addresses are skipped."""
    table = connection.ops.quote_name(OutboundEmail._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(OutboundEmail._meta.get_field(name).column)
                        for name in ("to", "subject", "body", "status", "attempts", "last_error", "created_at"))
    selected, params = addresses.query.sql_with_params()
    extra = [address for address in dict.fromkeys(extra) if address]
    union = "".join(" UNION SELECT %s" for _address in extra)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT a.address, %s, %s, %s, 0, '', %s "
            f"FROM (SELECT q.address FROM ({selected}) q{union}) a "
            f"WHERE a.address IS NOT NULL AND a.address <> ''",
            [str(subject)[:200], str(body), OutboundEmail.Status.PENDING.value, now, *params, *extra],
        )
        queued = cursor.rowcount
    if queued:
        transaction.on_commit(_enqueue_sending)


# Queued by name: the task module imports this one (the task sends what the service queued), so
# importing it here would be a cycle.
SEND_TASK = "notifications.tasks.send_pending_emails"


def _enqueue_sending():
    try:
        current_app.signature(SEND_TASK).delay()
    except Exception:  # noqa: BLE001 - the broker may be down; beat drains the outbox later
        pass


def message_id(row: OutboundEmail) -> str:
    """The row's own Message-ID, the same at every try: if a worker dies after the server took an
    e-mail but before its row was marked sent, the e-mail is sent again with the same Message-ID,
    which mail servers and clients recognise as the same message."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "localhost"
    return f"<outbox-{row.pk}.{row.created_at:%Y%m%d%H%M%S}@{domain}>"


def send_pending_emails(*, batch: int = 100) -> int:
    """Send queued e-mails; each exactly once even with several workers. Returns how many were sent.

    Each row is locked (``skip_locked``), sent and marked in a transaction of its own, so a worker
    killed mid-run leaves every other row either sent and marked or untouched; at most the one e-mail
    in flight is sent again, under the same Message-ID. One connection to the mail server serves the
    whole run. Each row is tried at most once per call (a failing server is retried at the next
    beat), and given up after ``MAX_ATTEMPTS`` tries.
    """
    sent, last_id = 0, 0
    server = get_connection()
    try:
        server.open()
    except Exception:  # noqa: BLE001 - each send below tries again and records the error on its row
        pass
    try:
        while True:
            ids = list(
                OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING, id__gt=last_id)
                .order_by("id")
                .values_list("id", flat=True)[:batch]
            )
            for pk in ids:
                last_id = pk
                sent += _send_one(pk, server)
            if len(ids) < batch:
                return sent
    finally:
        _reset(server)


def _reset(server) -> None:
    try:
        server.close()
    except Exception:  # noqa: BLE001 - the server went away; nothing left to close
        pass


def _send_one(pk: int, server) -> int:
    with transaction.atomic():
        row = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=OutboundEmail.Status.PENDING)
            .first()
        )
        if row is None:  # another worker holds it, or it was sent meanwhile
            return 0
        row.attempts += 1
        message = EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.to], connection=server,
                               headers={"Message-ID": message_id(row)})
        try:
            message.send()
        except Exception as error:  # noqa: BLE001 - recorded on the row, retried by beat
            row.last_error = repr(error)[:1000]
            _reset(server)  # the next e-mail opens a fresh connection
            if row.attempts >= MAX_ATTEMPTS:
                row.status = OutboundEmail.Status.FAILED
        else:
            row.status = OutboundEmail.Status.SENT
            row.sent_at = timezone.now()
        row.save(update_fields=["attempts", "last_error", "status", "sent_at"])
        return int(row.status == OutboundEmail.Status.SENT)


def mark_read(*, user, notification_ids: Iterable[int]) -> int:
    """Mark the user's own notices read; others' ids are ignored."""
    return Notification.objects.filter(recipient=user, pk__in=list(notification_ids), read_at__isnull=True).update(
        read_at=timezone.now()
    )
