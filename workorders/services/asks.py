"""A department's requests to the center about its assignment, and the center's decisions.

The department asks (退单申请 a re-route, 延期申请 more working days, or that a pause for a third
party goes on past its limit); only center staff decide, with a ruling the department reads. No
department gives work back or extends its own clock any other way: a re-route moves the work only
when staff grant it, and every extension (asked, or given by staff directly) is a ``DepartmentAsk``
granted through ``workorders.services.clock.move_due_date``, so it is recorded and counted one way.

Every function is atomic and writes nothing when it refuses (``WorkOrderError``, with the field the
message belongs beside). Lock order, the same as the department's services: the work order, then
the assignment, then the ask, so that an ask and a decision on one assignment never deadlock.
"""
from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Department
from workdays.calendar import get_calendar, local_date
from workorders.exceptions import WorkOrderError
from workorders.models import (
    ASSIGNMENT_LIFECYCLE,
    DEPARTMENT_ASK_LIFECYCLE,
    OPEN_ASSIGNMENT_STATUSES,
    Assignment,
    ClockPause,
    DepartmentAsk,
    RequestEvent,
    WorkOrder,
)
from workorders.permissions import can_work_on, is_center_staff
from workorders.services._common import record_event, save_as, tell_center_staff, tell_department
from workorders.services.clock import move_due_date, restart_clock
from workorders.services.work_orders import open_assignment

Kind = DepartmentAsk.Kind
Status = DepartmentAsk.Status
# A direct extension by center staff gives at most this many working days at once (the bound the
# admin's bulk action always had); the department's ask is capped by CENTER_EXTENSION_MAX_WORKING_DAYS.
CENTER_EXTENSION_LIMIT = 60


# --- the department asks ------------------------------------------------------------------------

def ask_reroute(*, actor, assignment: Assignment, reason_category: str, text: str,
                suggested_department: Department | None = None) -> DepartmentAsk:
    """The department asks the center to re-route its assignment (not its competence, not its
    territory, ownership unclear), optionally naming the department it thinks competent.

    Refuses (nothing written) another department's officer, an empty text, an unknown reason, the
    department itself as the competent one, an assignment that is not open or past its due date, a
    second pending re-route, and a reason the center already refused for this assignment. The clock
    keeps running. Records an internal timeline step and tells center staff."""
    _require_department(actor, assignment)
    text = _required_text(text)
    if reason_category not in DepartmentAsk.RerouteReason.values:
        raise WorkOrderError(_("Choose why the work is not yours."), code="reason_category", field="reason_category")
    if suggested_department is not None and suggested_department.pk == assignment.department_id:
        raise WorkOrderError(_("Name another department than your own, or none."), code="same_department",
                             field="suggested_department")
    with transaction.atomic():
        locked = _locked_for_asking(assignment, check_due_date=True)
        if DepartmentAsk.objects.filter(assignment=locked, kind=Kind.REROUTE, status=Status.REFUSED,
                                        reason_category=reason_category).exists():
            raise WorkOrderError(_("The center already refused a re-route of this assignment for this reason: it "
                                   "cannot be asked again for the same reason."), code="reason_refused",
                                 field="reason_category")
        ask = _create(actor, locked, kind=Kind.REROUTE, text=text, reason_category=reason_category,
                      suggested_department=suggested_department)
        category = DepartmentAsk.RerouteReason(reason_category).label
        record_event(request=locked.work_order.request, kind=RequestEvent.Kind.REROUTE_ASKED, actor=actor,
                     assignment=locked, text=f"{category}: {text}", public=False)
        _tell_center_staff(ask, subject=_("%(department)s asks to re-route %(number)s"))
    return ask


def ask_extension(*, actor, assignment: Assignment, working_days: int, text: str) -> DepartmentAsk:
    """The department asks the center for ``working_days`` more working days (1 to
    ``CENTER_EXTENSION_MAX_WORKING_DAYS``), with its reason.

    Refuses (nothing written) another department's officer, an empty reason, 0 or more than the cap,
    an assignment that is not open or past its due date, and a second pending extension. The clock
    keeps running until the center decides. Records an internal timeline step and tells center staff."""
    _require_department(actor, assignment)
    text = _required_text(text)
    cap = settings.CENTER_EXTENSION_MAX_WORKING_DAYS
    if not isinstance(working_days, int) or not 1 <= working_days <= cap:
        raise WorkOrderError(_("Ask for 1 to %(max)d working days.") % {"max": cap}, code="working_days",
                             field="working_days")
    with transaction.atomic():
        locked = _locked_for_asking(assignment, check_due_date=True)
        ask = _create(actor, locked, kind=Kind.EXTENSION, text=text, working_days=working_days)
        record_event(request=locked.work_order.request, kind=RequestEvent.Kind.EXTENSION_ASKED, actor=actor,
                     assignment=locked, text=_days_text(working_days, text), public=False)
        _tell_center_staff(ask, subject=_("%(department)s asks for more working days on %(number)s"))
    return ask


