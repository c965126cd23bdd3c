from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Department(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("District commission / bureau")
        TOWN = "town", _("Town government")
        OUTSIDE = "outside", _("Outside organisation")

    name_zh = models.CharField(_("name (Chinese)"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    short_code = models.SlugField(
        _("short code"), max_length=16, unique=True, help_text=_("Used in stamp serial numbers, e.g. JW.")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.DISTRICT)
    is_permanent_member = models.BooleanField(_("permanent office-hours member"), default=False)
    seal_text = models.CharField(_("seal text"), max_length=40, blank=True)
    allows_api_stamping = models.BooleanField(
        _("allows stamping through the API"), default=False,
        help_text=_("A service account of this department may stamp its assignments through the API."))
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["short_code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name_zh


class Officer(models.Model):
    """A user's membership of a department, as officer or head."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("Officer")
        HEAD = "head", _("Head")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer_memberships", verbose_name=_("user")
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="officers", verbose_name=_("department")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OFFICER)
    is_mobile_staff = models.BooleanField(_("mobile staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    display_name = models.CharField(
        _("display name"), max_length=60, help_text=_("Shown on stamps instead of the officer's private data.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["department", "role", "display_name"]
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        constraints = [models.UniqueConstraint(fields=["user", "department"], name="officer_one_membership_per_department")]

    def __str__(self):
        return f"{self.display_name} ({self.department.short_code}, {self.get_role_display()})"
