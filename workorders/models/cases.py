"""Model cases: resolved work orders kept as precedents."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from workorders.models.requests import ProblemTag
from workorders.models.work import WorkOrder


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
