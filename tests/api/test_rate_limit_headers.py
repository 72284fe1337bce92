"""The `RateLimit-*` headers (IETF draft) on every answer the API's throttle counted, and on its 429.

Counted in the shared cache: Django's database cache (the hub without Redis, on either database) and a
process's memory (the test settings), so the headers are checked against both.
"""
from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.throttling import AnonThrottle, UserThrottle
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

NOW = 1_800_000_030.0  # 30 s into a minute: the window ends in 30 s
# The table the test database has (the sign-in lock-outs'): a database cache like production's `hub_cache`.
DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "hub_axes_cache"}


@pytest.fixture(params=["memory", "database"])
def throttled(request, settings, monkeypatch):
    """A user rate of 3 a minute and an anonymous one of 2, at a fixed moment, counted in each cache."""
    if request.param == "database":
        settings.CACHES = {**settings.CACHES, "default": DATABASE_CACHE}
    cache.clear()
    monkeypatch.setattr(UserThrottle, "rate", "3/min", raising=False)
    monkeypatch.setattr(AnonThrottle, "rate", "2/min", raising=False)
    for throttle in (UserThrottle, AnonThrottle):
        monkeypatch.setattr(throttle, "timer", staticmethod(lambda: NOW))
    yield request.param
    cache.clear()


def limits(response) -> tuple[str | None, str | None, str | None]:
    return (response.headers.get("RateLimit-Limit"), response.headers.get("RateLimit-Remaining"),
            response.headers.get("RateLimit-Reset"))


def test_each_answer_says_the_limit_what_is_left_and_when_the_window_resets(throttled, csa, customer):
    client = token_client(csa)
    answers = [client.get("/api/v1/lists/titles/"), client.get(f"/api/v1/profiles/{customer.ucrn}/"),
               client.patch(f"/api/v1/profiles/{customer.ucrn}/", {"first_name": "Ann"}, format="json")]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [limits(a) for a in answers] == [("3", "2", "30"), ("3", "1", "30"), ("3", "0", "30")]


def test_a_throttled_answer_says_none_is_left_and_retry_after(throttled, csa):
    client = token_client(csa)
    for _ in range(3):
        client.get("/api/v1/lists/titles/")
    refused = client.get("/api/v1/lists/titles/")
    assert refused.status_code == 429 and refused.json()["detail"][0]["code"] == "throttled"
    assert limits(refused) == ("3", "0", "30") and refused.headers["Retry-After"] == "30"


def test_error_answers_the_throttle_counted_carry_them_too(throttled, csa):
    client = token_client(csa)
    assert limits(client.get("/api/v1/profiles/000000000/")) == ("3", "2", "30")  # 404
    bad = client.patch("/api/v1/profiles/000000000/", "{", content_type="application/json")
    assert bad.status_code in (400, 404) and limits(bad) == ("3", "1", "30")


def test_anonymous_callers_are_told_their_own_limit(throttled, anon_api):
    answer = anon_api.get("/api/schema/")  # the one API page open to them
    assert answer.status_code == 200 and limits(answer) == ("2", "1", "30")


def test_each_client_counts_on_its_own(throttled, csa, admin_user):
    first, second = token_client(csa), token_client(admin_user)
    first.get("/api/v1/lists/titles/")
    assert limits(first.get("/api/v1/lists/titles/"))[1] == "1"
    assert limits(second.get("/api/v1/lists/titles/"))[1] == "2"


def test_answers_no_throttle_counted_carry_none(throttled, csa, anon_api):
    assert limits(token_client(csa).get("/accounts/login/")) == (None, None, None)  # not the API
    # DRF checks credentials and permissions before it throttles: those refusals are not counted.
    refused = anon_api.get("/api/v1/lists/titles/")
    assert refused.status_code == 401 and limits(refused) == (None, None, None)


def test_the_schema_documents_the_headers_on_every_response():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert set(schema["components"]["headers"]) >= {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"}
    responses = [(path, method, status, response) for path, operations in schema["paths"].items()
                 for method, operation in operations.items() if isinstance(operation, dict)
                 for status, response in operation.get("responses", {}).items()]
    assert responses
    for path, method, status, response in responses:
        assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(response.get("headers", {})), (
            path, method, status)
        if status == "429":
            assert "Retry-After" in response["headers"]
