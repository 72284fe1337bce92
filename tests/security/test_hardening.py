"""Hardening: a clean `check --deploy`, security headers and CSP, CSRF, password rules, throttles.

The sign-in lock-out: tests/security/test_lockout.py."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def run_check(**env: str) -> subprocess.CompletedProcess:
    # As production starts: not with the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (tests/web/conftest.py).
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ.update(DJANGO_SETTINGS_MODULE="hub.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120,
    )


def test_production_settings_pass_check_deploy_with_zero_warnings():
    result = run_check(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    environ = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
                            env={**environ, "DJANGO_SETTINGS_MODULE": "hub.settings", "DEBUG": "false"}, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_security_headers_on_pages_and_api(client):
    for url in ["/accounts/login/", "/api/v1/lists/titles/"]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_only_the_api_docs_relax_style_src(client):
    client.force_login(UserFactory(username="docs-reader", role="csa"))
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";"  # its start-up script is a file too
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "<script>" not in response.content.decode()


@pytest.mark.django_db
def test_csrf_is_enforced_on_forms():
    user = UserFactory(username="csrf-csa", role="csa", password="long-enough-password-1")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": user.username, "password": "long-enough-password-1"})
    assert response.status_code == 403
    client.force_login(user)
    assert client.post("/hub/customers/new/", {"contact_type": "Individual"}).status_code == 403
    assert client.post("/accounts/logout/").status_code == 403


def test_password_validators_are_on():
    from django.conf import settings

    names = {v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert {"MinimumLengthValidator", "CommonPasswordValidator", "NumericPasswordValidator"} <= names


def test_api_is_throttled_per_client():
    from django.conf import settings

    rest = settings.REST_FRAMEWORK
    assert rest["DEFAULT_THROTTLE_CLASSES"] == ["core.throttling.UserThrottle", "core.throttling.AnonThrottle"]


def without(*names: str, **extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items()
               if k not in names and not k.startswith(("DJANGO_", "PYTEST"))}
    return {**environ, **extra}


def test_gunicorn_without_an_environment_refuses_to_serve_debug_pages():
    """`gunicorn hub.wsgi:application` with nothing set: DEBUG is off there, so it wants a SECRET_KEY."""
    result = subprocess.run([sys.executable, "-m", "gunicorn", "--check-config", "hub.wsgi:application"], cwd=ROOT,
                            env=without("DEBUG", "SECRET_KEY"), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stdout + result.stderr
    code = "import hub.wsgi; from django.conf import settings; print(settings.DEBUG)"
    for debug in (None, ""):
        env = without("DEBUG", SECRET_KEY=secrets.token_urlsafe(50), **({} if debug is None else {"DEBUG": debug}))
        served = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=120)
        assert served.stdout.strip() == "False", served.stderr
    env = without(SECRET_KEY=secrets.token_urlsafe(50), DEBUG="true")  # asked for explicitly: on
    served = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert served.stdout.strip() == "True", served.stderr


def test_manage_py_without_an_environment_is_a_developers_machine():
    """`make run` (migrate, seed_demo, runserver) works with nothing set: DEBUG on, the development key."""
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c",
                             "from django.conf import settings; print(settings.DEBUG)"], cwd=ROOT,
                            env=without("DEBUG", "SECRET_KEY"), capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr
