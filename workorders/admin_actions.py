"""Bulk actions of the admin for center staff. Each runs every selected row through the service
that owns the change (the same rules as the triage page) and reports refusals row by row."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.models import Department
from workorders import permissions, services
from workorders.exceptions import WorkOrderError
from workorders.forms import ReasonForm


class BulkIssueForm(forms.Form):
    lead_department = forms.ModelChoiceField(label=gettext_lazy("lead department"), queryset=Department.objects.none())
    co_departments = forms.ModelMultipleChoiceField(label=gettext_lazy("co-handling departments"), required=False,
                                                    queryset=Department.objects.none(), widget=forms.CheckboxSelectMultiple)
    proposed_approach = forms.CharField(label=gettext_lazy("proposed approach"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}))
    needs_consultation = forms.BooleanField(label=gettext_lazy("flag for consultation at the next office hours"),
                                            required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(is_active=True).order_by("short_code")
        self.fields["lead_department"].queryset = departments
        self.fields["co_departments"].queryset = departments


def _each(request, rows, label, apply) -> None:
    """Apply ``apply(row)`` to every row; one success message, one warning per refusal."""
    done = 0
    for row in rows:
        try:
            apply(row)
        except WorkOrderError as error:
            messages.warning(request, f"{label(row)}: {error.message}")
        else:
            done += 1
    if done:
        messages.success(request, _("%(count)d done.") % {"count": done})


def _intermediate(modeladmin, request, queryset, *, form, title, action):
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/workorders/bulk_action.html", context)


def _tracking(row) -> str:
    return getattr(row, "tracking_number", None) or row.request.tracking_number


@admin.action(description=gettext_lazy("Reject with a reason the enterprise reads"), permissions=["triage"])
def reject_with_reason(modeladmin, request, queryset):
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["reason"]
        _each(request, queryset, _tracking,
              lambda row: services.reject_request(actor=request.user, request=row, reason=reason))
        return None
    return _intermediate(modeladmin, request, queryset, form=form, title=_("Reject with a reason"),
                         action="reject_with_reason")


@admin.action(description=gettext_lazy("Issue work orders to departments"), permissions=["triage"])
def issue_work_orders(modeladmin, request, queryset):
    form = BulkIssueForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        co = [d for d in data["co_departments"] if d != data["lead_department"]]
        _each(request, queryset.select_related("project"), _tracking, lambda row: services.triage_and_issue(
            actor=request.user, request=row, lead_department=data["lead_department"], co_departments=co,
            problem=row.description, proposed_approach=data["proposed_approach"],
            needs_consultation=data["needs_consultation"]))
        return None
    return _intermediate(modeladmin, request, queryset, form=form, title=_("Issue work orders to departments"),
                         action="issue_work_orders")


def _flag(request, queryset, flagged: bool, *, through_request: bool):
    def apply(row):
        work_order = getattr(row, "work_order", None) if through_request else row
        if work_order is None:
            raise WorkOrderError(_("No work order has been issued yet."))
        services.flag_for_consultation(actor=request.user, work_order=work_order, flagged=flagged)

    _each(request, queryset, _tracking, apply)


@admin.action(description=gettext_lazy("Flag for consultation"), permissions=["triage"])
def flag_requests(modeladmin, request, queryset):
    _flag(request, queryset.select_related("work_order"), True, through_request=True)


@admin.action(description=gettext_lazy("Remove the consultation flag"), permissions=["triage"])
def unflag_requests(modeladmin, request, queryset):
    _flag(request, queryset.select_related("work_order"), False, through_request=True)


@admin.action(description=gettext_lazy("Flag for consultation"), permissions=["triage"])
def flag_work_orders(modeladmin, request, queryset):
    _flag(request, queryset.select_related("request"), True, through_request=False)


@admin.action(description=gettext_lazy("Remove the consultation flag"), permissions=["triage"])
def unflag_work_orders(modeladmin, request, queryset):
    _flag(request, queryset.select_related("request"), False, through_request=False)


class TriageActionsMixin:
    """Only center staff see the triage actions."""

    def has_triage_permission(self, request):
        return permissions.is_center_staff(request.user)


class ExtendForm(forms.Form):
    working_days = forms.IntegerField(label=gettext_lazy("working days to add"), min_value=1, max_value=60)
    reason = forms.CharField(label=gettext_lazy("reason"), widget=forms.Textarea(attrs={"rows": 3}))


@admin.action(description=gettext_lazy("Extend the due date with a reason"), permissions=["extend"])
def extend_due_dates(modeladmin, request, queryset):
    form = ExtendForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        _each(request, queryset.select_related("work_order__request", "department"), _tracking_of_assignment,
              lambda row: services.extend_by_center(actor=request.user, assignment=row,
                                                    working_days=data["working_days"], reason=data["reason"]))
        return None
    return _intermediate(modeladmin, request, queryset, form=form, title=_("Extend the due date with a reason"),
                         action="extend_due_dates")


def _tracking_of_assignment(row) -> str:
    return f"{row.work_order.request.tracking_number} · {row.department.short_code}"


class ExtendActionMixin:
    """Center staff extend due dates directly (recorded as an extension granted by the center); a
    department asks on the desk instead. The service checks each row."""

    def has_extend_permission(self, request):
        return permissions.is_center_staff(request.user)
