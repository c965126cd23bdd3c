"""Changes to officer memberships: adding a user to a department, changing a membership.

Each service takes the acting user first, checks ``may_manage_memberships``, runs in one
transaction and records the actor in the membership's history. A membership is never deleted
(approvals and assignments name it): it is deactivated.
"""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from departments.models import Department, Officer
from departments.permissions import may_manage_memberships


def _require(actor, department: Department) -> None:
    if not may_manage_memberships(actor, department):
        raise DomainError(_("Only a superuser can manage officer memberships."), code="forbidden")


def add_membership(*, actor, user, department: Department, display_name: str, role: str = Officer.Role.OFFICER,
                   is_mobile_staff: bool = False, is_active: bool = True) -> Officer:
    """Make ``user`` an officer (or head) of ``department``. Atomic; the history names ``actor``.

    Raises ``DomainError`` (code ``forbidden``) if the actor may not manage the department's memberships,
    and (with its field) for an unknown role, an empty display name or a user who
    is already a member of the department.
    """
    _require(actor, department)
    if role not in Officer.Role.values:
        raise DomainError(_("Choose officer or head."), field="role")
    if not display_name.strip():
        raise DomainError(_("Give the name shown on stamps."), field="display_name")
    membership = Officer(user=user, department=department, role=role, is_mobile_staff=is_mobile_staff,
                         is_active=is_active, display_name=display_name.strip())
    membership._history_user = actor
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise DomainError(_("This user is already a member of this department."), field="user")
    return membership


def change_membership(*, actor, membership: Officer, role: str | None = None, is_mobile_staff: bool | None = None,
                      is_active: bool | None = None, display_name: str | None = None) -> Officer:
    """Change a membership's role, mobile-staff flag, active flag or display name (None: unchanged).

    Atomic, under a row lock; the history names ``actor`` and is written only when something
    changed. The user and the department of a membership never change: add another one instead.
    """
    _require(actor, membership.department)
    if role is not None and role not in Officer.Role.values:
        raise DomainError(_("Choose officer or head."), field="role")
    if display_name is not None and not display_name.strip():
        raise DomainError(_("Give the name shown on stamps."), field="display_name")
    wanted = {"role": role, "is_mobile_staff": is_mobile_staff, "is_active": is_active,
              "display_name": display_name.strip() if display_name is not None else None}
    with transaction.atomic():
        locked = Officer.objects.select_for_update().get(pk=membership.pk)
        changed = [name for name, value in wanted.items() if value is not None and getattr(locked, name) != value]
        for name in changed:
            setattr(locked, name, wanted[name])
        if changed:
            locked._history_user = actor
            locked.save(update_fields=changed)
    return locked
