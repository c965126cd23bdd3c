"""The REST API (/api/v1/). Every queryset starts from the same permission functions as the web
pages (the ``*_visible_to(user)`` functions of workorders.permissions and center.office_hours.selectors), and
every change goes through the services."""
from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, pagination, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from api import filters, serializers
from api.models import ApiClient
from center.models import DepartmentMonth
from center.office_hours.selectors import agenda_items_visible_to, sessions_visible_to
from departments.models import Department
from projects import services as project_services
from projects.models import Town
from projects.selectors import enterprises_of
from workorders import permissions
from workorders.models import Assignment, DepartmentAsk
from workorders.selectors import similar_cases_for_text, with_lead_answer
from workorders.services import (
    ask_extension,
    ask_pause_going_on,
    ask_reroute,
    decide_ask,
    stamp_assignment,
    submit_request,
)


class Cursor(pagination.CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class RequestCursor(Cursor):
    ordering = ("-submitted_at", "-id")


class AssignmentCursor(Cursor):
    ordering = ("due_date", "id")


class Pages(pagination.PageNumberPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class TownViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.TownSerializer
    queryset = Town.objects.order_by("name_zh")
    pagination_class = Pages
    search_fields = ["name_zh", "name_en"]


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.DepartmentSerializer
    queryset = Department.objects.filter(is_active=True).order_by("short_code")
    pagination_class = Pages
    search_fields = ["name_zh", "name_en", "short_code"]


class EnterpriseViewSet(viewsets.ReadOnlyModelViewSet):
    """Enterprise accounts see their own enterprise; center staff see all."""

    serializer_class = serializers.EnterpriseSerializer
    pagination_class = Pages
    search_fields = ["name", "credit_code"]

    def get_queryset(self):
        return permissions.enterprises_visible_to(self.request.user).order_by("name", "id")


class ProjectViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """An enterprise's projects (its accounts add them); center staff read all."""

    serializer_class = serializers.ProjectSerializer
    pagination_class = Pages
    filterset_fields = ["town", "stage", "difficulty", "is_key_project"]
    search_fields = ["name", "address"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return (permissions.projects_visible_to(self.request.user).select_related("enterprise", "town")
                .order_by("name", "id"))

    def create(self, request, *args, **kwargs):
        # Refused before the data is read: only an enterprise's accounts add projects (403, not a 400).
        if not enterprises_of(request.user).exists():
            raise PermissionDenied("Only an enterprise's accounts add its projects.")
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        enterprise = enterprises_of(self.request.user).first()
        if enterprise is None:
            raise PermissionDenied("Only an enterprise's accounts add its projects.")
        fields = {k: v for k, v in serializer.validated_data.items() if k in project_services.PROJECT_FIELDS}
        serializer.instance = project_services.add_project(actor=self.request.user, enterprise=enterprise, **fields)


class RequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Requests the user may see. POST files a request of the user's enterprise (multipart for
    files); an ``Idempotency-Key`` header makes a retry return the first request (200) instead of
    filing a second one (201)."""

    serializer_class = serializers.RequestSerializer
    pagination_class = RequestCursor
    filterset_class = filters.RequestFilter
    search_fields = ["tracking_number", "title"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (permissions.requests_visible_to(self.request.user)
                .select_related("enterprise", "project").prefetch_related("attachments"))

    @extend_schema(parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER,
                                                 description="a client-chosen key; a retry with it returns the first request")],
                   responses={201: serializers.RequestSerializer, 200: serializers.RequestSerializer})
    def create(self, request, *args, **kwargs):
        if not enterprises_of(request.user).exists():
            raise PermissionDenied("Only an enterprise's accounts file requests.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 64:
            raise ValidationError({"Idempotency-Key": ["At most 64 characters."]})
        token = f"api:{request.user.pk}:{key}"[:64] if key else None
        files = [(f.name, f.read()) for f in data.get("files", [])]
        created_request, created = submit_request(
            actor=request.user, project=data["project"], kind=data["kind"], title=data["title"],
            description=data["description"], requested_completion_date=data.get("requested_completion_date"),
            files=files, token=token)
        output = self.get_serializer(self.get_queryset().get(pk=created_request.pk))
        return Response(output.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class WorkOrderCursor(Cursor):
    ordering = ("-issued_at", "-id")


class WorkOrderViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.WorkOrderSerializer
    pagination_class = WorkOrderCursor
    filterset_class = filters.WorkOrderFilter

    def get_queryset(self):
        return with_lead_answer(permissions.work_orders_visible_to(self.request.user).select_related("request"))


class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Assignments of the user's departments (center staff: all), most urgent first. ``stamp``: a
    department that allows it lets its service account stamp through the API (write token)."""

    serializer_class = serializers.AssignmentSerializer
    pagination_class = AssignmentCursor
    filterset_class = filters.AssignmentFilter
    search_fields = ["work_order__request__tracking_number", "work_order__request__title"]

    def get_queryset(self):
        return permissions.assignments_visible_to(self.request.user).select_related("department", "work_order__request")

    @extend_schema(request=serializers.StampRequestSerializer, responses={201: serializers.ApprovalSerializer})
    @action(detail=True, methods=["post"])
    def stamp(self, request, pk=None):
        assignment = self.get_object()
        if not isinstance(request.auth, ApiClient) or not assignment.department.allows_api_stamping:
            raise PermissionDenied("This department does not allow stamping through the API.")
        body = serializers.StampRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        approval = stamp_assignment(actor=request.user, assignment=assignment, **body.validated_data)
        return Response(serializers.ApprovalSerializer(approval).data, status=status.HTTP_201_CREATED)


    @extend_schema(methods=["get"], responses={200: serializers.DepartmentAskSerializer(many=True)})
    @extend_schema(methods=["post"], request=serializers.AskRequestSerializer,
                   responses={201: serializers.DepartmentAskSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def asks(self, request, pk=None):
        """GET: the assignment's requests to the center. POST: its department (an officer, a head or
        the department's service account) asks the center to re-route it, for more working days, or
        for its third-party pause to go on; the service refuses anyone else and every bad value."""
        assignment = self.get_object()
        if request.method == "GET":
            asks = permissions.asks_visible_to(request.user).filter(assignment=assignment).order_by("-asked_at", "-id")
            return Response(serializers.DepartmentAskSerializer(asks, many=True).data)
        if not permissions.can_work_on(request.user, assignment):  # refused before the body is read
            raise PermissionDenied("Only the assignment's department asks the center about it.")
        body = serializers.AskRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["kind"] == DepartmentAsk.Kind.REROUTE:
            ask = ask_reroute(actor=request.user, assignment=assignment, reason_category=data["reason_category"],
                              text=data["text"], suggested_department=data["suggested_department"])
        elif data["kind"] == DepartmentAsk.Kind.EXTENSION:
            ask = ask_extension(actor=request.user, assignment=assignment, working_days=data["working_days"],
                                text=data["text"])
        else:
            ask = ask_pause_going_on(actor=request.user, assignment=assignment, text=data["text"])
        return Response(serializers.DepartmentAskSerializer(ask).data, status=status.HTTP_201_CREATED)


class AskCursor(Cursor):
    ordering = ("-asked_at", "-id")


class DepartmentAskViewSet(viewsets.ReadOnlyModelViewSet):
    """The departments' requests to the center: a department's own (its officers, heads and service
    account), all for center staff, none for anyone else. ``decide``: center staff grant or refuse."""

    serializer_class = serializers.DepartmentAskSerializer
    pagination_class = AskCursor
    filterset_fields = ["kind", "status", "assignment"]

    def get_queryset(self):
        return permissions.asks_visible_to(self.request.user)

    @extend_schema(request=serializers.DecideRequestSerializer, responses={200: serializers.DepartmentAskSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        ask = self.get_object()
        if not permissions.is_center_staff(request.user):  # refused before the body is read
            raise PermissionDenied("Only center staff decide a department's request.")
        body = serializers.DecideRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decided = decide_ask(actor=request.user, ask=ask, **body.validated_data)
        return Response(serializers.DepartmentAskSerializer(decided).data)


class ApprovalViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ApprovalSerializer
    pagination_class = Pages
    filterset_fields = ["department", "decision"]
    search_fields = ["serial"]

    def get_queryset(self):
        return permissions.approvals_visible_to(self.request.user).order_by("-stamped_at", "-id")


class CommitmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.CommitmentSerializer
    pagination_class = Pages
    filterset_fields = ["department", "sla_state", "kind"]

    def get_queryset(self):
        return permissions.commitments_visible_to(self.request.user).order_by("due_date", "id")


class SessionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.SessionSerializer
    pagination_class = Pages
    filterset_fields = ["status"]

    def get_queryset(self):
        return sessions_visible_to(self.request.user).order_by("date")


class AgendaItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.AgendaItemSerializer
    pagination_class = Pages
    filterset_fields = ["session", "kind", "department", "concluded"]

    def get_queryset(self):
        return agenda_items_visible_to(self.request.user).order_by("session", "position", "id")




class ModelCaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Resolved work orders marked as precedents, with their problem tags and the departments that
    solved them. Center staff, leaders and department members; ``similar/`` ranks them against a text."""

    serializer_class = serializers.ModelCaseSerializer
    pagination_class = Pages
    search_fields = ["title", "summary"]
    ordering_fields = ["marked_at", "title"]

    def get_queryset(self):
        queryset = (permissions.model_cases_visible_to(self.request.user).select_related("work_order__request__project")
                    .prefetch_related("tags", Prefetch("work_order__assignments", queryset=Assignment.objects.all()))
                    .order_by("-marked_at", "-id"))
        tag = self.request.query_params.get("tag")
        return queryset.filter(tags__slug=tag) if tag else queryset

    @extend_schema(parameters=[
        OpenApiParameter("tag", OpenApiTypes.STR, description="only cases with this problem tag (slug)")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[
        OpenApiParameter("text", OpenApiTypes.STR, required=True, description="a problem description, Chinese or English"),
        OpenApiParameter("limit", OpenApiTypes.INT, description="how many cases (1 to 20, default 5)")],
        responses={200: serializers.SimilarCaseSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def similar(self, request):
        text = request.query_params.get("text", "").strip()
        errors = {}
        if not text:
            errors["text"] = ["Describe the problem."]
        elif len(text) > 4000:
            errors["text"] = ["At most 4000 characters."]
        raw_limit = request.query_params.get("limit", "5")
        limit = int(raw_limit) if raw_limit.isdigit() else 0
        if not 1 <= limit <= 20:
            errors["limit"] = ["A whole number from 1 to 20."]
        if errors:
            raise ValidationError(errors)
        if not permissions.sees_model_cases(request.user):
            return Response([])
        cases = similar_cases_for_text(text, limit=limit)
        return Response(serializers.SimilarCaseSerializer(cases, many=True).data)


class DepartmentMonthViewSet(viewsets.ReadOnlyModelViewSet):
    """The leaders' figures per department and month (and the district's), as ``/leader/`` shows
    them: district leaders and center staff; nobody else sees a row."""

    serializer_class = serializers.DepartmentMonthSerializer
    pagination_class = Pages
    filterset_class = filters.DepartmentMonthFilter
    search_fields: list[str] = []

    def get_queryset(self):
        if not permissions.can_view_dashboards(self.request.user):
            return DepartmentMonth.objects.none()
        return DepartmentMonth.objects.select_related("department").order_by("-month", "department__short_code", "id")
