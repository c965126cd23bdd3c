from django.contrib import admin

from core.admin_mixins import HistoryAdmin
from workdays.models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(HistoryAdmin):
    list_display = ["date", "is_working_day", "official_schedule", "note"]
    list_filter = ["is_working_day", "official_schedule"]
    # Set only by entering a year's schedule on /center/calendar/, which also moves the due dates.
    readonly_fields = ["official_schedule"]
    search_fields = ["note"]
    date_hierarchy = "date"
    history_list_display = ["is_working_day"]
