"""What stays between the departments and the center: internal notes, and the co-handlers' conclusions
sent to the lead unit (首接负责: one unit answers the enterprise).

Both are timeline rows with ``public=False``: the enterprise's pages, the API's enterprise-facing
fields and its notices never carry them.
"""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from workorders.exceptions import WorkOrderError
from workorders.models import ASSIGNMENT_LIFECYCLE, Assignment, RequestEvent
from workorders.permissions import active_memberships, is_center_staff, may_note_on
from workorders.services._common import record_event, tell_center_staff, tell_department

# Center staff may also note on a finished assignment (the closure review, a return visit); a
# department only while the assignment is open (the lifecycle's "note"). Nobody notes on a
# withdrawn (re-routed) one: the note belongs on the assignment that took the work over.
CENTER_NOTE_STATUSES = frozenset((*ASSIGNMENT_LIFECYCLE.statuses_for("note"), Assignment.Status.DONE))


def add_internal_note(*, actor, assignment: Assignment, text: str) -> RequestEvent:
    """Add an internal note to an assignment: a timeline row of kind NOTE, ``public=False``, seen by
    the work order's departments and center staff, never by the enterprise; it tells nobody.

    Officers and heads of any department with an assignment on the work order may note while the
    assignment is open; center staff also once it is done. The row names the author's unit: their
    department on this work order (the assignment's own when they belong to it), else none (the
    center). Atomic; the assignment is locked so that the status check holds until the row is written.
    Raises ``WorkOrderError``: empty text (field ``text``), a stranger (``forbidden``), a status
    that allows no note (``wrong_status``).
    """
    text = text.strip()
    if not text:
        raise WorkOrderError(_("Write the note."), code="empty", field="text")
    if not may_note_on(actor, assignment):
        raise WorkOrderError(_("Only the departments on this work order and the center can add notes to it."),
                             code="forbidden")
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("work_order__request").get(pk=assignment.pk)
        units = list(active_memberships(actor).filter(department__assignments__work_order_id=locked.work_order_id)
                     .values_list("department_id", flat=True))
        refusal = _("Notes can be added only to an open assignment.")
        if not is_center_staff(actor):
            ASSIGNMENT_LIFECYCLE.require(locked.status, "note", refusal)
        elif locked.status not in CENTER_NOTE_STATUSES:
            raise WorkOrderError(refusal, code="wrong_status")
        department_id = locked.department_id if locked.department_id in units else min(units, default=None)
        # Created here rather than through ``record_event``, which names the assignment's department:
        # a note names its author's unit.
        return RequestEvent.objects.create(
            request=locked.work_order.request, kind=RequestEvent.Kind.NOTE, assignment=locked,
            department_id=department_id, text=text, public=False, created_by=actor)


def lead_assignment_of(work_order_id) -> Assignment | None:
    """The lead department's assignment of a work order (not a re-routed one), with its officer."""
    return (Assignment.objects.filter(work_order_id=work_order_id, role=Assignment.Role.LEAD)
            .exclude(status=Assignment.Status.WITHDRAWN).select_related("assigned_officer__user")
            .order_by("-issued_at", "-id").first())


def send_conclusion(*, actor, locked: Assignment, text: str) -> RequestEvent:
    """A co-handling department's conclusion: a CONCLUSION row (``public=False``) and a notice to the
    lead department (its assigned officer, else its officers and heads) and to center staff; never
    to the enterprise. For the desk's services, inside their transaction, with ``locked`` held and
    the actor checked."""
    request = locked.work_order.request
    event = record_event(request=request, kind=RequestEvent.Kind.CONCLUSION, actor=actor, assignment=locked,
                         text=text, public=False)
    subject = _("%(department)s sent its conclusion on %(number)s") % {
        "department": locked.department.name_zh, "number": request.tracking_number}
    lead = lead_assignment_of(locked.work_order_id)
    if lead is not None:
        tell_department(assignment=lead, subject=subject, body=text, url=f"/desk/assignments/{lead.pk}/")
    tell_center_staff(subject=subject, body=text, url=f"/center/requests/{request.tracking_number}/")
    return event
