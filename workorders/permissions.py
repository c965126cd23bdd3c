"""Who may see and do what with requests, work orders, assignments and attachments.

The one source for views, admin and API. Deny by default: each ``*_visible_to`` returns the
rows a user may see (used by lists *and* by detail pages, so both always agree), and each
``is_*``, ``acts_for_*`` or ``can_*`` answers for one object: ``acts_for_enterprise`` (an account
of the enterprise of this row), ``is_officer_of`` and ``is_head_of`` (of this department).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import roles
from departments.models import Department, Officer
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

User = get_user_model()


@dataclass(frozen=True)
class RoleFacts:
    """What a request needs to know of its user's roles, read in one statement (``role_facts``):
    the role groups, the active memberships of active departments ({department id: role}),
    whether a confirmed authenticator app is on the account, and the enterprises it is an account of."""

    groups: frozenset[str]
    memberships: dict
    has_device: bool
    enterprises: tuple[int, ...] = ()


_FACTS = "_center_role_facts"


def _read_role_facts(user_id: int) -> RoleFacts:
    """One UNION ALL over the user's groups, memberships and authenticator apps."""
    groups, users_groups = Group._meta.db_table, User.groups.through._meta.db_table
    officers, departments = Officer._meta.db_table, Department._meta.db_table
    devices = TOTPDevice._meta.db_table
    enterprise_users = Enterprise.users.through._meta.db_table
    sql = (
        f"SELECT 'g', g.name, NULL FROM {groups} g JOIN {users_groups} ug ON ug.group_id = g.id "
        f"WHERE ug.user_id = %s "
        f"UNION ALL SELECT 'o', CAST(o.department_id AS VARCHAR(20)), o.role FROM {officers} o "
        f"JOIN {departments} d ON d.id = o.department_id WHERE o.user_id = %s AND o.is_active AND d.is_active "
        f"UNION ALL SELECT 'd', '', NULL WHERE EXISTS (SELECT 1 FROM {devices} t WHERE t.user_id = %s AND t.confirmed) "
        f"UNION ALL SELECT 'e', CAST(e.enterprise_id AS VARCHAR(20)), NULL FROM {enterprise_users} e WHERE e.user_id = %s"
    )
    group_names, memberships_found, has_device, enterprises = set(), {}, False, []
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id] * 4)
        for kind, value, role in cursor.fetchall():
            if kind == "g":
                group_names.add(value)
            elif kind == "o":
                memberships_found[int(value)] = role
            elif kind == "e":
                enterprises.append(int(value))
            else:
                has_device = True
    return RoleFacts(frozenset(group_names), memberships_found, has_device, tuple(sorted(enterprises)))


def role_facts(user) -> RoleFacts:
    """The user's role facts: those bound to it for the request (``bind_role_facts``, by the
    middleware), else read now (one statement). An inactive or anonymous user has none."""
    if not (user and user.is_authenticated and user.is_active):
        return RoleFacts(frozenset(), {}, False)
    bound = getattr(user, _FACTS, None)
    return bound if bound is not None else _read_role_facts(user.pk)


def bind_role_facts(user) -> RoleFacts:
    """Read the facts once and keep them on this user object for the rest of the request: every
    permission check of the request (middleware, view, service) then costs no statement. A change
    of memberships, groups or devices made during the request counts from the next request."""
    facts = role_facts(user)
    if user and user.is_authenticated and user.is_active:
        setattr(user, _FACTS, facts)
    return facts


def forget_role_facts(user) -> None:
    """Drop the facts bound to this user object (after a change to its own roles in the request)."""
    if user is not None and hasattr(user, _FACTS):
        delattr(user, _FACTS)


def is_center_staff(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or roles.CENTER_STAFF in role_facts(user).groups


def is_leader(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and roles.LEADER in role_facts(user).groups)


def active_memberships(user) -> QuerySet[Officer]:
    """The user's active memberships of active departments as rows (to lock or to read more than
    the department and role); ``memberships`` answers the common questions without a statement."""
    if not (user and user.is_authenticated and user.is_active):
        return Officer.objects.none()
    return Officer.objects.filter(user=user, is_active=True, department__is_active=True)


def department_ids(user) -> list[int]:
    """The active departments the user is an officer or head of."""
    return list(role_facts(user).memberships)


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
    """The enterprises the user is an account of (from the role facts)."""
    return list(role_facts(user).enterprises)


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
    """The user's active departments and the role in each ({department id: role})."""
    return dict(role_facts(user).memberships)


def desk_assignments(user, *, departments: list[int] | None = None) -> QuerySet[Assignment]:
    """The desk shows only the user's own departments' assignments, even for center staff.
    ``departments`` saves the lookup when the caller already has ``department_ids(user)``."""
    ids = department_ids(user) if departments is None else departments
    return Assignment.objects.filter(department_id__in=ids)


def is_officer_of(user, department_id) -> bool:
    """Whether the user is an active officer or head of this (active) department."""
    return department_id is not None and int(department_id) in role_facts(user).memberships


def is_head_of(user, department_id) -> bool:
    """Whether the user is an active head of this (active) department: a head reassigns within it
    and revokes its stamps."""
    return department_id is not None and role_facts(user).memberships.get(int(department_id)) == Officer.Role.HEAD


def may_move_due_date(user, assignment: Assignment) -> bool:
    """Only center staff move a due date (DESIGN.md §4: nobody extends their own work; a department
    asks the center for more working days)."""
    return is_center_staff(user)


def heads_a_department(user) -> bool:
    """Whether the user is an active head of any active department."""
    return Officer.Role.HEAD in role_facts(user).memberships.values()


def can_work_on(user, assignment: Assignment) -> bool:
    """Officers and heads of the assignment's department may reply, ask for material, finish and stamp."""
    return is_officer_of(user, assignment.department_id)


def works_on_the_work_order(user, work_order_id) -> bool:
    """Whether the user is an active officer or head of a department with an assignment on this work
    order (its departments read and write its internal notes). One query."""
    return work_order_id is not None and active_memberships(user).filter(
        department__assignments__work_order_id=work_order_id).exists()


def may_note_on(user, assignment: Assignment) -> bool:
    """Center staff, and the officers and heads of every department on the assignment's work order,
    may add an internal note to it (the services check its status)."""
    return is_center_staff(user) or works_on_the_work_order(user, assignment.work_order_id)


def center_staff_users() -> QuerySet:
    """The active center staff accounts (told of what the departments send the center)."""
    return get_user_model().objects.filter(is_active=True, groups__name=roles.CENTER_STAFF).distinct()


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
