"""The lists' filters. A filter by id (enterprise, project, town, department) filters by the number
given, never by a lookup of the row: an id that exists but is someone else's and an id that exists
nowhere both give an empty list, so the answers tell nothing about which ids exist; only a value
that is not a whole number is refused (400, the field named)."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ValidationError

from center.models import DepartmentMonth
from workorders.models import Assignment, ServiceRequest, WorkOrder


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """Rows whose foreign key ``field_name`` is the given id."""
    field_class = forms.IntegerField
SEARCH_MAX_TERMS = 10
SEARCH_MAX_CHARACTERS = 200


class BoundedSearchFilter(filters.SearchFilter):
    """DRF's ``?search=`` on every list that searches (DEFAULT_FILTER_BACKENDS), with its size
    bounded where it is parsed: each term is an OR over the view's fields, so 1,900 terms built a
    query SQLite refused ("Expression tree is too large") and PostgreSQL ran slowly. Past the bounds,
    a 400 in the API's error format."""

    def get_search_terms(self, request):
        value = request.query_params.get(self.search_param, "")
        if len(value) > SEARCH_MAX_CHARACTERS:
            raise ValidationError({self.search_param: [
                _("A search has at most %(count)d characters.") % {"count": SEARCH_MAX_CHARACTERS}]})
        terms = super().get_search_terms(request)
        if len(terms) > SEARCH_MAX_TERMS:
            raise ValidationError({self.search_param: [
                _("A search has at most %(count)d words.") % {"count": SEARCH_MAX_TERMS}]})
        return terms


class RequestFilter(django_filters.FilterSet):
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    enterprise = IdFilter(field_name="enterprise_id")
    project = IdFilter(field_name="project_id")
    town = IdFilter(field_name="project__town_id")

    class Meta:
        model = ServiceRequest
        fields = ["status", "kind", "enterprise", "project", "town", "submitted_after", "submitted_before"]


class WorkOrderFilter(django_filters.FilterSet):
    lead_department = IdFilter(field_name="lead_department_id")

    class Meta:
        model = WorkOrder
        fields = ["status", "lead_department", "needs_consultation"]


class AssignmentFilter(django_filters.FilterSet):
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    department = IdFilter(field_name="department_id")
    town = IdFilter(field_name="work_order__request__project__town_id")
    kind = django_filters.ChoiceFilter(field_name="work_order__request__kind", choices=ServiceRequest.Kind.choices)

    class Meta:
        model = Assignment
        fields = ["status", "sla_state", "department", "role", "town", "kind", "due_after", "due_before"]


class DepartmentMonthFilter(django_filters.FilterSet):
    """``?department=<id>`` (``district=true``: the district's rows only) and a range of months
    (``month_from``/``month_to``, any day of the month: the month it falls in)."""
    department = IdFilter(field_name="department_id")
    district = django_filters.BooleanFilter(field_name="department", lookup_expr="isnull",
                                            label=_("only the district's rows"))
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte", method="_from")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte", method="_to")

    class Meta:
        model = DepartmentMonth
        fields = ["department", "district", "month_from", "month_to"]

    def _from(self, queryset, name, value):
        return queryset.filter(month__gte=value.replace(day=1))

    def _to(self, queryset, name, value):
        return queryset.filter(month__lte=value.replace(day=1))
