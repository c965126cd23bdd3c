"""Acknowledgement (签收): a department says it has received its assignment.

Recorded and chased (the SLA sweep tells the department's heads and center staff once when it is
late), but it moves no date: the clock runs from issue whatever the department does.
"""
from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from workdays.calendar import WorkCalendar, get_calendar
from workorders.exceptions import WorkOrderError
from workorders.models import ASSIGNMENT_LIFECYCLE, Assignment, RequestEvent
from workorders.permissions import can_work_on
from workorders.services._common import record_event, save_as

ACKNOWLEDGEMENT_FIELDS = ("acknowledged_at", "acknowledged_by", "ack_working_hours")


def acknowledge_assignment(*, actor, assignment: Assignment, at: datetime.datetime | None = None) -> Assignment:
    """Acknowledge the assignment for its department, once.

    Officers and heads of the assignment's department only (``can_work_on``); an open assignment
    only (the lifecycle's ``acknowledge``). Atomic; locks the row. Stores who and when, and the
    working hours since issue (``WorkCalendar.working_hours_between``); records an internal step on
    the timeline (the enterprise does not see it); history names the actor. A second
    acknowledgement is refused (code ``already_acknowledged``) and changes nothing. Notifies no one.
    """
    if not can_work_on(actor, assignment):
        raise WorkOrderError(_("Only an officer or head of this department can acknowledge it."), code="forbidden")
    at = at or timezone.now()
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("work_order__request").get(pk=assignment.pk)
        if locked.acknowledged_at is not None:
            raise WorkOrderError(
                _("This assignment was already acknowledged on %(when)s.") % {
                    "when": formats.date_format(timezone.localtime(locked.acknowledged_at), "Y-m-d H:i")},
                code="already_acknowledged")
        fields = note_acknowledgement(actor=actor, locked=locked, at=at)
        save_as(locked, actor, update_fields=list(fields))
    assignment.refresh_from_db()
    return assignment


def note_acknowledgement(*, actor, locked: Assignment, at: datetime.datetime,
                         calendar: WorkCalendar | None = None) -> tuple[str, ...]:
    """The acknowledgement itself, for services that have checked that ``actor`` works on the
    assignment and hold ``locked`` under ``select_for_update`` (with its work order's request) in
    their transaction: replying, asking for material, pausing for a third party and finishing count
    as acknowledging when it was not done yet. Sets the fields on ``locked`` without saving it and
    records the internal timeline step; returns the fields to save (none when it was acknowledged
    already). Refuses an assignment that is not open (the lifecycle's ``acknowledge``)."""
    if locked.acknowledged_at is not None:
        return ()
    ASSIGNMENT_LIFECYCLE.require(locked.status, "acknowledge", _("Only an open assignment can be acknowledged."),
                                 code="not_open")
    hours = (calendar or get_calendar()).working_hours_between(locked.issued_at, at)
    locked.acknowledged_at, locked.acknowledged_by = at, actor
    locked.ack_working_hours = Decimal(hours).quantize(Decimal("0.1"))
    record_event(request=locked.work_order.request, kind=RequestEvent.Kind.ACKNOWLEDGED, actor=actor,
                 assignment=locked, public=False)
    return ACKNOWLEDGEMENT_FIELDS
