import django_filters

from projects.models import Town
from workorders.models import Assignment, ServiceRequest, WorkOrder


class RequestFilter(django_filters.FilterSet):
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    town = django_filters.ModelChoiceFilter(field_name="project__town", queryset=Town.objects.all())

    class Meta:
        model = ServiceRequest
        fields = ["status", "kind", "enterprise", "project", "town", "submitted_after", "submitted_before"]


class WorkOrderFilter(django_filters.FilterSet):
    class Meta:
        model = WorkOrder
        fields = ["status", "lead_department", "needs_consultation"]


class AssignmentFilter(django_filters.FilterSet):
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    town = django_filters.ModelChoiceFilter(field_name="work_order__request__project__town", queryset=Town.objects.all())
    kind = django_filters.ChoiceFilter(field_name="work_order__request__kind", choices=ServiceRequest.Kind.choices)

    class Meta:
        model = Assignment
        fields = ["status", "sla_state", "department", "role", "town", "kind", "due_after", "due_before"]
