"""The two-week clock of an assignment: due dates, pauses and SLA state.

Due dates are computed once, at the event that changes them (issue, resume), and stored;
nothing here is called to render a page.
"""
from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workdays.calendar import WorkCalendar, get_calendar, local_date
from workorders.exceptions import WorkOrderError
from workorders.models import Assignment, ClockPause

PAUSABLE_STATUSES = (Assignment.Status.ISSUED, Assignment.Status.IN_PROGRESS)


def sla_working_days_for(kind: str) -> int:
    """Working days an assignment of a request of this kind has (settings, per kind, else the default)."""
    return settings.CENTER_SLA_WORKING_DAYS_BY_KIND.get(kind, settings.CENTER_SLA_WORKING_DAYS)


def compute_due_date(*, issued_on: datetime.date, working_days: int, calendar: WorkCalendar | None = None) -> datetime.date:
    """The working day ``working_days`` after the issue date (the issue day itself does not count)."""
    return (calendar or get_calendar()).add_working_days(issued_on, working_days)


def sla_state_for(
    due_date: datetime.date,
    today: datetime.date,
    *,
    calendar: WorkCalendar | None = None,
    due_soon_days: int | None = None,
    escalate_after: int | None = None,
) -> str:
    """The SLA state of an open, running assignment due on ``due_date``, seen on ``today``."""
    due_soon_days = settings.CENTER_DUE_SOON_WORKING_DAYS if due_soon_days is None else due_soon_days
    escalate_after = settings.CENTER_ESCALATE_AFTER_WORKING_DAYS if escalate_after is None else escalate_after
    left = (calendar or get_calendar()).working_days_left(due_date, today)
    if left <= -escalate_after:
        return Assignment.SlaState.ESCALATED
    if left < 0:
        return Assignment.SlaState.OVERDUE
    if left <= due_soon_days:
        return Assignment.SlaState.DUE_SOON
    return Assignment.SlaState.ON_TRACK


def pause_assignment(
    *, actor, assignment: Assignment, reason: str, note: str = "", at: datetime.datetime | None = None
) -> ClockPause:
    """Stop the assignment's clock while the department waits (for material or a third party).

    Atomic; locks the assignment row. Raises ``WorkOrderError`` unless the assignment is issued
    or in progress. The pause records its reason and who asked; history names the actor.
    """
    at = at or timezone.now()
    if reason not in ClockPause.Reason.values:
        raise WorkOrderError(_("Choose why the clock stops."), code="pause_reason")
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status not in PAUSABLE_STATUSES:
            raise WorkOrderError(_("Only an open assignment whose clock is running can be paused."), code="not_running")
        pause = ClockPause(
            assignment=locked,
            reason=reason,
            note=note,
            requested_by=actor,
            started_at=at,
            started_on=local_date(at),
        )
        pause._history_user = actor
        pause.save()
        locked.status = Assignment.Status.PAUSED
        locked.sla_state = Assignment.SlaState.PAUSED
        locked._history_user = actor
        locked.save(update_fields=["status", "sla_state"])
    assignment.refresh_from_db()
    return pause


def resume_assignment(*, actor, assignment: Assignment, at: datetime.datetime | None = None) -> Assignment:
    """Restart a paused assignment's clock and move its due date by the working days it stood still.

    The paused span counts the working days d with paused_on < d <= resumed_on. Atomic; locks the
    assignment row. Raises ``WorkOrderError`` unless the assignment is paused.
    """
    at = at or timezone.now()
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status != Assignment.Status.PAUSED:
            raise WorkOrderError(_("This assignment's clock is not paused."), code="not_paused")
        pause = ClockPause.objects.select_for_update().get(assignment=locked, ended_at__isnull=True)
        calendar = get_calendar()
        pause.ended_at = at
        pause.ended_on = max(local_date(at), pause.started_on)
        pause.working_days = calendar.working_days_between(pause.started_on, pause.ended_on)
        pause._history_user = actor
        pause.save(update_fields=["ended_at", "ended_on", "working_days"])
        locked.due_date = calendar.add_working_days(locked.due_date, pause.working_days)
        locked.paused_working_days += pause.working_days
        locked.status = Assignment.Status.IN_PROGRESS
        locked.sla_state = sla_state_for(locked.due_date, pause.ended_on, calendar=calendar)
        locked._history_user = actor
        locked.save(update_fields=["due_date", "paused_working_days", "status", "sla_state"])
    assignment.refresh_from_db()
    return assignment


def extend_due_date(*, actor, assignment: Assignment, working_days: int, reason: str,
                    calendar: WorkCalendar | None = None) -> Assignment:
    """Give an open assignment ``working_days`` more working days, with a reason kept in history.

    Heads of the assignment's department and center staff may. The SLA state is judged again at
    once from the new due date (the sweep would do the same at its next run). Atomic; locks the row.
    """
    from workorders.permissions import is_center_staff, is_head_of

    if not (is_center_staff(actor) or is_head_of(actor, assignment.department_id)):
        raise WorkOrderError(_("Only center staff or a head of this department can extend a due date."), code="forbidden")
    if not reason.strip():
        raise WorkOrderError(_("Say why the due date is extended."), code="reason", field="reason")
    if not 1 <= working_days <= 60:
        raise WorkOrderError(_("Extend by 1 to 60 working days."), code="working_days", field="working_days")
    calendar = calendar or get_calendar()
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status not in Assignment.OPEN_STATUSES:
            raise WorkOrderError(_("Only an open assignment can be extended."), code="not_open")
        old = locked.due_date
        locked.due_date = calendar.add_working_days(old, working_days)
        if locked.status != Assignment.Status.PAUSED:
            locked.sla_state = sla_state_for(locked.due_date, local_date(), calendar=calendar)
            if locked.sla_state != Assignment.SlaState.ESCALATED:
                locked.escalation_level = 0
        locked._history_user = actor
        locked._change_reason = f"{old.isoformat()} → {locked.due_date.isoformat()}: {reason.strip()}"[:100]
        locked.save(update_fields=["due_date", "sla_state", "escalation_level"])
    assignment.refresh_from_db()
    return assignment