def ask_pause_going_on(*, actor, assignment: Assignment, text: str) -> DepartmentAsk:
    """The department asks that its open pause for a third party go on past the day it would resume
    by itself (``ClockPause.resumes_on``).

    Refuses (nothing written) another department's officer, an empty reason, an assignment without
    an open third-party pause that resumes by itself, a pause whose limit has come (on or after
    ``resumes_on``), and a second pending request. The due date is not checked: the clock stands
    still. Records an internal timeline step and tells center staff; without the center's approval
    the pause ends on ``resumes_on`` (the SLA sweep)."""
    _require_department(actor, assignment)
    text = _required_text(text)
    with transaction.atomic():
        locked = _locked_for_asking(assignment, check_due_date=False)
        pause = (ClockPause.objects.select_for_update()
                 .filter(assignment=locked, ended_at__isnull=True, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
                         resumes_on__isnull=False).first())
        if pause is None:
            raise WorkOrderError(_("Only a pause for a third party that would end by itself can be asked to go on."),
                                 code="no_pause")
        if local_date() >= pause.resumes_on:
            raise WorkOrderError(_("This pause reached its limit on %(date)s: ask before the day it ends.")
                                 % {"date": pause.resumes_on.isoformat()}, code="too_late")
        ask = _create(actor, locked, kind=Kind.PAUSE, text=text, pause=pause)
        record_event(request=locked.work_order.request, kind=RequestEvent.Kind.PAUSE_ASKED, actor=actor,
                     assignment=locked, text=text, public=False)
        _tell_center_staff(ask, subject=_("%(department)s asks for its pause on %(number)s to go on"))
    return ask


def _require_department(actor, assignment: Assignment) -> None:
    if not can_work_on(actor, assignment):
        raise WorkOrderError(_("Only the assignment's department can ask the center about it."), code="forbidden")


def _required_text(text: str) -> str:
    if not (text or "").strip():
        raise WorkOrderError(_("Give the reason."), code="empty", field="text")
    return text.strip()


def _locked_for_asking(assignment: Assignment, *, check_due_date: bool) -> Assignment:
    locked = Assignment.objects.select_for_update(of=("self",)).select_related(
        "work_order__request", "department").get(pk=assignment.pk)
    ASSIGNMENT_LIFECYCLE.require(locked.status, "ask_center", _("Only an open assignment can ask the center."),
                                 code="not_open")
    if check_due_date and local_date() > locked.due_date:
        raise WorkOrderError(_("The due date (%(date)s) has passed: ask before the due date.")
                             % {"date": locked.due_date.isoformat()}, code="past_due")
    return locked


def _create(actor, locked: Assignment, *, kind: str, text: str, **fields) -> DepartmentAsk:
    """The pending ask, refused when one of the same kind is pending: checked first for the message,
    and by the database's unique constraint when two arrive at once."""
    refusal = WorkOrderError(_("A request of this kind is already waiting for the center."), code="pending")
    if _pending_exists(locked, kind):
        raise refusal
    now = timezone.now()
    ask = DepartmentAsk(assignment=locked, kind=kind, text=text, asked_by=actor, asked_at=now, asked_on=local_date(now),
                        **fields)
    try:
        with transaction.atomic():
            save_as(ask, actor)
    except IntegrityError as error:
        raise refusal from error
    return ask


def _pending_exists(assignment: Assignment, kind: str) -> bool:
    return DepartmentAsk.objects.filter(assignment=assignment, kind=kind, status=Status.PENDING).exists()


def _days_text(working_days: int, text: str) -> str:
    return _("%(days)d working days: %(text)s") % {"days": working_days, "text": text}


def _tell_center_staff(ask: DepartmentAsk, *, subject: str) -> None:
    """An in-app notice and an e-mail to every active member of center staff, linking to the request."""
    request = ask.assignment.work_order.request
    tell_center_staff(subject=subject % {"department": ask.assignment.department.name_zh,
                                         "number": request.tracking_number},
                      body=ask.text, url=f"/center/requests/{request.tracking_number}/#asks")


