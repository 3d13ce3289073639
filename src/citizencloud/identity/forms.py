"""Page forms: shape only (required, lengths); every rule lives in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from citizencloud.identity.models import AgentPower
from citizencloud.identity.validation import InvalidInput


def apply_errors(form: forms.Form, error: InvalidInput) -> None:
    """Show a service's field errors on the form (unknown fields become form errors)."""
    for problem in error.problems:
        field = problem.field if problem.field in form.fields else None
        form.add_error(field, problem.message)


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("Real name"), max_length=100)
    id_number = forms.CharField(label=_("ID number"), max_length=40)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30)
    password = forms.CharField(
        label=_("Password"),
        max_length=1024,
        widget=forms.PasswordInput,
        help_text=_("At least 8 characters. A long phrase is easy to remember and hard to guess."),
    )


class VerifyPhoneForm(forms.Form):
    phone = forms.CharField(label=_("Mobile phone"), max_length=30)
    code = forms.CharField(label=_("Code from the text message"), max_length=20)


class LoginForm(forms.Form):
    login = forms.CharField(label=_("Phone or ID number"), max_length=100)
    password = forms.CharField(label=_("Password"), max_length=1024, widget=forms.PasswordInput)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code or a recovery code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("Password"), max_length=1024, widget=forms.PasswordInput)


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"), max_length=1024, widget=forms.PasswordInput
    )
    new_password = forms.CharField(
        label=_("New password"), max_length=1024, widget=forms.PasswordInput
    )


class BusinessForm(forms.Form):
    name = forms.CharField(label=_("Business name"), max_length=200)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=30)


class AgentForm(forms.Form):
    agent_phone = forms.CharField(label=_("Agent's mobile phone"), max_length=30)
    powers = forms.MultipleChoiceField(
        label=_("Powers"), choices=AgentPower.choices, widget=forms.CheckboxSelectMultiple
    )


class ResetForm(forms.Form):
    phone = forms.CharField(label=_("Mobile phone"), max_length=30)


class ResetConfirmForm(forms.Form):
    phone = forms.CharField(label=_("Mobile phone"), max_length=30)
    code = forms.CharField(label=_("Code from the text message"), max_length=20)
    new_password = forms.CharField(
        label=_("New password"), max_length=1024, widget=forms.PasswordInput
    )


class DisplayNameForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=100)


class PhoneChangeForm(forms.Form):
    phone = forms.CharField(label=_("New mobile phone"), max_length=30)


class PhoneConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label=_("Your password"), max_length=1024, widget=forms.PasswordInput
    )
