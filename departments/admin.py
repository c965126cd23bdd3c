"""The admin of departments and their officer memberships.

Memberships decide who sees and stamps a department's work, so they change only through
``departments.services`` (``add_membership``, ``change_membership``), which the admin calls for
those ``may_manage_memberships`` allows: in the admin, superusers (a department's head is not an
admin user; heads manage their officers on the desk's members page). Center staff see memberships
read-only. A membership is deactivated, never deleted.
"""
from django import forms
from django.contrib import admin

from core.admin_mixins import HistoryAdmin
from core.errors import DomainError
from departments import selectors, services
from departments.models import Department, Officer
from departments.permissions import may_manage_memberships

MEMBERSHIP_FIELDS = ["user", "display_name", "role", "is_mobile_staff", "is_active"]
CHANGEABLE = ["display_name", "role", "is_mobile_staff", "is_active"]


def _save_membership(request, membership: Officer, form) -> Officer:
    """The membership of a form, saved through the service: added, or its changed fields changed."""
    if membership.pk is None:
        return services.add_membership(
            actor=request.user, user=membership.user, department=membership.department,
            display_name=membership.display_name, role=membership.role, is_mobile_staff=membership.is_mobile_staff,
            is_active=membership.is_active)
    # Every shown value goes to the service, which changes (and records, and tells) only what differs
    # from the row: a page reverting to an earlier version (the history's) then works as well.
    values = {name: getattr(membership, name) for name in CHANGEABLE if name in form.fields}
    return services.change_membership(actor=request.user, membership=membership, **values) if values else membership


class MembershipForm(forms.ModelForm):
    """The service's rule on who may be a member, shown beside the user field instead of failing on save."""

    def clean(self):
        cleaned = super().clean()
        user = self.instance.user if self.instance.pk else cleaned.get("user")
        if user is not None and cleaned.get("is_active", self.instance.is_active):
            try:
                services.check_member(user)
            except DomainError as error:
                self.add_error("user" if "user" in self.fields else None, error.message)
        return cleaned


class MembershipPermissionsMixin:
    """Add and change only for those who may manage memberships; nobody deletes one."""

    def _department(self, obj):
        if isinstance(obj, Department):
            return obj
        return obj.department if obj is not None else None

    def has_add_permission(self, request, *args):
        department = self._department(args[0]) if args else None
        return may_manage_memberships(request.user, department) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        if isinstance(obj, Officer):
            allowed = may_manage_memberships(request.user, membership=obj)
        else:
            allowed = may_manage_memberships(request.user, self._department(obj))
        return allowed and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class OfficerInline(MembershipPermissionsMixin, admin.TabularInline):
    """A department's memberships; new ones are added on the officer page, which picks the user."""

    model = Officer
    form = MembershipForm
    fields = MEMBERSHIP_FIELDS
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # A membership keeps its user; the rest changes only for those who may manage memberships.
        return ["user"] if may_manage_memberships(request.user, obj) else MEMBERSHIP_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "department")


@admin.register(Department)
class DepartmentAdmin(HistoryAdmin):
    list_display = ["short_code", "name_zh", "name_en", "kind", "is_permanent_member", "is_active"]
    list_display_links = ["short_code", "name_zh"]
    list_filter = ["kind", "is_permanent_member", "is_active"]
    search_fields = ["name_zh", "name_en", "short_code"]
    inlines = [OfficerInline]
    history_list_display = ["is_active", "is_permanent_member"]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Officer:
            return super().save_formset(request, form, formset, change)
        # changeform_view runs in one transaction: the department and its memberships save together.
        for membership_form in formset.forms:
            if not membership_form.has_changed() or membership_form in formset.deleted_forms:
                continue
            _save_membership(request, membership_form.save(commit=False), membership_form)
        formset.new_objects = formset.changed_objects = formset.deleted_objects = []


@admin.register(Officer)
class OfficerAdmin(MembershipPermissionsMixin, HistoryAdmin):
    list_display = ["display_name", "user", "department", "role", "is_mobile_staff", "is_active"]
    list_filter = ["role", "is_mobile_staff", "is_active", "department"]
    search_fields = [
        "display_name",
        "user__username",
        "user__first_name",
        "user__last_name",
        "department__name_zh",
        "department__name_en",
        "department__short_code",
    ]
    list_select_related = ["user", "department"]
    autocomplete_fields = ["user"]
    history_list_display = ["role", "is_active"]
    form = MembershipForm
    fields = ["user", "department", "display_name", "role", "is_mobile_staff", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        # The user and the department of a membership never change: add another membership instead.
        return ["user", "department"] if obj is not None else []

    def get_queryset(self, request):
        # __str__ names the department, and the autocomplete view lists officers by __str__.
        # Django skips list_select_related once the queryset selects related rows: name both.
        return super().get_queryset(request).select_related("department", *self.list_select_related)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = selectors.departments_managed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        saved = _save_membership(request, obj, form)
        obj.pk = saved.pk
