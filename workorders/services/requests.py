"""What an enterprise does: submit a request, answer a request for material, rate the service."""
from __future__ import annotations

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import InvestmentProject
from workdays.calendar import local_date
from workorders.exceptions import WorkOrderError
from workorders.models import REQUEST_LIFECYCLE, Assignment, RequestEvent, ServiceRequest
from workorders.permissions import acts_for_enterprise, enterprise_ids
from workorders.services._common import (
    atomic_with_files,
    email_enterprise,
    record_event,
    save_as,
    store_attachments,
    tell_department,
)
from workorders.services.clock import restart_clock
from workorders.uploads import check_files


def new_tracking_number(today: datetime.date | None = None) -> str:
    """BS + the date + 8 random digits; uniqueness is the database's (the caller retries)."""
    return f"BS{(today or local_date()):%Y%m%d}{secrets.randbelow(10**8):08d}"


def validate_request_fields(*, project: InvestmentProject | None, kind: str, title: str, description: str,
                            requested_completion_date: datetime.date | None) -> None:
    """The rules of a request's fields, shared by the form, the API and the service."""
    if kind not in ServiceRequest.Kind.values:
        raise WorkOrderError(_("Choose the kind of request."), code="kind", field="kind")
    if not title.strip():
        raise WorkOrderError(_("Give the request a short title."), code="title", field="title")
    if len(description.strip()) < 10:
        raise WorkOrderError(_("Describe the problem in at least 10 characters."), code="description", field="description")
    if kind == ServiceRequest.Kind.EXTENSION:
        if requested_completion_date is None:
            raise WorkOrderError(_("An extension needs the new completion date you want."), code="date_required",
                                 field="requested_completion_date")
        current = project and (project.current_completion_date or project.planned_completion_date)
        if current and requested_completion_date <= current:
            raise WorkOrderError(
                _("The new completion date must be after the current planned date (%(date)s).") % {"date": current.isoformat()},
                code="date_not_later", field="requested_completion_date",
            )


def submit_request(
    *,
    actor,
    project: InvestmentProject,
    kind: str,
    title: str,
    description: str,
    requested_completion_date: datetime.date | None = None,
    files: list[tuple[str, bytes]] = (),
    token: str | None = None,
) -> tuple[ServiceRequest, bool]:
    """File a request of the actor's enterprise, with its attachments, all or nothing.

    Idempotent by ``token`` (the form's hidden token or the API's Idempotency-Key): a resubmission
    returns the first request and ``created`` False. Raises ``WorkOrderError`` with the field at
    fault. The enterprise's accounts and contact address get an e-mail with the tracking number.
    """
    # The permission check reads the request's role facts (no statement in a request: the middleware
    # read them), and the e-mail's addresses are selected inside the INSERT that queues it. A
    # resubmitted token is found by the unique constraint below, so the first submission costs no
    # extra lookup.
    if project.enterprise_id not in enterprise_ids(actor):
        if token and ServiceRequest.objects.filter(submission_token=token).exists():
            raise WorkOrderError(_("This form was already used. Please reload the page."), code="token_reused")
        raise WorkOrderError(_("Choose one of your own projects."), code="project", field="project")
    validate_request_fields(project=project, kind=kind, title=title, description=description,
                            requested_completion_date=requested_completion_date)
    checked = check_files(list(files))
    if kind != ServiceRequest.Kind.EXTENSION:
        requested_completion_date = None
    for _attempt in range(5):
        try:
            with atomic_with_files() as written:
                request = save_as(ServiceRequest(
                    tracking_number=new_tracking_number(), enterprise=project.enterprise, project=project, kind=kind,
                    title=title.strip(), description=description.strip(),
                    requested_completion_date=requested_completion_date, submitted_by=actor, submission_token=token or None,
                ), actor)
                event = record_event(request=request, kind=RequestEvent.Kind.SUBMITTED, actor=actor)
                store_attachments(request=request, files=checked, actor=actor, written=written, event=event)
                # The submitter sees the tracking number on screen; the e-mail keeps it for the record.
                email_enterprise(
                    request=request,
                    subject=_("Request received: %(number)s") % {"number": request.tracking_number},
                    body=_("We received your request “%(title)s”. Its tracking number is %(number)s.")
                    % {"title": request.title, "number": request.tracking_number},
                    url=f"/requests/{request.tracking_number}/",
                )
            return request, True
        except IntegrityError:
            if token:
                existing = ServiceRequest.objects.filter(submission_token=token).first()
                if existing is not None:
                    return _same_submitter(existing, actor), False
            # Otherwise a tracking number collided: try another one.
    raise WorkOrderError(_("The request could not be saved; please try again."), code="retry")


def _same_submitter(request: ServiceRequest, actor) -> ServiceRequest:
    if not acts_for_enterprise(actor, request):
        raise WorkOrderError(_("This form was already used. Please reload the page."), code="token_reused")
    return request


def provide_material(*, actor, assignment: Assignment, text: str, files: list[tuple[str, bytes]] = ()) -> Assignment:
    """The enterprise answers a department's request for material: the clock resumes.

    Atomic (answer, files and the moved due date together). Raises ``WorkOrderError`` when the actor
    is not of the enterprise, the assignment is not waiting for its material (a third party's wait
    is not the enterprise's to end), or the answer is empty.
    """
    request = assignment.work_order.request
    if not acts_for_enterprise(actor, request):
        raise WorkOrderError(_("You cannot answer for this request."), code="forbidden")
    if not text.strip() and not files:
        raise WorkOrderError(_("Write an answer or attach the material."), code="empty", field="text")
    existing = sum(request.attachments.values_list("size", flat=True))
    checked = check_files(list(files), already_bytes=existing)
    with atomic_with_files() as written:
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        restart_clock(actor=actor, locked=locked, at=timezone.now(),
                      message=_("This department is not waiting for material."), material_only=True)
        assignment.refresh_from_db()
        event = record_event(request=request, kind=RequestEvent.Kind.MATERIAL_PROVIDED, actor=actor,
                             assignment=assignment, text=text.strip(), due_date=assignment.due_date)
        store_attachments(request=request, files=checked, actor=actor, written=written, assignment=assignment, event=event)
        tell_department(
            assignment=assignment,
            subject=_("Material received for %(number)s") % {"number": request.tracking_number},
            body=_("The enterprise answered. New due date: %(date)s.") % {"date": assignment.due_date.isoformat()},
            url=f"/desk/assignments/{assignment.pk}/",
        )
    return assignment


def rate_request(*, actor, request: ServiceRequest, rating: int, comment: str = "") -> ServiceRequest:
    """The enterprise rates a resolved request once (1 to 5). Atomic."""
    if not acts_for_enterprise(actor, request):
        raise WorkOrderError(_("You cannot rate this request."), code="forbidden")
    if rating not in range(1, 6):
        raise WorkOrderError(_("Choose a rating from 1 to 5."), code="rating", field="rating")
    with transaction.atomic():
        locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
        REQUEST_LIFECYCLE.require(locked.status, "rate", _("A request can be rated once it is resolved."),
                                  code="not_resolved")
        if locked.rating is not None:
            raise WorkOrderError(_("This request has already been rated."), code="already_rated")
        locked.rating, locked.rating_comment, locked.rated_at = rating, comment.strip(), timezone.now()
        save_as(locked, actor, update_fields=["rating", "rating_comment", "rated_at"])
        record_event(request=locked, kind=RequestEvent.Kind.RATED, actor=actor, text=f"{rating}/5")
    request.refresh_from_db()
    return request

