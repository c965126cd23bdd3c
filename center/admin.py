"""The admin of the center's own work: office hours, agendas, consultations, mechanisms.

Agenda items and consultations are written by ``center.office_hours.services`` (building the agenda, staff
edits, minutes that move due dates, convening a consultation onto the timeline): the admin shows
them and links to the agenda and request pages that call those services. Sessions' date, venue,
attendance and status, and mechanisms, are staff's to edit here.
"""
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from center.models import (
    AgendaItem,
    Consultation,
    DepartmentMonth,
    Mechanism,
    OfficeHoursSession,
    PeriodicRun,
    WorkerHeartbeat,
)
from core.admin_mixins import (
    CreatedByServicesMixin,
    HistoryAdmin,
    ReadOnlyAdminMixin,
    all_fields,
    center_page,
)
from workorders.admin import request_page


def agenda_page(session: OfficeHoursSession) -> str:
    return center_page(reverse("center:agenda", args=[f"{session.date:%Y-%m-%d}"]),
                       _("Open the agenda page to edit items and record minutes"))


class AgendaItemInline(CreatedByServicesMixin, admin.TabularInline):
    """The session's agenda, read-only: it is edited on the agenda page (``edit_item``, ``add_item``)."""

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
    readonly_fields = all_fields(AgendaItem)
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        # Each row names its work order or assignment by tracking number (read-only, so by __str__).
        return super().get_queryset(request).select_related(
            "department", "project", "work_order__request", "assignment__work_order__request", "assignment__department")


@admin.register(OfficeHoursSession)
class OfficeHoursSessionAdmin(HistoryAdmin):
    list_display = ["date", "starts_at", "venue", "status", "agenda_built_at"]
    list_filter = ["status"]
    search_fields = ["venue"]
    date_hierarchy = "date"
    filter_horizontal = ["departments"]
    autocomplete_fields = ["staff"]
    readonly_fields = ["agenda_built_at", "agenda_page"]
    inlines = [AgendaItemInline]
    history_list_display = ["status"]

    @admin.display(description=_("agenda page"))
    def agenda_page(self, obj):
        return agenda_page(obj) if obj.pk else ""


@admin.register(AgendaItem)
class AgendaItemAdmin(CreatedByServicesMixin, HistoryAdmin):
    """Built by ``build_agenda``, edited and minuted on the agenda page (``edit_item``,
    ``record_minutes``, which moves the due dates agreed): shown here only."""

    list_display = ["title", "session", "position", "slot_start", "kind", "department", "concluded", "removed"]
    list_filter = ["kind", "concluded", "removed", "edited_by_staff", "department"]
    search_fields = ["title", "work_order__request__tracking_number", "project__name", "department__short_code"]
    list_select_related = ["session", "department"]
    date_hierarchy = "session__date"
    readonly_fields = [*all_fields(AgendaItem), "agenda_page"]
    history_list_display = ["concluded", "removed"]
    fieldsets = [
        (None, {"fields": ["session", "agenda_page", "position", "slot_start", "slot_minutes", "kind", "title"]}),
        (_("Subject"), {"fields": ["department", "work_order", "assignment", "project", "carried_over_from"]}),
        (_("Minutes"), {"fields": ["outcome", "next_steps", "new_due_date", "concluded"]}),
        (_("Rebuilds"), {"fields": ["edited_by_staff", "removed", "invited_at"]}),
    ]

    @admin.display(description=_("agenda page"))
    def agenda_page(self, obj):
        return agenda_page(obj.session)


@admin.register(Consultation)
class ConsultationAdmin(CreatedByServicesMixin, HistoryAdmin):
    """Convened from the request's center page (``convene_consultation``), which puts it on the
    timeline: shown here only."""

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
    fields = ["work_order", "center_page", "session", "held_at", "venue", "departments", "outside_parties",
              "attendees", "outcome", "decisions", "convened_by"]
    readonly_fields = [*all_fields(Consultation), "center_page"]

    @admin.display(description=_("tracking number"), ordering="work_order__request__tracking_number")
    def tracking_number(self, obj):
        return obj.work_order.request.tracking_number

    @admin.display(description=_("center page"))
    def center_page(self, obj):
        return request_page(obj.work_order.request)


@admin.register(Mechanism)
class MechanismAdmin(HistoryAdmin):
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


@admin.register(PeriodicRun)
class PeriodicRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Written by the beat each time it sends a periodic task; staff only look."""

    list_display = ["name", "last_run_at", "run_count"]
    search_fields = ["name"]
    readonly_fields = ["name", "last_run_at", "run_count"]


@admin.register(DepartmentMonth)
class DepartmentMonthAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Kept by the dashboard refresh (center.dashboards.figures); staff only look."""

    list_display = ["month", "department", "issued", "answered_in_time", "resolved", "resolved_on_time",
                    "resolved_on_time_extended", "median_working_days", "ratings", "became_overdue",
                    "became_escalated", "refreshed_at"]
    list_filter = ["month", "department"]
    list_select_related = ["department"]
    readonly_fields = [f.name for f in DepartmentMonth._meta.fields]
