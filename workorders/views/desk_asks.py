"""The department's requests to the center on the desk: to re-route an assignment, for more working
days, for a third-party pause to go on. Any officer or head of the assignment's department asks
(a guessed id of another department's assignment is a 404); the services check the rules again.
The list of the assignment's asks and their rulings is on the assignment's page (``desk._detail``)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import error_to_form
from workorders import services
from workorders.exceptions import WorkOrderError
from workorders.forms import ExtensionAskForm, PauseAskForm, RerouteAskForm
from workorders.views.desk import _assignment, _detail


def _ask(request, pk, *, make_form, form_name, call, done_message):
    assignment = _assignment(request, pk)
    form = make_form(assignment)
    if form.is_valid():
        try:
            call(assignment, form.cleaned_data)
        except WorkOrderError as error:
            error_to_form(form, error)
        else:
            messages.success(request, done_message)
            return redirect("desk:detail", pk=pk)
    return _detail(request, assignment, status=400, **{form_name: form})


@login_required
@require_POST
def ask_reroute(request, pk):
    return _ask(request, pk, form_name="reroute_form",
                make_form=lambda assignment: RerouteAskForm(request.POST, prefix="reroute",
                                                            department_id=assignment.department_id),
                call=lambda assignment, data: services.ask_reroute(
                    actor=request.user, assignment=assignment, reason_category=data["reason_category"],
                    text=data["text"], suggested_department=data["suggested_department"]),
                done_message=_("The center was asked to re-route this assignment; the clock keeps running until it "
                               "decides."))


@login_required
@require_POST
def ask_extension(request, pk):
    return _ask(request, pk, make_form=lambda _a: ExtensionAskForm(request.POST, prefix="extension"),
                form_name="extension_form",
                call=lambda assignment, data: services.ask_extension(
                    actor=request.user, assignment=assignment, working_days=data["working_days"], text=data["text"]),
                done_message=_("The center was asked for more working days; the clock keeps running until it "
                               "decides."))


@login_required
@require_POST
def ask_pause_going_on(request, pk):
    return _ask(request, pk, make_form=lambda _a: PauseAskForm(request.POST, prefix="pause_ask"),
                form_name="pause_ask_form",
                call=lambda assignment, data: services.ask_pause_going_on(
                    actor=request.user, assignment=assignment, text=data["text"]),
                done_message=_("The center was asked to let the pause go on."))