# --- the center decides -------------------------------------------------------------------------

def decide_ask(*, actor, ask: DepartmentAsk, grant: bool, ruling: str = "", working_days_granted: int | None = None,
               new_department: Department | None = None, new_lead: Department | None = None) -> DepartmentAsk:
    """Center staff grant or refuse a pending ask, with a ruling the department reads (required to
    refuse, and to grant fewer days than asked).

    - A re-route granted: the assignment is withdrawn (its open pause ends, it closes), a new
      assignment with its own clock goes to ``new_department`` (not one already on the work order);
      a re-routed lead is replaced by ``new_lead`` (the new department or another department whose
      work on the order is open). The enterprise's timeline says where the work moved, without
      reason or blame; the new department and the old are told.
    - An extension granted (``working_days_granted``, 1 to the days asked; all by default): the
      due date moves through ``move_due_date`` (the enterprise's timeline shows the new date with
      the department's reason and the ruling) and the days are added to ``extension_working_days``.
    - A pause going on granted: the pause no longer resumes by itself.
    - Refused: nothing else changes (a refused re-route keeps the work; a pause resumes on its day).

    Atomic, under row locks: of two staff deciding at once one wins and the other is told it is
    already decided. Refuses anyone but center staff."""
    if not is_center_staff(actor):
        raise WorkOrderError(_("Only center staff decide a department's request."), code="forbidden")
    ruling = (ruling or "").strip()
    with transaction.atomic():
        assignment = _locked_with_work_order(ask.assignment_id)
        locked = DepartmentAsk.objects.select_for_update().get(pk=ask.pk)
        locked.assignment = assignment
        locked.status = DEPARTMENT_ASK_LIFECYCLE.require(
            locked.status, "grant" if grant else "refuse",
            _("This request was already decided (%(status)s).") % {"status": locked.get_status_display()},
            code="already_decided")
        if not grant:
            _refuse(actor, locked, ruling)
        elif locked.kind == Kind.REROUTE:
            _grant_reroute(actor, locked, ruling, new_department=new_department, new_lead=new_lead)
        elif locked.kind == Kind.EXTENSION:
            _grant_extension(actor, locked, ruling, working_days_granted)
        else:
            _grant_pause(actor, locked, ruling)
    ask.refresh_from_db()
    return ask


def _locked_with_work_order(assignment_id: int) -> Assignment:
    """The assignment and its work order, both locked, the work order first (as the department's
    services lock them, and as ``move_due_date`` then reads them)."""
    work_order_id = Assignment.objects.values_list("work_order_id", flat=True).get(pk=assignment_id)
    work_order = WorkOrder.objects.select_for_update().select_related("request").get(pk=work_order_id)
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related(
        "department", "assigned_officer").get(pk=assignment_id)
    assignment.work_order = work_order
    return assignment


def _decided(actor, locked: DepartmentAsk, ruling: str, *, at: datetime.datetime | None = None) -> None:
    at = at or timezone.now()
    locked.decided_by, locked.decided_at, locked.decided_on, locked.ruling = actor, at, local_date(at), ruling
    save_as(locked, actor)


def _refuse(actor, locked: DepartmentAsk, ruling: str) -> None:
    if not ruling:
        raise WorkOrderError(_("Write the ruling the department reads."), code="ruling", field="ruling")
    _decided(actor, locked, ruling)
    assignment = locked.assignment
    event = {Kind.REROUTE: RequestEvent.Kind.REROUTE_REFUSED, Kind.EXTENSION: RequestEvent.Kind.EXTENSION_REFUSED}.get(
        locked.kind)
    if event:
        record_event(request=assignment.work_order.request, kind=event, actor=actor, assignment=assignment,
                     text=ruling, public=False)
    _tell_department_of(locked, subject=_("The center refused your request on %(number)s"))


def _grant_extension(actor, locked: DepartmentAsk, ruling: str, working_days_granted: int | None) -> None:
    asked = locked.working_days
    days = asked if working_days_granted is None else working_days_granted
    if not isinstance(days, int) or not 1 <= days <= asked:
        raise WorkOrderError(_("Grant 1 to %(asked)d working days, or refuse.") % {"asked": asked},
                             code="working_days", field="working_days_granted")
    if days < asked and not ruling:
        raise WorkOrderError(_("Say why fewer working days are granted than asked."), code="ruling", field="ruling")
    # What the enterprise reads beside the new date: the department's reason, and the center's ruling.
    reason = f"{locked.text}\n{ruling}" if ruling else locked.text
    _extend(actor, locked.assignment, days, reason)
    locked.working_days_granted = days
    _decided(actor, locked, ruling)
    record_event(request=locked.assignment.work_order.request, kind=RequestEvent.Kind.EXTENSION_GRANTED, actor=actor,
                 assignment=locked.assignment, text=_days_text(days, ruling or locked.text), public=False,
                 due_date=locked.assignment.due_date)
    _tell_department_of(locked, subject=_("The center granted %(days)d more working days on %(number)s"), days=days)


