"""Office-hours pages: the sessions, one session's agenda (printable), its iCalendar, staff edits,
minutes; and convening a consultation on a work order. Thin: the services do the work."""
from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from center.models import AgendaItem, OfficeHoursSession
from center.office_hours import ical, selectors, services
from center.office_hours.forms import AddItemForm, ConsultationForm, ItemEditForm, MinutesForm
from core.downloads import download_response
from departments.models import Department
from workorders import permissions
from workorders import selectors as workorder_selectors
from workorders.exceptions import WorkOrderError
from core.errors import error_to_form
from workorders.models import ServiceRequest


def _require_view(user):
    if not permissions.sees_office_hours(user):
        raise PermissionDenied


def _require_staff(user):
    if not permissions.is_center_staff(user):
        raise PermissionDenied


def _session(date: str) -> OfficeHoursSession:
    try:
        day = datetime.date.fromisoformat(date)
    except ValueError:
        raise Http404
    return get_object_or_404(OfficeHoursSession, date=day)


@login_required
@require_safe
def session_list(request):
    _require_view(request.user)
    return render(request, "center/office_hours/list.html", {
        "upcoming": selectors.upcoming_sessions(request.user), "past": selectors.past_sessions(request.user),
        "is_staff": permissions.is_center_staff(request.user)})


@login_required
@require_safe
def agenda(request, date):
    _require_view(request.user)
    session = _session(date)
    is_staff = permissions.is_center_staff(request.user)
    groups = selectors.agenda_by_department(request.user, session)
    # An officer at the session stamps from here: link each item to the officer's own assignment.
    mine = workorder_selectors.own_assignments_by_work_order(request.user, [i.work_order_id for _d, items in groups
                                                                  for i in items if i.work_order_id])
    for _department, items in groups:
        for item in items:
            item.my_assignment = mine.get(item.work_order_id)
    return render(request, "center/office_hours/agenda.html", {
        "session": session, "groups": groups,
        "is_staff": is_staff, "add_form": AddItemForm(), "departments": session.departments.order_by("short_code"),
        "minutes_form": MinutesForm(), "consultations": session.consultations.select_related("work_order__request"),
    })


@login_required
@require_safe
def agenda_ics(request, date):
    _require_view(request.user)
    session = _session(date)
    department_id = None
    code = request.GET.get("department")
    if code:
        department_id = get_object_or_404(Department, short_code=code).pk
    body = ical.session_calendar(session, ical.export_items(session, department_id))
    name = f"office-hours-{session.date:%Y-%m-%d}{'-' + code if code else ''}.ics"
    return download_response(body, filename=name, content_type="text/calendar; charset=utf-8")


@login_required
@require_POST
def build(request, date):
    _require_staff(request.user)
    session = _session(date)
    result = services.build_agenda(actor=request.user, session=session)
    messages.success(request, _("Agenda built: %(created)d added, %(deleted)d dropped, %(kept)d staff edits kept.")
                     % {"created": result.created, "deleted": result.deleted, "kept": result.kept_staff_edits})
    return redirect("center:agenda", date=date)


@login_required
@require_POST
def add(request, date):
    _require_staff(request.user)
    session = _session(date)
    form = AddItemForm(request.POST)
    if form.is_valid():
        try:
            services.add_item(actor=request.user, session=session, title=form.cleaned_data["title"],
                              department=form.cleaned_data["department"], slot_start=form.cleaned_data["slot_start"])
        except WorkOrderError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Item added."))
    else:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("center:agenda", date=date)


def _item(request, pk) -> AgendaItem:
    _require_staff(request.user)
    return get_object_or_404(AgendaItem.objects.select_related("session"), pk=pk)


@login_required
@require_POST
def edit(request, pk):
    item = _item(request, pk)
    action = request.POST.get("do")
    try:
        if action == "remove":
            services.edit_item(actor=request.user, item=item, removed=True)
        elif action == "restore":
            services.edit_item(actor=request.user, item=item, removed=False)
        else:
            form = ItemEditForm(request.POST)
            if not form.is_valid():
                raise WorkOrderError("; ".join(str(e) for errors in form.errors.values() for e in errors))
            services.edit_item(actor=request.user, item=item, position=form.cleaned_data["position"],
                               slot_start=form.cleaned_data["slot_start"], slot_minutes=form.cleaned_data["slot_minutes"])
    except WorkOrderError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Item updated; rebuilding the agenda keeps it so."))
    return redirect(f"/center/office-hours/{item.session.date:%Y-%m-%d}/#item-{item.pk}")


@login_required
@require_POST
def minutes(request, pk):
    item = _item(request, pk)
    form = MinutesForm(request.POST, prefix=f"m{item.pk}")
    if form.is_valid():
        try:
            services.record_minutes(actor=request.user, item=item, **form.cleaned_data)
        except WorkOrderError as error:
            error_to_form(form, error)
        else:
            messages.success(request, _("Minutes saved."))
            return redirect(f"/center/office-hours/{item.session.date:%Y-%m-%d}/#item-{item.pk}")
    session = item.session
    return render(request, "center/office_hours/agenda.html", {
        "session": session, "groups": selectors.agenda_by_department(request.user, session), "is_staff": True,
        "add_form": AddItemForm(), "departments": session.departments.order_by("short_code"),
        "bound_minutes": form, "bound_item": item.pk,
        "consultations": session.consultations.select_related("work_order__request"),
    }, status=400)


@login_required
def consult(request, tracking_number):
    """Convene a consultation on the request's work order (center staff)."""
    _require_staff(request.user)
    service_request = get_object_or_404(ServiceRequest.objects.select_related("work_order"), tracking_number=tracking_number)
    work_order = getattr(service_request, "work_order", None)
    if work_order is None:
        raise Http404
    form = ConsultationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session = OfficeHoursSession.objects.filter(date=data["held_at"].date()).first()
        try:
            services.convene_consultation(actor=request.user, work_order=work_order, session=session, **data)
        except WorkOrderError as error:
            error_to_form(form, error)
        else:
            messages.success(request, _("Consultation recorded on the timeline."))
            return redirect("center:request", tracking_number=tracking_number)
    return render(request, "center/consultation_form.html", {"form": form, "req": service_request},
                  status=400 if form.is_bound else 200)
