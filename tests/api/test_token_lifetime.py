"""API tokens' optional lifetime (API_TOKEN_MAX_AGE_DAYS): unset, a token never expires; set, an older one
is refused (401) and `manage.py apitoken` issues a new one instead of printing it."""
from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def issued_days_ago(user, days: float) -> Token:
    token, _ = Token.objects.get_or_create(user=user)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=days))
    return token


def get_titles(key: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/lists/titles/")


def apitoken(username: str) -> str:
    out = StringIO()
    call_command("apitoken", username, stdout=out, stderr=StringIO())
    return out.getvalue().splitlines()[-1]


def test_without_a_lifetime_a_token_never_expires(csa, settings):
    assert settings.API_TOKEN_MAX_AGE_DAYS is None
    token = issued_days_ago(csa, 3650)
    assert get_titles(token.key).status_code == 200
    assert apitoken("csa") == token.key


def test_a_token_past_its_lifetime_is_refused_and_apitoken_issues_a_new_one(csa, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 30
    token = issued_days_ago(csa, 29)
    assert get_titles(token.key).status_code == 200
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=31))
    from django.core.cache import cache

    cache.clear()  # as after the token cache's minute: the change above was made behind the ORM's back
    response = get_titles(token.key)
    assert response.status_code == 401
    assert "expired" in str(response.json()).lower()
    fresh = apitoken("csa")
    assert fresh != token.key and Token.objects.get(user=csa).key == fresh
    assert get_titles(fresh).status_code == 200
    assert apitoken("csa") == fresh  # printed again while it lasts


def test_an_expired_token_is_refused_even_from_the_token_cache(csa, settings):
    token = issued_days_ago(csa, 31)
    assert get_titles(token.key).status_code == 200  # no lifetime yet: cached as valid
    settings.API_TOKEN_MAX_AGE_DAYS = 30
    assert get_titles(token.key).status_code == 401
