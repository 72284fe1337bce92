"""API clients: their user and their token (shown once, revocable, rotatable).

The token is DRF's token of the client's user, so the one token authentication of the hub (`core.api`)
serves clients and users alike. The key is shown once, when issued; rotating replaces it, revoking
deletes it (the client then gets 401 until a new one is issued).
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify
from rest_framework.authtoken.models import Token

from core.roles import Role, assign_role
from systems.models import ApiClient


def api_client_user(*, name: str):
    """A user of its own for a new client: the CSA role, no password (it signs in by token only)."""
    User = get_user_model()
    base = f"api-{slugify(name)[:100] or 'client'}"
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    user = User(username=username)
    user.set_unusable_password()
    user.save()
    assign_role(user, Role.CSA)
    return user


def api_client_rotate_token(*, client: ApiClient) -> str:
    """Issue a new token for the client, revoking the old one; the key is returned to be shown once."""
    with transaction.atomic():
        Token.objects.filter(user=client.user).delete()
        return Token.objects.create(user=client.user).key


def api_client_revoke_token(*, client: ApiClient) -> bool:
    """Delete the client's token: its calls get 401 until a new one is issued. True if it had one."""
    deleted, _ = Token.objects.filter(user=client.user).delete()
    return bool(deleted)
