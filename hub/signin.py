"""The sign-in form of the pages: people only. An API client's user account acts through its token, under
its allow-lists (`systems.access`); the pages apply no allow-list, so that account may not sign in here."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from systems.models import ApiClient


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "api_client": "This account belongs to an API client: it calls the API with its token and cannot sign in "
                      "to the pages. Sign in with your own account.",
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if ApiClient.objects.filter(user=user).exists():
            raise forms.ValidationError(self.error_messages["api_client"], code="api_client")
