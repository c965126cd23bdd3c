from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .validators import validate_credit_code


class Town(models.Model):
    """One of the district's towns, streets (subdistricts) and parks."""

    class Kind(models.TextChoices):
        TOWN = "town", _("Town")
        STREET = "street", _("Street")
        PARK = "park", _("Park")

    name_zh = models.CharField(_("name (Chinese)"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TOWN)
    chief_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="towns_as_chief_agent",
        verbose_name=_("chief agent"),
    )

    class Meta:
        ordering = ["name_zh"]
        verbose_name = _("town")
        verbose_name_plural = _("towns")

    def __str__(self):
        return self.name_zh


class Enterprise(models.Model):
    name = models.CharField(_("company name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    contact_name = models.CharField(_("contact name"), max_length=60)
    contact_mobile = models.CharField(_("contact mobile"), max_length=20)
    contact_email = models.EmailField(_("contact e-mail"))
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="enterprises", verbose_name=_("accounts")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[users])

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"), name="enterprise_credit_code_shape"
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = (self.credit_code or "").strip().upper()
        super().save(*args, **kwargs)


class InvestmentProject(models.Model):
    class Stage(models.TextChoices):
        FILING = "filing", _("Filing")
        LAND = "land", _("Land")
        PLANNING_PERMIT = "planning_permit", _("Planning permit")
        CONSTRUCTION_PERMIT = "construction_permit", _("Construction permit")
        UNDER_CONSTRUCTION = "under_construction", _("Under construction")
        COMPLETION_INSPECTION = "completion_inspection", _("Completion inspection")
        IN_OPERATION = "in_operation", _("In operation")

    class Difficulty(models.TextChoices):
        RED = "red", _("Red")
        YELLOW = "yellow", _("Yellow")
        GREEN = "green", _("Green")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="projects", verbose_name=_("enterprise")
    )
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="projects", verbose_name=_("town"))
    name = models.CharField(_("project name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    total_investment = models.DecimalField(
        _("total investment (CNY)"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    stage = models.CharField(_("stage"), max_length=32, choices=Stage.choices, default=Stage.FILING)
    planned_completion_date = models.DateField(_("planned completion date"), null=True, blank=True)
    current_completion_date = models.DateField(_("current completion date"), null=True, blank=True)
    is_key_project = models.BooleanField(_("key project"), default=False)
    difficulty = models.CharField(
        _("difficulty"), max_length=8, choices=Difficulty.choices, default=Difficulty.GREEN, db_index=True
    )
    lead_unit = models.ForeignKey(
        "departments.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("lead unit"),
    )
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="projects_as_agent", verbose_name=_("agents")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("investment project")
        verbose_name_plural = _("investment projects")
        constraints = [
            models.CheckConstraint(condition=models.Q(total_investment__gte=0), name="project_investment_not_negative"),
            models.UniqueConstraint(fields=["enterprise", "name"], name="project_name_unique_per_enterprise"),
        ]

    def __str__(self):
        return self.name
