"""What the hub caches, and how a write makes it stale: through Django's cache framework only.

With `REDIS_URL` set every server shares the cache, so nothing here is per process: a write through one
server is seen at once by a read through another.

Entries are tagged with **generations**. A generation is a random token kept in the cache under its own
key (one per customer, one for all the reference lists). A write deletes the generation (right away, and
again once its transaction has committed), and the next read makes a new random one; a read takes the
generations *before* it reads the database and stores its entry tagged with them; an entry is used only
while its tags are still the current generations. So a reader that read the row just before a write
committed stores an entry that is already stale-tagged: it is never served. (Deleting the entry instead
would leave that race open: the slow reader would put the old profile back after the delete.) Tokens are
random, never counters, so a generation lost from the cache (evicted, expired, Redis restarted) can only
cause a miss, never a wrong hit.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

# v2: the lists carry countries' codes and profiles the codes and UTC `Z` date-times; v1 entries are never read.
PREFIX = "hub:v2"
PROFILE_TTL = 300  # seconds; a bound on memory, not on staleness (writes change the generation)
LISTS_TTL = 3600
GENERATION_TTL = 86400
LISTS_GENERATION = f"{PREFIX}:gen:lists"


def profile_key(ucrn: str) -> str:
    return f"{PREFIX}:profile:{ucrn}"


def profile_generation(ucrn: str) -> str:
    return f"{PREFIX}:gen:profile:{ucrn}"


def cached(key: str, generations: Iterable[str], load: Callable[[], T], *, timeout: int,
           store: Callable[[T], bool] = lambda value: True, admit_on_second_read: bool = False) -> T:
    """The value under `key` if it was stored under the current `generations`, else `load()`, stored.

    One cache round trip on a hit (`get_many`). `store(value)` may refuse to cache a value (a merged
    customer's profile, say, which another customer's writes change). `admit_on_second_read`: a value
    whose first generation does not exist yet is not stored on this read (only its generation is made),
    so a key read once (a random customer among a million) costs one write to the cache instead of two;
    from the second read on it is stored, from the third it is a hit.
    """
    generations = list(generations)
    found = cache.get_many([key, *generations])
    first_read = admit_on_second_read and found.get(generations[0]) is None
    tags = tuple(found.get(g) or _new_generation(g) for g in generations)
    entry = found.get(key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == tags:
        return entry[1]
    known = _known_tags.set({**(_known_tags.get() or {}), **dict(zip(generations, tags, strict=True))})
    try:
        value = load()
    finally:
        _known_tags.reset(known)
    if not first_read and store(value):
        cache.set(key, (tags, value), timeout)
    return value


# Values also kept in this process, each with the generation it was read under: used only while the shared
# cache still says that generation, so a change made through any server is seen at once (one small read of
# the generation, instead of reading and unpickling the whole value from Redis).
_local: dict[str, tuple[str, Any]] = {}


# The generations `cached` has just read, while its `load` runs: a load that reads the reference lists
# (a profile's title and country names) checks their copy against the tag already in hand, not again.
_known_tags: ContextVar[dict[str, str] | None] = ContextVar("hub_known_generation_tags", default=None)


def cached_locally(key: str, generation: str, load: Callable[[], T], *, timeout: int) -> T:
    """`cached(key, [generation], load)`, with a copy in this process checked against the generation."""
    tag = (_known_tags.get() or {}).get(generation) or cache.get(generation) or _new_generation(generation)
    kept = _local.get(key)
    if kept is not None and kept[0] == tag:
        return kept[1]
    value = cached(key, [generation], load, timeout=timeout)  # read after `tag`: as new as it, or newer
    _local[key] = (tag, value)
    return value


def _new_generation(key: str) -> str:
    token = uuid.uuid4().hex
    if cache.add(key, token, GENERATION_TTL):
        return token
    return cache.get(key) or token  # someone else made it first (or it is already gone: a miss later)


def bump(*generations: str) -> None:
    """Make every entry tagged with these generations stale: now, and again when the transaction commits.

    Now: so that this request (and a test inside one transaction) reads its own write. On commit: so that
    an entry stored by a concurrent reader between now and the commit (holding the old row) is stale too.
    Deleting is enough (the next read draws a new random token) and is one command for a whole batch of
    the bulk import, where writing a new token under each key cost a twelfth of the import's time.
    """
    def forget() -> None:
        cache.delete_many(generations)

    forget()
    transaction.on_commit(forget)


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
    from django.db.models.signals import post_delete, post_save

    from profiles.models import Customer
    from profiles.selectors import REFERENCE_LISTS

    for model in REFERENCE_LISTS.values():
        post_save.connect(reference_lists_changed, sender=model, dispatch_uid=f"hub-lists-save-{model.__name__}")
        post_delete.connect(reference_lists_changed, sender=model, dispatch_uid=f"hub-lists-del-{model.__name__}")
    post_save.connect(customer_saved, sender=Customer, dispatch_uid="hub-customer-saved")
