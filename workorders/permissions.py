"""Who may see and do what with requests, work orders, assignments and attachments.

The one source for views, admin and API. Deny by default: each ``*_visible_to`` returns the
rows a user may see (used by lists *and* by detail pages, so both always agree), and each
``is_*``, ``acts_for_*`` or ``can_*`` answers for one object: ``acts_for_enterprise`` (an account
of the enterprise of this row), ``is_officer_of`` and ``is_head_of`` (of this department).
"""
from __future__ import annotations

from django.db.models import Q, QuerySet

from core import roles
from departments.models import Officer
from projects.models import Enterprise, InvestmentProject
from projects.permissions import acts_for_enterprise  # noqa: F401 - the one check, owned by projects; used from here
from projects.selectors import enterprises_of, project_choices
from workorders.models import (
    Approval,
    Assignment,
    Attachment,
    Commitment,
    DepartmentAsk,
    ModelCase,
    ServiceRequest,
    WorkOrder,
)


def is_center_staff(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=roles.CENTER_STAFF).exists()


def is_leader(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.groups.filter(name=roles.LEADER).exists())


def active_memberships(user) -> QuerySet[Officer]:
    if not (user and user.is_authenticated and user.is_active):
        return Officer.objects.none()
    return Officer.objects.filter(user=user, is_active=True, department__is_active=True)


def department_ids(user) -> list[int]:
    """The active departments the user is an officer or head of (one query)."""
    return list(active_memberships(user).values_list("department_id", flat=True))


def requests_visible_to(user) -> QuerySet[ServiceRequest]:
    """Enterprise contacts: their enterprises' requests. Officers: requests their department works on.
    Center staff: all. Everyone else (a district leader too: leaders see aggregates, not files): none."""
    if not (user and user.is_authenticated and user.is_active):
        return ServiceRequest.objects.none()
    if is_center_staff(user):
        return ServiceRequest.objects.all()
    departments = department_ids(user)
    condition = Q(enterprise__users=user)
    if departments:
        condition |= Q(work_order__assignments__department_id__in=departments)
    return ServiceRequest.objects.filter(condition).distinct()


def enterprise_ids(user) -> list[int]:
    """The enterprises the user is an account of (one small query)."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    return list(Enterprise.users.through.objects.filter(user_id=user.pk).values_list("enterprise_id", flat=True))


def enterprise_requests(user, *, enterprises: list[int] | None = None) -> QuerySet[ServiceRequest]:
    """The requests of the user's own enterprises (the portal shows only these).

    Filters by the enterprises' ids as constants (not a join), so that the planner reads one
    enterprise's newest requests straight from the (enterprise, submitted_at) index.
    """
    ids = enterprise_ids(user) if enterprises is None else enterprises
    return ServiceRequest.objects.filter(enterprise_id__in=ids) if ids else ServiceRequest.objects.none()


def assignments_visible_to(user) -> QuerySet[Assignment]:
    """Officers and heads: their departments' assignments. Center staff: all."""
    if not (user and user.is_authenticated and user.is_active):
        return Assignment.objects.none()
    if is_center_staff(user):
        return Assignment.objects.all()
    return Assignment.objects.filter(department_id__in=department_ids(user))


def memberships(user) -> dict[int, str]:
    """The user's active departments and the role in each ({department id: role}), in one query."""
    return dict(active_memberships(user).values_list("department_id", "role"))


def desk_assignments(user, *, departments: list[int] | None = None) -> QuerySet[Assignment]:
    """The desk shows only the user's own departments' assignments, even for center staff.
    ``departments`` saves the lookup when the caller already has ``department_ids(user)``."""
    ids = department_ids(user) if departments is None else departments
    return Assignment.objects.filter(department_id__in=ids)


def is_officer_of(user, department_id) -> bool:
    """Whether the user is an active officer or head of this (active) department. One query."""
    return department_id is not None and active_memberships(user).filter(department_id=department_id).exists()


def is_head_of(user, department_id) -> bool:
    """Whether the user is an active head of this (active) department: a head reassigns within it
    and revokes its stamps. One query."""
    return department_id is not None and active_memberships(user).filter(
        department_id=department_id, role=Officer.Role.HEAD).exists()


def may_move_due_date(user, assignment: Assignment) -> bool:
    """Only center staff move a due date (DESIGN.md §4: nobody extends their own work; a department
    asks the center for more working days)."""
    return is_center_staff(user)


def heads_a_department(user) -> bool:
    """Whether the user is an active head of any active department."""
    return active_memberships(user).filter(role=Officer.Role.HEAD).exists()


def can_work_on(user, assignment: Assignment) -> bool:
    """Officers and heads of the assignment's department may reply, ask for material, finish and stamp."""
    return is_officer_of(user, assignment.department_id)


def asks_visible_to(user) -> QuerySet[DepartmentAsk]:
    """A department's requests to the center: its officers and heads see their departments' asks,
    center staff all; nobody else any (leaders read the counts, the enterprise the outcomes)."""
    if not (user and user.is_authenticated and user.is_active):
        return DepartmentAsk.objects.none()
    if is_center_staff(user):
        return DepartmentAsk.objects.all()
    return DepartmentAsk.objects.filter(assignment__department_id__in=department_ids(user))


def attachments_visible_to(user) -> QuerySet[Attachment]:
    """An attachment is seen by whoever may see its request."""
    return Attachment.objects.filter(request__in=requests_visible_to(user).values("pk"))


def work_orders_visible_to(user) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(request__in=requests_visible_to(user).values("pk"))


def approvals_visible_to(user) -> QuerySet[Approval]:
    """Stamps on the requests the user may see (the enterprise, the departments on it, center staff)."""
    return Approval.objects.filter(assignment__work_order__request__in=requests_visible_to(user).values("pk"))


def commitments_visible_to(user) -> QuerySet[Commitment]:
    """Commitments of the requests the user may see."""
    return Commitment.objects.filter(request__in=requests_visible_to(user).values("pk"))


def enterprises_visible_to(user) -> QuerySet[Enterprise]:
    """Center staff: every enterprise. An enterprise's accounts: their own. Everyone else: none."""
    return Enterprise.objects.all() if is_center_staff(user) else enterprises_of(user)


def projects_visible_to(user) -> QuerySet[InvestmentProject]:
    """Center staff: every project. An enterprise's accounts: their enterprises' projects. Everyone else: none."""
    return InvestmentProject.objects.all() if is_center_staff(user) else project_choices(user)


def sees_office_hours(user) -> bool:
    """Center staff, district leaders and department members see the sessions and their agendas."""
    return is_center_staff(user) or is_leader(user) or bool(department_ids(user))


def can_view_dashboards(user) -> bool:
    """The leader's dashboard: district leaders (read-only) and center staff."""
    return is_center_staff(user) or is_leader(user)


def sees_model_cases(user) -> bool:
    """Model cases (precedents, naming other enterprises): center staff, leaders and department members."""
    return is_center_staff(user) or is_leader(user) or bool(department_ids(user))


def model_cases_visible_to(user) -> QuerySet[ModelCase]:
    """Every model case for those who ``sees_model_cases``; none for anyone else."""
    return ModelCase.objects.all() if sees_model_cases(user) else ModelCase.objects.none()
