"""Reads for pages, API and tasks. Permission filtering happens here, so a view cannot forget it."""
from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When

from departments.models import Department, Officer
from workorders import permissions, signing
from workorders.models import (
    OPEN_ASSIGNMENT_STATUSES,
    REQUEST_LIFECYCLE,
    RUNNING_ASSIGNMENT_STATUSES,
    Approval,
    Assignment,
    Attachment,
    ClockPause,
    DepartmentAsk,
    ModelCase,
    RequestEvent,
    ServiceRequest,
    WorkOrder,
)
from workorders.services.stamps import approval_payload
from workorders.similarity import similar_case_ids

logger = logging.getLogger(__name__)

WAITING_FOR_TRIAGE = REQUEST_LIFECYCLE.statuses_for("issue")

# Desk order: the most urgent first (the earliest due date, so overdue ones lead); paused ones last,
# since their clock is stopped and their due date will move.
_PAUSED_LAST = Case(When(status=Assignment.Status.PAUSED, then=Value(1)), default=Value(0), output_field=IntegerField())
_URGENCY_ORDER = [_PAUSED_LAST, "due_date", "id"]


def requests_for_enterprise(user, *, enterprises: list[int] | None = None) -> QuerySet[ServiceRequest]:
    """The portal's list: the user's enterprises' requests, newest first, with project and enterprise."""
    return (
        permissions.enterprise_requests(user, enterprises=enterprises)
        .select_related("project", "enterprise")
        .order_by("-submitted_at", "-id")
    )


def request_for_enterprise(user, tracking_number: str) -> ServiceRequest:
    """One request of the user's enterprises, with what its timeline page shows; DoesNotExist otherwise."""
    return (
        permissions.enterprise_requests(user)
        .select_related("project", "enterprise", "work_order", "duplicate_of")
        .get(tracking_number=tracking_number)
    )


def timeline(request: ServiceRequest, *, include_internal: bool = False,
             for_assignment: Assignment | None = None) -> QuerySet[RequestEvent]:
    """The steps of a request with department names and attachments (no officers' data).

    ``include_internal``: every step (the center's view). ``for_assignment``: what that assignment's
    department reads on its desk: the public steps, the internal notes (every department on the
    work order reads them), its own department's internal steps (its asks and their rulings, its
    reassignments, its conclusion) and, for the lead, the co-handlers' conclusions; never another
    co-handler's conclusion or another department's requests to the center."""
    events = request.events.select_related("department").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.only("id", "original_name", "content_type", "size", "event_id"))
    )
    if for_assignment is not None:
        shown = Q(public=True) | Q(kind=RequestEvent.Kind.NOTE) | Q(assignment__department_id=for_assignment.department_id)
        if for_assignment.role == Assignment.Role.LEAD:
            shown |= Q(kind=RequestEvent.Kind.CONCLUSION)
        return events.filter(shown)
    return events if include_internal else events.filter(public=True)


def request_assignments(request: ServiceRequest) -> QuerySet[Assignment]:
    """The departments working on a request with their due dates and state (for the timeline page);
    ``waits_for_third_party`` says that the open pause is not the enterprise's to answer."""
    return (
        Assignment.objects.filter(work_order__request=request)
        .select_related("department")
        .annotate(waits_for_third_party=Exists(ClockPause.objects.filter(
            assignment=OuterRef("pk"), ended_at__isnull=True, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY)))
        .prefetch_related(Prefetch("pauses", queryset=ClockPause.objects.select_related("third_party_department"),
                                   to_attr="all_pauses"))
        .order_by("role", "department__short_code")
    )


def _names_of(pairs) -> dict[tuple[int, int | None], str]:
    """{(user id, department id): the name to show}: an officer's display name in that department, else
    the account's full name or username (center staff). Two queries at most."""
    pairs = {(user_id, department_id) for user_id, department_id in pairs if user_id}
    if not pairs:
        return {}
    user_ids = {user_id for user_id, _department in pairs}
    shown = {(m.user_id, m.department_id): m.display_name
             for m in Officer.objects.filter(user_id__in=user_ids).only("user_id", "department_id", "display_name")}
    users = {u.pk: u.get_full_name() or u.username for u in get_user_model().objects.filter(pk__in=user_ids)}
    return {pair: shown.get(pair) or users.get(pair[0], "") for pair in pairs}


def notes_thread(request: ServiceRequest) -> list[RequestEvent]:
    """The internal notes of a request's work order, oldest first (newest last), each with
    ``author_name`` (the officer's display name in their department, or the staff member's name),
    its ``department`` (the author's unit; none for the center) and the assignment it is on. For the
    desk and the center only: never the enterprise. Three queries."""
    notes = list(request.events.filter(kind=RequestEvent.Kind.NOTE)
                 .select_related("department", "assignment__department").order_by("created_at", "id"))
    names = _names_of((note.created_by_id, note.department_id) for note in notes)
    for note in notes:
        note.author_name = names.get((note.created_by_id, note.department_id), "")
    return notes


