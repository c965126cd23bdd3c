from django.urls import path

from projects import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_new, name="project_new"),
]
