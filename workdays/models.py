from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarOverride(models.Model):
    """A staff decision that a date is (or is not) a working day; it wins over the holidays package."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Part of the State Council's schedule for the date's year, entered by staff
    # (``workorders.services.calendar.enter_official_schedule``): the year is then official.
    official_schedule = models.BooleanField(_("official schedule"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self):
        return f"{self.date} {'working' if self.is_working_day else 'off'}"
