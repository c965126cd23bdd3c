"""What a department does with its assignment: reply, ask for material, finish, reassign."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Officer
from workdays.calendar import get_calendar, local_date
from workorders.exceptions import WorkOrderError
from workorders.models import (
    ASSIGNMENT_LIFECYCLE,
    OPEN_ASSIGNMENT_STATUSES,
    REQUEST_LIFECYCLE,
    WORK_ORDER_LIFECYCLE,
    Assignment,
    ClockPause,
    RequestEvent,
    WorkOrder,
)
from workorders.permissions import can_work_on, is_head_of
from workorders.services._common import record_event, save_as, tell_enterprise
from workorders.services.acknowledgement import note_acknowledgement
from workorders.services.clock import stop_clock
from workorders.services.notes import send_conclusion

def _note_first_answer(assignment: Assignment, on) -> None:
    """Store the working days from issue to the department's first answer (for the response rate),
    once; later answers leave it alone."""
    Assignment.objects.filter(pk=assignment.pk, response_working_days__isnull=True).update(
        response_working_days=get_calendar().working_days_between(assignment.issued_on, on))


def _locked_for_work(actor, assignment: Assignment, *, event: str) -> tuple[Assignment, str]:
    """The assignment locked, and the status the lifecycle's ``event`` leads it to; refuses another
    department's assignment and an event its status does not allow."""
    if not can_work_on(actor, assignment):
        raise WorkOrderError(_("This assignment belongs to another department."), code="forbidden")
    locked = Assignment.objects.select_for_update().select_related("work_order__request").get(pk=assignment.pk)
    return locked, ASSIGNMENT_LIFECYCLE.require(locked.status, event, _("This assignment is not open for that."))


def reply_to_assignment(*, actor, assignment: Assignment, text: str) -> Assignment:
    """Record the department's answer (首接负责: one unit answers the enterprise).

    The lead department's reply is the answer the enterprise receives: a public REPLIED row, and the
    enterprise is told. A co-handling department's reply is its conclusion, for the lead department
    and the center only: an internal CONCLUSION row, and the lead department and center staff are
    told (``notes.send_conclusion``); the enterprise sees neither. Both are kept as the assignment's
    ``reply``. Atomic; the clock keeps running. Acknowledges the assignment if
    it was not yet."""
    if not text.strip():
        raise WorkOrderError(_("Write the reply."), code="empty", field="text")
    with transaction.atomic():
        locked, status = _locked_for_work(actor, assignment, event="reply")
        now = timezone.now()
        acknowledged = note_acknowledgement(actor=actor, locked=locked, at=now)
        locked.status = status
        locked.reply, locked.replied_at, locked.replied_by = text.strip(), now, actor
        save_as(locked, actor, update_fields=["reply", "replied_at", "replied_by", "status", *acknowledged])
        _note_first_answer(locked, local_date(locked.replied_at))
        request = locked.work_order.request
        if locked.role != Assignment.Role.LEAD:
            send_conclusion(actor=actor, locked=locked, text=locked.reply)
        else:
            record_event(request=request, kind=RequestEvent.Kind.REPLIED, actor=actor, assignment=locked,
                         text=locked.reply)
            tell_enterprise(request=request,
                            subject=_("The lead unit answered on %(number)s") % {"number": request.tracking_number},
                            body=locked.reply, url=f"/requests/{request.tracking_number}/")
    assignment.refresh_from_db()
    return assignment


def request_material(*, actor, assignment: Assignment, text: str) -> Assignment:
    """Ask the enterprise for material: the clock pauses until it answers (and the original clock
    moves with it). Atomic. Acknowledges the assignment if it was not yet."""
    if not text.strip():
        raise WorkOrderError(_("Say what material is needed."), code="empty", field="text")
    with transaction.atomic():
        locked, _paused = _locked_for_work(actor, assignment, event="pause")
        now = timezone.now()
        acknowledged = note_acknowledgement(actor=actor, locked=locked, at=now)
        stop_clock(actor=actor, locked=locked, reason=ClockPause.Reason.WAITING_FOR_MATERIAL, note=text.strip(),
                   at=now, extra_fields=acknowledged)
        _note_first_answer(locked, local_date())
        request = locked.work_order.request
        record_event(request=request, kind=RequestEvent.Kind.MATERIAL_REQUESTED, actor=actor, assignment=locked, text=text.strip())
        tell_enterprise(request=request, subject=_("Material needed for %(number)s") % {"number": request.tracking_number},
                        body=text.strip(), url=f"/requests/{request.tracking_number}/")
    assignment.refresh_from_db()
    return assignment


