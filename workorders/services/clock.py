"""The two-week clock of an assignment: due dates, pauses and SLA state.

Due dates are computed once, at the event that changes them (issue, resume), and stored;
nothing here is called to render a page.
"""
from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Department, Officer
from notifications.services import notify
from workdays.calendar import WorkCalendar, get_calendar, local_date
from workorders.exceptions import WorkOrderError
from workorders.models import ASSIGNMENT_LIFECYCLE, Assignment, ClockPause, RequestEvent
from workorders.permissions import acts_for_enterprise, can_work_on, is_center_staff, may_move_due_date
from workorders.services._common import record_event, save_as
from workorders.services.acknowledgement import note_acknowledgement


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
    *, actor, assignment: Assignment, reason: str, note: str = "", third_party_department: Department | None = None,
    third_party_name: str = "", at: datetime.datetime | None = None,
) -> ClockPause:
    """Stop the assignment's clock while the department waits (for material or a third party).

    Atomic; locks the assignment row. Raises ``WorkOrderError`` unless the actor is of the
    assignment's department or center staff, and unless its clock is running (the lifecycle's
    ``pause``). A pause for a third party names it (an active department other than the
    assignment's, or an outside organisation's name: one of the two, with a text saying what is
    awaited) and resumes by itself ``CENTER_THIRD_PARTY_PAUSE_WORKING_DAYS`` working days after it
    started (the SLA sweep) unless the center approves that it goes on. The pause records its reason
    and who asked; the enterprise's timeline says the clock waits (and for which third party, never
    the text); history names the actor. A pause by the department acknowledges the assignment if it
    was not yet.
    """
    at = at or timezone.now()
    of_department = can_work_on(actor, assignment)
    if not (of_department or is_center_staff(actor)):
        raise WorkOrderError(_("Only the department or center staff can stop this clock."), code="forbidden")
    if reason not in ClockPause.Reason.values:
        raise WorkOrderError(_("Choose why the clock stops."), code="pause_reason")
    third_party_name, note = third_party_name.strip(), note.strip()
    calendar = get_calendar()
    resumes_on = None
    if reason == ClockPause.Reason.WAITING_FOR_THIRD_PARTY:
        _check_third_party(assignment, third_party_department, third_party_name, note)
        resumes_on = calendar.add_working_days(local_date(at), settings.CENTER_THIRD_PARTY_PAUSE_WORKING_DAYS)
    elif third_party_department is not None or third_party_name:
        raise WorkOrderError(_("A pause for the enterprise's material names no third party."),
                             code="third_party", field="third_party_name")
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("work_order__request").get(pk=assignment.pk)
        acknowledged = note_acknowledgement(actor=actor, locked=locked, at=at, calendar=calendar) if of_department else ()
        pause = stop_clock(actor=actor, locked=locked, reason=reason, note=note, at=at,
                           third_party_department=third_party_department, third_party_name=third_party_name,
                           resumes_on=resumes_on, extra_fields=acknowledged)
        record_event(request=locked.work_order.request, kind=RequestEvent.Kind.PAUSED, actor=actor, assignment=locked,
                     text=pause.third_party)
        if third_party_department is not None:
            _tell_waited_for(third_party_department, locked, note)
    assignment.refresh_from_db()
    return pause


def _tell_waited_for(department: Department, waiting: Assignment, note: str) -> None:
    """A department waited for is told by whom and for what (its heads, else its officers): it has no
    assignment on the work order, so the notice carries no link to the request's pages."""
    members = Officer.objects.filter(department=department, is_active=True).select_related("user")
    heads = [m.user for m in members if m.role == Officer.Role.HEAD] or [m.user for m in members]
    number = waiting.work_order.request.tracking_number
    notify(recipients=heads,
           subject=_("%(department)s is waiting for your department on %(number)s")
           % {"department": waiting.department.name_zh, "number": number},
           body=note)


