"""What the customer domain caches (profiles, reference lists) and how every write makes it stale: entries
tagged with the generations of `core.caching`, one per customer and one for all the reference lists.
"""
from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from core.caching import PREFIX, bump
from profiles.models import REFERENCE_LISTS, Customer

PROFILE_TTL = 300  # seconds; a bound on memory, not on staleness (writes change the generation)
LISTS_TTL = 3600
LISTS_GENERATION = f"{PREFIX}:gen:lists"


def profile_key(ucrn: str) -> str:
    return f"{PREFIX}:profile:{ucrn}"


def profile_generation(ucrn: str) -> str:
    return f"{PREFIX}:gen:profile:{ucrn}"


def profile_changed(ucrn: str) -> None:
    """Called by every write of a customer, in the code path of its change record (`record_change`)."""
    bump(profile_generation(ucrn))


def profiles_erased(*ucrns: str) -> None:
    """Erasure (`profiles.services.erasure`): these customers' cached Get output leaves the cache now and
    again on commit. A new generation alone would make it stale, never served, but it would still hold the
    personal data until it expired."""
    keys = [profile_key(ucrn) for ucrn in ucrns]

    def forget() -> None:
        cache.delete_many(keys)

    forget()
    transaction.on_commit(forget)


def reference_lists_changed(**kwargs: Any) -> None:
    """An item of a reference list was saved or deleted (the admin): lists and profiles showing its name."""
    bump(LISTS_GENERATION)


def customer_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """A customer saved outside the profile service's writes, or its portal account linked or unlinked
    (`adduser --ucrn`, the admin): a cached read also holds who may read it (`portal_user_id`)."""
    if update_fields is None or "portal_user" in update_fields:
        profile_changed(instance.ucrn)


def connect_signals() -> None:
    """Reference lists change only in the admin (or a shell): their saves and deletes bump the lists'
    generation, whoever makes them; so does a customer's portal link. Connected once, by
    `ProfilesConfig.ready`."""
    for model in REFERENCE_LISTS.values():
        post_save.connect(reference_lists_changed, sender=model, dispatch_uid=f"hub-lists-save-{model.__name__}")
        post_delete.connect(reference_lists_changed, sender=model, dispatch_uid=f"hub-lists-del-{model.__name__}")
    post_save.connect(customer_saved, sender=Customer, dispatch_uid="hub-customer-saved")
