"""Several app servers: whatever is cached or counted is shared through Redis when REDIS_URL is set.

The settings are read in a subprocess with the environment a server would have. The sharing itself is
tested in-process with two separate cache connections (as two servers would hold), against the Redis at
127.0.0.1:6379 (or REDIS_URL) under a unique key prefix, since that Redis is shared: nothing is flushed.
The over-HTTP version with two real servers is `.ci/two_servers.py`, run by `.ci/run`.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from core.redis_cache import ReusingRedisCache
from core.throttling import UserThrottle

ROOT = Path(__file__).resolve().parents[2]
TEST_REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"


def settings_in_subprocess(**env: str) -> dict:
    """hub.settings as a server started with `env` would read it (REDIS_URL unset unless given)."""
    environ = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_KEY_PREFIX"}}
    environ.update(DJANGO_SETTINGS_MODULE="hub.settings", **env)
    code = (
        "import json, django; django.setup()\n"
        "from django.conf import settings; from django.core.cache import caches\n"
        "print(json.dumps({'CACHES': settings.CACHES, 'AXES_CACHE': settings.AXES_CACHE,\n"
        "  'SESSION_ENGINE': settings.SESSION_ENGINE,\n"
        "  'classes': {alias: type(caches[alias]).__name__ for alias in settings.CACHES}}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_redis_url_makes_every_cache_the_shared_redis():
    read = settings_in_subprocess(REDIS_URL="redis://cache.internal:6379/2")
    for alias in ("default", read["AXES_CACHE"]):
        cache = read["CACHES"][alias]
        # Django's RedisCache, keeping its Redis client between calls (core/redis_cache.py)
        assert cache["BACKEND"] == "core.redis_cache.ReusingRedisCache"
        assert cache["LOCATION"] == "redis://cache.internal:6379/2"
        assert cache["KEY_PREFIX"] == "hub"
        assert read["classes"][alias] == "ReusingRedisCache"

    assert issubclass(ReusingRedisCache, RedisCache)
    # Sessions stay in the database (read through the shared cache): kept whatever happens to the cache.
    assert read["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"


def test_the_key_prefix_comes_from_the_environment():
    read = settings_in_subprocess(REDIS_URL="redis://127.0.0.1:6379/0", CACHE_KEY_PREFIX="council-a")
    assert read["CACHES"]["default"]["KEY_PREFIX"] == "council-a"


def test_without_redis_url_every_cache_is_a_shared_database_table():
    """Never a process's own memory: two gunicorn workers without Redis still see each other's writes."""
    read = settings_in_subprocess()
    assert read["classes"] == {"default": "DatabaseCache", "axes": "DatabaseCache"}


@pytest.mark.django_db
def test_a_throttle_counter_in_the_database_cache_lasts_its_window():
    """The database cache's `incr` rewrites the entry with the cache's default timeout: that default must
    outlast an hourly window, or an hourly rate would forget a client who paused for a few minutes."""
    from django.core.cache.backends.db import DatabaseCache
    from django.core.management.commands.createcachetable import Command as CreateCacheTable
    from django.db import connection
    from django.utils import timezone

    from core.throttling import count

    params = settings_in_subprocess()["CACHES"]["default"]
    creator = CreateCacheTable()
    creator.verbosity = 0
    creator.create_table("default", params["LOCATION"], dry_run=False)  # the tests' own caches are local
    cache = DatabaseCache(params["LOCATION"], params)
    key = f"throttle-{secrets.token_hex(4)}"
    assert [count(cache, key, 3600), count(cache, key, 3600)] == [1, 2]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT expires FROM {params['LOCATION']} WHERE cache_key = %s", [cache.make_key(key)])
        (expires,) = cursor.fetchone()
    if timezone.is_naive(expires):
        expires = timezone.make_aware(expires, dt.UTC)
    assert expires >= timezone.now() + dt.timedelta(seconds=3500)


def test_check_deploy_is_clean_with_redis():
    """axes warns (axes.W001) if its cache is one process's; with Redis it must stay silent."""
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ.update(DJANGO_SETTINGS_MODULE="hub.settings", DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50),
                   ALLOWED_HOSTS="example.org", REDIS_URL="redis://127.0.0.1:6379/0")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# --- Two cache connections, as two servers hold them ----------------------------------------------------


