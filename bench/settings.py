"""Settings of the benchmark server: the hub's own settings, plus the floor view (bench.urls).

Only what a loopback benchmark needs differs from production: the URLconf that mounts the floor, and
plain HTTP on 127.0.0.1 (no TLS redirect, cookies not marked Secure, so wrk can replay a session cookie).
Everything else, DEBUG off, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, throttle rates, comes from the
environment that bench/run.py sets, as it would in production.
"""

from hub.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# Errors of the benchmark server go to its log (bench/.work/gunicorn.log), not to mail_admins.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
}