def complete_assignment(*, actor, assignment: Assignment, text: str = "") -> Assignment:
    """Mark the department's share done. The enterprise's timeline says the department finished; it
    carries the final text of the lead department only: a co-handler's final text is its conclusion
    (``notes.send_conclusion``: to the lead department and the center). When every assignment is
    done, the work order and the request resolve and the enterprise is told. Atomic; locks the work
    order so that two departments finishing at once resolve it exactly once. Acknowledges the
    assignment if it was not yet."""
    with transaction.atomic():
        WorkOrder.objects.select_for_update().get(pk=assignment.work_order_id)
        locked, done = _locked_for_work(actor, assignment, event="complete")
        now = timezone.now()
        note_acknowledgement(actor=actor, locked=locked, at=now)  # saved with the rest below
        if text.strip():
            locked.reply, locked.replied_at, locked.replied_by = text.strip(), now, actor
        if not locked.reply:
            raise WorkOrderError(_("Reply before marking the assignment done."), code="no_reply", field="text")
        locked.status, locked.sla_state, locked.closed_at = done, Assignment.SlaState.DONE, now
        calendar = get_calendar()
        locked.closed_on = local_date(now)
        locked.working_days_taken = max(
            0, calendar.working_days_between(locked.issued_on, locked.closed_on) - locked.paused_working_days)
        if locked.response_working_days is None:
            locked.response_working_days = calendar.working_days_between(locked.issued_on, locked.closed_on)
        save_as(locked, actor)
        request = locked.work_order.request
        lead = locked.role == Assignment.Role.LEAD
        if text.strip() and not lead:
            send_conclusion(actor=actor, locked=locked, text=locked.reply)
        record_event(request=request, kind=RequestEvent.Kind.DONE, actor=actor, assignment=locked,
                     text=locked.reply if lead else "")
        _resolve_if_all_done(actor=actor, work_order=locked.work_order, now=now)
    assignment.refresh_from_db()
    return assignment


def _resolve_if_all_done(*, actor, work_order: WorkOrder, now) -> None:
    if work_order.assignments.filter(status__in=OPEN_ASSIGNMENT_STATUSES).exists():
        return
    work_order.status, work_order.resolved_at = WORK_ORDER_LIFECYCLE.require(work_order.status, "resolve"), now
    save_as(work_order, actor, update_fields=["status", "resolved_at"])
    request = work_order.request
    request.status, request.resolved_at = REQUEST_LIFECYCLE.require(request.status, "resolve"), now
    save_as(request, actor, update_fields=["status", "resolved_at"])
    record_event(request=request, kind=RequestEvent.Kind.RESOLVED, actor=actor)
    tell_enterprise(request=request, subject=_("Request %(number)s resolved") % {"number": request.tracking_number},
                    body=_("Every department has finished. Please rate the service."),
                    url=f"/requests/{request.tracking_number}/")


def reassign_assignment(*, actor, assignment: Assignment, officer: Officer) -> Assignment:
    """A head gives the assignment to an officer of the same department. Atomic; internal step."""
    if not is_head_of(actor, assignment.department_id):
        raise WorkOrderError(_("Only a head of this department can reassign."), code="forbidden")
    if officer.department_id != assignment.department_id or not officer.is_active:
        raise WorkOrderError(_("Choose an active officer of this department."), code="officer", field="officer")
    with transaction.atomic():
        locked, _same = _locked_for_work(actor, assignment, event="reassign")
        locked.assigned_officer = officer
        save_as(locked, actor, update_fields=["assigned_officer"])
        record_event(request=locked.work_order.request, kind=RequestEvent.Kind.REASSIGNED, actor=actor,
                     assignment=locked, text=officer.display_name, public=False)
    assignment.refresh_from_db()
    return assignment
