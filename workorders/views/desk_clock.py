"""The assignment's clock on the desk: acknowledge (签收), pause for a third party, run again; and the
center staff's button to run a paused clock again from the triage page.

Thin views over ``services``; the desk's look-ups filter by the user's departments (a guessed id of
another department's assignment is a 404), the center's by staff.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import error_to_form
from workorders import permissions, selectors, services
from workorders.exceptions import WorkOrderError
from workorders.forms import ThirdPartyPauseForm
from workorders.models import Assignment, ClockPause, ServiceRequest
from workorders.views.desk import _assignment, _detail


@login_required
@require_POST
def acknowledge(request, pk):
    """One click: the department has received the assignment (the clock ran from issue anyway)."""
    assignment = _assignment(request, pk)
    try:
        services.acknowledge_assignment(actor=request.user, assignment=assignment)
    except WorkOrderError as error:
        return _detail(request, assignment, status=400, clock_error=error.message)
    messages.success(request, _("Acknowledged."))
    return redirect("desk:detail", pk=pk)


@login_required
@require_POST
def pause(request, pk):
    """Stop the clock while a named department or outside organisation answers."""
    assignment = _assignment(request, pk)
    form = ThirdPartyPauseForm(request.POST, prefix="pause", department_id=assignment.department_id)
    if form.is_valid():
        try:
            pause = services.pause_assignment(actor=request.user, assignment=assignment,
                                              reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY, **form.cleaned_data)
        except WorkOrderError as error:
            error_to_form(form, error)
        else:
            messages.success(request, _("The clock is paused; it runs again by itself on %(date)s unless the center "
                                        "approves that the pause goes on.") % {"date": pause.resumes_on.isoformat()})
            return redirect("desk:detail", pk=pk)
    return _detail(request, assignment, status=400, pause_form=form)


@login_required
@require_POST
def resume(request, pk):
    """Run a paused clock again (the due date moves by the working days it stood still)."""
    assignment = _assignment(request, pk)
    try:
        services.resume_assignment(actor=request.user, assignment=assignment)
    except WorkOrderError as error:
        return _detail(request, assignment, status=400, clock_error=error.message)
    messages.success(request, _("The clock runs again. New due date: %(date)s.") % {"date": assignment.due_date.isoformat()})
    return redirect("desk:detail", pk=pk)


@login_required
@require_POST
def center_resume(request, tracking_number, assignment_id):
    """Center staff run a department's paused clock again, from the request's triage page."""
    if not permissions.is_center_staff(request.user):
        raise PermissionDenied
    try:
        service_request = selectors.request_for_staff(request.user, tracking_number)
    except ServiceRequest.DoesNotExist:
        raise Http404
    assignment = (Assignment.objects.filter(work_order__request=service_request, pk=assignment_id)
                  .select_related("department", "work_order__request").first())
    if assignment is None:
        raise Http404
    try:
        services.resume_assignment(actor=request.user, assignment=assignment)
    except WorkOrderError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The clock of %(department)s runs again. New due date: %(date)s.") % {
            "department": assignment.department, "date": assignment.due_date.isoformat()})
    return redirect("center:request", tracking_number=tracking_number)
