"""Department desk: internal notes on an assignment (seen by the work order's departments and the
center, never by the enterprise).

Thin views: ``desk._assignment`` finds the assignment among the user's departments' (a guessed id is a
404), ``services.add_internal_note`` checks the rules again and writes.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import error_to_form
from workorders import services
from workorders.exceptions import WorkOrderError
from workorders.forms import NoteForm
from workorders.views import desk


@login_required
@require_POST
def add_note(request, pk):
    """Add an internal note to one of the user's departments' assignments; a refusal is shown beside
    the field (400), with what was typed kept."""
    assignment = desk._assignment(request, pk)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            services.add_internal_note(actor=request.user, assignment=assignment, text=form.cleaned_data["text"])
        except WorkOrderError as error:
            error_to_form(form, error)
        else:
            messages.success(request, _("Note added. The enterprise does not see it."))
            return redirect(reverse("desk:detail", args=[assignment.pk]) + "#notes")
    return desk._detail(request, assignment, status=400, note_form=form)
