from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from projects.models import InvestmentProject, Town
from projects.validators import validate_credit_code

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SignupForm(forms.Form):
    name = forms.CharField(label=_("company name"), max_length=200)
    credit_code = forms.CharField(label=_("unified social credit code"), max_length=18, min_length=18,
                                  validators=[validate_credit_code],
                                  help_text=_("18 characters, as printed on the business licence."))
    contact_name = forms.CharField(label=_("contact name"), max_length=60)
    contact_mobile = forms.RegexField(label=_("contact mobile"), regex=r"^1[3-9]\d{9}$", max_length=11,
                                      error_messages={"invalid": _("Enter an 11-digit mainland mobile number.")})
    contact_email = forms.EmailField(label=_("contact e-mail"))
    username = forms.RegexField(label=_("user name"), regex=r"^[\w.@+-]{3,150}$", max_length=150,
                                error_messages={"invalid": _("3 to 150 letters, digits or . @ + - _")})
    password1 = forms.CharField(label=_("password"), strip=False, widget=forms.PasswordInput(render_value=True))
    password2 = forms.CharField(label=_("password again"), strip=False, widget=forms.PasswordInput(render_value=True))

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ProjectForm(forms.ModelForm):
    class Meta:
        model = InvestmentProject
        fields = ["name", "town", "address", "industry", "total_investment", "stage", "planned_completion_date"]
        widgets = {"planned_completion_date": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = Town.objects.order_by("name_zh")
        self.fields["planned_completion_date"].required = True

    def validate_unique(self):
        # The enterprise is not a form field; the service reports a duplicate name.
        pass
