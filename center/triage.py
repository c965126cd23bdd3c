"""Center staff's triage pages: the incoming queue and one request's triage (link, issue, flag, reject, merge),
and the departments' requests to the center (pending at the top of the queue; decided, and due dates
extended directly, on the request's page).

The center's own work on top of workorders' services (moved from workorders/views/center.py: the
pages also show the center's mechanisms, office-hours session and dashboard tables)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from center.dashboards import selectors as dashboard_selectors
from center.dashboards import tables
from center.mechanisms.selectors import mechanism_candidates, published_mechanisms
from center.office_hours.selectors import this_weeks_session
from workdays.calendar import local_date
from workorders import permissions, selectors, services
from workorders.exceptions import WorkOrderError
from core.errors import error_to_form
from workorders.forms import (
    CenterExtendForm,
    CenterNoteForm,
    DecideAskForm,
    IssueForm,
    LinkProjectForm,
    MergeForm,
    ModelCaseForm,
    ReasonForm,
)
from workorders.models import Assignment, DepartmentAsk, ServiceRequest
from workorders.services.notes import CENTER_NOTE_STATUSES

# The pending asks at the top of the queue: this many a page, oldest first.
ASKS_PAGE = 50


def _require_staff(user):
    if not permissions.is_center_staff(user):
        raise PermissionDenied


@login_required
@require_safe
def queue(request):
    _require_staff(request.user)
    today = local_date()
    workload = list(selectors.department_workload(request.user, today))
    candidates = mechanism_candidates(today=today)
    asks_from = int(request.GET["asks_from"]) if request.GET.get("asks_from", "").isdigit() else 0
    asks = selectors.pending_asks(request.user, offset=asks_from, limit=ASKS_PAGE)
    return render(request, "center/queue.html", {
        "asks": asks[:ASKS_PAGE],
        "asks_from": asks_from,
        "asks_next": asks_from + ASKS_PAGE if len(asks) > ASKS_PAGE else None,
        "asks_previous": max(0, asks_from - ASKS_PAGE) if asks_from else None,
        "candidates": candidates,
        "candidates_table": tables.candidates_table(candidates),
        "queue": selectors.triage_queue(request.user),
        "workload": workload,
        "workload_table": tables.workload_table(workload),
        "incoming": dashboard_selectors.incoming_requests(today),
        "session": this_weeks_session(today),
        "recent": selectors.recent_requests(request.user),
        "export_base": reverse("center:queue") + "export/",
    })


def _request(request, tracking_number) -> ServiceRequest:
    _require_staff(request.user)
    try:
        return selectors.request_for_staff(request.user, tracking_number)
    except ServiceRequest.DoesNotExist:
        raise Http404


def _page(request, service_request, *, status=200, **forms):
    waiting = service_request.is_waiting_for_triage
    work_order = getattr(service_request, "work_order", None)
    initial_issue = {"problem": service_request.description}
    similar = selectors.similar_cases(service_request) if waiting else []
    reuse = next((case for case in similar if str(case.pk) == request.GET.get("reuse")), None)
    if reuse is not None:
        # "Reuse": the precedent's departments (lead first) and its resolution as the proposed approach.
        initial_issue.update(lead_department=reuse.work_order.lead_department_id,
                             co_departments=[d.pk for d in reuse.departments if d.pk != reuse.work_order.lead_department_id],
                             proposed_approach=reuse.summary)
    asks = list(selectors.request_asks(request.user, service_request)) if work_order else []
    bound = forms.get("decide_form")
    context = {
        "asks": [(ask, (bound if bound is not None and bound.ask.pk == ask.pk else DecideAskForm(ask=ask))
                      if ask.is_pending else None) for ask in asks],
        "extend_form": (forms.get("extend_form") or CenterExtendForm(work_order=work_order)) if work_order else None,
        "req": service_request,
        "waiting": waiting,
        "work_order": work_order,
        "events": selectors.timeline(service_request, include_internal=True),
        "assignments": selectors.request_assignments(service_request) if work_order else [],
        "link_form": forms.get("link_form") or LinkProjectForm(request=service_request,
                                                               initial={"project": service_request.project_id}),
        "issue_form": forms.get("issue_form") or IssueForm(initial=initial_issue),
        "reject_form": forms.get("reject_form") or ReasonForm(prefix="reject"),
        "merge_form": forms.get("merge_form") or MergeForm(prefix="merge"),
        "similar": similar,
        "mechanisms": _mechanisms_for(service_request, similar) if waiting else [],
        "reuse": reuse,
        "case_form": forms.get("case_form") or ModelCaseForm(prefix="case", initial={"title": service_request.title}),
        "can_mark_case": work_order is not None and work_order.can_be_model_case
        and not hasattr(work_order, "model_case"),
        # Internal notes and the co-handlers' conclusions (templates/desk/_notes.html, _conclusions.html).
        "notes": selectors.notes_thread(service_request) if work_order else [],
        "conclusions": selectors.work_order_conclusions(work_order.pk) if work_order else [],
        "note_form": (forms.get("note_form") or _note_form(work_order)) if work_order else None,
    }
    return render(request, "center/request.html", context, status=status)


@login_required
@require_safe
def request_triage(request, tracking_number):
    return _page(request, _request(request, tracking_number))


def _run(request, service_request, form_name, form, action, success, *, anchor=""):
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except WorkOrderError as error:
            error_to_form(form, error)
        else:
            messages.success(request, success)
            return redirect(reverse("center:request", args=[service_request.tracking_number]) + anchor)
    return _page(request, service_request, status=400, **{form_name: form})


@login_required
@require_POST
def link(request, tracking_number):
    service_request = _request(request, tracking_number)
    form = LinkProjectForm(request.POST, request=service_request)
    return _run(request, service_request, "link_form", form,
                lambda data: services.link_project(actor=request.user, request=service_request, project=data["project"]),
                _("Linked to the project."))


@login_required
@require_POST
def issue(request, tracking_number):
    service_request = _request(request, tracking_number)
    form = IssueForm(request.POST)

    def action(data):
        services.triage_and_issue(
            actor=request.user, request=service_request, lead_department=data["lead_department"],
            co_departments=list(data["co_departments"]), problem=data["problem"],
            proposed_approach=data["proposed_approach"], needs_consultation=data["needs_consultation"],
        )

    return _run(request, service_request, "issue_form", form, action, _("Work order issued."))


@login_required
@require_POST
def reject(request, tracking_number):
    service_request = _request(request, tracking_number)
    form = ReasonForm(request.POST, prefix="reject")
    return _run(request, service_request, "reject_form", form,
                lambda data: services.reject_request(actor=request.user, request=service_request, reason=data["reason"]),
                _("Request rejected; the enterprise was told why."))


@login_required
@require_POST
def merge(request, tracking_number):
    service_request = _request(request, tracking_number)
    form = MergeForm(request.POST, prefix="merge")

    def action(data):
        into = ServiceRequest.objects.filter(tracking_number=data["into"].strip()).first()
        if into is None:
            raise WorkOrderError(_("No request has this tracking number."), field="into")
        services.merge_request(actor=request.user, request=service_request, into=into, reason=data["reason"])

    return _run(request, service_request, "merge_form", form, action, _("Merged; the enterprise was told why."))


@login_required
@require_POST
def flag(request, tracking_number):
    service_request = _request(request, tracking_number)
    work_order = getattr(service_request, "work_order", None)
    if work_order is None:
        raise Http404
    flagged = request.POST.get("flagged") == "1"
    try:
        services.flag_for_consultation(actor=request.user, work_order=work_order, flagged=flagged)
    except WorkOrderError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Flagged for consultation at the next office hours.") if flagged
                         else _("No longer flagged for consultation."))
    return redirect("center:request", tracking_number=tracking_number)


@login_required
@require_POST
def mark_case(request, tracking_number):
    service_request = _request(request, tracking_number)
    work_order = getattr(service_request, "work_order", None)
    if work_order is None:
        raise Http404
    form = ModelCaseForm(request.POST, prefix="case")
    return _run(request, service_request, "case_form", form,
                lambda data: services.mark_model_case(actor=request.user, work_order=work_order, title=data["title"],
                                                      summary=data["summary"], tags=data["tags"]),
                _("Marked as a model case; it will be suggested for similar requests."))


def _note_form(work_order, data=None) -> CenterNoteForm:
    """Staff note on any of the work order's assignments that is open or done (``CENTER_NOTE_STATUSES``)."""
    assignments = (Assignment.objects.filter(work_order=work_order, status__in=CENTER_NOTE_STATUSES)
                   .select_related("department").order_by("-role", "department__short_code"))  # the lead first
    return CenterNoteForm(data, prefix="note", assignments=assignments)


