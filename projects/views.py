"""Enterprise portal: registration and the company's projects. Thin: forms in, services do the work."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.errors import DomainError, error_to_form
from core.ratelimit import over_limit
from projects import selectors, services
from projects.forms import ProjectForm, SignupForm


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and over_limit(request, "signup", settings.CENTER_SIGNUP_RATE_PER_HOUR, 3600):
        # What was typed stays in the form (validated, so add_error can attach); nothing is stored.
        form.is_valid()
        form.add_error(None, _("Too many registrations from this address; please try again in an hour."))
        return render(request, "portal/signup.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, _enterprise = services.register_enterprise(
                name=data["name"], credit_code=data["credit_code"], contact_name=data["contact_name"],
                contact_mobile=data["contact_mobile"], contact_email=data["contact_email"],
                username=data["username"], password=data["password1"],
            )
        except DomainError as error:
            error_to_form(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your enterprise is registered. Add your first project."))
            return redirect("project_new")
    return render(request, "portal/signup.html", {"form": form})


def _enterprise_or_403(user):
    enterprise = selectors.enterprises_of(user).first()
    if enterprise is None:
        raise PermissionDenied
    return enterprise


@login_required
@require_safe
def project_list(request):
    _enterprise_or_403(request.user)
    return render(request, "portal/project_list.html", {"projects": selectors.projects_of(request.user)})


@login_required
def project_new(request):
    enterprise = _enterprise_or_403(request.user)
    form = ProjectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            project = services.add_project(actor=request.user, enterprise=enterprise, **fields)
        except DomainError as error:
            error_to_form(form, error)
        else:
            messages.success(request, _("Project “%(name)s” added.") % {"name": project.name})
            return redirect("project_list")
    return render(request, "portal/project_form.html", {"form": form})

