import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from workorders.states import Lifecycle, event


class ServiceRequest(models.Model):
    """What an enterprise asked the center for."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", _("Extension")
        MODIFICATION = "modification", _("Modification")
        BLOCKER = "blocker", _("Help with a blocker")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Merged into another request")

    tracking_number = models.CharField(_("tracking number"), max_length=24, unique=True)
    enterprise = models.ForeignKey(
        "projects.Enterprise", on_delete=models.PROTECT, related_name="requests", verbose_name=_("enterprise")
    )
    project = models.ForeignKey(
        "projects.InvestmentProject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("project"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("problem description"))
    requested_completion_date = models.DateField(_("new completion date wanted"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submitted_requests",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    # The hidden form token (or API Idempotency-Key) that makes a resubmission return this request.
    submission_token = models.CharField(_("submission token"), max_length=64, null=True, blank=True, unique=True)
    decision_reason = models.TextField(
        _("reason given to the enterprise"), blank=True, help_text=_("For a rejection or a merge.")
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates", verbose_name=_("duplicate of")
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="request_status_submitted"),
            # The portal's list: one enterprise's requests, newest first, read from the index.
            models.Index(fields=["enterprise", "-submitted_at", "-id"], name="request_enterprise_recent"),
            # The API's and the admin's newest-first lists over every request.
            models.Index(fields=["-submitted_at", "-id"], name="request_recent"),
            # The dashboard figures read a month's ratings.
            models.Index(fields=["rated_at"], name="request_rated_at", condition=models.Q(rated_at__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="request_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="extension") | models.Q(requested_completion_date__isnull=False),
                name="request_extension_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.tracking_number} {self.title}"

    @property
    def is_waiting_for_triage(self) -> bool:
        return REQUEST_LIFECYCLE.allows(self.status, "issue")

    @property
    def can_be_rated(self) -> bool:
        return REQUEST_LIFECYCLE.allows(self.status, "rate") and self.rating is None


_R = ServiceRequest.Status
REQUEST_LIFECYCLE = Lifecycle("request", tuple(_R.values), {
    # Triage: only a request waiting for it.
    "link_project": event([_R.SUBMITTED]),
    "issue": event([_R.SUBMITTED], _R.IN_PROGRESS),
    "reject": event([_R.SUBMITTED], _R.REJECTED),
    "merge": event([_R.SUBMITTED], _R.MERGED),
    # A duplicate is merged into a request that is still the enterprise's live record.
    "receive_merge": event([_R.SUBMITTED, _R.IN_PROGRESS, _R.RESOLVED]),
    "provide_material": event([_R.IN_PROGRESS]),
    "resolve": event([_R.IN_PROGRESS], _R.RESOLVED),
    "rate": event([_R.RESOLVED]),
})


def attachment_upload_to(instance, filename):
    """A random stored name; the person's file name is kept only in ``original_name``."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"attachments/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("request")
    )
    assignment = models.ForeignKey(
        "Assignment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("assignment"),
        help_text=_("Set when the file answers a department's request for material."),
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    event = models.ForeignKey(
        "RequestEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments", verbose_name=_("timeline event")
    )

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name


class ProblemTag(models.Model):
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("problem tag")
        verbose_name_plural = _("problem tags")

    def __str__(self):
        return self.name_zh


class WorkOrder(models.Model):
    """What the center issued for a request: the problem and the departments that must act."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    request = models.OneToOneField(
        ServiceRequest, on_delete=models.PROTECT, related_name="work_order", verbose_name=_("request")
    )
    problem = models.TextField(_("problem"))
    proposed_approach = models.TextField(_("proposed approach"), blank=True)
    lead_department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="led_work_orders",
        verbose_name=_("lead department"),
    )
    departments = models.ManyToManyField(
        "departments.Department", through="Assignment", related_name="work_orders", verbose_name=_("departments")
    )
    needs_consultation = models.BooleanField(_("flagged for consultation"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_summary = models.TextField(_("resolution summary"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [models.Index(fields=["status", "needs_consultation"], name="workorder_status_consult")]

    def __str__(self):
        return f"{self.request.tracking_number}"

    @property
    def is_open(self) -> bool:
        return WORK_ORDER_LIFECYCLE.allows(self.status, "resolve")

    @property
    def can_be_model_case(self) -> bool:
        return WORK_ORDER_LIFECYCLE.allows(self.status, "mark_model_case")


_W = WorkOrder.Status
WORK_ORDER_LIFECYCLE = Lifecycle("work order", tuple(_W.values), {
    "flag_for_consultation": event([_W.OPEN]),
    # When the last department finishes (done or re-routed away).
    "resolve": event([_W.OPEN], _W.RESOLVED),
    # The center's review of a resolved work order (办结审核): closed, or work sent back.
    "close": event([_W.RESOLVED], _W.CLOSED),
    "send_back": event([_W.RESOLVED], _W.OPEN),
    "mark_model_case": event([_W.RESOLVED, _W.CLOSED]),
})


class Assignment(models.Model):
    """One department's share of a work order, with its own clock."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        CO_HANDLING = "co_handling", _("Co-handling")

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        IN_PROGRESS = "in_progress", _("In progress")
        PAUSED = "paused", _("Waiting for the enterprise")
        DONE = "done", _("Done")
        WITHDRAWN = "withdrawn", _("Withdrawn (re-routed)")

    class SlaState(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        ESCALATED = "escalated", _("Escalated")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Done")

    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("work order")
    )
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("department")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CO_HANDLING)
    assigned_officer = models.ForeignKey(
        "departments.Officer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("assigned officer"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ISSUED)
    sla_state = models.CharField(_("SLA state"), max_length=16, choices=SlaState.choices, default=SlaState.ON_TRACK)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    issued_at = models.DateTimeField(_("issued at"))
    issued_on = models.DateField(_("issued on"))
    sla_working_days = models.PositiveSmallIntegerField(_("working days allowed"))
    due_date = models.DateField(_("due date"))
    paused_working_days = models.PositiveIntegerField(_("working days paused"), default=0)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replied by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Stored when they happen, for the leaders' figures (center.dashboards.figures): the local date the
    # department finished, the working days until its first answer (reply, request for material or
    # done), and the clock's working days from issue to done, pauses excluded.
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    response_working_days = models.PositiveSmallIntegerField(_("working days to first answer"), null=True, blank=True)
    working_days_taken = models.PositiveSmallIntegerField(
        _("working days taken"), null=True, blank=True, help_text=_("Working days on the clock from issue to done."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["work_order", "department"], name="assignment_one_per_department"),
            models.CheckConstraint(condition=models.Q(due_date__gte=models.F("issued_on")), name="assignment_due_after_issue"),
        ]
        indexes = [
            # The SLA sweep selects open assignments by status and due date.
            models.Index(fields=["status", "due_date"], name="assignment_sla_sweep"),
            models.Index(fields=["department", "status", "due_date"], name="assignment_desk_queue"),
            # The API's cursor over all assignments, most urgent first.
            models.Index(fields=["due_date", "id"], name="assignment_due_cursor"),
            # The dashboard figures read a month of issued and of finished assignments; the leader's
            # list of escalated work and the overdue counts read the late ones.
            models.Index(fields=["issued_on", "department"], name="assignment_issued_on"),
            models.Index(fields=["closed_on", "department"], name="assignment_closed_on",
                         condition=models.Q(closed_on__isnull=False)),
            models.Index(fields=["sla_state", "department", "status"], name="assignment_late",
                         condition=models.Q(sla_state__in=("overdue", "escalated"))),
            models.Index(fields=["due_date", "id"], name="assignment_escalated",
                         condition=models.Q(sla_state="escalated")),
        ]

    def __str__(self):
        return f"{self.work_order} → {self.department}"

    @property
    def is_open(self) -> bool:
        """Still the department's to finish (its clock running or paused)."""
        return ASSIGNMENT_LIFECYCLE.allows(self.status, "move_due_date")

    @property
    def clock_running(self) -> bool:
        return ASSIGNMENT_LIFECYCLE.allows(self.status, "sweep")

    @property
    def clock_paused(self) -> bool:
        """Stopped while the department waits (the enterprise answers, or a third party)."""
        return ASSIGNMENT_LIFECYCLE.allows(self.status, "resume")

    @property
    def can_be_answered(self) -> bool:
        """Reply, ask for material, mark done: while the clock runs."""
        return ASSIGNMENT_LIFECYCLE.allows(self.status, "reply")

    @property
    def can_be_reassigned(self) -> bool:
        return ASSIGNMENT_LIFECYCLE.allows(self.status, "reassign")

    @property
    def can_be_stamped(self) -> bool:
        """Its status allows a stamp (a stamp already in force is the service's other refusal)."""
        return ASSIGNMENT_LIFECYCLE.allows(self.status, "stamp")


_A = Assignment.Status
_ANSWERABLE = [_A.ISSUED, _A.IN_PROGRESS]
_OPEN = [_A.ISSUED, _A.IN_PROGRESS, _A.PAUSED]
ASSIGNMENT_LIFECYCLE = Lifecycle("assignment", tuple(_A.values), {
    "reply": event(_ANSWERABLE, _A.IN_PROGRESS),
    # Waiting for the enterprise's material or a third party: the clock stops.
    "pause": event(_ANSWERABLE, _A.PAUSED),
    "resume": event([_A.PAUSED], _A.IN_PROGRESS),
    "complete": event(_ANSWERABLE, _A.DONE),
    # Re-routed away by the center (the department does not hand work back on its own).
    "withdraw": event(_OPEN, _A.WITHDRAWN),
    "reassign": event(_OPEN),
    # Any move of the due date (extension, minutes): an open assignment only.
    "move_due_date": event(_OPEN),
    # A decision needs the clock running or the work done, never a paused or withdrawn share.
    "stamp": event([_A.ISSUED, _A.IN_PROGRESS, _A.DONE]),
    # The SLA sweep moves the SLA state of running clocks only.
    "sweep": event(_ANSWERABLE),
})
OPEN_ASSIGNMENT_STATUSES = ASSIGNMENT_LIFECYCLE.statuses_for("move_due_date")
RUNNING_ASSIGNMENT_STATUSES = ASSIGNMENT_LIFECYCLE.statuses_for("sweep")
FINISHED_ASSIGNMENT_STATUSES = tuple(s for s in _A.values if s not in OPEN_ASSIGNMENT_STATUSES)


class ClockPause(models.Model):
    """A span during which an assignment's clock stood still, with its reason and who asked."""

    class Reason(models.TextChoices):
        WAITING_FOR_MATERIAL = "material", _("Waiting for material from the enterprise")
        WAITING_FOR_THIRD_PARTY = "third_party", _("Waiting for a third party")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("assignment")
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.TextField(_("note"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("requested by")
    )
    started_at = models.DateTimeField(_("paused at"))
    started_on = models.DateField(_("paused on"))
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    ended_on = models.DateField(_("resumed on"), null=True, blank=True)
    working_days = models.PositiveIntegerField(_("working days paused"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["started_at"]
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=models.Q(ended_at__isnull=True), name="clock_pause_one_open"
            )
        ]

    def __str__(self):
        return f"{self.assignment} {self.started_on}–{self.ended_on or ''}"


class ImmutableError(Exception):
    """A stamp cannot be changed once made; it can only be revoked (``revoke_approval``)."""


class ApprovalQuerySet(models.QuerySet):
    """No bulk path changes stamps: ``update``, ``bulk_update`` and ``delete`` are refused."""

    def update(self, **kwargs):
        raise ImmutableError("Approvals are immutable; revoke one with revoke_approval().")

    def bulk_update(self, objs, fields, batch_size=None):
        raise ImmutableError("Approvals are immutable; revoke one with revoke_approval().")

    def delete(self):
        raise ImmutableError("Approvals are kept for the record.")


# Set once, by the revocation: everything else of a stamp is fixed at creation.
REVOCATION_FIELDS = ("revoked_at", "revoked_by_id", "revocation_reason", "revocation_signature")


class Approval(models.Model):
    """A department's stamp on an assignment. Immutable once made; only revocable."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        CONDITIONAL = "conditional", _("Approved with conditions")
        DECLINED = "declined", _("Declined")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("assignment")
    )
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="approvals", verbose_name=_("department")
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    conditions = models.TextField(_("conditions"), blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("officer")
    )
    officer_display_name = models.CharField(_("officer's display name"), max_length=60)
    stamped_at = models.DateTimeField(_("stamped at"))
    serial = models.CharField(_("serial number"), max_length=32, unique=True)
    key_id = models.CharField(_("key id"), max_length=64, blank=True)
    signature = models.TextField(_("signature (JWS)"), blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revoked_approvals",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.TextField(_("revocation reason"), blank=True)
    revocation_signature = models.TextField(_("revocation signature (JWS)"), blank=True)
    history = HistoricalRecords()

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["-stamped_at"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=models.Q(revoked_at__isnull=True), name="approval_one_in_force"
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="conditional") | ~models.Q(conditions=""),
                name="approval_conditional_has_conditions",
            ),
        ]

    def __str__(self):
        return self.serial

    @property
    def in_force(self) -> bool:
        return self.revoked_at is None

    def save(self, *args, **kwargs):
        """A new stamp is written once; afterwards only an unrevoked stamp's revocation fields may be
        set, once. Anything else raises ``ImmutableError``."""
        if self._state.adding:
            return super().save(*args, **kwargs)
        stored = type(self).objects.filter(pk=self.pk).values().first()
        if stored is None:
            raise ImmutableError("This stamp does not exist.")
        for field in self._meta.concrete_fields:
            if field.attname in REVOCATION_FIELDS:
                continue
            if getattr(self, field.attname) != stored[field.attname]:
                raise ImmutableError(f"A stamp's {field.name} cannot change.")
        if stored["revoked_at"] is not None:
            raise ImmutableError("A revoked stamp cannot change.")
        kwargs["update_fields"] = list(REVOCATION_FIELDS)
        # Bypasses the refusing queryset on purpose: the one legitimate change, checked above.
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Approvals are kept for the record.")


class Commitment(models.Model):
    """What the enterprise promised under a conditional approval or a 'materials later' acceptance."""

    class Kind(models.TextChoices):
        CONDITIONAL_APPROVAL = "conditional", _("Under a conditional approval")
        MATERIALS_LATER = "materials_later", _("Materials later")

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("request")
    )
    approval = models.ForeignKey(
        Approval, on_delete=models.PROTECT, null=True, blank=True, related_name="commitments", verbose_name=_("approval")
    )
    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("department that set it"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CONDITIONAL_APPROVAL)
    text = models.TextField(_("commitment"))
    due_date = models.DateField(_("due date"))
    pledge = models.TextField(_("the enterprise's written pledge"), blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("accepted by")
    )
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    sla_state = models.CharField(
        _("SLA state"), max_length=16, choices=Assignment.SlaState.choices, default=Assignment.SlaState.ON_TRACK
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        indexes = [models.Index(fields=["fulfilled_at", "due_date"], name="commitment_sla_sweep")]

    def __str__(self):
        return f"{self.request.tracking_number}: {self.text[:40]}"

    @property
    def is_fulfilled(self) -> bool:
        return self.fulfilled_at is not None

    @property
    def can_be_accepted(self) -> bool:
        """Not yet accepted, and its approval (if any) still in force. Needs ``approval`` loaded."""
        return self.accepted_at is None and (self.approval_id is None or self.approval.in_force)

    @property
    def can_be_fulfilled(self) -> bool:
        return self.fulfilled_at is None


class ModelCase(models.Model):
    """A resolved work order marked as a precedent for the next project with the same problem."""

    work_order = models.OneToOneField(
        WorkOrder, on_delete=models.PROTECT, related_name="model_case", verbose_name=_("work order")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("resolution summary"))
    tags = models.ManyToManyField(ProblemTag, related_name="model_cases", verbose_name=_("problem tags"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("marked by")
    )
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[tags])

    class Meta:
        ordering = ["-marked_at"]
        verbose_name = _("model case")
        verbose_name_plural = _("model cases")

    def __str__(self):
        return self.title


class RequestEvent(models.Model):
    """One step on a request's timeline. Names departments, never officers."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Request submitted")
        PROJECT_LINKED = "project_linked", _("Linked to the project")
        ISSUED = "issued", _("Work order issued")
        CONSULTATION = "consultation", _("Flagged for consultation")
        REJECTED = "rejected", _("Request rejected")
        MERGED = "merged", _("Merged into another request")
        REPLIED = "replied", _("Department replied")
        MATERIAL_REQUESTED = "material_requested", _("Material requested; the clock is paused")
        MATERIAL_PROVIDED = "material_provided", _("Material provided; the clock runs again")
        DONE = "done", _("Department finished")
        REASSIGNED = "reassigned", _("Reassigned within the department")
        RESOLVED = "resolved", _("Request resolved")
        RATED = "rated", _("Service rated")
        COMMITTED = "committed", _("Conditions accepted with a commitment")
        CONSULTED = "consulted", _("Consultation held")
        OFFICE_HOURS = "office_hours", _("Discussed at the office hours")
        STAMPED = "stamped", _("Stamped")
        REVOKED = "revoked", _("Stamp revoked")
        FULFILLED = "fulfilled", _("Commitment fulfilled")
        DUE_DATE_MOVED = "due_date_moved", _("Due date moved")

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("assignment")
    )
    text = models.TextField(_("text"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # Internal steps (a reassignment within a department) are not shown to the enterprise.
    public = models.BooleanField(_("shown to the enterprise"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [models.Index(fields=["request", "created_at"], name="request_event_timeline")]

    def __str__(self):
        return f"{self.request.tracking_number} {self.get_kind_display()}"


class SlaTransition(models.Model):
    """One step of an assignment's or a commitment's SLA state, made by the sweep (the system)."""

    sweep = models.UUIDField(_("sweep"), db_index=True)
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="sla_transitions",
        verbose_name=_("assignment"),
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, null=True, blank=True, related_name="sla_transitions",
        verbose_name=_("commitment"),
    )
    from_state = models.CharField(_("from state"), max_length=16, choices=Assignment.SlaState.choices)
    to_state = models.CharField(_("to state"), max_length=16, choices=Assignment.SlaState.choices)
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("SLA transition")
        verbose_name_plural = _("SLA transitions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assignment__isnull=False, commitment__isnull=True)
                | models.Q(assignment__isnull=True, commitment__isnull=False),
                name="sla_transition_one_subject",
            )
        ]

    def __str__(self):
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"


class StampCounter(models.Model):
    """The last serial number given by a department in a year; its row lock keeps serials gap-free."""

    department = models.ForeignKey("departments.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("stamp counter")
        verbose_name_plural = _("stamp counters")
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="stamp_counter_once")]

    def __str__(self):
        return f"{self.department_id}-{self.year}: {self.last}"
