from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import views

router = DefaultRouter()
router.register("towns", views.TownViewSet, basename="town")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("requests", views.RequestViewSet, basename="request")
router.register("work-orders", views.WorkOrderViewSet, basename="workorder")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("asks", views.DepartmentAskViewSet, basename="ask")
router.register("approvals", views.ApprovalViewSet, basename="approval")
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("sessions", views.SessionViewSet, basename="session")
router.register("agenda-items", views.AgendaItemViewSet, basename="agendaitem")
router.register("model-cases", views.ModelCaseViewSet, basename="modelcase")
router.register("figures", views.DepartmentMonthViewSet, basename="departmentmonth")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
