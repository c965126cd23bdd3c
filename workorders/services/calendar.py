"""Entering a year's official holiday schedule, and the due dates it moves.

Until the State Council publishes a year's schedule, due dates over that year are counted on the
package's guess (``workdays.calendar``: provisional). When staff enter the schedule, every open
assignment whose counted days reach into that year keeps its number of working days from the
issue day, now counted on the official calendar: its due date moves through ``move_due_date``
(history, the timeline, the SLA state judged again). An open commitment's date is a date the
department wrote, not a count: it moves only when the schedule makes it a day off, to the next
working day, and its SLA state is judged again. The enterprise is told once per request whose
dates moved.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from workdays.calendar import get_calendar, local_date
from workdays.services import Schedule, record_official_schedule
from workorders.exceptions import WorkOrderError
from workorders.models import (
    OPEN_ASSIGNMENT_STATUSES,
    Assignment,
    Commitment,
    RequestEvent,
    ServiceRequest,
)
from workorders.permissions import is_center_staff
from workorders.services._common import record_event, save_as, tell_enterprise
from workorders.services.clock import move_due_date, sla_state_for


@dataclass
class ScheduleEntered:
    year: int
    days: int
    assignments_moved: list[tuple[Assignment, datetime.date, datetime.date]] = field(default_factory=list)
    commitments_moved: list[tuple[Commitment, datetime.date, datetime.date]] = field(default_factory=list)
    assignments_checked: int = 0


def enter_official_schedule(*, actor, schedule: Schedule, note: str = "",
                            today: datetime.date | None = None) -> ScheduleEntered:
    """Record ``schedule`` as the official calendar of its year and move the stored due dates it
    changes, all in one transaction (a failure leaves the calendar and every date as they were).

    Center staff only (``WorkOrderError`` ``forbidden``). Returns what moved, for the page to say.
    """
    if not is_center_staff(actor):
        raise WorkOrderError(_("Only center staff can enter the official holiday schedule."), code="forbidden")
    today = today or local_date()
    first, last = datetime.date(schedule.year, 1, 1), datetime.date(schedule.year, 12, 31)
    reason = _("The official holiday schedule for %(year)s was entered: the due date keeps its working days, "
               "now counted on it.") % {"year": schedule.year}
    with transaction.atomic():
        before = get_calendar()
        days = record_official_schedule(actor=actor, schedule=schedule, note=note)
        after = get_calendar()
        result = ScheduleEntered(year=schedule.year, days=days)
        touched = (Assignment.objects.select_for_update(of=("self",)).select_related("work_order")
                   .filter(status__in=OPEN_ASSIGNMENT_STATUSES, due_date__gte=first, issued_on__lte=last)
                   .order_by("pk"))
        for assignment in touched:
            result.assignments_checked += 1
            counted = before.working_days_between(assignment.issued_on, assignment.due_date)
            new = after.add_working_days(assignment.issued_on, counted)
            if new != assignment.due_date:
                old = assignment.due_date
                move_due_date(actor=actor, assignment=assignment, reason=reason, new_due_date=new,
                              calendar=after, today=today)
                result.assignments_moved.append((assignment, old, new))
        for commitment in (Commitment.objects.select_for_update().select_related("request")
                           .filter(fulfilled_at__isnull=True, due_date__gte=first, due_date__lte=last)
                           .order_by("pk")):
            old = commitment.due_date
            if before.is_working_day(old) and not after.is_working_day(old):
                new = after.add_working_days(old, 1)
                commitment.due_date = new
                commitment.sla_state = sla_state_for(new, today, calendar=after)
                commitment._change_reason = f"{old.isoformat()} → {new.isoformat()}"
                save_as(commitment, actor, update_fields=["due_date", "sla_state"])
                record_event(request=commitment.request, kind=RequestEvent.Kind.DUE_DATE_MOVED, actor=actor,
                             text=_("Commitment “%(text)s”: %(old)s is a day off in the official schedule; "
                                    "due on the next working day.") % {"text": commitment.text[:60],
                                                                       "old": old.isoformat()},
                             due_date=new)
                result.commitments_moved.append((commitment, old, new))
        _tell_enterprises(result)
    return result


def _tell_enterprises(result: ScheduleEntered) -> None:
    moved: dict[int, list[str]] = defaultdict(list)
    for assignment, old, new in result.assignments_moved:
        moved[assignment.work_order.request_id].append(f"{old.isoformat()} → {new.isoformat()}")
    for commitment, old, new in result.commitments_moved:
        moved[commitment.request_id].append(f"{old.isoformat()} → {new.isoformat()}")
    for request in ServiceRequest.objects.filter(pk__in=list(moved)).select_related("enterprise"):
        tell_enterprise(
            request=request,
            subject=_("Due dates of %(number)s moved with the official holiday schedule")
            % {"number": request.tracking_number},
            body=_("The official holiday schedule for %(year)s was entered. New dates: %(dates)s")
            % {"year": result.year, "dates": "; ".join(moved[request.pk])},
            url=f"/requests/{request.tracking_number}/")
