"""Forms of the portal, the desk and the triage page. They check shapes; the services check rules."""
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from departments.models import Department, Officer
from workorders.models import OPEN_ASSIGNMENT_STATUSES, Approval, DepartmentAsk, ProblemTag, ServiceRequest

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


def _department_label(department: Department) -> str:
    return f"{department.name_zh} {department.short_code}"


class RerouteAskForm(forms.Form):
    """The department asks the center to re-route its assignment (退单申请)."""

    reason_category = forms.ChoiceField(label=_("why the work is not ours"), widget=forms.RadioSelect,
                                        choices=DepartmentAsk.RerouteReason.choices)
    text = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    suggested_department = forms.ModelChoiceField(label=_("department we think competent"), required=False,
                                                  queryset=Department.objects.none())

    def __init__(self, *args, department_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_department"].queryset = (Department.objects.filter(is_active=True)
                                                        .exclude(pk=department_id).order_by("short_code"))
        self.fields["suggested_department"].label_from_instance = _department_label


class ExtensionAskForm(forms.Form):
    """The department asks the center for more working days (延期申请); the service checks the cap."""

    working_days = forms.IntegerField(label=_("working days asked"))
    text = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cap = settings.CENTER_EXTENSION_MAX_WORKING_DAYS
        self.fields["working_days"].widget.attrs.update(min=1, max=cap)
        self.fields["working_days"].help_text = _("At most %(max)d working days.") % {"max": cap}


class PauseAskForm(forms.Form):
    text = forms.CharField(label=_("why the pause must go on"), widget=forms.Textarea(attrs={"rows": 3}),
                           required=False)


class DecideAskForm(forms.Form):
    """Center staff decide one pending ask: grant (for an extension, all or fewer days) or refuse,
    with a ruling; a re-route granted names the department that takes over and, for a lead, the new
    lead. Its fields carry the ask's id in their prefix, so each ask on a page has its own form."""

    NEW_DEPARTMENT = "new"

    decision = forms.ChoiceField(label=_("decision"), widget=forms.RadioSelect,
                                 choices=[("grant", _("Grant")), ("refuse", _("Refuse"))])
    working_days_granted = forms.IntegerField(label=_("working days granted"), required=False)
    new_department = forms.ModelChoiceField(label=_("department that takes the work over"), required=False,
                                            queryset=Department.objects.none())
    new_lead = forms.ChoiceField(label=_("new lead department"), required=False)
    ruling = forms.CharField(label=_("ruling"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             help_text=_("Required to refuse, and to grant fewer days than asked."))

    def __init__(self, *args, ask: DepartmentAsk, **kwargs):
        kwargs.setdefault("prefix", f"ask-{ask.pk}")
        super().__init__(*args, **kwargs)
        self.ask = ask
        assignment = ask.assignment
        if ask.kind == DepartmentAsk.Kind.EXTENSION:
            self.fields["working_days_granted"].initial = ask.working_days
            self.fields["working_days_granted"].widget.attrs.update(min=1, max=ask.working_days)
        else:
            del self.fields["working_days_granted"]
        if ask.kind == DepartmentAsk.Kind.REROUTE:
            work_order = assignment.work_order
            taken = work_order.assignments.values("department_id")
            self.fields["new_department"].queryset = (Department.objects.filter(is_active=True).exclude(pk__in=taken)
                                                      .order_by("short_code"))
            self.fields["new_department"].label_from_instance = _department_label
            self.fields["new_department"].initial = ask.suggested_department_id
            if work_order.lead_department_id == assignment.department_id:
                others = (Department.objects.filter(assignments__work_order=work_order,
                                                    assignments__status__in=OPEN_ASSIGNMENT_STATUSES)
                          .exclude(pk=assignment.department_id).order_by("short_code"))
                self.fields["new_lead"].choices = [(self.NEW_DEPARTMENT, _("the department that takes over"))] + [
                    (str(d.pk), _department_label(d)) for d in others]
                self.fields["new_lead"].initial = self.NEW_DEPARTMENT
            else:
                del self.fields["new_lead"]
        else:
            del self.fields["new_department"]
            del self.fields["new_lead"]

    def clean(self):
        data = super().clean()
        chosen = data.get("new_lead")
        if chosen == self.NEW_DEPARTMENT:
            data["new_lead"] = data.get("new_department")
        elif chosen:
            data["new_lead"] = Department.objects.filter(pk=chosen).first()
        else:
            data["new_lead"] = None
        return data

    def decision_kwargs(self) -> dict:
        """The keyword arguments of ``decide_ask`` from the cleaned data."""
        data = self.cleaned_data
        return {"grant": data["decision"] == "grant", "ruling": data.get("ruling", ""),
                "working_days_granted": data.get("working_days_granted"),
                "new_department": data.get("new_department"), "new_lead": data.get("new_lead")}


class CenterExtendForm(forms.Form):
    """Center staff extend an assignment of the request directly (e.g. from the office-hours minutes)."""

    assignment = forms.ModelChoiceField(label=_("assignment"), queryset=None)
    working_days = forms.IntegerField(label=_("working days to add"), min_value=1)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("The enterprise reads it beside the new due date."))

    def __init__(self, *args, work_order, **kwargs):
        kwargs.setdefault("prefix", "extend")
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = (work_order.assignments.filter(status__in=OPEN_ASSIGNMENT_STATUSES)
                                              .select_related("department").order_by("role", "department__short_code"))
        self.fields["assignment"].label_from_instance = lambda a: f"{_department_label(a.department)} · {a.due_date}"


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
