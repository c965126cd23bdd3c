"""The admin of requests, work orders, assignments and stamps, for center staff.

Fields that services own (a status, the clock of an assignment, a stamp, a pause, a commitment, a
model case) are shown, not edited, and rows that services create are not added here: the admin
must not re-implement a rule that a service guards. Changes go through the bulk actions (which call
the services) or the center's pages, which each read-only page links to.
"""
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import CreatedByServicesMixin, HistoryAdmin, ReadOnlyAdminMixin, all_fields, center_page
from projects.admin import InvestmentProjectAdmin
from projects.models import InvestmentProject
from workorders.models import (
    Approval,
    Assignment,
    Attachment,
    ClockPause,
    Commitment,
    DepartmentAsk,
    ModelCase,
    ProblemTag,
    RequestEvent,
    ServiceRequest,
    AcknowledgementReminder,
    SlaTransition,
    StampCounter,
    WorkOrder,
)
from workorders.admin_actions import (
    ExtendActionMixin,
    TriageActionsMixin,
    extend_due_dates,
    flag_requests,
    flag_work_orders,
    issue_work_orders,
    reject_with_reason,
    unflag_requests,
    unflag_work_orders,
)
from workorders.sla import sla_badge

REQUEST_SEARCH_FIELDS = [
    "tracking_number",
    "title",
    "enterprise__name",
    "enterprise__credit_code",
    "project__name",
]


def _prefixed(prefix, fields):
    return [f"{prefix}__{field}" for field in fields]


def request_page(service_request: ServiceRequest) -> str:
    return center_page(reverse("center:request", args=[service_request.tracking_number]),
                       _("Open the request's center page to change this"))


class SlaBadgeMixin:
    @admin.display(description=_("SLA state"), ordering="sla_state")
    def sla_badge(self, obj):
        return sla_badge(obj.sla_state, obj.get_sla_state_display())


# --- Service requests -------------------------------------------------------------------------


class AttachmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Files as uploaded; the file itself is served only through the checked download view."""

    model = Attachment
    fk_name = "request"
    fields = ["original_name", "content_type", "size", "sha256", "assignment", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "uploaded_by", "assignment__work_order__request", "assignment__department"
        )


@admin.register(ServiceRequest)
class ServiceRequestAdmin(CreatedByServicesMixin, TriageActionsMixin, HistoryAdmin):
    """Requests are filed by enterprises (portal, API) through ``submit_request`` and kept for the
    record: never added or deleted here."""

    actions = [issue_work_orders, reject_with_reason, flag_requests, unflag_requests]
    list_display = ["tracking_number", "title", "enterprise", "project", "kind", "status", "submitted_at", "rating"]
    list_display_links = ["tracking_number", "title"]
    list_filter = [
        "status",
        "kind",
        "project__town",
        "project__is_key_project",
        "project__difficulty",
    ]
    search_fields = REQUEST_SEARCH_FIELDS
    list_select_related = ["enterprise", "project"]
    date_hierarchy = "submitted_at"
    # Status, decisions, the project link and the rating change only through the services (triage,
    # desk, portal), which keep the timeline, the notices and the work order in step; the admin shows them.
    # The kind and the requested date are what the enterprise filed (validate_request_fields); staff
    # may correct the title and the description.
    readonly_fields = ["tracking_number", "enterprise", "project", "submitted_by", "submitted_at", "submission_token",
                       "status", "decision_reason", "duplicate_of", "resolved_at", "rating", "rating_comment",
                       "rated_at", "kind", "requested_completion_date"]
    show_full_result_count = False
    inlines = [AttachmentInline]
    history_list_display = ["status"]
    fieldsets = [
        (None, {"fields": ["tracking_number", "enterprise", "project", "kind", "title", "description"]}),
        (_("Extension"), {"fields": ["requested_completion_date"]}),
        (_("Handling"), {"fields": ["status", "decision_reason", "duplicate_of", "resolved_at"]}),
        (_("Rating"), {"fields": ["rating", "rating_comment", "rated_at"]}),
        (_("Submission"), {"fields": ["submitted_by", "submitted_at", "submission_token"]}),
    ]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Attachments arrive through the checked upload of a request (content type, size), never here."""

    list_display = ["original_name", "tracking_number", "content_type", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "sha256", *_prefixed("request", ["tracking_number", "enterprise__name"])]
    list_select_related = ["request", "uploaded_by"]
    date_hierarchy = "uploaded_at"
    fields = ["request", "assignment", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("tracking number"), ordering="request__tracking_number")
    def tracking_number(self, obj):
        return obj.request.tracking_number


class ServiceRequestInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A project's requests, for reading; requests are filed by enterprises, not from a project."""

    model = ServiceRequest
    fk_name = "project"
    fields = ["tracking_number", "kind", "status", "submitted_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


class InvestmentProjectWithRequestsAdmin(InvestmentProjectAdmin):
    inlines = [*InvestmentProjectAdmin.inlines, ServiceRequestInline]


# projects registers its own admin; the requests inline belongs here, where requests live.
admin.site.unregister(InvestmentProject)
admin.site.register(InvestmentProject, InvestmentProjectWithRequestsAdmin)


# --- Work orders and assignments --------------------------------------------------------------


class AssignmentInline(SlaBadgeMixin, admin.TabularInline):
    """Assignments are created by issuing the work order; a department's head gives one to an
    officer on the desk (``reassign_assignment``). Shown here, not edited."""

    model = Assignment
    fields = ["department", "role", "assigned_officer", "status", "sla_badge", "due_date", "escalation_level"]
    readonly_fields = [*all_fields(Assignment), "sla_badge"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department", "assigned_officer__department")


@admin.register(WorkOrder)
class WorkOrderAdmin(CreatedByServicesMixin, TriageActionsMixin, HistoryAdmin):
    """Work orders are issued from triage (``issue_work_order``), which also opens the clocks; the
    consultation flag changes with the actions (``flag_for_consultation``), the status and the
    resolved time when the departments finish. Staff may edit the texts."""

    actions = [flag_work_orders, unflag_work_orders]
    list_display = [
        "tracking_number",
        "enterprise",
        "project",
        "lead_department",
        "status",
        "needs_consultation",
        "issued_at",
    ]
    list_filter = [
        "status",
        "needs_consultation",
        "lead_department",
        "request__kind",
        "request__project__town",
        "request__project__is_key_project",
        "request__project__difficulty",
    ]
    search_fields = _prefixed("request", REQUEST_SEARCH_FIELDS)
    list_select_related = ["request__enterprise", "request__project", "lead_department"]
    date_hierarchy = "issued_at"
    readonly_fields = ["request", "center_page", "lead_department", "needs_consultation", "status", "issued_by",
                       "issued_at", "resolved_at", "departments"]
    show_full_result_count = False
    inlines = [AssignmentInline]
    history_list_display = ["status", "needs_consultation"]
    fieldsets = [
        (None, {"fields": ["request", "center_page", "lead_department", "problem", "proposed_approach",
                           "needs_consultation"]}),
        (_("Status"), {"fields": ["status", "issued_by", "issued_at", "resolved_at", "resolution_summary"]}),
    ]

    def get_queryset(self, request):
        # __str__ is the request's tracking number, also in the autocomplete view and the form.
        # Django skips list_select_related once the queryset selects related rows: name both.
        return super().get_queryset(request).select_related("request", *self.list_select_related)

    @admin.display(description=_("tracking number"), ordering="request__tracking_number")
    def tracking_number(self, obj):
        return obj.request.tracking_number

    @admin.display(description=_("center page"))
    def center_page(self, obj):
        return request_page(obj.request)

    @admin.display(description=_("enterprise"), ordering="request__enterprise__name")
    def enterprise(self, obj):
        return obj.request.enterprise

    @admin.display(description=_("project"), ordering="request__project__name")
    def project(self, obj):
        return obj.request.project


class ClockPauseInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ClockPause
    fields = ["reason", "third_party_department", "third_party_name", "note", "requested_by", "started_at",
              "resumes_on", "ended_at", "working_days", "resumed_automatically"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requested_by", "third_party_department")


ASSIGNMENT_CLOCK_FIELDS = [
    "status",
    "sla_badge",
    "escalation_level",
    "issued_at",
    "issued_on",
    "sla_working_days",
    "due_date",
    "paused_working_days",
]
ASSIGNMENT_REPLY_FIELDS = ["reply", "replied_at", "replied_by", "closed_at"]
# Acknowledgement (签收) and the days paused for a third party: the desk's and the SLA sweep's.
ASSIGNMENT_ACK_FIELDS = ["acknowledged_at", "acknowledged_by", "ack_due_on", "ack_working_hours",
                         "third_party_paused_working_days"]


@admin.register(Assignment)
class AssignmentAdmin(CreatedByServicesMixin, ExtendActionMixin, SlaBadgeMixin, HistoryAdmin):
    """Every field is the services' and the desk's: issuing a work order creates its assignments with
    due dates on the working-day calendar; the clock, the reply and the officer (a head reassigns on
    the desk) follow. Staff extend due dates with the action (``extend_by_center``)."""

    actions = [extend_due_dates]
    list_display = [
        "tracking_number",
        "enterprise",
        "department",
        "role",
        "status",
        "sla_badge",
        "due_date",
        "escalation_level",
        "officer",
        "issued_on",
    ]
    list_filter = [
        "sla_state",
        "status",
        "role",
        "department",
        "work_order__needs_consultation",
        "work_order__request__project__is_key_project",
    ]
    search_fields = [
        *_prefixed("work_order__request", REQUEST_SEARCH_FIELDS),
        "department__name_zh",
        "department__name_en",
        "department__short_code",
    ]
    list_select_related = ["work_order__request__enterprise", "department", "assigned_officer"]
    date_hierarchy = "issued_on"
    readonly_fields = [*all_fields(Assignment), "sla_badge"]
    show_full_result_count = False
    inlines = [ClockPauseInline]
    history_list_display = ["status", "sla_state", "due_date"]
    fieldsets = [
        (None, {"fields": ["work_order", "department", "role", "assigned_officer"]}),
        (_("Clock"), {"fields": ASSIGNMENT_CLOCK_FIELDS}),
        (_("Reply"), {"fields": ASSIGNMENT_REPLY_FIELDS}),
        (_("Acknowledgement"), {"fields": ASSIGNMENT_ACK_FIELDS}),
    ]

    def get_queryset(self, request):
        # __str__ names the work order's tracking number and the department (autocomplete too).
        # Django skips list_select_related once the queryset selects related rows: name both.
        return super().get_queryset(request).select_related(
            "work_order__request", "department", *self.list_select_related
        )

    @admin.display(description=_("tracking number"), ordering="work_order__request__tracking_number")
    def tracking_number(self, obj):
        return obj.work_order.request.tracking_number

    @admin.display(description=_("enterprise"), ordering="work_order__request__enterprise__name")
    def enterprise(self, obj):
        return obj.work_order.request.enterprise

    @admin.display(description=_("assigned officer"), ordering="assigned_officer__display_name")
    def officer(self, obj):
        return obj.assigned_officer.display_name if obj.assigned_officer else ""


@admin.register(ClockPause)
class ClockPauseAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    """Pauses are recorded by ``pause_assignment`` and ``resume_assignment`` only."""

    list_display = ["assignment", "reason", "requested_by", "started_on", "ended_on", "working_days"]
    list_filter = ["reason", ("ended_at", admin.EmptyFieldListFilter), "assignment__department"]
    search_fields = [
        *_prefixed("assignment__work_order__request", ["tracking_number", "enterprise__name"]),
        "assignment__department__short_code",
        "note",
    ]
    list_select_related = ["assignment__work_order__request", "assignment__department", "requested_by"]
    date_hierarchy = "started_at"
    readonly_fields = [field.name for field in ClockPause._meta.fields]
    show_full_result_count = False


@admin.register(DepartmentAsk)
class DepartmentAskAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    """A department's requests to the center are asked on the desk and decided on the request's
    triage page (``workorders.services.asks``); here they are only viewed."""

    list_display = ["assignment", "kind", "status", "by_center", "working_days", "working_days_granted", "asked_at",
                    "decided_at"]
    list_filter = ["kind", "status", "by_center", "reason_category", "assignment__department"]
    search_fields = [
        *_prefixed("assignment__work_order__request", ["tracking_number", "enterprise__name"]),
        "assignment__department__short_code",
        "text",
        "ruling",
    ]
    list_select_related = ["assignment__work_order__request", "assignment__department"]
    date_hierarchy = "asked_at"
    readonly_fields = [*all_fields(DepartmentAsk), "triage_page"]
    show_full_result_count = False

    @admin.display(description=_("decide on the center's page"))
    def triage_page(self, obj):
        number = obj.assignment.work_order.request.tracking_number
        return center_page(reverse("center:request", args=[number]) + f"#ask-{obj.pk}", number)


# --- Stamps and commitments -------------------------------------------------------------------


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    """A stamp is immutable: it is made and revoked on the desk, and only viewed here."""

    list_display = [
        "serial",
        "tracking_number",
        "department",
        "decision",
        "officer_display_name",
        "stamped_at",
        "in_force",
    ]
    list_filter = ["decision", ("revoked_at", admin.EmptyFieldListFilter), "department"]
    search_fields = [
        "serial",
        *_prefixed("assignment__work_order__request", REQUEST_SEARCH_FIELDS),
        "department__name_zh",
        "department__name_en",
        "department__short_code",
        "officer_display_name",
    ]
    list_select_related = ["assignment__work_order__request", "department"]
    date_hierarchy = "stamped_at"
    readonly_fields = [field.name for field in Approval._meta.fields]
    show_full_result_count = False
    history_list_display = ["revoked_at"]

    @admin.display(description=_("tracking number"), ordering="assignment__work_order__request__tracking_number")
    def tracking_number(self, obj):
        return obj.assignment.work_order.request.tracking_number

    @admin.display(description=_("in force"), boolean=True, ordering="revoked_at")
    def in_force(self, obj):
        return obj.in_force


@admin.register(Commitment)
class CommitmentAdmin(CreatedByServicesMixin, SlaBadgeMixin, HistoryAdmin):
    """Commitments are made by a conditional stamp (``stamp_assignment``), accepted by the enterprise
    (``accept_commitment``) and fulfilled on the desk (``fulfil_commitment``): shown here only."""

    list_display = [
        "tracking_number",
        "enterprise",
        "department",
        "kind",
        "due_date",
        "sla_badge",
        "is_fulfilled",
        "accepted_at",
    ]
    list_filter = ["sla_state", "kind", ("fulfilled_at", admin.EmptyFieldListFilter), "department"]
    search_fields = [*_prefixed("request", REQUEST_SEARCH_FIELDS), "department__short_code", "department__name_zh"]
    list_select_related = ["request__enterprise", "department"]
    date_hierarchy = "due_date"
    readonly_fields = [*all_fields(Commitment), "sla_badge"]
    show_full_result_count = False
    history_list_display = ["sla_state", "fulfilled_at"]
    fieldsets = [
        (None, {"fields": ["request", "approval", "department", "kind", "text", "due_date"]}),
        (_("Progress"), {"fields": ["sla_badge", "pledge", "accepted_at", "accepted_by", "fulfilled_at"]}),
    ]

    def get_queryset(self, request):
        # __str__ names the request's tracking number. Django skips list_select_related once the
        # queryset selects related rows: name both.
        return super().get_queryset(request).select_related("request", *self.list_select_related)

    @admin.display(description=_("tracking number"), ordering="request__tracking_number")
    def tracking_number(self, obj):
        return obj.request.tracking_number

    @admin.display(description=_("enterprise"), ordering="request__enterprise__name")
    def enterprise(self, obj):
        return obj.request.enterprise

    @admin.display(description=_("fulfilled"), boolean=True, ordering="fulfilled_at")
    def is_fulfilled(self, obj):
        return obj.is_fulfilled


# --- Precedents -------------------------------------------------------------------------------


@admin.register(ProblemTag)
class ProblemTagAdmin(admin.ModelAdmin):
    """Staff keep the list of problem tags; a tag that a model case carries is not deleted (that would
    change the case's tags, which only ``mark_model_case`` writes, behind the similar-case index)."""

    list_display = ["slug", "name_zh", "name_en"]
    search_fields = ["slug", "name_zh", "name_en"]

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        in_use = [tag for tag in objs if tag.model_cases.exists()]
        return deleted, counts, perms_needed, [*protected, *in_use]


@admin.register(ModelCase)
class ModelCaseAdmin(CreatedByServicesMixin, HistoryAdmin):
    """Model cases are marked on the request's center page (``mark_model_case``), which also rebuilds
    the similar-case index; shown here only."""

    list_display = ["title", "tracking_number", "marked_by", "marked_at"]
    list_filter = ["tags", "work_order__request__project__town"]
    search_fields = ["title", "summary", "tags__name_zh", "tags__name_en", "work_order__request__tracking_number"]
    list_select_related = ["work_order__request", "marked_by"]
    date_hierarchy = "marked_at"
    fields = ["work_order", "center_page", "title", "summary", "tags", "marked_by", "marked_at"]
    readonly_fields = [*all_fields(ModelCase), "center_page"]

    @admin.display(description=_("tracking number"), ordering="work_order__request__tracking_number")
    def tracking_number(self, obj):
        return obj.work_order.request.tracking_number

    @admin.display(description=_("center page"))
    def center_page(self, obj):
        return request_page(obj.work_order.request)


@admin.register(RequestEvent)
class RequestEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The timeline is written by services only."""

    list_display = ["request", "kind", "department", "public", "created_at"]
    list_filter = ["kind", "public"]
    search_fields = ["request__tracking_number", "text"]
    list_select_related = ["request", "department"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(AcknowledgementReminder)
class AcknowledgementReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which assignments the SLA sweep chased for their acknowledgement, and when (read-only)."""

    list_display = ["sent_at", "assignment", "sweep"]
    list_select_related = ["assignment__work_order__request", "assignment__department"]
    raw_id_fields = ["assignment"]
    date_hierarchy = "sent_at"
    show_full_result_count = False


@admin.register(SlaTransition)
class SlaTransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the SLA sweep did, step by step (read-only: only the sweep writes these)."""

    list_display = ["at", "assignment", "commitment", "from_state", "to_state", "sweep"]
    list_filter = ["to_state", "from_state"]
    list_select_related = ["assignment__work_order__request", "assignment__department", "commitment__request"]
    raw_id_fields = ["assignment", "commitment"]
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(StampCounter)
class StampCounterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The last serial per department and year (only stamping writes these)."""

    list_display = ["department", "year", "last"]
    list_filter = ["year", "department"]
