"""Reads of enterprises and projects for the portal; only the user's own enterprises' rows."""
from django.db.models import Count, QuerySet

from projects.models import Enterprise, InvestmentProject


def enterprises_of(user) -> QuerySet[Enterprise]:
    if not (user and user.is_authenticated and user.is_active):
        return Enterprise.objects.none()
    return Enterprise.objects.filter(users=user)


def project_choices(user) -> QuerySet[InvestmentProject]:
    """The projects of the user's enterprises, by name (for choosing one in a form)."""
    if not (user and user.is_authenticated and user.is_active):
        return InvestmentProject.objects.none()
    return InvestmentProject.objects.filter(enterprise__users=user).select_related("enterprise").order_by("name", "id")


def projects_of(user) -> QuerySet[InvestmentProject]:
    """The projects of the user's enterprises with their town and request count, by name (the list page)."""
    return project_choices(user).select_related("town").annotate(request_count=Count("requests"))
