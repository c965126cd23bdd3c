"""Changes to enterprises and their projects: registering an enterprise account, adding a project."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import roles
from core.errors import DomainError
from projects.models import Enterprise, InvestmentProject
from projects.permissions import acts_for_enterprise

PROJECT_FIELDS = ("name", "town", "address", "industry", "total_investment", "stage", "planned_completion_date")


def register_enterprise(*, name: str, credit_code: str, contact_name: str, contact_mobile: str, contact_email: str,
                        username: str, password: str):
    """Create the enterprise and its first account (in the enterprise-contact group), all or nothing.

    Raises ``DomainError`` with the field it belongs to (a taken credit code or user name included).
    """
    User = get_user_model()
    enterprise = Enterprise(name=name.strip(), credit_code=credit_code.strip().upper(), contact_name=contact_name.strip(),
                            contact_mobile=contact_mobile.strip(), contact_email=contact_email.strip())
    try:
        enterprise.full_clean(exclude=["users"], validate_unique=False)
    except ValidationError as error:
        raise DomainError.from_validation_error(error)
    try:
        with transaction.atomic():
            if Enterprise.objects.filter(credit_code=enterprise.credit_code).exists():
                raise DomainError(_("This enterprise is already registered. Ask its contact to add you."),
                                  code="registered", field="credit_code")
            if User.objects.filter(username__iexact=username).exists():
                raise DomainError(_("This user name is taken."), code="username_taken", field="username")
            user = User.objects.create_user(username=username, email=enterprise.contact_email, password=password,
                                            first_name=enterprise.contact_name[:150])
            user.groups.add(Group.objects.get_or_create(name=roles.ENTERPRISE)[0])
            enterprise._history_user = user
            enterprise.save()
            enterprise.users.add(user)
    except IntegrityError:
        # Someone registered the same code or name a moment earlier.
        raise DomainError(_("This enterprise is already registered. Ask its contact to add you."),
                          code="registered", field="credit_code")
    return user, enterprise


def add_project(*, actor, enterprise: Enterprise, **fields) -> InvestmentProject:
    """An enterprise's account adds one of its projects, atomically. Raises ``DomainError`` (with the
    field it belongs to) for a stranger, a name the enterprise already uses, or invalid fields."""
    if not acts_for_enterprise(actor, enterprise):
        raise DomainError(_("You cannot add projects for this enterprise."), code="forbidden")
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"unexpected project fields: {sorted(unknown)}")
    project = InvestmentProject(enterprise=enterprise, **fields)
    project.current_completion_date = project.planned_completion_date
    if enterprise.projects.filter(name=project.name).exists():
        raise DomainError(_("Your enterprise already has a project with this name."), code="name_taken", field="name")
    try:
        project.full_clean()
    except ValidationError as error:
        raise DomainError.from_validation_error(error)
    try:
        with transaction.atomic():
            project._history_user = actor
            project.save()
    except IntegrityError:
        raise DomainError(_("Your enterprise already has a project with this name."), code="name_taken", field="name")
    return project
