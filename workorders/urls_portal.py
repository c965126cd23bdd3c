from django.urls import path

from workorders.views import attachments, portal

urlpatterns = [
    path("requests/", portal.request_list, name="request_list"),
    path("requests/new/", portal.request_new, name="request_new"),
    path("requests/<str:tracking_number>/", portal.request_detail, name="request_detail"),
    path("requests/<str:tracking_number>/material/<int:assignment_id>/", portal.provide_material, name="provide_material"),
    path("requests/<str:tracking_number>/rate/", portal.rate, name="rate"),
    path("requests/<str:tracking_number>/accept/<int:commitment_id>/", portal.accept_conditions, name="accept_conditions"),
    path("attachments/<int:pk>/", attachments.download, name="attachment"),
]
