from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from departments.models import Department, Officer


class OfficerInline(admin.TabularInline):
    model = Officer
    fields = ["user", "display_name", "role", "is_mobile_staff", "is_active"]
    autocomplete_fields = ["user"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "department")


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["short_code", "name_zh", "name_en", "kind", "is_permanent_member", "is_active"]
    list_display_links = ["short_code", "name_zh"]
    list_filter = ["kind", "is_permanent_member", "is_active"]
    search_fields = ["name_zh", "name_en", "short_code"]
    inlines = [OfficerInline]
    history_list_display = ["is_active", "is_permanent_member"]


@admin.register(Officer)
class OfficerAdmin(SimpleHistoryAdmin):
    list_display = ["display_name", "user", "department", "role", "is_mobile_staff", "is_active"]
    list_filter = ["role", "is_mobile_staff", "is_active", "department"]
    search_fields = [
        "display_name",
        "user__username",
        "user__first_name",
        "user__last_name",
        "department__name_zh",
        "department__name_en",
        "department__short_code",
    ]
    list_select_related = ["user", "department"]
    autocomplete_fields = ["user"]
    history_list_display = ["role", "is_active"]

    def get_queryset(self, request):
        # __str__ names the department, and the autocomplete view lists officers by __str__.
        # Django skips list_select_related once the queryset selects related rows: name both.
        return super().get_queryset(request).select_related("department", *self.list_select_related)
