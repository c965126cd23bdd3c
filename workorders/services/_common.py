"""Helpers the services share: saving with the actor in history, timeline events, notices."""
from __future__ import annotations

import logging
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from departments.models import Officer
from notifications.services import notify, send_to, send_to_selected
from core.errors import STORAGE_UNAVAILABLE
from workorders.exceptions import WorkOrderError
from workorders.models import Assignment, Attachment, RequestEvent, ServiceRequest
from workorders.permissions import center_staff_users
from workorders.uploads import CheckedFile

logger = logging.getLogger(__name__)


def save_as(obj, actor, **kwargs):
    obj._history_user = actor
    obj.save(**kwargs)
    return obj


def record_event(*, request: ServiceRequest, kind: str, actor, assignment: Assignment | None = None, text: str = "", public: bool = True, due_date=None) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        assignment=assignment,
        department_id=assignment.department_id if assignment else None,
        text=text,
        public=public,
        due_date=due_date,
        created_by=actor,
    )


def store_attachments(
    *, request: ServiceRequest, files: list[CheckedFile], actor, written: list, assignment=None, event=None
) -> list[Attachment]:
    """Write the files under random names and their rows.

    Each file is registered in ``written`` before it is written, so that the calling service
    (``atomic_with_files``) deletes it if its transaction fails; the storage writes it whole or not
    at all (``core.storage``). A full disk or any other storage error (``OSError``) is logged and
    raised as ``WorkOrderError`` (code ``storage_unavailable``, field ``attachments``), which rolls
    the caller's transaction back: no row and no file are left."""
    stored = []
    for checked in files:
        attachment = Attachment(
            request=request, assignment=assignment, event=event, original_name=checked.name,
            content_type=checked.content_type, size=checked.size, sha256=checked.sha256, uploaded_by=actor,
        )
        written.append(attachment.file)  # its name is filled in once the storage has the file
        try:
            attachment.file.save(f"upload{checked.extension}", ContentFile(checked.content), save=False)
        except OSError as error:
            logger.error("an attachment could not be stored (request %s, %d bytes): %s",
                         request.tracking_number, checked.size, error)
            raise WorkOrderError(storage_unavailable_message(), code=STORAGE_UNAVAILABLE, field="attachments") from error
        attachment.save()
        stored.append(attachment)
    return stored


def storage_unavailable_message() -> str:
    return _("The server's file storage is full or unavailable, so your files could not be saved and nothing "
             "was submitted. What you typed is kept below; please try again later.")


@contextmanager
def atomic_with_files():
    """``transaction.atomic`` that also deletes the files written inside it when it fails.

    Yields the list that ``store_attachments`` appends to. A file that cannot be deleted is logged
    (the orphan sweep removes it later); the error that failed the transaction goes on unchanged.
    """
    written: list = []
    try:
        with transaction.atomic():
            yield written
    except BaseException:
        for field_file in written:
            if not field_file.name:
                continue  # registered, but the storage never kept it
            try:
                field_file.storage.delete(field_file.name)
            except OSError:
                logger.exception("a file of a failed transaction could not be deleted: %s", field_file.name)
        raise


def tell_enterprise(*, request: ServiceRequest, subject: str, body: str = "", url: str = "", users=None,
                    in_app: bool = True) -> None:
    """In-app notice to the enterprise's accounts (unless ``in_app`` is False) and one e-mail each to
    them and to its contact address, queued in one statement. ``users`` saves the query when the
    caller already holds the enterprise's accounts."""
    people = list(request.enterprise.users.all()) if users is None else list(users)
    if in_app:
        notify(recipients=people, subject=subject, body=body, url=url, email=False)
    addresses = [user.email for user in people if user.is_active and user.email]
    if request.enterprise.contact_email:
        addresses.append(request.enterprise.contact_email)
    send_to(addresses=addresses, subject=subject, body=f"{body}\n\n{url}".strip())


def email_enterprise(*, request: ServiceRequest, subject: str, body: str = "", url: str = "") -> None:
    """One e-mail to each active account of the request's enterprise and to its contact address,
    the addresses selected inside the one INSERT that queues them (no in-app notice: for the
    submission, whose submitter reads the tracking number on screen)."""
    accounts = (request.enterprise.users.filter(is_active=True).annotate(address=F("email"))
                .values_list("address"))
    send_to_selected(addresses=accounts, extra=[request.enterprise.contact_email], subject=subject,
                     body=f"{body}\n\n{url}".strip())


def tell_center_staff(*, subject: str, body: str = "", url: str = "") -> None:
    """An in-app notice and an e-mail to every active member of center staff."""
    notify(recipients=list(center_staff_users()), subject=subject, body=body, url=url)


def tell_department(*, assignment: Assignment, subject: str, body: str = "", url: str = "") -> None:
    """The assigned officer, else every active officer and head of the department."""
    if assignment.assigned_officer_id and assignment.assigned_officer.is_active:
        users = [assignment.assigned_officer.user]
    else:
        users = [m.user for m in Officer.objects.filter(department_id=assignment.department_id, is_active=True).select_related("user")]
    notify(recipients=users, subject=subject, body=body, url=url)
