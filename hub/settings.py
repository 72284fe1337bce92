"""Settings for the Customer Service Hub, read from the environment.

`DATABASE_URL` (default: a SQLite file in the project), `SECRET_KEY` (required when `DEBUG` is off),
`DEBUG` (default on, for a developer's machine: production sets `DEBUG=false`), `ALLOWED_HOSTS`
(comma-separated), `TIME_ZONE` (default Europe/London: "today" for address dates is the council's day).
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)

# Proxies of our own in front of the app (a load balancer, a TLS terminator), each appending the address
# it saw to X-Forwarded-For: the client's address is read from that header that many entries from the
# right (hub.clientip; DRF's NUM_PROXIES). 0, the default: the header is the client's and is ignored.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT is the number of proxies in front of the app: 0 or more.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # OpClass in index expressions (profiles.indexes); harmless on SQLite
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",  # Content-Security-Policy header (settings at the end)
    "axes",  # login throttling (settings at the end)
    # The layers, lowest first: each imports only those listed before it (import-linter holds it: `make lint`).
    "core",  # roles, the API kernel, the cache backend: nothing that knows a customer
    "profiles",  # the customer domain
    "integrations",  # forms, integrations, cases
    "systems",  # other systems: API clients with allow-lists, events and rules, webhooks
    "hub",  # the site: settings, URLs, the CSA pages, the portal
]

MIDDLEWARE = [
    "core.caching.GenerationsOnceMiddleware",  # each cache generation read once per request
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files for the hub pages and the portal
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.throttling.RateLimitHeadersMiddleware",  # the API throttle's RateLimit-* headers on its answers
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into its 429 page
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)  # PostgreSQL: see below
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite (`make run`, the default) has one write lock for the whole file. A DEFERRED transaction (Django's
    # default) reads under a shared lock and asks for the write lock at its first write; when another
    # transaction holds it, SQLite fails at once with "database is locked" rather than wait (waiting could
    # deadlock), so two people saving one customer at the same moment got a 500. IMMEDIATE takes the write
    # lock when the transaction begins, and `timeout` (seconds: Python's sqlite3.connect) is how long a
    # transaction waits for it: writers queue up. Every transaction, even a read-only atomic block, then
    # takes the write lock, so they must stay short (no ATOMIC_REQUESTS). Options the URL gave are kept.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20,
                                       **DATABASES["default"].get("OPTIONS", {})}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and PREPARED_STATEMENTS:
    # Server-side binding: psycopg sends each query with $n parameters, and prepares on the connection a query
    # it has run `prepare_threshold` times: parsed once, and planned once when PostgreSQL finds its one generic
    # plan no costlier than a plan for each execution's values (plan_cache_mode auto: else it plans each one).
    # With persistent connections (`CONN_MAX_AGE`) the hot pages' queries, the duplicates' UNION among them
    # (2 ms of planning), are then no longer parsed and planned at every request. A condition that must match
    # a partial index's is written as a literal, not a parameter (`profiles.models.HAS_EMAIL`): a generic plan
    # knows no parameter's value. Django leaves preparing off unless asked, for transaction-mode poolers
    # (pgbouncer) that lose a connection's prepared statements: set `DATABASE_PREPARED_STATEMENTS=false` there.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5,
                                       **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# The REST API (SPEC section 6): JSON only, one error shape (core.api), throttled per client with one counter
# increment per request (core.throttling). The rates are generous defaults, set from the environment
# (`API_USER_RATE`, `API_ANON_RATE`, such as 2000/min).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.HubTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # API clients (systems.models.ApiClient) reach only the views that apply their allow-lists.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "systems.access.ApiClientScope"],
    "DEFAULT_PARSER_CLASSES": ["core.api.JSONParser"],  # DRF's, refusing deep nesting and unstorable text
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.UserThrottle",
        "core.throttling.AnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_USER_RATE", "2000/min"),
        "anon": os.environ.get("API_ANON_RATE", "200/min"),
    },
    # Anonymous callers are counted by address: X-Forwarded-For is read only past our own proxies.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

# A search counts its matches up to this many (core.pagination): past it the API says `count_capped` and the
# CSA search page asks for a first name or postcode; every result can still be paged through.
SEARCH_COUNT_CAP = 1000

# What the API kernel (core.api) runs for a higher app: the token cache keeps a user's API client with its
# roles; every view that reads or writes data names (core.api.AllowListed) checks the client's allow-lists
# after its throttles and filters its successful responses by them (systems.access).
API_TOKEN_EXTRAS = ["systems.allowlists.ApiClientOfToken"]
API_ALLOW_LIST_PERMISSIONS = ["systems.access.AllowListPermission"]
API_RESPONSE_FILTERS = ["systems.access.filter_response"]

# A citizen with no profile may try to create it this often (per user, on every door): each attempt says
# something about the data given, such as whether an email can be used (profiles.services.profiles).
CITIZEN_CREATE_RATE = os.environ.get("CITIZEN_CREATE_RATE", "10/hour")

# API tokens expire this many days after they are issued (core.apitokens); unset: never.
API_TOKEN_MAX_AGE_DAYS = float(os.environ["API_TOKEN_MAX_AGE_DAYS"]) if os.environ.get("API_TOKEN_MAX_AGE_DAYS") \
    else None

SPECTACULAR_SETTINGS = {
    "TITLE": "Customer Service Hub API",
    "DESCRIPTION": "The profile integrations (Get, Create, Update), the CSA search, the reference lists, forms, "
    "events, the import and duplicates, in data names (SPEC section 6). Authenticate with "
    "`Authorization: Token <key>` or a session. Every path answers the same with and without a trailing "
    "slash. Errors are `{\"name\": [{\"message\", \"code\"}]}`. Date-times are UTC with `Z` "
    "(`2026-11-30T08:32:58.123456Z`), dates `YYYY-MM-DD`.",
    "VERSION": "1.0.0",
    "CONTACT": {"name": os.environ.get("API_CONTACT_NAME", "Customer Service Hub team"),
                "email": os.environ.get("API_CONTACT_EMAIL", "hub-api@example.org")},
    # Relative: the server that serves the schema serves the API (`manage.py spectacular` has no request).
    "SERVERS": [{"url": os.environ.get("API_SERVER_URL", "/"), "description": "This hub"}],
    # The areas operations are grouped by; each view names its own (tests/api/test_schema.py).
    "TAGS": [
        {"name": "profiles", "description": "Get, Create and Update of one customer (SPEC 3 and 4), its "
         "addresses, history, subject access export and erasure."},
        {"name": "search", "description": "The CSA search of customers."},
        {"name": "lists", "description": "The reference lists: titles, suffixes, countries, languages, ..."},
        {"name": "forms", "description": "Forms built in the admin, submitted as the browser submits them."},
        {"name": "events", "description": "Profile events from other systems, applied by the administrator's "
         "rules."},
        {"name": "import", "description": "Batches of records, matched and created or updated."},
        {"name": "subscriptions", "description": "Customers' subscriptions to the administrator's topics "
         "(SPEC 8.2), and a topic's subscribers for a mailing."},
        {"name": "duplicates", "description": "Likely duplicates, \"not the same person\" marks, merges and their "
         "undo."},
    ],
    # The one set of contact permission values (SPEC 8.1), whichever channel's data name carries it.
    "ENUM_NAME_OVERRIDES": {"PermissionEnum": "profiles.models.Permission"},
    "SERVE_INCLUDE_SCHEMA": False,
    # The Swagger UI's files come from the drf-spectacular-sidecar package: no CDN needed.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "profiles.api.serializers.close_input_schemas",
        "profiles.api.schema.complete_schema",
        "core.ratelimit_schema.add_rate_limit_headers",
    ],
}

# --- The CSA pages and the citizen portal ---
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served from the finders too, so the stylesheet loads even where collectstatic was not run.
WHITENOISE_USE_FINDERS = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # hub.views.home sends CSAs to /hub/ and citizens to /portal/profile/
LOGOUT_REDIRECT_URL = "login"

# --- Data protection: how long cases are kept before `manage.py purge_expired` removes them ---
CASE_RETENTION_DAYS = int(os.environ.get("CASE_RETENTION_DAYS", "2190"))  # six years

# --- Hardening ---
# HTTPS, HSTS and secure cookies whenever DEBUG is off, so `manage.py check --deploy` is clean. Each can be
# turned off by the environment, such as SECURE_SSL_REDIRECT=false for a plain-HTTP server on loopback (CI's
# API fuzzing); behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER"], "https")
SECURE_CONTENT_TYPE_NOSNIFF = True  # X-Content-Type-Options: nosniff
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # and frame-ancestors 'none' below, for browsers that read only CSP
SESSION_COOKIE_HTTPONLY = True
# Sessions are kept in the database and read through the shared cache (no query per page once cached);
# a sign-out deletes both, so it holds at once on every server.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Content-Security-Policy (django-csp 4): every script and stylesheet is a file of this site; no inline
# code, no other origin. The Swagger UI at /api/docs/ relaxes style-src for itself (hub.urls).
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for one username from one
# address, that username is locked out (429) from that address for AXES_COOLOFF_MINUTES. Counted by the
# pair, so no one can lock another person out from elsewhere, nor lock every user out by failing from the
# load balancer's address: the address is the client's (hub.clientip, TRUSTED_PROXY_COUNT above). The
# failures are kept in Django's "axes" cache (below), shared by every worker process and server (a
# per-process cache is refused by a system check), by hub.lockout's handler, with which `manage.py
# axes_reset` works. The API's tokens are not passwords: DRF throttles the API.
# Then Django's ModelBackend, reading the signed-in user and their roles from the shared cache
# (core.sessionauth: no query per page; a save of the user or a change of their roles renews it at once).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.sessionauth.CachedModelBackend",
]
# Caches (several servers): everything cached or counted (DRF's throttles, axes's failed sign-ins,
# cached profile reads, tokens, reference lists) goes through Django's cache framework, never a process's own
# memory. With REDIS_URL (`redis://host:6379/0`) both caches are that Redis, shared by every server behind
# the load balancer, so a count or an invalidation made on one server holds on all (and on every worker of
# one). Without it they are database cache tables made by `migrate` itself (hub.apps): slower than Redis,
# but shared by every worker and server too, so no configuration can serve a profile another process has
# already changed.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    _SHARED_CACHE = {
        # Django's RedisCache, reusing its Redis client (hub/redis_cache.py: a third of a cache read's cost)
        "BACKEND": "core.redis_cache.ReusingRedisCache",
        "LOCATION": REDIS_URL,
        # Several hubs (or test runs) may share one Redis: each keeps to its own keys.
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "hub"),
        # A Redis that stops answering fails the request in seconds rather than hanging every worker.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
    CACHES = {"default": _SHARED_CACHE, "axes": _SHARED_CACHE}
else:
    # Every entry is written with its own timeout, except where Django's database cache rewrites one on
    # `incr` with this default: a day, so an API throttle's counter (core.throttling) lasts its whole
    # window, even a daily one, however long the client pauses.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "hub_cache",
                    "TIMEOUT": 86400},
        "axes": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "hub_axes_cache",
                 "TIMEOUT": 86400},
    }
AXES_HANDLER = "hub.lockout.LockoutHandler"
AXES_CACHE = "axes"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the pair: one username from one address
AXES_CLIENT_IP_CALLABLE = "hub.clientip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Webhooks (systems.destinations): sent only to public addresses. A private integration network is opened
# with WEBHOOK_ALLOWED_NETWORKS, comma-separated CIDRs (`10.20.0.0/16,fd12:3456::/48`); a bad one stops
# the start-up here rather than refusing every delivery later.
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", [])
for _network in WEBHOOK_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"WEBHOOK_ALLOWED_NETWORKS: {_error}") from None
