from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import HistoryAdmin
from projects.models import Enterprise, InvestmentProject, Town


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "kind", "chief_agent"]
    list_filter = ["kind"]
    search_fields = ["name_zh", "name_en"]
    list_select_related = ["chief_agent"]
    autocomplete_fields = ["chief_agent"]


@admin.register(Enterprise)
class EnterpriseAdmin(HistoryAdmin):
    list_display = ["name", "credit_code", "contact_name", "contact_mobile", "created_at"]
    search_fields = ["name", "credit_code", "contact_name", "contact_mobile"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["users"]
    readonly_fields = ["created_at"]
    show_full_result_count = False


@admin.register(InvestmentProject)
class InvestmentProjectAdmin(HistoryAdmin):
    # The project's service requests are shown inline by workorders/admin.py, which extends this
    # class: projects knows nothing of workorders (dependencies point workorders -> projects).
    list_display = [
        "name",
        "enterprise",
        "town",
        "stage",
        "difficulty",
        "is_key_project",
        "total_investment",
        "current_completion_date",
        "lead_unit",
    ]
    list_filter = ["difficulty", "is_key_project", "stage", "town", "lead_unit"]
    search_fields = ["name", "enterprise__name", "enterprise__credit_code", "town__name_zh", "town__name_en"]
    list_select_related = ["enterprise", "town", "lead_unit"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["enterprise", "agents"]
    readonly_fields = ["created_at"]
    show_full_result_count = False
    history_list_display = ["stage", "difficulty", "current_completion_date"]

    def get_readonly_fields(self, request, obj=None):
        # A project keeps its enterprise: its requests, commitments and timeline belong to that one.
        return [*self.readonly_fields, "enterprise"] if obj is not None else self.readonly_fields
    fieldsets = [
        (None, {"fields": ["enterprise", "name", "town", "address", "industry", "total_investment"]}),
        (_("Progress"), {"fields": ["stage", "planned_completion_date", "current_completion_date", "difficulty"]}),
        (_("Follow-up"), {"fields": ["is_key_project", "lead_unit", "agents", "created_at"]}),
    ]
