"""The heads' members page on the desk: a department's memberships; add an officer, change or
deactivate one.

Deny by default: someone who heads no department gets a 403, another department's id or a
membership of another department a 404, a head's membership (their own included) a 403. The
views only read forms; ``departments.services`` checks ``may_manage_memberships`` again and
changes the rows.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import DomainError, error_to_form
from departments import selectors, services
from departments.forms import AddOfficerForm, ChangeOfficerForm
from departments.models import Department, Officer
from departments.permissions import may_manage_memberships


def _headed(request) -> list[Department]:
    departments = list(selectors.heads_departments(request.user))
    if not departments:
        raise PermissionDenied
    return departments


def _department(request, department_id) -> tuple[Department, set[int]]:
    """The department of the URL among those the user heads (else a 404), and the ids of the
    departments the user manages (for ``may_manage_memberships``)."""
    departments = _headed(request)
    found = next((d for d in departments if d.pk == department_id), None)
    if found is None:
        raise Http404
    return found, {d.pk for d in departments}


def _membership(department: Department, pk) -> Officer:
    membership = selectors.memberships_of(department).filter(pk=pk).first()
    if membership is None:
        raise Http404
    return membership


@login_required
@require_safe
def index(request):
    departments = _headed(request)
    if len(departments) == 1:
        return redirect("members:list", department_id=departments[0].pk)
    return render(request, "desk/members_index.html", {"departments": departments, "is_head": True})


def _list(request, department, managed, *, add_form=None, status=200):
    rows = [(m, may_manage_memberships(request.user, department, membership=m, managed=managed))
            for m in selectors.memberships_of(department)]
    return render(request, "desk/members.html", {
        "department": department, "rows": rows, "add_form": add_form or AddOfficerForm(prefix="add"),
        "is_head": True}, status=status)


@login_required
@require_safe
def member_list(request, department_id):
    department, managed = _department(request, department_id)
    return _list(request, department, managed)


@login_required
@require_POST
def add(request, department_id):
    department, managed = _department(request, department_id)
    form = AddOfficerForm(request.POST, prefix="add")
    if form.is_valid():
        try:
            membership = services.add_membership(
                actor=request.user, user=form.cleaned_data["user"], department=department,
                display_name=form.cleaned_data["display_name"], role=Officer.Role.OFFICER,
                is_mobile_staff=form.cleaned_data["is_mobile_staff"])
        except DomainError as error:
            error_to_form(form, error)
        else:
            messages.success(request, _("%(name)s is now an officer of the department.") % {
                "name": membership.display_name})
            return redirect("members:list", department_id=department.pk)
    return _list(request, department, managed, add_form=form, status=400)


def _changeable(request, department, managed, pk) -> Officer:
    membership = _membership(department, pk)
    if not may_manage_memberships(request.user, department, membership=membership, managed=managed):
        raise PermissionDenied
    return membership


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def change(request, department_id, pk):
    department, managed = _department(request, department_id)
    membership = _changeable(request, department, managed, pk)
    form = ChangeOfficerForm(request.POST if request.method == "POST" else None, membership=membership)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.change_membership(actor=request.user, membership=membership, **form.cleaned_data)
            except DomainError as error:
                error_to_form(form, error)
            else:
                messages.success(request, _("Membership of %(name)s saved.") % {
                    "name": form.cleaned_data["display_name"].strip()})
                return redirect("members:list", department_id=department.pk)
        status = 400
    history = membership.history.select_related("history_user").order_by("-history_date", "-history_id")
    return render(request, "desk/member_change.html", {
        "department": department, "membership": membership, "form": form, "history": history, "is_head": True},
        status=status)


@login_required
@require_POST
def deactivate(request, department_id, pk):
    department, managed = _department(request, department_id)
    membership = _changeable(request, department, managed, pk)
    try:
        services.change_membership(actor=request.user, membership=membership, is_active=False)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s was deactivated.") % {"name": membership.display_name})
    return redirect("members:list", department_id=department.pk)
