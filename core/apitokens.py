"""API tokens' optional lifetime: `API_TOKEN_MAX_AGE_DAYS` (settings; unset, the default: tokens never expire).

Tokens stay DRF's (stored as issued) because SPEC section 7's `manage.py apitoken USERNAME` prints a
user's token again and again. A lifetime bounds what a leaked token is worth: past it the API answers 401
(core.api), and `apitoken` issues the user a new one instead of printing the expired one.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token


def max_age() -> dt.timedelta | None:
    days = getattr(settings, "API_TOKEN_MAX_AGE_DAYS", None)
    return dt.timedelta(days=float(days)) if days else None


def token_expired(created: dt.datetime, *, now: dt.datetime | None = None) -> bool:
    """Whether a token issued at `created` is past the configured lifetime."""
    age = max_age()
    return age is not None and (now or timezone.now()) - created >= age


def current_token(user) -> tuple[Token, bool]:
    """The user's token, made (True) if they have none or theirs has expired."""
    with transaction.atomic():
        token, created = Token.objects.select_for_update().get_or_create(user=user)
        if not created and token_expired(token.created):
            token.delete()  # the token caches forget it (core.api's signals)
            token, created = Token.objects.create(user=user), True
    return token, created
