"""The sign-in lock-out's handler: django-axes's cache handler, whose counters can all be reset at once.

axes's `AxesCacheHandler` keeps each counter under a digest of the username and address, so it cannot
find them all again: `manage.py axes_reset` (reset everything, as after an incident) fails with
`NotImplementedError: Cannot clear all entries from cache`. Clearing the cache is no answer either: with
Redis it is the hub's shared cache (Django's `clear()` flushes the whole Redis database).

So this handler keeps the counters in a *generation*: every key is written with the cache `version` read
from one entry, and resetting everything moves that entry on, after which the old counters are never read
again and expire with their cool-off. Resetting one address and username (`axes_reset_ip_username`) works
as in axes. The counters stay in the shared `AXES_CACHE` (Redis, or the database cache table), so a
lock-out counted on one server holds on all.
"""
from __future__ import annotations

from typing import Any

from axes.handlers.cache import AxesCacheHandler
from axes.helpers import get_cache
from django.conf import settings
from django.core.cache import BaseCache
from django.core.checks import Tags, Warning, register

GENERATION_KEY = "axes-generation"
RECORDS_KEY = "axes-records"  # in each generation: how many counters were started in it
PER_PROCESS_BACKENDS = {
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}


class GenerationCache:
    """The calls axes's cache handler makes, each in the current generation of `cache`."""

    def __init__(self, cache: BaseCache) -> None:
        self._cache = cache

    def generation(self) -> int:
        return self._cache.get_or_set(GENERATION_KEY, 1, timeout=None)

    def get(self, key: str, default: Any = None) -> Any:
        return self._cache.get(key, default, version=self.generation())

    def add(self, key: str, value: Any, timeout: Any = None) -> bool:
        version = self.generation()
        added = self._cache.add(key, value, timeout, version=version)
        if added and not self._cache.add(RECORDS_KEY, 1, None, version=version):
            self._cache.incr(RECORDS_KEY, version=version)
        return added

    def incr(self, key: str, delta: int = 1) -> int:
        return self._cache.incr(key, delta, version=self.generation())

    def touch(self, key: str, timeout: Any = None) -> bool:
        return self._cache.touch(key, timeout, version=self.generation())

    def delete(self, key: str) -> bool:
        return self._cache.delete(key, version=self.generation())

    def next_generation(self) -> int:
        """Start a new generation; the number of counters the old one started (expired ones included)."""
        old = self.generation()
        records = self._cache.get(RECORDS_KEY, 0, version=old)
        self._cache.set(GENERATION_KEY, old + 1, timeout=None)
        return records


class LockoutHandler(AxesCacheHandler):
    """`AXES_HANDLER`: axes's cache handler, with `reset_attempts()` of everything (`axes_reset`)."""

    def __init__(self) -> None:
        self.cache = GenerationCache(get_cache())

    def reset_attempts(self, *, ip_address: str | None = None, username: str | None = None,
                       ip_or_username: bool = False) -> int:
        if ip_address is None and username is None and not ip_or_username:
            return self.cache.next_generation()
        return super().reset_attempts(ip_address=ip_address, username=username, ip_or_username=ip_or_username)


@register(Tags.security, Tags.caches)
def lockout_cache_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """axes's own check (axes.W001) knows only its handler's name: the same warning for this one. A cache
    of one process would count each server's (each worker's) failures apart."""
    backend = settings.CACHES.get(getattr(settings, "AXES_CACHE", "default"), {}).get("BACKEND", "")
    if getattr(settings, "AXES_HANDLER", "") == f"{__name__}.LockoutHandler" and backend in PER_PROCESS_BACKENDS:
        return [Warning(f"AXES_CACHE is a {backend.rsplit('.', 1)[-1]}: each process counts failed sign-ins "
                        "on its own, so the lock-out does not hold across workers and servers.",
                        hint="Use Redis (REDIS_URL) or the database cache.", id="hub.W001")]
    return []
