"""What center staff do with incoming requests: link, issue, flag, reject, merge."""
from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from departments.models import Department
from projects.models import InvestmentProject
from workorders.exceptions import WorkOrderError
from workorders.models import REQUEST_LIFECYCLE, WORK_ORDER_LIFECYCLE, RequestEvent, ServiceRequest, WorkOrder
from workorders.permissions import is_center_staff
from workorders.services._common import record_event, save_as, tell_department, tell_enterprise
from workorders.services.work_orders import issue_work_order


def _require_staff(actor):
    if not is_center_staff(actor):
        raise WorkOrderError(_("Only center staff can triage requests."), code="forbidden")


def _locked_for(request: ServiceRequest, event: str) -> tuple[ServiceRequest, str]:
    """The request locked, and the status the triage ``event`` leads it to (only a request waiting
    for triage allows one)."""
    locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    return locked, REQUEST_LIFECYCLE.require(locked.status, event, _("This request has already been triaged."),
                                             code="not_submitted")


def link_project(*, actor, request: ServiceRequest, project: InvestmentProject) -> ServiceRequest:
    """Link a waiting request to a project of the same enterprise. Atomic."""
    _require_staff(actor)
    if project.enterprise_id != request.enterprise_id:
        raise WorkOrderError(_("The project belongs to another enterprise."), code="foreign_project", field="project")
    with transaction.atomic():
        locked, _same = _locked_for(request, "link_project")
        locked.project = project
        save_as(locked, actor, update_fields=["project"])
        record_event(request=locked, kind=RequestEvent.Kind.PROJECT_LINKED, actor=actor, text=project.name)
    request.refresh_from_db()
    return request


def triage_and_issue(
    *,
    actor,
    request: ServiceRequest,
    lead_department: Department,
    co_departments: Sequence[Department] = (),
    problem: str = "",
    proposed_approach: str = "",
    needs_consultation: bool = False,
) -> WorkOrder:
    """Issue the work order (one assignment per department, due dates stored), record it on the
    timeline and tell the enterprise and the departments. Atomic; a second call is refused."""
    _require_staff(actor)
    with transaction.atomic():
        work_order = issue_work_order(
            actor=actor, request=request, lead_department=lead_department, co_departments=co_departments,
            problem=problem, proposed_approach=proposed_approach, needs_consultation=needs_consultation,
        )
        assignments = list(work_order.assignments.select_related("department", "assigned_officer__user"))
        names = "、".join(a.department.name_zh for a in assignments)
        record_event(request=request, kind=RequestEvent.Kind.ISSUED, actor=actor, text=names,
                     due_date=assignments[0].due_date)
        if needs_consultation:
            record_event(request=request, kind=RequestEvent.Kind.CONSULTATION, actor=actor)
        tell_enterprise(
            request=request,
            subject=_("Work order issued for %(number)s") % {"number": request.tracking_number},
            body=_("Departments now working on it: %(names)s.") % {"names": names},
            url=f"/requests/{request.tracking_number}/",
        )
        for assignment in assignments:
            tell_department(
                assignment=assignment,
                subject=_("New work order %(number)s") % {"number": request.tracking_number},
                body=_("Due %(date)s.") % {"date": assignment.due_date.isoformat()},
                url=f"/desk/assignments/{assignment.pk}/",
            )
    return work_order


def flag_for_consultation(*, actor, work_order: WorkOrder, flagged: bool = True) -> WorkOrder:
    """Flag (or unflag) a work order for a consultation at the next office hours. Atomic, idempotent."""
    _require_staff(actor)
    with transaction.atomic():
        locked = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
        WORK_ORDER_LIFECYCLE.require(locked.status, "flag_for_consultation",
                                     _("Only an open work order can be flagged for consultation."))
        if locked.needs_consultation != flagged:
            locked.needs_consultation = flagged
            save_as(locked, actor, update_fields=["needs_consultation"])
            if flagged:
                record_event(request=locked.request, kind=RequestEvent.Kind.CONSULTATION, actor=actor)
    work_order.refresh_from_db()
    return work_order


def reject_request(*, actor, request: ServiceRequest, reason: str) -> ServiceRequest:
    """Reject a waiting request with a reason the enterprise sees. Atomic."""
    _require_staff(actor)
    if not reason.strip():
        raise WorkOrderError(_("Give the reason the enterprise will read."), code="reason", field="reason")
    with transaction.atomic():
        locked, rejected = _locked_for(request, "reject")
        locked.status, locked.decision_reason = rejected, reason.strip()
        save_as(locked, actor, update_fields=["status", "decision_reason"])
        record_event(request=locked, kind=RequestEvent.Kind.REJECTED, actor=actor, text=locked.decision_reason)
        tell_enterprise(request=locked, subject=_("Request %(number)s was not accepted") % {"number": locked.tracking_number},
                        body=locked.decision_reason, url=f"/requests/{locked.tracking_number}/")
    request.refresh_from_db()
    return request


def merge_request(*, actor, request: ServiceRequest, into: ServiceRequest, reason: str) -> ServiceRequest:
    """Merge a waiting duplicate into another request of the same enterprise, with a reason. Atomic."""
    _require_staff(actor)
    if into.pk == request.pk or into.enterprise_id != request.enterprise_id:
        raise WorkOrderError(_("Merge only into another request of the same enterprise."), code="merge_target", field="into")
    if not REQUEST_LIFECYCLE.allows(into.status, "receive_merge"):
        raise WorkOrderError(_("That request is closed; choose an open one."), code="merge_target", field="into")
    if not reason.strip():
        raise WorkOrderError(_("Give the reason the enterprise will read."), code="reason", field="reason")
    with transaction.atomic():
        locked, merged = _locked_for(request, "merge")
        locked.status, locked.duplicate_of, locked.decision_reason = merged, into, reason.strip()
        save_as(locked, actor, update_fields=["status", "duplicate_of", "decision_reason"])
        record_event(request=locked, kind=RequestEvent.Kind.MERGED, actor=actor,
                     text=f"{into.tracking_number}: {locked.decision_reason}")
        tell_enterprise(request=locked, subject=_("Request %(number)s merged into %(other)s")
                        % {"number": locked.tracking_number, "other": into.tracking_number},
                        body=locked.decision_reason, url=f"/requests/{into.tracking_number}/")
    request.refresh_from_db()
    return request
