from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class OfficeHoursSession(models.Model):
    """One Monday's centralized office hours (or the next working day's)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    date = models.DateField(_("date"), unique=True)
    starts_at = models.TimeField(_("starts at"), default="09:00")
    venue = models.CharField(_("venue"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    departments = models.ManyToManyField(
        "departments.Department", blank=True, related_name="office_hours_sessions", verbose_name=_("attending departments")
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="office_hours_sessions", verbose_name=_("attending staff")
    )
    agenda_built_at = models.DateTimeField(_("agenda built at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("office-hours session")
        verbose_name_plural = _("office-hours sessions")

    def __str__(self):
        return f"{self.date:%Y-%m-%d}"


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        OVERDUE = "overdue", _("Overdue assignment")
        ESCALATED = "escalated", _("Escalated assignment")
        CONSULTATION = "consultation", _("Flagged for consultation")
        READY_TO_STAMP = "ready_to_stamp", _("Ready to stamp")
        RED_PROJECT = "red_project", _("Red project")
        CARRIED_OVER = "carried_over", _("Carried over")
        OTHER = "other", _("Added by staff")

    session = models.ForeignKey(
        OfficeHoursSession, on_delete=models.CASCADE, related_name="items", verbose_name=_("session")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("department")
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("work order")
    )
    assignment = models.ForeignKey(
        "workorders.Assignment", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("assignment")
    )
    project = models.ForeignKey(
        "projects.InvestmentProject", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("project")
    )
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)
    slot_start = models.TimeField(_("slot start"), null=True, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=15)
    # Staff edits survive a rebuild: an edited or removed item is left as staff left it.
    edited_by_staff = models.BooleanField(_("edited by staff"), default=False)
    removed = models.BooleanField(_("removed"), default=False)
    carried_over_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("carried over from")
    )
    outcome = models.TextField(_("outcome"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    new_due_date = models.DateField(_("new due date agreed"), null=True, blank=True)
    concluded = models.BooleanField(_("concluded"), default=False)
    invited_at = models.DateTimeField(_("enterprise invited at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "position", "slot_start", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "kind", "assignment"],
                condition=models.Q(assignment__isnull=False),
                name="agenda_item_once_per_assignment",
            ),
            models.UniqueConstraint(
                fields=["session", "kind", "work_order"],
                condition=models.Q(assignment__isnull=True, work_order__isnull=False),
                name="agenda_item_once_per_work_order",
            ),
            models.UniqueConstraint(
                fields=["session", "kind", "project"],
                condition=models.Q(assignment__isnull=True, work_order__isnull=True, project__isnull=False),
                name="agenda_item_once_per_project",
            ),
        ]

    def __str__(self):
        return self.title


class Consultation(models.Model):
    """A meeting on a work order with departments and outside parties."""

    work_order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.CASCADE, related_name="consultations", verbose_name=_("work order")
    )
    session = models.ForeignKey(
        OfficeHoursSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("office-hours session"),
    )
    held_at = models.DateTimeField(_("held at"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    departments = models.ManyToManyField(
        "departments.Department", related_name="consultations", verbose_name=_("departments")
    )
    outside_parties = models.TextField(_("outside parties"), blank=True)
    attendees = models.TextField(_("attendees"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("convened by")
    )
    history = HistoricalRecords(m2m_fields=[departments])

    class Meta:
        ordering = ["-held_at"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self):
        return f"{self.work_order} {self.held_at:%Y-%m-%d}"


class Mechanism(models.Model):
    """A procedural guideline written for a recurring problem."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REFINING = "refining", _("Refining")
        PUBLISHED = "published", _("Published")

    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    text = models.TextField(_("text"))
    tags = models.ManyToManyField(
        "workorders.ProblemTag", blank=True, related_name="mechanisms", verbose_name=_("problem tags")
    )
    towns = models.ManyToManyField("projects.Town", blank=True, related_name="mechanisms", verbose_name=_("towns"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[tags, towns])

    class Meta:
        ordering = ["title_zh"]
        verbose_name = _("mechanism")
        verbose_name_plural = _("mechanisms")

    def __str__(self):
        return self.title_zh


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran the heartbeat task that beat schedules."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.name} {self.last_seen:%Y-%m-%d %H:%M:%S}"


class DepartmentMonth(models.Model):
    """One department's figures for one calendar month (``department`` empty: the whole district),
    kept by ``center.dashboards.figures.refresh_figures`` from aggregate queries so that the
    dashboards read a few hundred rows instead of millions of assignments.

    Each figure belongs to the month its event happened in: issued and answered-in-time to the
    month of issue, resolved, on time and the median to the month the department finished,
    ratings to the month they were given, overdue and escalated to the month the sweep moved the
    assignment there. Past months therefore stop changing, and a refresh recomputes the latest ones.
    """

    department = models.ForeignKey(
        "departments.Department", on_delete=models.CASCADE, null=True, blank=True, related_name="months",
        verbose_name=_("department"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    issued = models.PositiveIntegerField(_("assignments issued"), default=0)
    answered_in_time = models.PositiveIntegerField(_("answered within the response time"), default=0)
    resolved = models.PositiveIntegerField(_("assignments finished"), default=0)
    resolved_on_time = models.PositiveIntegerField(_("finished on time"), default=0)
    median_working_days = models.DecimalField(
        _("median working days to resolve"), max_digits=6, decimal_places=1, null=True, blank=True)
    ratings = models.PositiveIntegerField(_("ratings"), default=0)
    rating_total = models.PositiveIntegerField(_("sum of ratings"), default=0)
    became_overdue = models.PositiveIntegerField(_("became overdue"), default=0)
    became_escalated = models.PositiveIntegerField(_("escalated"), default=0)
    # Against the due dates in force (granted extensions and all pauses included); ``resolved_on_time``
    # is against the original clock (the due date at issue, moved only by pauses for the enterprise's
    # material), so that no approval can raise it.
    resolved_on_time_extended = models.PositiveIntegerField(_("finished by the extended due date"), default=0)
    # Acknowledgement (签收), to the month of issue: how many, how many by their due day, and the
    # median working hours from issue.
    acknowledged = models.PositiveIntegerField(_("acknowledged"), default=0)
    acknowledged_in_time = models.PositiveIntegerField(_("acknowledged in time"), default=0)
    ack_median_working_hours = models.DecimalField(
        _("median working hours to acknowledge"), max_digits=7, decimal_places=1, null=True, blank=True)
    # The departments' requests to the center: asked to the month asked, rulings to the month decided.
    reroutes_asked = models.PositiveIntegerField(_("re-routes asked"), default=0)
    reroutes_approved = models.PositiveIntegerField(_("re-routes approved"), default=0)
    reroutes_refused = models.PositiveIntegerField(_("re-routes refused"), default=0)
    extensions_asked = models.PositiveIntegerField(_("extensions asked"), default=0)
    extensions_granted = models.PositiveIntegerField(_("extensions granted"), default=0)
    extension_days_granted = models.PositiveIntegerField(_("working days of extension granted"), default=0)
    # Working days of third-party pauses that ended in the month.
    third_party_pause_days = models.PositiveIntegerField(_("working days paused for a third party"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        ordering = ["-month", "department"]
        verbose_name = _("department month")
        verbose_name_plural = _("department months")
        constraints = [
            models.UniqueConstraint(fields=["department", "month"], name="department_month_once"),
            models.UniqueConstraint(fields=["month"], condition=models.Q(department__isnull=True),
                                    name="district_month_once"),
        ]

    def __str__(self):
        return f"{self.department or _('District')} {self.month:%Y-%m}"

    @staticmethod
    def _rate(part, whole):
        return None if not whole else round(100 * part / whole, 1)

    @property
    def response_rate(self):
        return self._rate(self.answered_in_time, self.issued)

    @property
    def on_time_rate(self):
        """Against the original clock: no extension raises it."""
        return self._rate(self.resolved_on_time, self.resolved)

    @property
    def on_time_extended_rate(self):
        """Against the due dates with the granted extensions."""
        return self._rate(self.resolved_on_time_extended, self.resolved)

    @property
    def ack_in_time_rate(self):
        return self._rate(self.acknowledged_in_time, self.issued)

    @property
    def satisfaction(self):
        return None if not self.ratings else round(self.rating_total / self.ratings, 2)


class PeriodicRun(models.Model):
    """When the beat last sent one periodic task of its schedule (``CELERY_BEAT_SCHEDULE``'s name),
    kept in the database so that a beat taking over from another knows what is overdue and what
    the other sent within its interval (``center.beat.LockedScheduler``)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    last_run_at = models.DateTimeField(_("last sent at"))
    run_count = models.PositiveIntegerField(_("times sent"), default=0)

    class Meta:
        verbose_name = _("periodic run")
        verbose_name_plural = _("periodic runs")

    def __str__(self):
        return f"{self.name} {self.last_run_at:%Y-%m-%d %H:%M:%S}"