def _check_third_party(assignment: Assignment, department: Department | None, name: str, note: str) -> None:
    if department is None and not name:
        raise WorkOrderError(_("Choose the department or name the outside organisation the clock waits for."),
                             code="third_party", field="third_party_department")
    if department is not None and name:
        raise WorkOrderError(_("Choose a department or name an outside organisation, not both."),
                             code="third_party", field="third_party_name")
    if department is not None and (not department.is_active or department.pk == assignment.department_id):
        raise WorkOrderError(_("Choose another active department."), code="third_party", field="third_party_department")
    if not note:
        raise WorkOrderError(_("Say what the clock waits for."), code="empty", field="note")


def stop_clock(*, actor, locked: Assignment, reason: str, note: str = "", at: datetime.datetime,
               third_party_department: Department | None = None, third_party_name: str = "",
               resumes_on: datetime.date | None = None, extra_fields: Sequence[str] = ()) -> ClockPause:
    """The pause itself, for services that have checked who acts and what they wait for, and hold
    ``locked`` under ``select_for_update`` in their transaction (``pause_assignment``,
    ``request_material``); ``extra_fields`` of ``locked`` they changed are saved with it. Refuses a
    clock that is not running (the lifecycle's ``pause``)."""
    locked.status = ASSIGNMENT_LIFECYCLE.require(
        locked.status, "pause", _("Only an open assignment whose clock is running can be paused."), code="not_running")
    pause = ClockPause(assignment=locked, reason=reason, note=note, requested_by=actor, started_at=at,
                       started_on=local_date(at), third_party_department=third_party_department,
                       third_party_name=third_party_name, resumes_on=resumes_on)
    save_as(pause, actor)
    locked.sla_state = Assignment.SlaState.PAUSED
    save_as(locked, actor, update_fields=["status", "sla_state", *extra_fields])
    return pause


def resume_assignment(*, actor, assignment: Assignment, at: datetime.datetime | None = None) -> Assignment:
    """Restart a paused assignment's clock and move its due date by the working days it stood still.

    The paused span counts the working days d with paused_on < d <= resumed_on (at most up to the
    day a third-party pause was due to resume by itself). Atomic; locks the assignment row. Raises
    ``WorkOrderError`` unless the actor is of the department or center staff, or of the enterprise for
    a pause that waits for its material, and unless the assignment is paused. The enterprise's
    timeline says the clock runs again, with the new due date.
    """
    at = at or timezone.now()
    of_center_or_department = can_work_on(actor, assignment) or is_center_staff(actor)
    if not (of_center_or_department or acts_for_enterprise(actor, assignment.work_order.request)):
        raise WorkOrderError(_("You cannot restart this clock."), code="forbidden")
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("work_order__request").get(pk=assignment.pk)
        # The enterprise answers only a request for its material, never a third party's wait.
        restart_clock(actor=actor, locked=locked, at=at, material_only=not of_center_or_department)
        record_event(request=locked.work_order.request, kind=RequestEvent.Kind.RESUMED, actor=actor,
                     assignment=locked, due_date=locked.due_date)
    assignment.refresh_from_db()
    return assignment