def co_handlers_conclusions(assignment: Assignment) -> list[Assignment]:
    """For the lead department's assignment: the co-handling departments' assignments of its work
    order, with their latest conclusion (``reply``, ``replied_at``), ``officer_name`` (who sent it)
    and status, so that the lead writes the one answer with them beside it. Empty for a co-handler's
    assignment. Three queries at most."""
    return work_order_conclusions(assignment.work_order_id) if assignment.role == Assignment.Role.LEAD else []


def work_order_conclusions(work_order_id) -> list[Assignment]:
    """The co-handling departments' assignments of a work order with their conclusions (see
    ``co_handlers_conclusions``), for the lead's desk page and the center's page. Three queries at most."""
    rows = list(Assignment.objects.filter(work_order_id=work_order_id, role=Assignment.Role.CO_HANDLING)
                .select_related("department").order_by("department__short_code", "id"))
    names = _names_of((row.replied_by_id, row.department_id) for row in rows)
    for row in rows:
        row.officer_name = names.get((row.replied_by_id, row.department_id), "")
    return rows


def lead_answer(assignments) -> Assignment | None:
    """Among a request's assignments (``request_assignments``): the lead department's, not re-routed.
    Its ``reply`` is the one answer the enterprise reads (首接负责); co-handlers' replies are their
    conclusions to the lead and are never shown to the enterprise."""
    return next((a for a in assignments if a.role == Assignment.Role.LEAD and a.status != Assignment.Status.WITHDRAWN),
                None)


def with_lead_answer(work_orders: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Work orders annotated with the lead department's answer to the enterprise (``answer``,
    ``answered_at``; None before a lead answered): the API's counterpart of the portal's answer."""
    lead = (Assignment.objects.filter(work_order=OuterRef("pk"), role=Assignment.Role.LEAD)
            .exclude(status=Assignment.Status.WITHDRAWN).exclude(reply="").order_by("-issued_at", "-id"))
    return work_orders.annotate(answer=Subquery(lead.values("reply")[:1]),
                                answered_at=Subquery(lead.values("replied_at")[:1]))


def assignments_for_desk(user, *, include_closed: bool = False, assigned_to_me: bool = False,
                         departments: list[int] | None = None) -> QuerySet[Assignment]:
    """The desk list: the user's departments' assignments, most urgent first, in a constant number of queries."""
    queryset = permissions.desk_assignments(user, departments=departments).select_related(
        "department", "work_order__request__enterprise", "work_order__request__project", "assigned_officer"
    )
    if not include_closed:
        queryset = queryset.filter(status__in=OPEN_ASSIGNMENT_STATUSES)
    if assigned_to_me:
        queryset = queryset.filter(assigned_officer__user=user)
    return queryset.order_by(*_URGENCY_ORDER)


def assignment_for_desk(user, pk: int) -> Assignment:
    """One assignment of the user's departments; DoesNotExist otherwise (a guessed id gives 404)."""
    return assignments_for_desk(user, include_closed=True).select_related("acknowledged_by").get(pk=pk)


def attachment_for(user, pk: int) -> Attachment:
    """An attachment the user may download; DoesNotExist otherwise."""
    return permissions.attachments_visible_to(user).select_related("request").get(pk=pk)


def _for_staff(user) -> QuerySet[ServiceRequest]:
    """Every request for center staff; none for anyone else (the center's pages are theirs alone)."""
    return ServiceRequest.objects.all() if permissions.is_center_staff(user) else ServiceRequest.objects.none()


def triage_queue(user) -> QuerySet[ServiceRequest]:
    """Requests waiting for center staff, oldest first; none for anyone else."""
    return (
        _for_staff(user).filter(status__in=WAITING_FOR_TRIAGE)
        .select_related("enterprise", "project")
        .order_by("submitted_at", "id")
    )


def conditions_to_accept(request: ServiceRequest) -> QuerySet:
    """Commitments that conditional approvals in force ask of the enterprise and that it has not accepted."""
    return (request.commitments.filter(accepted_at__isnull=True, fulfilled_at__isnull=True)
            .exclude(approval__revoked_at__isnull=False)
            .select_related("department", "approval").order_by("due_date", "id"))


def request_commitments(request: ServiceRequest) -> QuerySet:
    return request.commitments.select_related("department").order_by("due_date", "id")


def request_approvals(request: ServiceRequest) -> QuerySet:
    """The stamps on a request's assignments (in force and revoked), without officers' private data."""
    return (
        Approval.objects.filter(assignment__work_order__request=request)
        .select_related("department")
        .only("serial", "decision", "conditions", "opinion", "stamped_at", "revoked_at", "department__name_zh",
              "department__name_en", "department__short_code", "officer_display_name", "assignment_id")
        .order_by("stamped_at")
    )


