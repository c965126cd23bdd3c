"""The heads' members page: adding an officer, changing an officer's membership.

The forms only read what was typed; every rule (who may, who may be a member) is the services'.
"""
from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from departments.models import Officer


class AddOfficerForm(forms.Form):
    user = forms.CharField(label=_("user name"), max_length=150,
                           help_text=_("The account's user name; the person must already have an account."))
    display_name = forms.CharField(label=_("display name"), max_length=60,
                                   help_text=_("Shown on stamps instead of the officer's private data."))
    is_mobile_staff = forms.BooleanField(label=_("mobile staff"), required=False)

    def clean_user(self):
        username = self.cleaned_data["user"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active account has this user name."), code="unknown_user")
        return user


class ChangeOfficerForm(forms.Form):
    display_name = forms.CharField(label=_("display name"), max_length=60)
    is_mobile_staff = forms.BooleanField(label=_("mobile staff"), required=False)
    is_active = forms.BooleanField(label=_("active"), required=False,
                                   help_text=_("Untick to deactivate: the officer no longer sees or stamps the "
                                               "department's work."))

    def __init__(self, *args, membership: Officer, **kwargs):
        kwargs.setdefault("prefix", f"m{membership.pk}")
        kwargs.setdefault("initial", {"display_name": membership.display_name,
                                      "is_mobile_staff": membership.is_mobile_staff,
                                      "is_active": membership.is_active})
        super().__init__(*args, **kwargs)
        self.membership = membership
