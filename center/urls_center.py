from django.urls import path

from workorders.views import center

urlpatterns = [
    path("", center.queue, name="queue"),
    path("requests/<str:tracking_number>/", center.request_triage, name="request"),
    path("requests/<str:tracking_number>/link/", center.link, name="link"),
    path("requests/<str:tracking_number>/issue/", center.issue, name="issue"),
    path("requests/<str:tracking_number>/reject/", center.reject, name="reject"),
    path("requests/<str:tracking_number>/merge/", center.merge, name="merge"),
    path("requests/<str:tracking_number>/flag/", center.flag, name="flag"),
]
