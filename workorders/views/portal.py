"""Enterprise portal: its requests, submitting one, the timeline, material, commitments, rating.

Thin views: forms check shapes, ``workorders.services`` applies the rules, ``selectors`` filter
what the user may see (someone else's tracking number is a 404).
"""
from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.paging import page_of
from projects.selectors import project_choices
from workdays.calendar import get_calendar, local_date
from workorders import permissions, selectors, services
from workorders.exceptions import WorkOrderError
from workorders.forms import CommitmentForm, MaterialForm, RatingForm, RequestForm
from workorders.models import Assignment, Commitment, ServiceRequest
from core.errors import error_to_form
from workorders.views._forms import discard_kept, keep_for_retry, kept_uploads, new_uploads


def _require_enterprise(user):
    if not permissions.enterprise_ids(user):  # the request's role facts: no statement
        raise PermissionDenied


@login_required
@require_safe
def request_list(request):
    enterprises = permissions.enterprise_ids(request.user)
    if not enterprises:
        raise PermissionDenied
    requests = selectors.requests_for_enterprise(request.user, enterprises=enterprises)
    page = page_of(requests, request.GET.get("page"), 25)
    return render(request, "portal/request_list.html", {"page": page})


@login_required
def request_new(request):
    projects = project_choices(request.user)
    kept: list[dict] = []
    file_errors: list[str] = []
    _require_enterprise(request.user)
    if request.method != "POST":
        if not projects.exists():
            messages.info(request, _("Add your project first; a request is always about one of your projects."))
            return redirect("project_new")
        initial = {"submission_token": secrets.token_urlsafe(24)}
        if request.GET.get("project", "").isdigit():
            initial["project"] = int(request.GET["project"])
        form = RequestForm(initial=initial, projects=projects)
        return render(request, "portal/request_form.html", {"form": form, "kept": kept, "file_errors": file_errors})

    # The project must also be one of the user's own: the form's choices and the service both insist.
    form = RequestForm(request.POST, projects=projects)
    kept, kept_files = kept_uploads(request)
    uploaded = new_uploads(request)
    if form.is_valid():
        data = form.cleaned_data
        try:
            created_request, created = services.submit_request(
                actor=request.user, project=data["project"], kind=data["kind"], title=data["title"],
                description=data["description"], requested_completion_date=data["requested_completion_date"],
                files=kept_files + uploaded, token=data["submission_token"],
            )
        except WorkOrderError as error:
            error_to_form(form, error, file_errors=file_errors)
        else:
            discard_kept(request, kept)
            if created:
                messages.success(request, _("Request submitted. Your tracking number is %(number)s; we also sent it by e-mail.")
                                 % {"number": created_request.tracking_number})
            return redirect("portal:request_detail", tracking_number=created_request.tracking_number)
    kept, refused = keep_for_retry(request, kept, uploaded)
    file_errors.extend(message for message in refused if message not in file_errors)
    return render(request, "portal/request_form.html", {"form": form, "kept": kept, "file_errors": file_errors}, status=200)


def _own_request(user, tracking_number: str) -> ServiceRequest:
    try:
        return selectors.request_for_enterprise(user, tracking_number)
    except ServiceRequest.DoesNotExist:
        raise Http404


def _detail_context(request, service_request, **extra):
    calendar, today = get_calendar(), local_date()
    assignments = list(selectors.request_assignments(service_request))
    for assignment in assignments:
        assignment.days_left = (
            calendar.working_days_left(assignment.due_date, today) if assignment.is_open else None
        )
    context = {
        "req": service_request,
        "events": selectors.timeline(service_request),
        "assignments": assignments,
        # One answer, the lead unit's (首接负责); co-handlers' replies are their conclusions to the lead.
        "answer": selectors.lead_answer(assignments),
        "approvals": selectors.request_approvals(service_request),
        "commitments": selectors.request_commitments(service_request),
        "to_accept": selectors.conditions_to_accept(service_request),
        "material_form": MaterialForm(),
        "rating_form": RatingForm(),
        "commitment_form": CommitmentForm(),
        "can_rate": service_request.can_be_rated,
    }
    context.update(extra)
    return context


@login_required
@require_safe
def request_detail(request, tracking_number):
    service_request = _own_request(request.user, tracking_number)
    return render(request, "portal/request_detail.html", _detail_context(request, service_request))


@login_required
@require_POST
def provide_material(request, tracking_number, assignment_id):
    service_request = _own_request(request.user, tracking_number)
    try:
        assignment = selectors.request_assignments(service_request).get(pk=assignment_id)
    except Assignment.DoesNotExist:
        raise Http404
    form = MaterialForm(request.POST)
    kept, kept_files = kept_uploads(request)
    uploaded = new_uploads(request)
    file_errors: list[str] = []
    if form.is_valid():
        try:
            services.provide_material(actor=request.user, assignment=assignment, text=form.cleaned_data["text"],
                                      files=kept_files + uploaded)
        except WorkOrderError as error:
            error_to_form(form, error, file_errors=file_errors)
        else:
            discard_kept(request, kept)
            assignment.refresh_from_db()
            messages.success(request, _("Thank you. The department's clock runs again; its new due date is %(date)s.")
                             % {"date": assignment.due_date.isoformat()})
            return redirect("portal:request_detail", tracking_number=tracking_number)
    kept, refused = keep_for_retry(request, kept, uploaded, service_request=service_request)
    file_errors.extend(message for message in refused if message not in file_errors)
    context = _detail_context(request, service_request, material_form=form, material_for=assignment.pk,
                              kept=kept, file_errors=file_errors)
    return render(request, "portal/request_detail.html", context, status=400)


@login_required
@require_POST
def rate(request, tracking_number):
    service_request = _own_request(request.user, tracking_number)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.rate_request(actor=request.user, request=service_request, rating=form.cleaned_data["rating"],
                                  comment=form.cleaned_data["comment"])
        except WorkOrderError as error:
            error_to_form(form, error)
        else:
            messages.success(request, _("Thank you for rating the service."))
            return redirect("portal:request_detail", tracking_number=tracking_number)
    return render(request, "portal/request_detail.html", _detail_context(request, service_request, rating_form=form),
                  status=400)


@login_required
@require_POST
def accept_conditions(request, tracking_number, commitment_id):
    """The enterprise accepts a conditional approval's commitment with a written pledge."""
    service_request = _own_request(request.user, tracking_number)
    try:
        commitment = service_request.commitments.select_related("request__enterprise").get(pk=commitment_id)
    except Commitment.DoesNotExist:
        raise Http404
    form = CommitmentForm(request.POST)
    if form.is_valid():
        try:
            services.accept_commitment(actor=request.user, commitment=commitment, pledge=form.cleaned_data["pledge"])
        except WorkOrderError as error:
            error_to_form(form, error)
        else:
            messages.success(request, _("Your commitment is recorded. The department will follow it up."))
            return redirect("portal:request_detail", tracking_number=tracking_number)
    context = _detail_context(request, service_request, commitment_form=form, commitment_for=commitment.pk)
    return render(request, "portal/request_detail.html", context, status=400)
