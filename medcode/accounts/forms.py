"""Forms: the sign-up honeypot, API key naming, account deletion."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from medcode.accounts.models import KeyScope

HONEYPOT_FIELD = "website"
HONEYPOT_TRIPPED = "This registration looks automated and was not accepted."
WRONG_PASSWORD = "That is not your current password."


class SignupExtra(forms.Form):
    """Added to allauth's sign-up form: a field people never see and bots fill in."""

    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1", "class": "hp"}),
    )

    def clean_website(self) -> str:
        value: str = self.cleaned_data.get("website", "")
        if value:
            raise forms.ValidationError(HONEYPOT_TRIPPED)
        return value

    def signup(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        """allauth calls this after creating the user; new users start on the free plan."""


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=80, label="Key name")
    scope = forms.ChoiceField(
        choices=KeyScope.choices, initial=KeyScope.USE, required=False, label="It may"
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, label="Your password")
    confirm = forms.BooleanField(label="Delete my account and everything saved in it")

    def __init__(self, *args: Any, user: AbstractBaseUser | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(WRONG_PASSWORD)
        return password
