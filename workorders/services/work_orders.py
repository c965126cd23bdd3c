"""Issuing a work order for a request: one assignment per department, due dates stored."""
from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from workdays.calendar import get_calendar, local_date
from workorders.exceptions import WorkOrderError
from workorders.models import REQUEST_LIFECYCLE, Assignment, ServiceRequest, WorkOrder
from workorders.permissions import is_center_staff
from workorders.services.clock import sla_state_for, sla_working_days_for
from workorders.services._common import save_as


def issue_work_order(
    *,
    actor,
    request: ServiceRequest,
    lead_department: Department,
    co_departments: Sequence[Department] = (),
    problem: str = "",
    proposed_approach: str = "",
    needs_consultation: bool = False,
    at: datetime.datetime | None = None,
) -> WorkOrder:
    """Issue the work order of a submitted request to its lead and co-handling departments.

    Atomic; locks the request row, so a double issue creates one work order. Each department gets
    one assignment due ``sla_working_days_for(request.kind)`` working days after the issue date.
    Raises ``WorkOrderError`` when the actor is not center staff, the request is not waiting for
    triage, has no project, or no lead department. History names the actor.
    """
    if not is_center_staff(actor):
        raise WorkOrderError(_("Only center staff can issue work orders."), code="forbidden")
    at = at or timezone.now()
    departments = [lead_department, *[d for d in co_departments if d.pk != lead_department.pk]]
    if len({d.pk for d in departments}) != len(departments):
        raise WorkOrderError(_("Each department can be chosen only once."), code="duplicate_department")
    with transaction.atomic():
        locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
        issued = REQUEST_LIFECYCLE.require(locked.status, "issue",
                                           _("A work order can be issued only for a request waiting for triage."),
                                           code="not_submitted")
        if locked.project_id is None:
            raise WorkOrderError(_("Link the request to its project before issuing a work order."), code="no_project")
        work_order = WorkOrder(
            request=locked,
            problem=problem or locked.description,
            proposed_approach=proposed_approach,
            lead_department=lead_department,
            needs_consultation=needs_consultation,
            issued_by=actor,
            issued_at=at,
        )
        work_order._history_user = actor
        work_order.save()
        calendar = get_calendar()
        for department in departments:
            open_assignment(actor=actor, work_order=work_order, department=department, at=at, calendar=calendar,
                            role=Assignment.Role.LEAD if department.pk == lead_department.pk
                            else Assignment.Role.CO_HANDLING)
        locked.status = issued
        locked._history_user = actor
        locked.save(update_fields=["status"])
    request.refresh_from_db()
    return work_order


def open_assignment(*, actor, work_order: WorkOrder, department: Department, role: str,
                    at: datetime.datetime, calendar=None) -> Assignment:
    """A new assignment of ``work_order`` with its own clock from ``at``: due
    ``sla_working_days_for(kind)`` working days after the issue date (the original clock the same),
    its acknowledgement due ``CENTER_ACK_WORKING_DAYS`` working days after issue. For services that
    hold the work order in their transaction and have checked who acts (issuing, a re-route)."""
    calendar = calendar or get_calendar()
    issued_on = local_date(at)
    working_days = sla_working_days_for(work_order.request.kind)
    due_date = calendar.add_working_days(issued_on, working_days)
    assignment = Assignment(
        work_order=work_order, department=department, role=role, issued_at=at, issued_on=issued_on,
        sla_working_days=working_days, due_date=due_date, original_due_date=due_date,
        sla_state=sla_state_for(due_date, issued_on, calendar=calendar),
        ack_due_on=calendar.add_working_days(issued_on, settings.CENTER_ACK_WORKING_DAYS),
    )
    return save_as(assignment, actor)
