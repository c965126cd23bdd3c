"""Departments' decisions: stamps (immutable once made, only revocable), the commitments under
them, and the per-department serial counters."""
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from workorders.models.requests import ServiceRequest
from workorders.models.work import Assignment


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


def new_verification_token() -> str:
    """The unguessable part of a stamp's verification link (about 128 random bits)."""
    return secrets.token_urlsafe(16)


class Approval(models.Model):
    """A department's stamp on an assignment. Immutable once made; only revocable.

    ``membership`` is the officer's membership of the department that allowed the stamp (empty only
    for stamps older than that record). ``verification_token`` is the secret part of the link in the
    stamp's QR code: without it the public page says only whether the stamp is genuine, and whose."""

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
    membership = models.ForeignKey(
        "departments.Officer", on_delete=models.PROTECT, null=True, blank=True, related_name="approvals",
        verbose_name=_("membership that signed"),
    )
    stamped_at = models.DateTimeField(_("stamped at"))
    serial = models.CharField(_("serial number"), max_length=32, unique=True)
    key_id = models.CharField(_("key id"), max_length=64, blank=True)
    signature = models.TextField(_("signature (JWS)"), blank=True)
    verification_token = models.CharField(_("verification token"), max_length=43, default=new_verification_token,
                                          editable=False)
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
