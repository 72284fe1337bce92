"""Test settings: the same as production's shape, with a fast password hasher."""
import os

from hub.settings import *  # noqa: F403
from hub.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Several test runs may share one PostgreSQL server (developers working side by side): each run gets its
# own test database unless TEST_DB_NAME pins one (for --reuse-db).
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("TEST_DB_NAME") or f"test_{DATABASES['default']['NAME']}_{os.getpid()}"
    }

# Tests make many API calls in a second: throttling is tested by overriding these rates, never hit by chance.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "100000/min", "anon": "100000/min"}}  # noqa: F405

# Login throttling stays out of the way of tests that sign in many times (Client.login has no request,
# which django-axes needs); tests/security enables it where it is the subject.
AXES_ENABLED = False

# Whatever REDIS_URL says, a test run keeps its caches to itself: runs side by side must not see each
# other's cached profiles, and a test's `cache.clear()` must never flush a shared Redis. (tests/deploy
# tests the Redis configuration itself, in a subprocess and under a key prefix of its own.)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "axes": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "hub_axes_cache"},
}