def redis_reachable(url: str) -> bool:
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def two_redis_connections():
    """Two of the hub's Redis caches (separate connection pools, as on two servers) under one unique prefix."""
    if not redis_reachable(TEST_REDIS_URL):
        message = f"Redis is not reachable at {TEST_REDIS_URL} (set REDIS_URL or start redis-server)"
        if os.environ.get("CI") or os.environ.get("REDIS_URL"):
            pytest.fail(message + ": REDIS_URL is set, or this is CI (which has Redis), so it must run")
        pytest.skip(message)
    prefix = f"hub-test-{os.getpid()}-{secrets.token_hex(4)}"
    params = {"KEY_PREFIX": prefix, "TIMEOUT": 120}
    first, second = ReusingRedisCache(TEST_REDIS_URL, params), ReusingRedisCache(TEST_REDIS_URL, params)
    yield first, second
    client = first._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def throttle_on(cache) -> UserThrottle:
    """The API's user throttle counting in `cache`, at 3 requests a minute, at a fixed time mid-window."""
    return type("Throttle", (UserThrottle,), {"cache": cache, "rate": "3/min", "timer": staticmethod(lambda: NOW)})()


def allowed(cache, request) -> bool:
    return throttle_on(cache).allow_request(request, view=None)


NOW = 1_800_000_030.0
REQUEST = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=4242), META={})


def test_two_redis_connections_count_one_throttle(two_redis_connections):
    server_a, server_b = two_redis_connections
    assert [allowed(server_a, REQUEST), allowed(server_b, REQUEST), allowed(server_a, REQUEST)] == [True] * 3
    # The fourth request in the minute is refused wherever it lands.
    assert allowed(server_b, REQUEST) is False
    assert allowed(server_a, REQUEST) is False
    # Another user has their own count.
    other = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=4243), META={})
    assert allowed(server_b, other) is True


def test_a_delete_on_one_connection_is_seen_by_the_other(two_redis_connections):
    """What one server invalidates (a cached profile after a write) is gone for every server."""
    server_a, server_b = two_redis_connections
    server_a.set("profile:123456789", {"last_name": "Before"})
    assert server_b.get("profile:123456789") == {"last_name": "Before"}
    server_b.delete("profile:123456789")
    assert server_a.get("profile:123456789") is None
    # Counters (axes's failures, throttles) add up across servers.
    server_a.add("failures", 0)
    assert server_a.incr("failures") == 1
    assert server_b.incr("failures") == 2


def test_incr_keeps_django_semantics_in_one_round_trip(two_redis_connections):
    """core.redis_cache's one-command incr: a missing key is a ValueError (and is not made), the expiry is kept."""
    cache, _ = two_redis_connections
    with pytest.raises(ValueError):
        cache.incr("never-set")
    assert cache.get("never-set") is None
    cache.add("counter", 1, timeout=50)
    assert [cache.incr("counter"), cache.incr("counter", 5)] == [2, 7]
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_and_validate_key("counter")) <= 50


def test_separate_memory_caches_would_not_share_the_count():
    """The control: per-process caches (the mistake) let each server count alone, which the test above catches."""
    server_a = LocMemCache(f"a-{secrets.token_hex(4)}", {})
    server_b = LocMemCache(f"b-{secrets.token_hex(4)}", {})
    for _ in range(3):
        assert allowed(server_a, REQUEST)
    assert allowed(server_b, REQUEST) is True  # counted alone: the fourth request gets through


# --- No per-process caches of data that can change -------------------------------------------------------

PER_PROCESS_CACHE = re.compile(r"\blru_cache\b|\bfunctools\.cache\b|^\s*@(functools\.)?cache\b", re.M)
# Module-level memoisation that is reviewed safe (never data an administrator can change): path -> why.
ALLOWED: dict[str, str] = {
    "profiles/fuzzy.py": "trigrams(text) memoises a pure function of its argument: no data, nothing to go stale",
    "profiles/values.py": "_e164(text) and phone_national(e164) memoise phone parsing and formatting, pure "
                          "functions of their argument: nothing to go stale",
    "hub/recent.py": "_upsert_sql() memoises SQL text made from the model's metadata (code, not data)",
    "profiles/services/bulk.py": "_update_sql(...) and _insert_sql(...) memoise SQL text and converters made "
                                 "from the models' metadata (code, not data)",
    "hub/links.py": "_reversed(name, ...) memoises a route's URL by URL configuration and script prefix: "
                    "made from the URL patterns (code, not data)",
}


def test_no_per_process_caches_of_changing_data():
    """Reference lists, roles and tokens change in the admin: a per-process memo of them goes stale on the
    other servers (and the other workers). Cache through django.core.cache, or list the use here with why."""
    found = []
    for package in ("hub", "profiles", "integrations"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in ALLOWED:
                continue
            if PER_PROCESS_CACHE.search(path.read_text(encoding="utf-8")):
                found.append(relative)
    assert found == [], f"per-process caches in {found}: use django.core.cache (shared through Redis) instead"