@login_required
@require_POST
def decide_ask(request, ask_id):
    """Grant or refuse a department's request to the center, with a ruling (staff only)."""
    _require_staff(request.user)
    try:
        ask = selectors.ask_for_staff(request.user, ask_id)
    except DepartmentAsk.DoesNotExist:
        raise Http404
    service_request = _request(request, ask.assignment.work_order.request.tracking_number)
    form = DecideAskForm(request.POST, ask=ask)
    done = {DepartmentAsk.Kind.REROUTE: _("Re-route decided; the department was told."),
            DepartmentAsk.Kind.EXTENSION: _("Extension decided; the department was told."),
            DepartmentAsk.Kind.PAUSE: _("Decided; the department was told.")}[ask.kind]
    return _run(request, service_request, "decide_form", form,
                lambda data: services.decide_ask(actor=request.user, ask=ask, **form.decision_kwargs()), done,
                anchor="#asks")


@login_required
@require_POST
def note(request, tracking_number):
    """Center staff add an internal note to one of the request's assignments (never shown to the enterprise)."""
    service_request = _request(request, tracking_number)
    work_order = getattr(service_request, "work_order", None)
    if work_order is None:
        raise Http404
    form = _note_form(work_order, request.POST)
    if form.is_valid():
        try:
            services.add_internal_note(actor=request.user, assignment=form.cleaned_data["assignment"],
                                       text=form.cleaned_data["text"])
        except WorkOrderError as error:
            error_to_form(form, error)
        else:
            messages.success(request, _("Note added. The enterprise does not see it."))
            return redirect(reverse("center:request", args=[tracking_number]) + "#notes")
    return _page(request, service_request, status=400, note_form=form)


@login_required
@require_POST
def extend(request, tracking_number):
    """Staff give an assignment of the request more working days directly, with a reason."""
    service_request = _request(request, tracking_number)
    work_order = getattr(service_request, "work_order", None)
    if work_order is None:
        raise Http404
    form = CenterExtendForm(request.POST, work_order=work_order)
    return _run(request, service_request, "extend_form", form,
                lambda data: services.extend_by_center(actor=request.user, assignment=data["assignment"],
                                                       working_days=data["working_days"], reason=data["reason"]),
                _("Due date extended; the enterprise sees the new date and the department was told."), anchor="#asks")


def _mechanisms_for(service_request, similar):
    tag_ids = {tag.pk for case in similar for tag in case.tags.all()}
    town_id = service_request.project.town_id if service_request.project_id else None
    return list(published_mechanisms(tag_ids=tag_ids, town_id=town_id))