def restart_clock(*, actor, locked: Assignment, at: datetime.datetime, message=None,
                  material_only: bool = False) -> Assignment:
    """The restart itself, for services that have checked who acts and hold ``locked`` under
    ``select_for_update`` in their transaction (``resume_assignment``, ``provide_material``): the
    open pause ends and the due date moves by its working days. A pause for the enterprise's
    material moves the original clock too; a pause for a third party does not (its days are counted
    apart), and counts no further than the day it was due to resume by itself. Refuses a clock that
    is not paused, and with ``material_only`` (the enterprise answering) one that waits for a third
    party."""
    locked.status = ASSIGNMENT_LIFECYCLE.require(locked.status, "resume",
                                                 message or _("This assignment's clock is not paused."),
                                                 code="not_paused")
    pause = ClockPause.objects.select_for_update().get(assignment=locked, ended_at__isnull=True)
    if material_only and pause.reason != ClockPause.Reason.WAITING_FOR_MATERIAL:
        raise WorkOrderError(message or _("This department is not waiting for your material."),
                             code="not_waiting_for_material")
    calendar = get_calendar()
    pause.ended_at = at
    pause.ended_on = max(local_date(at), pause.started_on)
    counted_until = pause.ended_on if pause.resumes_on is None else min(pause.ended_on, pause.resumes_on)
    pause.working_days = calendar.working_days_between(pause.started_on, counted_until)
    save_as(pause, actor, update_fields=["ended_at", "ended_on", "working_days"])
    locked.due_date = calendar.add_working_days(locked.due_date, pause.working_days)
    locked.paused_working_days += pause.working_days
    fields = ["due_date", "paused_working_days", "status", "sla_state"]
    if pause.reason == ClockPause.Reason.WAITING_FOR_THIRD_PARTY:
        locked.third_party_paused_working_days += pause.working_days
        fields.append("third_party_paused_working_days")
    elif locked.original_due_date is not None:
        locked.original_due_date = calendar.add_working_days(locked.original_due_date, pause.working_days)
        fields.append("original_due_date")
    locked.sla_state = sla_state_for(locked.due_date, pause.ended_on, calendar=calendar)
    save_as(locked, actor, update_fields=fields)
    return locked


def move_due_date(*, actor, assignment: Assignment, reason: str, new_due_date: datetime.date | None = None,
                  working_days: int | None = None, calendar: WorkCalendar | None = None,
                  today: datetime.date | None = None, extension_working_days: int = 0) -> Assignment:
    """The one way an assignment's due date moves, for any reason (an extension granted by the center,
    office-hours minutes, a change of the official calendar). Extensions come here through
    ``workorders.services.asks`` (an ask granted, or ``extend_by_center``), which counts them.

    Give either the ``new_due_date`` or the ``working_days`` to add. Atomic; locks the row. Refuses
    (``WorkOrderError``) an actor who may not (``may_move_due_date``), an empty reason, a date before
    the issue day, and a finished assignment (the lifecycle's ``move_due_date``). Records the move
    with its reason in the assignment's history and on the request's timeline (the enterprise sees
    the department and the new date), and judges the SLA state again at once, one way for every
    reason: a running clock takes the state of the new date; the escalation level is 1 exactly when
    the new date leaves the assignment escalated, else 0 (as the sweep sets it); a paused clock stays
    paused. ``extension_working_days`` is what the move counts as an extension the center granted
    (``workorders.services.asks``), added to the assignment's in the same save.
    """
    if not may_move_due_date(actor, assignment):
        raise WorkOrderError(_("Only center staff can move a due date."), code="forbidden")
    if not reason.strip():
        raise WorkOrderError(_("Say why the due date moves."), code="reason", field="reason")
    if (new_due_date is None) == (working_days is None):
        raise ValueError("Give either new_due_date or working_days.")
    calendar = calendar or get_calendar()
    today = today or local_date()
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("work_order__request").get(pk=assignment.pk)
        ASSIGNMENT_LIFECYCLE.require(locked.status, "move_due_date",
                                     _("The due date of a finished assignment cannot move."))
        old = locked.due_date
        new = calendar.add_working_days(old, working_days) if working_days is not None else new_due_date
        if new < locked.issued_on:
            raise WorkOrderError(_("The due date cannot be before the day the work was issued."),
                                 code="before_issue", field="new_due_date")
        locked.due_date = new
        by_date = sla_state_for(new, today, calendar=calendar)
        if locked.clock_running:
            locked.sla_state = by_date
        locked.escalation_level = 1 if by_date == Assignment.SlaState.ESCALATED else 0
        locked.extension_working_days += extension_working_days
        locked._change_reason = f"{old.isoformat()} → {new.isoformat()}: {reason.strip()}"[:100]
        save_as(locked, actor, update_fields=["due_date", "sla_state", "escalation_level", "extension_working_days"])
        record_event(request=locked.work_order.request, kind=RequestEvent.Kind.DUE_DATE_MOVED, actor=actor,
                     assignment=locked, text=reason.strip(), due_date=new)
    assignment.refresh_from_db()
    return assignment
