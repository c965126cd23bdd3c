"""Forms of the portal, the desk and the triage page. They check shapes; the services check rules."""
from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department, Officer
from workorders.models import Approval, ProblemTag, ServiceRequest

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ServiceRequest.Kind.choices)
    project = forms.ModelChoiceField(label=_("project"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("problem description"), widget=forms.Textarea,
                                  help_text=_("What blocks the project, since when, and what you have tried."))
    requested_completion_date = forms.DateField(label=_("new completion date wanted"), required=False, widget=DATE_INPUT,
                                                help_text=_("Required for an extension; after the current planned date."))
    submission_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class MaterialForm(forms.Form):
    text = forms.CharField(label=_("your answer"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("rating"), coerce=int, choices=[(n, str(n)) for n in range(5, 0, -1)],
                                    widget=forms.RadioSelect)
    comment = forms.CharField(label=_("rating comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CommitmentForm(forms.Form):
    pledge = forms.CharField(label=_("our commitment"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("In your own words: what you will do, and by when."))


class DeskTextForm(forms.Form):
    text = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class ReassignForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("officer"), queryset=None)

    def __init__(self, *args, department_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = Officer.objects.filter(department_id=department_id, is_active=True).order_by(
            "display_name")
        self.fields["officer"].label_from_instance = lambda officer: f"{officer.display_name} ({officer.get_role_display()})"


class LinkProjectForm(forms.Form):
    project = forms.ModelChoiceField(label=_("project"), queryset=None)

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = request.enterprise.projects.order_by("name")


class IssueForm(forms.Form):
    lead_department = forms.ModelChoiceField(label=_("lead department"), queryset=Department.objects.none())
    co_departments = forms.ModelMultipleChoiceField(label=_("co-handling departments"), queryset=Department.objects.none(),
                                                    required=False, widget=forms.CheckboxSelectMultiple)
    problem = forms.CharField(label=_("problem"), widget=forms.Textarea(attrs={"rows": 3}))
    proposed_approach = forms.CharField(label=_("proposed approach"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    needs_consultation = forms.BooleanField(label=_("flag for consultation at the next office hours"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(is_active=True).order_by("short_code")
        self.fields["lead_department"].queryset = departments
        self.fields["co_departments"].queryset = departments
        for name in ("lead_department", "co_departments"):
            self.fields[name].label_from_instance = lambda d: f"{d.name_zh} {d.short_code}"

    def clean(self):
        data = super().clean()
        lead, co = data.get("lead_department"), data.get("co_departments") or []
        if lead and lead in co:
            self.add_error("co_departments", _("The lead department is already chosen; do not tick it again."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason given to the enterprise"), widget=forms.Textarea(attrs={"rows": 3}))


class MergeForm(ReasonForm):
    into = forms.CharField(label=_("tracking number of the request to keep"), max_length=24)


class ExtendDueDateForm(forms.Form):
    working_days = forms.IntegerField(label=_("working days to add"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class StampForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=Approval.Decision.choices, widget=forms.RadioSelect)
    conditions = forms.CharField(label=_("conditions"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                 help_text=_("Required for an approval with conditions."))
    commitment_due_date = forms.DateField(label=_("conditions to be met by"), required=False, widget=DATE_INPUT)
    opinion = forms.CharField(label=_("opinion"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("revocation reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ModelCaseForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    summary = forms.CharField(label=_("resolution summary"), widget=forms.Textarea(attrs={"rows": 3}))
    tags = forms.ModelMultipleChoiceField(label=_("problem tags"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = ProblemTag.objects.order_by("name_zh")
        self.fields["tags"].label_from_instance = lambda tag: f"{tag.name_zh} {tag.name_en}"


class NoteForm(forms.Form):
    text = forms.CharField(label=_("internal note"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=4000,
                           help_text=_("Seen by the departments on this work order and the center, never by the enterprise."))


class CenterNoteForm(NoteForm):
    """Center staff's note on one of a request's assignments (open or done)."""

    assignment = forms.ModelChoiceField(label=_("on the assignment of"), queryset=None)
    field_order = ["assignment", "text"]

    def __init__(self, *args, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = assignments
        self.fields["assignment"].label_from_instance = (
            lambda a: f"{a.department.name_zh} · {a.get_role_display()} · {a.get_status_display()}")


class ThirdPartyPauseForm(forms.Form):
    """Pause the clock while a third party answers: a department or an outside organisation (the
    service requires one of the two and the text)."""

    third_party_department = forms.ModelChoiceField(label=_("department waited for"), queryset=None, required=False)
    third_party_name = forms.CharField(label=_("or the outside organisation"), max_length=200, required=False,
                                       help_text=_("For example 申通地铁集团 (Shentong Metro Group)."))
    note = forms.CharField(label=_("what the clock waits for"), widget=forms.Textarea(attrs={"rows": 3}),
                           required=False, help_text=_("Internal: the enterprise sees only whom the clock waits for."))

    def __init__(self, *args, department_id, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["third_party_department"]
        field.queryset = Department.objects.filter(is_active=True).exclude(pk=department_id).order_by("short_code")
        field.label_from_instance = lambda d: f"{d.name_zh} {d.short_code}"
