"""The sign-in lock-out (django-axes) and the client's address: failures count per username *and* address,
the address is the client's behind our own proxies (TRUSTED_PROXY_COUNT), and an administrator can lift
every lock-out with `manage.py axes_reset`. The API's anonymous throttle reads the address the same way."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client, RequestFactory, override_settings

from core.throttling import AnonThrottle
from hub.clientip import client_ip
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
BALANCER = "10.0.0.254"
LOCKED = override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)


@pytest.fixture
def users(db):
    UserFactory(username="target", role="csa", password="right-password-123")
    UserFactory(username="bystander", role="csa", password="right-password-456")


def sign_in(username: str, password: str, ip: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return Client(REMOTE_ADDR=ip, **extra).post("/accounts/login/", {"username": username, "password": password})


@LOCKED
def test_an_attacker_locks_only_their_own_guesses_out(users):
    attacker = "203.0.113.5"
    assert [sign_in("target", "wrong", attacker).status_code for _ in range(3)] == [200, 200, 429]
    locked = sign_in("target", "right-password-123", attacker)
    assert locked.status_code == 429 and "_auth_user_id" not in locked.wsgi_request.session
    # The person whose name was guessed still signs in from their own address...
    assert sign_in("target", "right-password-123", "198.51.100.7").status_code == 302
    # ...and the attacker's address does not lock anyone else.
    assert sign_in("bystander", "right-password-456", attacker).status_code == 302


@LOCKED
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_load_balancer_each_client_is_counted_by_its_own_address(users):
    """Every request reaches the app from the balancer; the balancer appends the client's address."""
    statuses = [sign_in("target", "wrong", BALANCER, f"192.0.2.{n}, 203.0.113.5").status_code for n in range(3)]
    assert statuses == [200, 200, 429]  # what the client wrote on the left is not believed
    assert sign_in("target", "right-password-123", BALANCER, "198.51.100.7").status_code == 302
    assert sign_in("target", "right-password-123", BALANCER, "203.0.113.5").status_code == 429


@LOCKED
def test_without_trusted_proxies_x_forwarded_for_is_ignored(users):
    statuses = [sign_in("target", "wrong", "203.0.113.5", f"192.0.2.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]


@LOCKED
def test_axes_reset_lifts_every_lock_out(users, capsys):
    for _ in range(3):
        sign_in("target", "wrong", "203.0.113.5")
        sign_in("bystander", "wrong", "203.0.113.6")
    assert sign_in("target", "right-password-123", "203.0.113.5").status_code == 429
    call_command("axes_reset")
    assert capsys.readouterr().out.strip() == "2 attempts removed."
    assert sign_in("target", "right-password-123", "203.0.113.5").status_code == 302
    assert sign_in("bystander", "right-password-456", "203.0.113.6").status_code == 302
    call_command("axes_reset")
    assert capsys.readouterr().out.strip() == "No attempts found."


@LOCKED
def test_axes_reset_ip_username_lifts_one_lock_out(users, capsys):
    for _ in range(3):
        sign_in("target", "wrong", "203.0.113.5")
        sign_in("bystander", "wrong", "203.0.113.6")
    call_command("axes_reset_ip_username", "203.0.113.5", "target")
    assert sign_in("target", "right-password-123", "203.0.113.5").status_code == 302
    assert sign_in("bystander", "right-password-456", "203.0.113.6").status_code == 429


def request_from(remote: str, forwarded: str | None = None) -> HttpRequest:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/api/v1/lists/titles/", REMOTE_ADDR=remote, **extra)


def test_the_anonymous_throttle_ignores_x_forwarded_for_by_default():
    request = request_from("192.0.2.1", "203.0.113.9")
    assert AnonThrottle().get_ident(request) == client_ip(request) == "192.0.2.1"


def test_with_trusted_proxies_the_throttle_and_the_lock_out_read_the_same_address():
    from django.conf import settings

    for proxies, forwarded, expected in ((1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
                                         (2, "1.2.3.4, 203.0.113.9, 10.0.0.3", "203.0.113.9"),
                                         (3, "203.0.113.9", "203.0.113.9")):
        rest = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
        with override_settings(TRUSTED_PROXY_COUNT=proxies, REST_FRAMEWORK=rest):
            request = request_from(BALANCER, forwarded)
            assert AnonThrottle().get_ident(request) == client_ip(request) == expected


def test_the_proxy_count_comes_from_the_environment():
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environ.update(DJANGO_SETTINGS_MODULE="hub.settings", SECRET_KEY=secrets.token_urlsafe(50))
    code = ("from django.conf import settings; "
            "print(settings.TRUSTED_PROXY_COUNT, settings.REST_FRAMEWORK['NUM_PROXIES'], "
            "settings.AXES_LOCKOUT_PARAMETERS, settings.AXES_CLIENT_IP_CALLABLE)")

    def read(**env: str) -> str:
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**environ, **env}, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert read() == "0 0 [['username', 'ip_address']] hub.clientip.client_ip"
    assert read(TRUSTED_PROXY_COUNT="2").startswith("2 2 ")


def test_a_per_process_lock_out_cache_is_warned_about():
    from hub.lockout import lockout_cache_check

    assert lockout_cache_check() == []
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                                   "axes": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        assert [warning.id for warning in lockout_cache_check()] == ["hub.W001"]
