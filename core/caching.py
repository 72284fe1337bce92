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
    with generations_once():  # a load reading the reference lists checks them against the tag in hand
        _read.get().update(zip(generations, tags, strict=True))
        value = load()
    if not first_read and store(value):
        cache.set(key, (tags, value), timeout)
    return value


# Values also kept in this process, each with the generation it was read under: used only while the shared
# cache still says that generation, so a change made through any server is seen at once (one small read of
# the generation, instead of reading and unpickling the whole value from Redis).
_local: dict[str, tuple[str, Any]] = {}

# Every generation `cached_locally` has used in this process (the reference lists, the placeholders, ...: a
# handful, never one per customer). A tuple, replaced whole: threads read it while another adds.
_local_generations: tuple[str, ...] = ()

# The generations read in this block (a request: `GenerationsOnceMiddleware`), None outside one: each is
# asked of the shared cache once, and `cached_locally`'s all together in its first round trip (a PATCH
# checks the placeholders, the reference lists and the webhooks' subscriptions: one command, not three). A
# value of None: asked, and not in the cache.
_read: ContextVar[dict[str, str | None] | None] = ContextVar("hub_generations_read", default=None)


def cached_locally(key: str, generation: str, load: Callable[[], T], *, timeout: int) -> T:
    """`cached(key, [generation], load)`, with a copy in this process checked against the generation."""
    global _local_generations
    if generation not in _local_generations:
        _local_generations = (*_local_generations, generation)
    tag = _current_tag(generation)
    kept = _local.get(key)
    if kept is not None and kept[0] == tag:
        return kept[1]
    value = cached(key, [generation], load, timeout=timeout)  # read after `tag`: as new as it, or newer
    _local[key] = (tag, value)
    return value


def _current_tag(generation: str) -> str:
    read = _read.get()
    if read is None:
        return cache.get(generation) or _new_generation(generation)
    if generation not in read:
        wanted = [generation, *(g for g in _local_generations if g not in read and g != generation)]
        found = cache.get_many(wanted)
        read.update({g: found.get(g) for g in wanted})
    tag = read[generation]
    if tag is None:
        tag = read[generation] = _new_generation(generation)
    return tag


@contextmanager
def generations_once() -> Iterator[None]:
    """Inside this block each generation is read from the shared cache at most once: for one request, or
    one `cached` load (inside a request, the request's block goes on). A generation this block `bump`s is
    read again."""
    if _read.get() is not None:
        yield
        return
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


class GenerationsOnceMiddleware:
    """Each request reads each generation once (`generations_once`): first in `MIDDLEWARE`."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with generations_once():
            return self.get_response(request)


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
        for generation in generations:
            (_read.get() or {}).pop(generation, None)

    forget()
    transaction.on_commit(forget)
