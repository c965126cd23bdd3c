"""Stamps: a department's signed decision on its assignment, its revocation, and the commitments a
conditional approval asks of the enterprise."""
from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Officer
from workdays.calendar import local_date
from workorders import signing
from workorders.exceptions import WorkOrderError
from workorders.models import ASSIGNMENT_LIFECYCLE, Approval, Assignment, Commitment, RequestEvent, StampCounter
from workorders.permissions import acts_for_enterprise, active_memberships, can_work_on, is_head_of, is_officer_of
from workorders.services._common import record_event, save_as, tell_department, tell_enterprise



def next_serial(department, year: int) -> str:
    """The department's next serial for the year, e.g. ``JT-2026-000042``. Must run inside the
    caller's transaction: the counter row stays locked until it commits, so concurrent stamps of one
    department queue up and get consecutive numbers, and a rolled-back stamp gives its number back."""
    StampCounter.objects.bulk_create([StampCounter(department=department, year=year)], ignore_conflicts=True)
    counter = StampCounter.objects.select_for_update().get(department=department, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{department.short_code.upper()}-{year}-{counter.last:06d}"


def _display_name(actor, department_id) -> str:
    officer = Officer.objects.filter(user=actor, department_id=department_id, is_active=True).first()
    return officer.display_name if officer else (actor.get_full_name() or actor.get_username())


def approval_payload(approval: Approval) -> dict:
    """What a stamp says, and all that its signature covers (the key id is added when signing)."""
    request = approval.assignment.work_order.request
    return {
        "type": "approval",
        "serial": approval.serial,
        "tracking_number": request.tracking_number,
        "project": request.project.name if request.project_id else "",
        "enterprise": request.enterprise.name,
        "department": approval.department.name_zh,
        "decision": approval.decision,
        "conditions": approval.conditions,
        "opinion": approval.opinion,
        "officer": approval.officer_display_name,
        "time": timezone.localtime(approval.stamped_at).isoformat(timespec="seconds"),
    }


def revocation_payload(approval: Approval, revoked_by_name: str) -> dict:
    return {
        "type": "revocation",
        "serial": approval.serial,
        "department": approval.department.name_zh,
        "reason": approval.revocation_reason,
        "by": revoked_by_name,
        "time": timezone.localtime(approval.revoked_at).isoformat(timespec="seconds"),
    }


def stamp_assignment(*, actor, assignment: Assignment, decision: str, conditions: str = "", opinion: str = "",
                     commitment_due_date: datetime.date | None = None) -> Approval:
    """An officer or head of the assignment's department stamps it: approved, approved with
    conditions (conditions required, and the date the enterprise must meet them by) or declined.

    Gives the next serial of the department and year, signs the stamp (JWS, EdDSA), and for a
    conditional approval opens a commitment for the enterprise to accept. One stamp in force per
    assignment. The stamp records the actor's active membership of the department that allowed it
    (locked, so that a membership ended meanwhile cannot sign) and gets a random verification token
    for its QR code. Atomic; tells the enterprise. Raises ``WorkOrderError``.
    """
    if not can_work_on(actor, assignment):
        raise WorkOrderError(_("This assignment belongs to another department."), code="forbidden")
    if decision not in Approval.Decision.values:
        raise WorkOrderError(_("Choose the decision."), code="decision", field="decision")
    conditions = conditions.strip()
    if decision == Approval.Decision.CONDITIONAL:
        if not conditions:
            raise WorkOrderError(_("Write the conditions of the approval."), code="conditions", field="conditions")
        if commitment_due_date is None or commitment_due_date <= local_date():
            raise WorkOrderError(_("Give a future date by which the conditions must be met."), code="due",
                                 field="commitment_due_date")
    elif conditions:
        raise WorkOrderError(_("Conditions go with an approval with conditions only."), code="conditions",
                             field="conditions")
    try:
        with transaction.atomic():
            locked = (Assignment.objects.select_for_update(of=("self",))
                      .select_related("department", "work_order__request__enterprise", "work_order__request__project")
                      .get(pk=assignment.pk))
            # The membership that signs: the same check as can_work_on, under a lock, and kept on the stamp.
            membership = (active_memberships(actor).select_for_update(of=("self",))
                          .filter(department_id=locked.department_id).first())
            if membership is None:
                raise WorkOrderError(_("This assignment belongs to another department."), code="forbidden")
            ASSIGNMENT_LIFECYCLE.require(locked.status, "stamp", _("This assignment cannot be stamped."))
            if locked.approvals.filter(revoked_at__isnull=True).exists():
                raise WorkOrderError(_("This assignment already carries a stamp in force."), code="stamped")
            now = timezone.now()
            approval = Approval(
                assignment=locked, department=locked.department, decision=decision, conditions=conditions,
                opinion=opinion.strip(), officer=actor, membership=membership,
                officer_display_name=membership.display_name,
                stamped_at=now, serial=next_serial(locked.department, timezone.localtime(now).year),
            )
            approval.signature, approval.key_id = signing.sign(approval_payload(approval))
            save_as(approval, actor)
            request = locked.work_order.request
            record_event(request=request, kind=RequestEvent.Kind.STAMPED, actor=actor, assignment=locked,
                         text=f"{approval.serial} {approval.get_decision_display()} {conditions}".strip())
            if decision == Approval.Decision.CONDITIONAL:
                save_as(Commitment(request=request, approval=approval, department=locked.department,
                                   kind=Commitment.Kind.CONDITIONAL_APPROVAL, text=conditions,
                                   due_date=commitment_due_date), actor)
            tell_enterprise(request=request, subject=_("%(department)s stamped %(number)s: %(decision)s") % {
                "department": locked.department.name_zh, "number": request.tracking_number,
                "decision": approval.get_decision_display()}, body=conditions or approval.opinion,
                url=f"/requests/{request.tracking_number}/")
    except IntegrityError:
        # The partial unique index "one stamp in force" caught a concurrent second stamp.
        raise WorkOrderError(_("This assignment already carries a stamp in force."), code="stamped")
    return approval


def revoke_approval(*, actor, approval: Approval, reason: str) -> Approval:
    """A head of the stamp's department revokes it with a reason; the revocation is signed too.
    Atomic; an officer (not head) is refused, as is a second revocation."""
    if not is_head_of(actor, approval.assignment.department_id):
        raise WorkOrderError(_("Only a head of the department that stamped can revoke it."), code="forbidden")
    if not reason.strip():
        raise WorkOrderError(_("Give the reason for revoking."), code="reason", field="reason")
    with transaction.atomic():
        locked = Approval.objects.select_for_update(of=("self",)).select_related("department", "assignment__work_order__request").get(
            pk=approval.pk)
        if locked.revoked_at is not None:
            raise WorkOrderError(_("This stamp is already revoked."), code="revoked")
        locked.revoked_at, locked.revoked_by, locked.revocation_reason = timezone.now(), actor, reason.strip()
        locked.revocation_signature, _kid = signing.sign(
            revocation_payload(locked, _display_name(actor, locked.department_id)))
        save_as(locked, actor)
        request = locked.assignment.work_order.request
        record_event(request=request, kind=RequestEvent.Kind.REVOKED, actor=actor, assignment=locked.assignment,
                     text=f"{locked.serial}: {locked.revocation_reason}")
        tell_enterprise(request=request, subject=_("Stamp %(serial)s revoked") % {"serial": locked.serial},
                        body=locked.revocation_reason, url=f"/requests/{request.tracking_number}/")
    return locked


def accept_commitment(*, actor, commitment: Commitment, pledge: str) -> Commitment:
    """The enterprise accepts the conditions with a written pledge. Atomic; once."""
    request = commitment.request
    if not acts_for_enterprise(actor, request):
        raise WorkOrderError(_("You cannot answer for this request."), code="forbidden")
    if not pledge.strip():
        raise WorkOrderError(_("Write what your enterprise commits to."), code="empty", field="pledge")
    with transaction.atomic():
        locked = Commitment.objects.select_for_update(of=("self",)).select_related("approval").get(pk=commitment.pk)
        if not locked.can_be_accepted:
            if locked.accepted_at is not None:
                raise WorkOrderError(_("These conditions have already been accepted."), code="already_accepted")
            raise WorkOrderError(_("Only an approval with conditions in force can be accepted."), code="revoked")
        locked.accepted_at, locked.accepted_by, locked.pledge = timezone.now(), actor, pledge.strip()
        save_as(locked, actor, update_fields=["accepted_at", "accepted_by", "pledge"])
        assignment = locked.approval.assignment if locked.approval_id else None
        record_event(request=request, kind=RequestEvent.Kind.COMMITTED, actor=actor, assignment=assignment,
                     text=locked.pledge, due_date=locked.due_date)
        if assignment is not None:
            tell_department(assignment=assignment,
                            subject=_("Conditions accepted for %(number)s") % {"number": request.tracking_number},
                            body=locked.pledge, url=f"/desk/assignments/{assignment.pk}/")
    return locked


def fulfil_commitment(*, actor, commitment: Commitment) -> Commitment:
    """The department that set the commitment records that the enterprise met it. Atomic; once."""
    if not is_officer_of(actor, commitment.department_id):
        raise WorkOrderError(_("Only the department that set it can record this."), code="forbidden")
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if not locked.can_be_fulfilled:
            raise WorkOrderError(_("Already recorded as fulfilled."), code="fulfilled")
        locked.fulfilled_at, locked.sla_state = timezone.now(), Assignment.SlaState.DONE
        save_as(locked, actor, update_fields=["fulfilled_at", "sla_state"])
        record_event(request=locked.request, kind=RequestEvent.Kind.FULFILLED, actor=actor, text=locked.text)
    return locked
