from django import forms
from django.utils.translation import gettext_lazy as _


class AuthenticatorCodeForm(forms.Form):
    """The code an authenticator app shows: 6 digits (spaces typed between them are dropped)."""

    token = forms.CharField(
        label=_("Code from your authenticator app"), max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*", "autofocus": True, "size": 8}),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not (token.isascii() and token.isdigit() and len(token) in (6, 8)):
            raise forms.ValidationError(_("Type the 6 digits your authenticator app shows."), code="format")
        return token
