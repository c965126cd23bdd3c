"""Changes to enterprises and their projects: registering an enterprise account, adding a project."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from center import roles
from projects.models import Enterprise, InvestmentProject
from projects.permissions import acts_for_enterprise

PROJECT_FIELDS = ("name", "town", "address", "industry", "total_investment", "stage", "planned_completion_date")


def register_enterprise(*, name: str, credit_code: str, contact_name: str, contact_mobile: str, contact_email: str,
                        username: str, password: str):
    """Create the enterprise and its first account (in the enterprise-contact group), all or nothing.

    Raises ``ValidationError`` keyed by field (a taken credit code or user name included).
    """
    User = get_user_model()
    enterprise = Enterprise(name=name.strip(), credit_code=credit_code.strip().upper(), contact_name=contact_name.strip(),
                            contact_mobile=contact_mobile.strip(), contact_email=contact_email.strip())
    enterprise.full_clean(exclude=["users"], validate_unique=False)
    try:
        with transaction.atomic():
            if Enterprise.objects.filter(credit_code=enterprise.credit_code).exists():
                raise ValidationError({"credit_code": _("This enterprise is already registered. Ask its contact to add you.")})
            if User.objects.filter(username__iexact=username).exists():
                raise ValidationError({"username": _("This user name is taken.")})
            user = User.objects.create_user(username=username, email=enterprise.contact_email, password=password,
                                            first_name=enterprise.contact_name[:150])
            user.groups.add(Group.objects.get_or_create(name=roles.ENTERPRISE)[0])
            enterprise._history_user = user
            enterprise.save()
            enterprise.users.add(user)
    except IntegrityError:
        # Someone registered the same code or name a moment earlier.
        raise ValidationError({"credit_code": _("This enterprise is already registered. Ask its contact to add you.")})
    return user, enterprise


def add_project(*, actor, enterprise: Enterprise, **fields) -> InvestmentProject:
    """An enterprise's account adds one of its projects. Raises ``ValidationError`` keyed by field."""
    if not acts_for_enterprise(actor, enterprise):
        raise ValidationError(_("You cannot add projects for this enterprise."))
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"unexpected project fields: {sorted(unknown)}")
    project = InvestmentProject(enterprise=enterprise, **fields)
    project.current_completion_date = project.planned_completion_date
    if enterprise.projects.filter(name=project.name).exists():
        raise ValidationError({"name": _("Your enterprise already has a project with this name.")})
    project.full_clean()
    try:
        with transaction.atomic():
            project._history_user = actor
            project.save()
    except IntegrityError:
        raise ValidationError({"name": _("Your enterprise already has a project with this name.")})
    return project
