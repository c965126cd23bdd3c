from django.urls import path

from center import schedule as holiday_schedule
from center import triage as center
from center.dashboards import views as dashboard_views
from center.office_hours import views as office_hours
from workorders.views import desk_clock

urlpatterns = [
    path("", center.queue, name="queue"),
    path("export/<slug:slug>.<str:fmt>", dashboard_views.center_export, name="export"),
    path("requests/<str:tracking_number>/", center.request_triage, name="request"),
    path("requests/<str:tracking_number>/link/", center.link, name="link"),
    path("requests/<str:tracking_number>/issue/", center.issue, name="issue"),
    path("requests/<str:tracking_number>/reject/", center.reject, name="reject"),
    path("requests/<str:tracking_number>/merge/", center.merge, name="merge"),
    path("requests/<str:tracking_number>/flag/", center.flag, name="flag"),
    path("requests/<str:tracking_number>/model-case/", center.mark_case, name="mark_case"),
    path("requests/<str:tracking_number>/notes/", center.note, name="note"),
    path("requests/<str:tracking_number>/consult/", office_hours.consult, name="consult"),
    path("requests/<str:tracking_number>/assignments/<int:assignment_id>/resume/", desk_clock.center_resume,
         name="resume"),
    path("requests/<str:tracking_number>/extend/", center.extend, name="extend"),
    path("asks/<int:ask_id>/decide/", center.decide_ask, name="decide_ask"),
    path("calendar/", holiday_schedule.schedule, name="schedule"),
    path("office-hours/", office_hours.session_list, name="sessions"),
    path("office-hours/<str:date>/", office_hours.agenda, name="agenda"),
    path("office-hours/<str:date>/agenda.ics", office_hours.agenda_ics, name="agenda_ics"),
    path("office-hours/<str:date>/build/", office_hours.build, name="agenda_build"),
    path("office-hours/<str:date>/add/", office_hours.add, name="agenda_add"),
    path("office-hours/items/<int:pk>/edit/", office_hours.edit, name="agenda_item_edit"),
    path("office-hours/items/<int:pk>/minutes/", office_hours.minutes, name="agenda_item_minutes"),
]
