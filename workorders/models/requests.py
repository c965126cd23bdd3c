"""What an enterprise asked for: requests, their attachments, the problem tags and the timeline."""
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from workorders.states import Lifecycle, event
from workorders.uploads import download_name, served_content_type


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


#: The storage folder of every attachment (``MEDIA_ROOT/attachments``); the orphan sweep walks it.
ATTACHMENTS_FOLDER = "attachments"


def attachment_upload_to(instance, filename):
    """A random stored name; the person's file name is kept only in ``original_name``."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"{ATTACHMENTS_FOLDER}/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{suffix}"


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

    @property
    def download_name(self) -> str:
        """The name the file is listed and downloaded under: ``original_name`` ending with the
        extension of its checked type (``report.html`` holding a PDF is ``report.pdf``)."""
        return download_name(self.original_name, self.content_type)

    @property
    def served_content_type(self) -> str:
        return served_content_type(self.content_type)


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
        ACKNOWLEDGED = "acknowledged", _("Acknowledged by the department")
        PAUSED = "paused", _("Clock paused")
        RESUMED = "resumed", _("Clock running again")
        REROUTE_ASKED = "reroute_asked", _("Re-route asked")
        REROUTED = "rerouted", _("Work moved to another department")
        REROUTE_REFUSED = "reroute_refused", _("Re-route refused")
        EXTENSION_ASKED = "extension_asked", _("Extension asked")
        EXTENSION_GRANTED = "extension_granted", _("Extension granted")
        EXTENSION_REFUSED = "extension_refused", _("Extension refused")
        PAUSE_ASKED = "pause_asked", _("Asked for the pause to go on")
        PAUSE_APPROVED = "pause_approved", _("Pause going on approved")
        NOTE = "note", _("Internal note")
        CONCLUSION = "conclusion", _("Co-handling conclusion")

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    assignment = models.ForeignKey(
        "Assignment", on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("assignment")
    )
    text = models.TextField(_("text"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # Internal steps (a reassignment within a department, an internal note, a co-handler's conclusion,
    # a department's request to the center) are not shown to the enterprise.
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
