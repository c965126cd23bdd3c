from django.urls import path

from center.dashboards import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.leader_dashboard, name="dashboard"),
    path("export/<slug:slug>.<str:fmt>", dashboard_views.leader_export, name="export"),
]