_ASK_ROWS = ("assignment__department", "assignment__work_order__request__enterprise", "suggested_department",
             "asked_by", "decided_by", "new_assignment__department", "pause")


def pending_asks(user, *, offset: int = 0, limit: int = 50) -> list[DepartmentAsk]:
    """The departments' requests waiting for the center, oldest first, with who asked, the
    assignment, its request and department: one query, at most ``limit + 1`` rows from ``offset``
    (the extra row says there are more). Center staff only: an empty list for anyone else."""
    if not permissions.is_center_staff(user):
        return []
    return list(DepartmentAsk.objects.filter(status=DepartmentAsk.Status.PENDING)
                .select_related("assignment__department", "assignment__work_order__request__enterprise",
                                "suggested_department", "asked_by", "pause")
                .order_by("asked_at", "id")[offset:offset + limit + 1])


def assignment_asks(assignment: Assignment) -> QuerySet[DepartmentAsk]:
    """One assignment's requests to the center, newest first, with their rulings."""
    return assignment.asks.select_related(*_ASK_ROWS).order_by("-asked_at", "-id")


def request_asks(user, request: ServiceRequest) -> QuerySet[DepartmentAsk]:
    """The requests to the center of a request's departments (the triage page), pending first, then
    newest first; only those the user may see."""
    pending_first = Case(When(status=DepartmentAsk.Status.PENDING, then=Value(0)), default=Value(1),
                         output_field=IntegerField())
    return (permissions.asks_visible_to(user).filter(assignment__work_order__request=request)
            .select_related(*_ASK_ROWS, "assignment__work_order").order_by(pending_first, "-asked_at", "-id"))


def ask_for_staff(user, pk: int) -> DepartmentAsk:
    """One ask for center staff (to decide it); DoesNotExist for anyone else."""
    if not permissions.is_center_staff(user):
        raise DepartmentAsk.DoesNotExist
    return DepartmentAsk.objects.select_related(*_ASK_ROWS, "assignment__work_order").get(pk=pk)


def department_workload(user, today) -> list:
    """Per active department with open work: its open assignments, overdue ones (past due, clock
    running), escalated ones and paused ones, most overdue first. One aggregate query over the open
    assignments only (an index holds them by status), one for the departments' names. Center staff
    only: an empty list for anyone else."""
    if not permissions.is_center_staff(user):
        return []
    running = Q(status__in=RUNNING_ASSIGNMENT_STATUSES)
    rows = (Assignment.objects.filter(status__in=OPEN_ASSIGNMENT_STATUSES).values("department_id")
            .annotate(open_count=Count("id"), overdue_count=Count("id", filter=running & Q(due_date__lt=today)),
                      escalated_count=Count("id", filter=running & Q(sla_state=Assignment.SlaState.ESCALATED)),
                      paused_count=Count("id", filter=Q(status=Assignment.Status.PAUSED)))
            .order_by())
    counts = {row.pop("department_id"): row for row in rows}
    departments = Department.objects.filter(pk__in=counts, is_active=True)
    for department in departments:
        for name, value in counts[department.pk].items():
            setattr(department, name, value)
    return sorted(departments, key=lambda d: (-d.overdue_count, -d.open_count, d.short_code))


def request_for_staff(user, tracking_number: str) -> ServiceRequest:
    """One request with what the triage page shows, for center staff; DoesNotExist for anyone else."""
    return _for_staff(user).select_related("enterprise", "project__town", "work_order", "duplicate_of").get(
        tracking_number=tracking_number)


def recent_requests(user, limit: int = 20) -> QuerySet[ServiceRequest]:
    """The latest triaged requests, newest first, for center staff; none for anyone else."""
    return (
        _for_staff(user).exclude(status__in=WAITING_FOR_TRIAGE)
        .select_related("enterprise", "project")
        .order_by("-submitted_at", "-id")[:limit]
    )


