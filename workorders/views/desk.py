"""Department desk: the department's assignments, most urgent first; reply, ask for material, finish, reassign
(the department's requests to the center: ``desk_asks``).

Thin views over ``selectors`` (which filter by the user's departments: a guessed id is a 404) and
``services`` (which check the rules again and change state atomically).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from departments.models import Officer
from workdays.calendar import get_calendar, local_date
from workorders import permissions, selectors, services
from workorders.exceptions import WorkOrderError
from core.errors import error_to_form
from workorders.forms import (
    DeskTextForm,
    ExtensionAskForm,
    NoteForm,
    PauseAskForm,
    ReassignForm,
    RerouteAskForm,
    RevokeForm,
    StampForm,
    ThirdPartyPauseForm,
)
from workorders.models import ASSIGNMENT_LIFECYCLE, Assignment, ClockPause, Commitment

PAGE_SIZE = 50


def _require_officer(user):
    if not permissions.department_ids(user):
        raise PermissionDenied


@login_required
@require_safe
def assignment_list(request):
    memberships = permissions.memberships(request.user)  # one query for the page's permission needs
    if not memberships:
        raise PermissionDenied
    is_head = Officer.Role.HEAD in memberships.values()
    show_closed = is_head and request.GET.get("closed") == "1"
    mine = request.GET.get("mine") == "1"
    state = request.GET.get("state", "")
    queryset = selectors.assignments_for_desk(request.user, include_closed=show_closed, assigned_to_me=mine,
                                              departments=list(memberships))
    if state in Assignment.SlaState.values:
        queryset = queryset.filter(sla_state=state)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    calendar, today = get_calendar(), local_date()
    for assignment in page:
        assignment.days_left = (
            calendar.working_days_left(assignment.due_date, today) if assignment.is_open else None
        )
    return render(request, "desk/list.html", {
        "page": page, "is_head": is_head, "show_closed": show_closed, "mine": mine, "state": state,
        "states": Assignment.SlaState.choices, "today": today,
    })


def _assignment(request, pk) -> Assignment:
    _require_officer(request.user)
    try:
        return selectors.assignment_for_desk(request.user, pk)
    except Assignment.DoesNotExist:
        raise Http404


def _detail(request, assignment, *, status=200, **forms):
    service_request = assignment.work_order.request
    today = local_date()
    days_left = get_calendar().working_days_left(assignment.due_date, today) if assignment.is_open else None
    is_head = permissions.is_head_of(request.user, assignment.department_id)
    pauses = list(assignment.pauses.select_related("requested_by", "third_party_department").order_by("started_at"))
    # The department asks the center (re-route, more days) while open and not past due; a pause for a
    # third party that would end by itself may be asked to go on before that day.
    can_ask = assignment.is_open and today <= assignment.due_date
    pause_to_go_on = next((p for p in pauses if p.ended_at is None and p.resumes_on and today < p.resumes_on
                           and p.reason == ClockPause.Reason.WAITING_FOR_THIRD_PARTY), None)
    context = {
        "assignment": assignment,
        "req": service_request,
        "days_left": days_left,
        "events": selectors.timeline(service_request, for_assignment=assignment),
        "others": selectors.request_assignments(service_request).exclude(pk=assignment.pk),
        # The clock: acknowledgement, each pause with its reason, and the days paused by reason.
        "pauses": pauses,
        "material_paused_days": assignment.paused_working_days - assignment.third_party_paused_working_days,
        "pause_form": forms.get("pause_form") or ThirdPartyPauseForm(prefix="pause",
                                                                     department_id=assignment.department_id),
        "clock_error": forms.get("clock_error"),
        "pause_limit": settings.CENTER_THIRD_PARTY_PAUSE_WORKING_DAYS,
        "is_open": assignment.can_be_answered,
        "reply_form": forms.get("reply_form") or DeskTextForm(prefix="reply"),
        "material_form": forms.get("material_form") or DeskTextForm(prefix="material"),
        "done_form": forms.get("done_form") or DeskTextForm(prefix="done"),
        "is_head": is_head,
        "reassign_form": (forms.get("reassign_form") or ReassignForm(department_id=assignment.department_id,
                                                                   initial={"officer": assignment.assigned_officer_id}))
        if is_head else None,
        "asks": selectors.assignment_asks(assignment),
        "can_ask": can_ask,
        "reroute_form": forms.get("reroute_form") or RerouteAskForm(prefix="reroute",
                                                                    department_id=assignment.department_id),
        "extension_form": forms.get("extension_form") or ExtensionAskForm(prefix="extension"),
        "pause_to_go_on": pause_to_go_on,
        "pause_ask_form": forms.get("pause_ask_form") or PauseAskForm(prefix="pause_ask"),
        "approvals": assignment.approvals.order_by("-stamped_at"),
        "stamp_form": forms.get("stamp_form") or StampForm(prefix="stamp"),
        "can_stamp": assignment.can_be_stamped and not assignment.approvals.filter(revoked_at__isnull=True).exists(),
        "revoke_form": forms.get("revoke_form") or RevokeForm(prefix="revoke"),
        "commitments": service_request.commitments.filter(department_id=assignment.department_id).order_by("due_date"),
        # Internal notes and the lead's one answer (首接负责): templates/desk/_notes.html, _answer.html.
        "is_lead": assignment.role == Assignment.Role.LEAD,
        "conclusions": selectors.co_handlers_conclusions(assignment),
        "notes": selectors.notes_thread(service_request),
        "note_form": forms.get("note_form") or NoteForm(prefix="note"),
        "can_note": ASSIGNMENT_LIFECYCLE.allows(assignment.status, "note") or "note_form" in forms,
    }
    return render(request, "desk/detail.html", context, status=status)


@login_required
@require_safe
def assignment_detail(request, pk):
    return _detail(request, _assignment(request, pk))


def _text_action(request, pk, *, prefix, service, done_message):
    assignment = _assignment(request, pk)
    form = DeskTextForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            service(actor=request.user, assignment=assignment, text=form.cleaned_data["text"])
        except WorkOrderError as error:
            error_to_form(form, error)
        else:
            messages.success(request, done_message(assignment) if callable(done_message) else done_message)
            return redirect("desk:detail", pk=pk)
    return _detail(request, assignment, status=400, **{f"{prefix}_form": form})


@login_required
@require_POST
def reply(request, pk):
    return _text_action(request, pk, prefix="reply", service=services.reply_to_assignment,
                        done_message=lambda assignment: _("Answer sent to the enterprise.")
                        if assignment.role == Assignment.Role.LEAD
                        else _("Conclusion sent to the lead unit and the center."))


@login_required
@require_POST
def ask_material(request, pk):
    return _text_action(request, pk, prefix="material", service=services.request_material,
                        done_message=_("The enterprise was asked for material; the clock is paused until it answers."))


@login_required
@require_POST
def mark_done(request, pk):
    return _text_action(request, pk, prefix="done", service=services.complete_assignment,
                        done_message=_("Marked done."))


@login_required
@require_POST
def reassign(request, pk):
    assignment = _assignment(request, pk)
    if not permissions.is_head_of(request.user, assignment.department_id):
        raise PermissionDenied
    form = ReassignForm(request.POST, department_id=assignment.department_id)
    if form.is_valid():
        try:
            services.reassign_assignment(actor=request.user, assignment=assignment, officer=form.cleaned_data["officer"])
        except WorkOrderError as error:
            error_to_form(form, error)
        else:
            messages.success(request, _("Reassigned to %(name)s.") % {"name": form.cleaned_data["officer"].display_name})
            return redirect("desk:detail", pk=pk)
    return _detail(request, assignment, status=400, reassign_form=form)


@login_required
@require_POST
def stamp(request, pk):
    """Stamp the assignment (officers and heads of its department)."""
    assignment = _assignment(request, pk)
    form = StampForm(request.POST, prefix="stamp")
    if form.is_valid():
        try:
            approval = services.stamp_assignment(actor=request.user, assignment=assignment, **form.cleaned_data)
        except WorkOrderError as error:
            error_to_form(form, error)
        else:
            messages.success(request, _("Stamped: %(serial)s.") % {"serial": approval.serial})
            return redirect("approval", serial=approval.serial)
    return _detail(request, assignment, status=400, stamp_form=form)


@login_required
@require_POST
def revoke(request, pk, serial):
    assignment = _assignment(request, pk)
    approval = assignment.approvals.filter(serial=serial).first()
    if approval is None:
        raise Http404
    if not permissions.is_head_of(request.user, assignment.department_id):
        raise PermissionDenied
    form = RevokeForm(request.POST, prefix="revoke")
    if form.is_valid():
        try:
            services.revoke_approval(actor=request.user, approval=approval, reason=form.cleaned_data["reason"])
        except WorkOrderError as error:
            error_to_form(form, error)
        else:
            messages.success(request, _("Stamp %(serial)s revoked.") % {"serial": serial})
            return redirect("desk:detail", pk=pk)
    return _detail(request, assignment, status=400, revoke_form=form)


@login_required
@require_POST
def fulfil(request, pk, commitment_id):
    assignment = _assignment(request, pk)
    commitment = Commitment.objects.filter(pk=commitment_id, department_id=assignment.department_id,
                                           request=assignment.work_order.request).first()
    if commitment is None:
        raise Http404
    try:
        services.fulfil_commitment(actor=request.user, commitment=commitment)
    except WorkOrderError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Recorded as fulfilled."))
    return redirect("desk:detail", pk=pk)
