"""What the center issued: work orders, each department's assignment with its clock and pauses, and
the SLA sweep's transitions."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from workorders.models.requests import ServiceRequest
from workorders.states import Lifecycle, event


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
        PAUSED = "paused", _("Clock paused")
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
    # Acknowledgement (签收): recorded and chased, but the clock runs from issue regardless. The
    # acknowledgement is due by the end of ``ack_due_on`` (CENTER_ACK_WORKING_DAYS after issue); the
    # sweep sends one notice for a late one and records it as an ``AcknowledgementReminder``.
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("acknowledged by"),
    )
    ack_due_on = models.DateField(_("acknowledgement due on"), null=True, blank=True)
    ack_working_hours = models.DecimalField(
        _("working hours to acknowledge"), max_digits=7, decimal_places=1, null=True, blank=True)
    # The original clock: the due date at issue, moved only by pauses for the enterprise's material
    # (never by an extension or a third party), so that no approval can raise the on-time rate
    # measured against it. ``due_date`` is the date in force (extensions and all pauses included).
    original_due_date = models.DateField(_("original due date"), null=True, blank=True)
    extension_working_days = models.PositiveIntegerField(_("working days of extension granted"), default=0)
    third_party_paused_working_days = models.PositiveIntegerField(_("working days paused for a third party"), default=0)
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
            # The sweep's acknowledgement reminders read the unacknowledged ones.
            models.Index(fields=["ack_due_on"], name="assignment_unacknowledged",
                         condition=models.Q(acknowledged_at__isnull=True)),
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
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

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
    # Acknowledgement (签收), and the department's requests to the center (re-route, extension,
    # a third-party pause going on) and its internal notes: an open assignment only.
    "acknowledge": event(_OPEN),
    "ask_center": event(_OPEN),
    "note": event(_OPEN),
    # Any move of the due date (extension, minutes): an open assignment only.
    "move_due_date": event(_OPEN),
    # A decision needs the clock running or the work done, never a paused or withdrawn share.
    "stamp": event([_A.ISSUED, _A.IN_PROGRESS, _A.DONE]),
    # The SLA sweep moves the SLA state of running clocks only.
    "sweep": event(_ANSWERABLE),
})
OPEN_ASSIGNMENT_STATUSES = ASSIGNMENT_LIFECYCLE.statuses_for("move_due_date")
RUNNING_ASSIGNMENT_STATUSES = ASSIGNMENT_LIFECYCLE.statuses_for("sweep")


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
    # Waiting for a third party: a named department or an outside organisation (one of the two).
    third_party_department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("third-party department"),
    )
    third_party_name = models.CharField(_("outside organisation"), max_length=200, blank=True)
    # A third-party pause resumes by itself on this working day (from the sweep) unless the center
    # approved that it goes on (CENTER_THIRD_PARTY_PAUSE_WORKING_DAYS after it started); empty for
    # pauses for the enterprise's material, and once the center approved the pause going on.
    resumes_on = models.DateField(_("resumes by itself on"), null=True, blank=True)
    continuation_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("going on approved by"),
    )
    continuation_approved_at = models.DateTimeField(_("going on approved at"), null=True, blank=True)
    resumed_automatically = models.BooleanField(_("resumed by itself"), default=False)
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
        indexes = [
            # The sweep resumes the open third-party pauses whose limit has come.
            models.Index(fields=["resumes_on"], name="clock_pause_resumes",
                         condition=models.Q(ended_at__isnull=True, resumes_on__isnull=False)),
        ]

    def __str__(self):
        return f"{self.assignment} {self.started_on}–{self.ended_on or ''}"

    @property
    def third_party(self) -> str:
        """Who the department waits for (a department's name or the outside organisation)."""
        if self.third_party_department_id:
            return str(self.third_party_department)
        return self.third_party_name


class DepartmentAsk(models.Model):
    """A department's request to the center about its assignment: to re-route it (退单申请), to extend
    its due date (延期申请), or to let a third-party pause go on past its limit. The department asks;
    only center staff decide, with a ruling the department reads. A direct extension by center staff
    is recorded as an ask granted at once (``by_center``), so that it is counted the same way."""

    class Kind(models.TextChoices):
        REROUTE = "reroute", _("Re-route")
        EXTENSION = "extension", _("Extension")
        PAUSE = "pause", _("Third-party pause going on")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the center")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    class RerouteReason(models.TextChoices):
        NOT_COMPETENT = "not_competent", _("Not our competence")
        NOT_TERRITORY = "not_territory", _("Not our territory")
        OWNERSHIP_UNCLEAR = "ownership_unclear", _("Ownership unclear")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="asks", verbose_name=_("assignment"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    reason_category = models.CharField(
        _("reason category"), max_length=24, choices=RerouteReason.choices, blank=True)
    text = models.TextField(_("reason"))
    suggested_department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("department thought competent"),
    )
    working_days = models.PositiveSmallIntegerField(_("working days asked"), null=True, blank=True)
    working_days_granted = models.PositiveSmallIntegerField(_("working days granted"), null=True, blank=True)
    pause = models.ForeignKey(
        ClockPause, on_delete=models.CASCADE, null=True, blank=True, related_name="asks", verbose_name=_("pause"))
    by_center = models.BooleanField(_("decided by the center directly"), default=False)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("asked by"),
    )
    asked_at = models.DateTimeField(_("asked at"))
    asked_on = models.DateField(_("asked on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    ruling = models.TextField(_("ruling"), blank=True)
    # A granted re-route: the assignment that took the work over.
    new_assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("new assignment"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-asked_at", "-id"]
        verbose_name = _("department's request to the center")
        verbose_name_plural = _("departments' requests to the center")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind"], condition=models.Q(status="pending"),
                                    name="department_ask_one_pending"),
        ]
        indexes = [
            # The center's page lists the pending ones, oldest first.
            models.Index(fields=["asked_at", "id"], name="department_ask_pending",
                         condition=models.Q(status="pending")),
            models.Index(fields=["asked_on"], name="department_ask_asked_on"),
            models.Index(fields=["decided_on"], name="department_ask_decided_on",
                         condition=models.Q(decided_on__isnull=False)),
        ]

    def __str__(self):
        return f"{self.assignment} {self.get_kind_display()} {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return DEPARTMENT_ASK_LIFECYCLE.allows(self.status, "decide")


_K = DepartmentAsk.Status
DEPARTMENT_ASK_LIFECYCLE = Lifecycle("department ask", tuple(_K.values), {
    "decide": event([_K.PENDING]),
    "grant": event([_K.PENDING], _K.GRANTED),
    "refuse": event([_K.PENDING], _K.REFUSED),
})


class AcknowledgementReminder(models.Model):
    """The SLA sweep told an assignment's heads and center staff that it was not acknowledged in
    time (once per assignment). A narrow row of its own, so that marking thousands of reminders does
    not rewrite the wide assignment rows and their indexes."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, primary_key=True, related_name="ack_reminder",
        verbose_name=_("assignment"))
    sweep = models.UUIDField(_("sweep"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("acknowledgement reminder")
        verbose_name_plural = _("acknowledgement reminders")

    def __str__(self):
        return f"{self.assignment} {self.sent_at:%Y-%m-%d %H:%M}"


class SlaTransition(models.Model):
    """One step of an assignment's or a commitment's SLA state, made by the sweep (the system)."""

    sweep = models.UUIDField(_("sweep"), db_index=True)
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="sla_transitions",
        verbose_name=_("assignment"),
    )
    commitment = models.ForeignKey(
        "Commitment", on_delete=models.CASCADE, null=True, blank=True, related_name="sla_transitions",
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
