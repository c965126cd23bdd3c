"""Reads of departments and memberships for the admin and the heads' members page."""
from __future__ import annotations

from django.db.models import QuerySet

from departments.models import Department, Officer
from departments.permissions import heads, is_center_staff_account


def departments_managed_by(user) -> QuerySet[Department]:
    """The departments whose memberships ``user`` may manage (``may_manage_memberships`` is true for
    each, and for no other): every department for a superuser; the active departments a user heads,
    unless they are center staff; none for anyone else."""
    if not (user and user.is_authenticated and user.is_active):
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    if is_center_staff_account(user):
        return Department.objects.none()
    return Department.objects.filter(pk__in=heads(user).values("department_id"))


def heads_departments(user) -> QuerySet[Department]:
    """The departments whose members page ``user`` sees: the active departments they head and may
    manage (a superuser who heads none manages memberships in the admin)."""
    return departments_managed_by(user).filter(pk__in=heads(user).values("department_id"))


def memberships_of(department: Department) -> QuerySet[Officer]:
    """A department's memberships, active ones first, heads before officers, by display name."""
    return (Officer.objects.filter(department=department).select_related("user")
            .order_by("-is_active", "role", "display_name", "pk"))
