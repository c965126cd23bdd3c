from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from center.models import AgendaItem, DepartmentMonth, OfficeHoursSession
from departments.models import Department
from projects.models import Enterprise, InvestmentProject, Town
from projects.selectors import project_choices
from workorders.models import (Approval, Assignment, Attachment, Commitment, DepartmentAsk, ModelCase, ProblemTag,
                               ServiceRequest, WorkOrder)


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$",
                      "description": "Local time of day in Asia/Shanghai (HH:MM:SS)."})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in Asia/Shanghai. OpenAPI's "time" format demands a UTC offset, which a time
    of day without its date cannot carry honestly; the schema says what it is instead."""


class TownSerializer(serializers.ModelSerializer):
    class Meta:
        model = Town
        fields = ["id", "name_zh", "name_en", "kind"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name_zh", "name_en", "short_code", "kind", "is_permanent_member"]


class EnterpriseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enterprise
        fields = ["id", "name", "credit_code", "contact_name", "contact_mobile", "contact_email"]


class ProjectSerializer(serializers.ModelSerializer):
    enterprise = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = InvestmentProject
        fields = ["id", "enterprise", "town", "name", "address", "industry", "total_investment", "stage",
                  "planned_completion_date", "current_completion_date", "is_key_project", "difficulty"]
        read_only_fields = ["current_completion_date", "is_key_project", "difficulty"]
        extra_kwargs = {"planned_completion_date": {"required": True}}
        validators = []  # (enterprise, name) uniqueness: the service reports it on "name"


class AttachmentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()
    # The name the download carries: original_name ending with the checked type's extension.
    name = serializers.CharField(source="download_name", read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "name", "original_name", "content_type", "size", "sha256", "uploaded_at", "download"]

    def get_download(self, obj) -> str:
        return f"/attachments/{obj.pk}/"


class RequestSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    project = serializers.PrimaryKeyRelatedField(queryset=InvestmentProject.objects.none())
    files = serializers.ListField(child=serializers.FileField(), write_only=True, required=False, max_length=20)

    class Meta:
        model = ServiceRequest
        fields = ["id", "tracking_number", "enterprise", "project", "kind", "title", "description",
                  "requested_completion_date", "status", "submitted_at", "resolved_at", "decision_reason", "rating",
                  "attachments", "files"]
        read_only_fields = ["tracking_number", "enterprise", "status", "submitted_at", "resolved_at",
                            "decision_reason", "rating"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["project"].queryset = project_choices(request.user)


class WorkOrderSerializer(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="request.tracking_number", read_only=True)
    # The one answer the enterprise receives (首接负责): the lead department's, as on the portal's page
    # (annotated by ``workorders.selectors.with_lead_answer``). Co-handlers' conclusions and internal
    # notes are in no field of the API.
    answer = serializers.CharField(read_only=True, allow_null=True,
                                   help_text="The lead department's answer to the enterprise (null before it answered).")
    answered_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = WorkOrder
        fields = ["id", "request", "tracking_number", "lead_department", "problem", "proposed_approach",
                  "needs_consultation", "status", "issued_at", "resolved_at", "resolution_summary", "answer",
                  "answered_at"]


class AssignmentSerializer(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="work_order.request.tracking_number", read_only=True)
    department_code = serializers.CharField(source="department.short_code", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "work_order", "tracking_number", "department", "department_code", "role", "status",
                  "sla_state", "escalation_level", "issued_on", "sla_working_days", "due_date",
                  "original_due_date", "extension_working_days", "paused_working_days",
                  "third_party_paused_working_days", "acknowledged_at", "ack_due_on", "reply", "replied_at",
                  "closed_at"]


class ApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Approval
        fields = ["id", "serial", "assignment", "department", "decision", "conditions", "opinion",
                  "officer_display_name", "stamped_at", "key_id", "signature", "revoked_at", "revocation_reason",
                  "revocation_signature"]


class CommitmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commitment
        fields = ["id", "request", "approval", "department", "kind", "text", "due_date", "pledge", "accepted_at",
                  "fulfilled_at", "sla_state"]


class SessionSerializer(serializers.ModelSerializer):
    starts_at = LocalTimeField()

    class Meta:
        model = OfficeHoursSession
        fields = ["id", "date", "starts_at", "venue", "status", "agenda_built_at"]


class AgendaItemSerializer(serializers.ModelSerializer):
    slot_start = LocalTimeField(allow_null=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "session", "kind", "department", "work_order", "assignment", "project", "title", "position",
                  "slot_start", "slot_minutes", "removed", "outcome", "next_steps", "new_due_date", "concluded"]


class StampRequestSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Approval.Decision.choices)
    conditions = serializers.CharField(required=False, allow_blank=True, default="")
    opinion = serializers.CharField(required=False, allow_blank=True, default="")
    commitment_due_date = serializers.DateField(required=False, allow_null=True, default=None)


class DepartmentAskSerializer(serializers.ModelSerializer):
    """A department's request to the center and, once decided, the center's ruling."""

    class Meta:
        model = DepartmentAsk
        fields = ["id", "assignment", "kind", "status", "reason_category", "text", "suggested_department",
                  "working_days", "working_days_granted", "pause", "by_center", "asked_at", "asked_on",
                  "decided_at", "decided_on", "ruling", "new_assignment"]


class AskRequestSerializer(serializers.Serializer):
    """What a department sends to ask: ``reroute`` (reason_category, text, optionally
    suggested_department), ``extension`` (working_days, text) or ``pause`` (text)."""

    kind = serializers.ChoiceField(choices=DepartmentAsk.Kind.choices)
    text = serializers.CharField(allow_blank=True, default="")
    reason_category = serializers.ChoiceField(choices=DepartmentAsk.RerouteReason.choices, required=False)
    suggested_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), required=False, allow_null=True, default=None)
    working_days = serializers.IntegerField(required=False)

    def validate(self, data):
        needed = {DepartmentAsk.Kind.REROUTE: "reason_category", DepartmentAsk.Kind.EXTENSION: "working_days"}.get(
            data["kind"])
        if needed and data.get(needed) is None:
            raise serializers.ValidationError({needed: ["This field is required."]})
        return data


class DecideRequestSerializer(serializers.Serializer):
    """Center staff's decision: ``grant`` or not, the ruling (required to refuse and to grant fewer
    days), the days granted for an extension, the department taking over (and the new lead, for a
    re-routed lead) for a re-route."""

    grant = serializers.BooleanField()
    ruling = serializers.CharField(allow_blank=True, default="")
    working_days_granted = serializers.IntegerField(required=False, allow_null=True, default=None)
    new_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), required=False, allow_null=True, default=None)
    new_lead = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), required=False, allow_null=True, default=None)


class ProblemTagSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProblemTag
        fields = ["slug", "name_zh", "name_en"]


class ModelCaseSerializer(serializers.ModelSerializer):
    tags = ProblemTagSerializer(many=True, read_only=True)
    lead_department = serializers.IntegerField(source="work_order.lead_department_id", read_only=True)
    departments = serializers.SerializerMethodField()
    proposed_approach = serializers.CharField(source="work_order.proposed_approach", read_only=True)
    town = serializers.SerializerMethodField()

    class Meta:
        model = ModelCase
        fields = ["id", "title", "summary", "tags", "work_order", "lead_department", "departments",
                  "proposed_approach", "town", "marked_at"]

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_departments(self, case) -> list[int]:
        """The departments that worked on the case, lead first."""
        assignments = sorted(case.work_order.assignments.all(),
                             key=lambda a: (a.role != Assignment.Role.LEAD, a.department_id))
        return [a.department_id for a in assignments]

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_town(self, case):
        project = case.work_order.request.project
        return project.town_id if project else None


class SimilarCaseSerializer(ModelCaseSerializer):
    score = serializers.FloatField(read_only=True, help_text="Text similarity, 0 to 1.")

    class Meta(ModelCaseSerializer.Meta):
        fields = ModelCaseSerializer.Meta.fields + ["score"]


class DepartmentMonthSerializer(serializers.ModelSerializer):
    """One department's (``department`` null: the district's) figures for one month, as the leader's
    dashboard shows them. ``on_time_rate`` is against the original clock (no extension raises it),
    ``on_time_extended_rate`` against the due dates with the granted extensions."""
    department_code = serializers.CharField(source="department.short_code", read_only=True, default=None)
    response_rate = serializers.FloatField(read_only=True, allow_null=True)
    on_time_rate = serializers.FloatField(read_only=True, allow_null=True)
    on_time_extended_rate = serializers.FloatField(read_only=True, allow_null=True)
    ack_in_time_rate = serializers.FloatField(read_only=True, allow_null=True)
    satisfaction = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = DepartmentMonth
        fields = ["id", "department", "department_code", "month", "issued", "answered_in_time", "response_rate",
                  "resolved", "resolved_on_time", "on_time_rate", "resolved_on_time_extended", "on_time_extended_rate",
                  "median_working_days", "ratings", "rating_total", "satisfaction", "became_overdue",
                  "became_escalated", "acknowledged", "acknowledged_in_time", "ack_in_time_rate",
                  "ack_median_working_hours", "reroutes_asked", "reroutes_approved", "reroutes_refused",
                  "extensions_asked", "extensions_granted", "extension_days_granted", "third_party_pause_days",
                  "refreshed_at"]
