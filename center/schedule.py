"""The yearly holiday schedule: center staff enter the State Council's notice (typed, or imported
from a small text file), and the due dates it moves are moved (``workorders.services.calendar``)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.errors import DomainError, error_to_form
from workdays.calendar import entered_years, local_date
from workdays.models import CalendarOverride
from workdays.selectors import is_official, missing_schedules
from workdays.services import parse_schedule
from workorders import permissions
from workorders.services.calendar import enter_official_schedule

MAX_FILE_BYTES = 64 * 1024


class ScheduleForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("year"), coerce=int)
    schedule = forms.CharField(
        label=gettext_lazy("days off and make-up working days"), required=False,
        widget=forms.Textarea(attrs={"rows": 12, "placeholder": "2027-01-01 off\n2027-02-06..2027-02-13 休\n2027-02-14 班"}),
        help_text=gettext_lazy("One date or range per line, then “off” or “work” (休 / 班), as in the State Council's "
                               "notice: every day off of each holiday, and each weekend day worked instead."))
    file = forms.FileField(label=gettext_lazy("or import a text file"), required=False,
                           help_text=gettext_lazy("UTF-8 text or CSV in the same form, at most 64 KB."))
    note = forms.CharField(label=gettext_lazy("source"), max_length=200, required=False,
                           help_text=gettext_lazy("The notice it comes from, e.g. 国办发明电〔2026〕1号."))

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_FILE_BYTES:
                self.add_error("file", _("The file is larger than 64 KB."))
                return data
            try:
                data["schedule"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("The file is not UTF-8 text."))
                return data
        if not (data.get("schedule") or "").strip() and not self.errors:
            self.add_error("schedule", _("Type the schedule or choose a file."))
        return data


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def schedule(request):
    if not permissions.is_center_staff(request.user):
        raise PermissionDenied
    today = local_date()
    years = [today.year, today.year + 1]
    form = ScheduleForm(request.POST or None, request.FILES or None, years=years,
                        initial={"year": (missing_schedules(today) or [today.year + 1])[0]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = enter_official_schedule(actor=request.user, schedule=parse_schedule(data["year"], data["schedule"]),
                                             note=data["note"])
        except DomainError as error:
            error_to_form(form, error)
        else:
            messages.success(request, _(
                "The official schedule for %(year)s is entered (%(days)s days). Due dates moved: %(assignments)s of "
                "%(checked)s open assignments, %(commitments)s commitments.") % {
                "year": result.year, "days": result.days, "assignments": len(result.assignments_moved),
                "checked": result.assignments_checked, "commitments": len(result.commitments_moved)})
            return redirect("center:schedule")
    entered = entered_years()
    return render(request, "center/schedule.html", {
        "form": form,
        "years": [{"year": year, "official": is_official(year, entered), "entered": year in entered,
                   "days": CalendarOverride.objects.filter(date__year=year, official_schedule=True).order_by("date")}
                  for year in years],
    })
