from django.contrib import admin

from core.admin_mixins import HistoryAdmin
from workdays.models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(HistoryAdmin):
    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    search_fields = ["note"]
    date_hierarchy = "date"
    history_list_display = ["is_working_day"]
