"""Where the systems app listens: profile changes and new cases become outbox rows (webhooks).

Both receivers run inside the writing transaction, so the deliveries commit or roll back with the change;
nothing is sent from here (the worker sends after commit).
"""
from __future__ import annotations

from typing import Any

from rest_framework.authtoken.models import Token

from core.api import forget_tokens_of
from systems.services.webhooks import enqueue_case_created, enqueue_profile_changes


def on_profile_changed(sender: Any, record: Any, **kwargs: Any) -> None:
    enqueue_profile_changes([record])


def on_profile_changes(sender: Any, records: Any, **kwargs: Any) -> None:
    enqueue_profile_changes(records)


def on_case_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        enqueue_case_created(instance)


def on_api_client_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """The token authentication caches a client's allow-lists with its token: a change applies at once."""
    forget_tokens_of([instance.user_id])


def on_api_client_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A client removed must not keep calling as a plain CSA, free of allow-lists: its token goes too."""
    on_api_client_changed(sender, instance)
    Token.objects.filter(user_id=instance.user_id).delete()
