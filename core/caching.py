"""Cache entries tagged with **generations**, through Django's cache framework only (the shared cache: Redis
with `REDIS_URL`, else database tables), so nothing here is per process: a write through one server is seen
at once by a read through another (`profiles.caching` says what the customer domain caches so).

A generation is a random token kept in the cache under its own key (one per thing that changes as a whole:
a customer, say, or all the reference lists together). A write deletes the generation (right away, and
again once its transaction has committed), and the next read makes a new random one; a read takes the
generations *before* it reads the database and stores its entry tagged with them; an entry is used only
while its tags are still the current generations. So a reader that read the row just before a write
committed stores an entry that is already stale-tagged: it is never served. (Deleting the entry instead
would leave that race open: the slow reader would put the old value back after the delete.) Tokens are
random, never counters, so a generation lost from the cache (evicted, expired, Redis restarted) can only
cause a miss, never a wrong hit.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

# Of every key made here (Django's KEY_PREFIX, `CACHE_KEY_PREFIX`, goes before it). v2: the lists carry
# countries' codes and profiles the codes and UTC `Z` date-times; v1 entries are never read.
PREFIX = "hub:v2"
GENERATION_TTL = 86400


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


@contextmanager
def generations_read(*generations: str) -> Iterator[None]:
    """Read these generations once, in one round trip, for the whole block: each `cached_locally` of them
    inside it takes the tag read here instead of asking the cache again (a search page reads the reference
    lists and the extended data sources several times). For reads: a write inside the block would not see
    its own `bump` until the block ends."""
    found = cache.get_many(list(generations))
    tags = {generation: found.get(generation) or _new_generation(generation) for generation in generations}
    known = _known_tags.set({**(_known_tags.get() or {}), **tags})
    try:
        yield
    finally:
        _known_tags.reset(known)


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