def verify_serial(serial: str, token: str | None = None) -> dict:
    """What the public verification page says of a serial: ``status`` is genuine (and in force),
    revoked, unknown, tampered, or unchecked (the key that signed it is missing here: logged as an
    error, never reported as tampered), checked by verifying the stored JWS against our JWKS and comparing
    what it signed with what the stamp says now.

    Serials are sequential, so the details (``payload``, ``approval``, ``revocation``, ``key_id``)
    are returned only with the stamp's verification token from its QR code (compared in constant
    time, ``details`` true); without it, or with a wrong one, only the status and the ``department``
    that signed."""
    approval = (Approval.objects.select_related("department", "assignment__work_order__request__enterprise",
                                                "assignment__work_order__request__project")
                .filter(serial=serial).first())
    if approval is None:
        return {"status": "unknown", "serial": serial}
    expected = approval_payload(approval)
    unchecked = {"status": "unchecked", "serial": serial, "department": approval.department.name_zh, "details": False}
    try:
        signed = signing.verify(approval.signature)
    except signing.MissingKey as missing:
        if missing.kid != approval.key_id:  # signed with a key id the stamp was not made with
            return {"status": "tampered", "serial": serial}
        logger.error("stamp %s cannot be verified: its key %s is missing from the stamp keys", serial, missing.kid)
        return unchecked
    except signing.SigningError:
        return {"status": "tampered", "serial": serial}
    signed_kid = signed.pop("kid", None)
    # The stamp's own row must say exactly what was signed. Names that live elsewhere (enterprise,
    # project, department) may be renamed later; the page shows them as signed.
    own = ("type", "serial", "tracking_number", "decision", "conditions", "opinion", "officer", "time")
    if any(signed.get(key) != expected[key] for key in own) or signed_kid != approval.key_id:
        return {"status": "tampered", "serial": serial}
    result = {"status": "genuine", "serial": serial, "department": signed.get("department", ""),
              "payload": signed, "approval": approval, "key_id": signed_kid}
    if approval.revoked_at is not None:
        try:
            revocation = signing.verify(approval.revocation_signature)
        except signing.MissingKey as missing:
            logger.error("revocation of stamp %s cannot be verified: its key %s is missing", serial, missing.kid)
            return unchecked
        except signing.SigningError:
            return {"status": "tampered", "serial": serial}
        if revocation.get("serial") != serial or revocation.get("type") != "revocation":
            return {"status": "tampered", "serial": serial}
        result.update(status="revoked", revocation=revocation)
    if not has_verification_token(approval, token):
        return {"status": result["status"], "serial": serial, "department": result["department"], "details": False}
    result["details"] = True
    return result


def has_verification_token(approval: Approval, token: str | None) -> bool:
    """Whether ``token`` is this stamp's verification token (constant-time comparison)."""
    stored = approval.verification_token or ""
    return bool(token and stored) and hmac.compare_digest(token.encode(), stored.encode())


def approval_for(user, serial: str):
    """A stamp on a request the user may see (the enterprise, the departments on it, center staff)."""
    return (permissions.approvals_visible_to(user)
            .select_related("department", "membership", "assignment__work_order__request__enterprise",
                            "assignment__work_order__request__project")
            .get(serial=serial))


def similar_cases(service_request: ServiceRequest, *, limit: int = 5) -> list:
    """Resolved model cases most like this request (by its title, description and project), best
    first, each with ``score``, ``departments`` (lead first) and its work order's approach."""
    return similar_cases_for_text("\n".join([service_request.title, service_request.description]), limit=limit)


def similar_cases_for_text(text: str, *, limit: int = 5) -> list:
    """Resolved model cases most like ``text``, best first (see ``similar_cases``). Three queries."""
    ranked = similar_case_ids(text, limit=limit)
    if not ranked:
        return []
    cases = {c.pk: c for c in ModelCase.objects.filter(pk__in=[pk for pk, _s in ranked])
             .select_related("work_order__request__project", "work_order__lead_department")
             .prefetch_related("tags", Prefetch("work_order__assignments",
                                                queryset=Assignment.objects.select_related("department")))}
    result = []
    for pk, score in ranked:
        case = cases.get(pk)
        if case is None:
            continue
        case.score = score
        assignments = sorted(case.work_order.assignments.all(), key=lambda a: (a.role != Assignment.Role.LEAD,
                                                                                a.department.short_code))
        case.departments = [a.department for a in assignments]
        result.append(case)
    return result


def own_assignments_by_work_order(user, work_order_ids) -> dict[int, int]:
    """{work order id: id of the user's department's assignment on it} (one query)."""
    departments = permissions.department_ids(user)
    if not departments or not work_order_ids:
        return {}
    return dict(Assignment.objects.filter(work_order_id__in=set(work_order_ids), department_id__in=departments)
                .values_list("work_order_id", "pk"))


def stamp_key_report() -> dict:
    """The stamp keys as the health check and the start-up check see them: the active key id
    (None: new stamps cannot be signed), how many keys are held, and the key ids that stamps in the
    database were signed with but that are missing here (their verification says "cannot be
    checked"). One query."""
    active = signing.active_key_id()
    known = signing.known_key_ids()
    used = set(Approval.objects.order_by().values_list("key_id", flat=True).distinct())
    missing = sorted(kid for kid in used if kid and kid not in known)
    can_sign = active is not None or bool(settings.CENTER_STAMP_GENERATE_KEYS)
    return {"ok": can_sign and not missing, "active_key_id": active, "keys": len(known), "missing_key_ids": missing}