def _extend(actor, assignment: Assignment, days: int, reason: str, *, new_due_date: datetime.date | None = None
            ) -> None:
    """Move the (locked) assignment's due date through the one due-date service, which counts the days."""
    move_due_date(actor=actor, assignment=assignment, reason=reason, extension_working_days=days,
                  **({"working_days": days} if new_due_date is None else {"new_due_date": new_due_date}))


def _grant_pause(actor, locked: DepartmentAsk, ruling: str) -> None:
    pause = ClockPause.objects.select_for_update().get(pk=locked.pause_id)
    if pause.ended_at is not None:
        raise WorkOrderError(_("This pause has already ended and the clock runs again: refuse the request."),
                             code="pause_ended")
    now = timezone.now()
    pause.resumes_on, pause.continuation_approved_by, pause.continuation_approved_at = None, actor, now
    save_as(pause, actor, update_fields=["resumes_on", "continuation_approved_by", "continuation_approved_at"])
    _decided(actor, locked, ruling, at=now)
    record_event(request=locked.assignment.work_order.request, kind=RequestEvent.Kind.PAUSE_APPROVED, actor=actor,
                 assignment=locked.assignment, text=ruling, public=False)
    _tell_department_of(locked, subject=_("The center approved that your pause on %(number)s goes on"))


def _grant_reroute(actor, locked: DepartmentAsk, ruling: str, *, new_department: Department | None,
                   new_lead: Department | None) -> None:
    assignment = locked.assignment
    work_order = assignment.work_order
    if new_department is None or not new_department.is_active:
        raise WorkOrderError(_("Choose the department that takes the work over."), code="new_department",
                             field="new_department")
    if work_order.assignments.filter(department=new_department).exists():
        raise WorkOrderError(_("%(department)s is already on this work order: choose another department.")
                             % {"department": new_department.name_zh}, code="new_department", field="new_department")
    was_lead = work_order.lead_department_id == assignment.department_id
    others_open = work_order.assignments.filter(status__in=OPEN_ASSIGNMENT_STATUSES).exclude(pk=assignment.pk)
    if was_lead:
        if new_lead is None or (new_lead.pk != new_department.pk
                                and not others_open.filter(department=new_lead).exists()):
            raise WorkOrderError(_("Name the new lead: the new department, or another department whose work on "
                                   "this order is open."), code="new_lead", field="new_lead")
    elif new_lead is not None and new_lead.pk != work_order.lead_department_id:
        raise WorkOrderError(_("The lead stays: only a re-routed lead department is replaced."), code="new_lead",
                             field="new_lead")
    if not ASSIGNMENT_LIFECYCLE.allows(assignment.status, "withdraw"):
        raise WorkOrderError(_("This assignment is no longer open: refuse the request instead."), code="not_open")
    now = timezone.now()
    if assignment.clock_paused:
        restart_clock(actor=actor, locked=assignment, at=now)  # its open pause ends, as any pause does
    assignment.status = ASSIGNMENT_LIFECYCLE.require(assignment.status, "withdraw")
    assignment.sla_state, assignment.closed_at, assignment.closed_on = Assignment.SlaState.DONE, now, local_date(now)
    if was_lead:
        assignment.role = Assignment.Role.CO_HANDLING  # one lead per work order: the one named below
    save_as(assignment, actor, update_fields=["status", "sla_state", "closed_at", "closed_on", "role"])
    takes_lead = was_lead and new_lead.pk == new_department.pk
    new_assignment = open_assignment(actor=actor, work_order=work_order, department=new_department, at=now,
                                     role=Assignment.Role.LEAD if takes_lead else Assignment.Role.CO_HANDLING,
                                     calendar=get_calendar())
    if was_lead:
        if not takes_lead:
            lead = others_open.select_for_update().get(department=new_lead)
            lead.role = Assignment.Role.LEAD
            save_as(lead, actor, update_fields=["role"])
        work_order.lead_department = new_lead
        save_as(work_order, actor, update_fields=["lead_department"])
    # The withdrawn assignment's other pending asks have nothing left to decide.
    for other in (DepartmentAsk.objects.select_for_update()
                  .filter(assignment=assignment, status=Status.PENDING).exclude(pk=locked.pk)):
        other.status = DEPARTMENT_ASK_LIFECYCLE.require(other.status, "refuse")
        _decided(actor, other, _("The work moved to another department."), at=now)
    locked.new_assignment = new_assignment
    _decided(actor, locked, ruling, at=now)
    # The enterprise reads where the work went, on the new department's line: no reason, no blame.
    record_event(request=work_order.request, kind=RequestEvent.Kind.REROUTED, actor=actor, assignment=new_assignment,
                 due_date=new_assignment.due_date)
    tell_department(assignment=new_assignment,
                    subject=_("New assignment: %(number)s") % {"number": work_order.request.tracking_number},
                    body=work_order.problem, url=f"/desk/assignments/{new_assignment.pk}/")
    _tell_department_of(locked, subject=_("The center granted your re-route of %(number)s"))


