from django.urls import path

from departments import views

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:department_id>/", views.member_list, name="list"),
    path("<int:department_id>/add/", views.add, name="add"),
    path("<int:department_id>/<int:pk>/", views.change, name="change"),
    path("<int:department_id>/<int:pk>/deactivate/", views.deactivate, name="deactivate"),
]
