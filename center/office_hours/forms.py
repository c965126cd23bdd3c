from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ItemEditForm(forms.Form):
    position = forms.IntegerField(label=_("position"), min_value=0, required=False)
    slot_start = forms.TimeField(label=_("slot start"), required=False, widget=TIME_INPUT)
    slot_minutes = forms.IntegerField(label=_("slot length (minutes)"), min_value=5, max_value=240, required=False)


class AddItemForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    department = forms.ModelChoiceField(label=_("department"), queryset=Department.objects.filter(is_active=True),
                                        required=False)
    slot_start = forms.TimeField(label=_("slot start"), required=False, widget=TIME_INPUT)


class MinutesForm(forms.Form):
    outcome = forms.CharField(label=_("outcome"), widget=forms.Textarea(attrs={"rows": 2}))
    next_steps = forms.CharField(label=_("next steps"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    new_due_date = forms.DateField(label=_("new due date agreed"), required=False, widget=DATE_INPUT)
    concluded = forms.BooleanField(label=_("concluded"), required=False)


class ConsultationForm(forms.Form):
    held_at = forms.DateTimeField(label=_("held at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                                  format="%Y-%m-%dT%H:%M"))
    venue = forms.CharField(label=_("venue"), max_length=200, required=False)
    departments = forms.ModelMultipleChoiceField(label=_("departments"), queryset=Department.objects.none(),
                                                 required=False, widget=forms.CheckboxSelectMultiple)
    outside_parties = forms.CharField(label=_("outside parties"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    attendees = forms.CharField(label=_("attendees"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    outcome = forms.CharField(label=_("outcome"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    decisions = forms.CharField(label=_("decisions"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(is_active=True).order_by("short_code")
        self.fields["departments"].label_from_instance = lambda d: f"{d.name_zh} {d.short_code}"