def _tell_department_of(ask: DepartmentAsk, *, subject: str, days: int | None = None) -> None:
    assignment = ask.assignment
    values = {"number": assignment.work_order.request.tracking_number}
    if days is not None:
        values["days"] = days
    tell_department(assignment=assignment, subject=subject % values, body=ask.ruling,
                    url=f"/desk/assignments/{assignment.pk}/#asks")


# --- staff extend directly ----------------------------------------------------------------------

def extend_by_center(*, actor, assignment: Assignment, reason: str, working_days: int | None = None,
                     new_due_date: datetime.date | None = None) -> DepartmentAsk:
    """Center staff give an open assignment more time directly (the admin, the triage page, the
    office-hours minutes): ``working_days`` more (1 to 60), or a later ``new_due_date`` (the minutes'
    date; the working days between are counted). Recorded as an extension granted at once
    (``DepartmentAsk.by_center``) and counted as any granted extension; the due date moves through
    ``move_due_date`` (the enterprise reads the new date and the reason). Atomic; refuses anyone but
    center staff, an empty reason, a finished assignment, and a date not after the current due date.
    The department is told."""
    if not is_center_staff(actor):
        raise WorkOrderError(_("Only center staff extend a due date."), code="forbidden")
    if not (reason or "").strip():
        raise WorkOrderError(_("Say why the due date moves."), code="reason", field="reason")
    if (working_days is None) == (new_due_date is None):
        raise ValueError("Give either working_days or new_due_date.")
    if working_days is not None and (not isinstance(working_days, int)
                                     or not 1 <= working_days <= CENTER_EXTENSION_LIMIT):
        raise WorkOrderError(_("Extend by 1 to %(max)d working days.") % {"max": CENTER_EXTENSION_LIMIT},
                             code="working_days", field="working_days")
    reason = reason.strip()
    with transaction.atomic():
        locked = _locked_with_work_order(assignment.pk)
        ASSIGNMENT_LIFECYCLE.require(locked.status, "move_due_date",
                                     _("The due date of a finished assignment cannot move."), code="not_open")
        if new_due_date is not None:
            if new_due_date <= locked.due_date:
                raise WorkOrderError(_("An extension moves the due date later than %(date)s.")
                                     % {"date": locked.due_date.isoformat()}, code="not_later", field="new_due_date")
            working_days = max(1, get_calendar().working_days_between(locked.due_date, new_due_date))
        now = timezone.now()
        ask = save_as(DepartmentAsk(
            assignment=locked, kind=Kind.EXTENSION, status=Status.GRANTED, by_center=True, text=reason,
            working_days=working_days, working_days_granted=working_days, asked_by=actor, asked_at=now,
            asked_on=local_date(now), decided_by=actor, decided_at=now, decided_on=local_date(now)), actor)
        _extend(actor, locked, working_days, reason, new_due_date=new_due_date)
        record_event(request=locked.work_order.request, kind=RequestEvent.Kind.EXTENSION_GRANTED, actor=actor,
                     assignment=locked, text=_days_text(working_days, reason), public=False, due_date=locked.due_date)
        tell_department(assignment=locked, subject=_("The center gave %(days)d more working days on %(number)s")
                        % {"days": working_days, "number": locked.work_order.request.tracking_number},
                        body=reason, url=f"/desk/assignments/{locked.pk}/#asks")
    assignment.refresh_from_db()
    return ask
