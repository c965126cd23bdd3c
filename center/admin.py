"""The admin of the center's own work: office hours, agendas, consultations, mechanisms."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from center.models import AgendaItem, Consultation, DepartmentMonth, Mechanism, OfficeHoursSession, WorkerHeartbeat
from core.admin_mixins import ReadOnlyAdminMixin
from workorders.models import Assignment, WorkOrder


class AgendaLinksMixin:
    """Agenda items name assignments and work orders by tracking number; load that with them."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignment":
            kwargs["queryset"] = Assignment.objects.select_related("work_order__request", "department")
        elif db_field.name == "work_order":
            kwargs["queryset"] = WorkOrder.objects.select_related("request")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AgendaItemInline(AgendaLinksMixin, admin.TabularInline):
    model = AgendaItem
    fields = [
        "position",
        "slot_start",
        "slot_minutes",
        "kind",
        "title",
        "department",
        "work_order",
        "assignment",
        "project",
        "edited_by_staff",
        "removed",
        "concluded",
    ]
    autocomplete_fields = ["work_order", "assignment", "project"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department")


@admin.register(OfficeHoursSession)
class OfficeHoursSessionAdmin(SimpleHistoryAdmin):
    list_display = ["date", "starts_at", "venue", "status", "agenda_built_at"]
    list_filter = ["status"]
    search_fields = ["venue"]
    date_hierarchy = "date"
    filter_horizontal = ["departments"]
    autocomplete_fields = ["staff"]
    readonly_fields = ["agenda_built_at"]
    inlines = [AgendaItemInline]
    history_list_display = ["status"]


@admin.register(AgendaItem)
class AgendaItemAdmin(AgendaLinksMixin, SimpleHistoryAdmin):
    list_display = ["title", "session", "position", "slot_start", "kind", "department", "concluded", "removed"]
    list_filter = ["kind", "concluded", "removed", "edited_by_staff", "department"]
    search_fields = ["title", "work_order__request__tracking_number", "project__name", "department__short_code"]
    list_select_related = ["session", "department"]
    date_hierarchy = "session__date"
    autocomplete_fields = ["session", "work_order", "assignment", "project", "carried_over_from"]
    history_list_display = ["concluded", "removed"]
    fieldsets = [
        (None, {"fields": ["session", "position", "slot_start", "slot_minutes", "kind", "title"]}),
        (_("Subject"), {"fields": ["department", "work_order", "assignment", "project", "carried_over_from"]}),
        (_("Minutes"), {"fields": ["outcome", "next_steps", "new_due_date", "concluded"]}),
        (_("Rebuilds"), {"fields": ["edited_by_staff", "removed"]}),
    ]


@admin.register(Consultation)
class ConsultationAdmin(SimpleHistoryAdmin):
    list_display = ["tracking_number", "held_at", "venue", "session", "convened_by"]
    list_filter = ["departments"]
    search_fields = [
        "work_order__request__tracking_number",
        "work_order__request__enterprise__name",
        "work_order__request__project__name",
        "venue",
        "outside_parties",
    ]
    list_select_related = ["work_order__request", "session", "convened_by"]
    date_hierarchy = "held_at"
    autocomplete_fields = ["work_order", "session", "convened_by"]
    filter_horizontal = ["departments"]

    @admin.display(description=_("tracking number"), ordering="work_order__request__tracking_number")
    def tracking_number(self, obj):
        return obj.work_order.request.tracking_number


@admin.register(Mechanism)
class MechanismAdmin(SimpleHistoryAdmin):
    list_display = ["title_zh", "title_en", "status", "updated_at"]
    list_filter = ["status", "tags", "towns"]
    search_fields = ["title_zh", "title_en", "text"]
    date_hierarchy = "updated_at"
    filter_horizontal = ["tags", "towns"]
    history_list_display = ["status"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Written by the worker's heartbeat task; staff only look."""

    list_display = ["name", "last_seen"]
    search_fields = ["name"]
    readonly_fields = ["name", "last_seen"]


@admin.register(DepartmentMonth)
class DepartmentMonthAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Kept by the dashboard refresh (center.dashboards.figures); staff only look."""

    list_display = ["month", "department", "issued", "answered_in_time", "resolved", "resolved_on_time",
                    "median_working_days", "ratings", "became_overdue", "became_escalated", "refreshed_at"]
    list_filter = ["month", "department"]
    list_select_related = ["department"]
    readonly_fields = [f.name for f in DepartmentMonth._meta.fields]
