"""SPEC sections 3 and 7 through the API: every endpoint for every role, and refused writes change nothing."""
from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest
from django.forms.models import model_to_dict

from profiles.models import Address, ChangeRecord, Customer
from tests.api.conftest import token_client, url

pytestmark = pytest.mark.django_db

UNKNOWN = "123456789"  # well-formed, no customer
MALFORMED = "12345678x"
PUT_BODY = {"contact_type": "Individual", "preferred_contact_method": 1, "first_name": "Changed"}

# (method, path suffix, body) for a customer's endpoints
CUSTOMER_CALLS = [
    ("get", "", None),
    ("put", "", PUT_BODY),
    ("patch", "", {"first_name": "Changed", "street": "New Street"}),
    ("get", "addresses", None),
    ("get", "history", None),
]
ALLOWED = {"get": 200, "put": 200, "patch": 200}


def state() -> list:
    return [
        [model_to_dict(c) for c in Customer.objects.order_by("pk")],
        list(Address.objects.order_by("pk").values()),
        ChangeRecord.objects.count(),
    ]


@pytest.fixture
def clients(db, customer, citizen, csa, admin_user):
    return {
        "anonymous": None,
        "citizen": token_client(citizen),
        "csa": token_client(csa),
        "admin": token_client(admin_user),
    }


def call(client, method, path, body):
    from rest_framework.test import APIClient

    client = client or APIClient()
    return getattr(client, method)(path, body, format="json") if body is not None else getattr(client, method)(path)


# role -> target -> expected status for every customer call
EXPECTED = {
    "anonymous": {"own": 401, "other": 401, "unknown": 401, "malformed": 401},
    "citizen": {"own": 200, "other": 403, "unknown": 403, "malformed": 403},
    "csa": {"own": 200, "other": 200, "unknown": 404, "malformed": 404},
    "admin": {"own": 200, "other": 200, "unknown": 404, "malformed": 404},
}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("target", ["own", "other", "unknown", "malformed"])
@pytest.mark.parametrize(("method", "suffix", "body"), CUSTOMER_CALLS)
def test_customer_endpoints(clients, customer, other_customer, role, target, method, suffix, body):
    ucrn = {"own": customer.ucrn, "other": other_customer.ucrn, "unknown": UNKNOWN, "malformed": MALFORMED}[target]
    before = state()
    response = call(clients[role], method, url(ucrn, suffix), body)
    expected = EXPECTED[role][target]
    assert response.status_code == expected, response.content
    if expected != 200:
        assert state() == before  # a refused write changes nothing
        assert set(response.json()) == {"detail"}  # nothing about the customer is revealed
        assert UNKNOWN not in response.content.decode() and other_customer.ucrn not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "search", "create", "lists"),
    [
        ("anonymous", 401, 401, 401),
        ("citizen", 403, 403, 200),  # this citizen already has a customer
        ("csa", 200, 201, 200),
        ("admin", 200, 201, 200),
    ],
)
def test_collection_endpoints(clients, role, search, create, lists):
    client = clients[role]
    assert call(client, "get", url(), None).status_code == search
    before = state()
    response = call(client, "post", url(), {"contact_type": "Individual", "preferred_contact_method": 3})
    assert response.status_code == create
    if create != 201:
        assert state() == before
    assert call(client, "get", "/api/v1/lists/titles/", None).status_code == lists


def test_a_citizen_without_a_customer_may_create_but_not_search(new_citizen_api):
    assert new_citizen_api.get(url()).status_code == 403
    assert new_citizen_api.post(url(), {"contact_type": "Individual", "preferred_contact_method": 3},
                                format="json").status_code == 201


def test_a_bad_token_is_401(db):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    response = client.get("/api/v1/lists/titles/")
    assert response.status_code == 401 and response.json()["detail"][0]["code"] == "authentication_failed"


def test_an_inactive_users_token_is_refused(csa):
    client = token_client(csa)
    csa.is_active = False
    csa.save()
    assert client.get("/api/v1/lists/titles/").status_code == 401


def test_throttled_clients_get_429_in_the_error_shape(csa, monkeypatch):
    from django.core.cache import cache

    from core.throttling import UserThrottle

    cache.clear()
    monkeypatch.setattr(UserThrottle, "rate", "2/min", raising=False)
    monkeypatch.setattr(UserThrottle, "timer", staticmethod(lambda: 1_800_000_030.0))  # mid-window, always
    client = token_client(csa)
    statuses = [client.get("/api/v1/lists/titles/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.get("/api/v1/lists/titles/")
    assert response.json()["detail"][0]["code"] == "throttled" and "Retry-After" in response.headers
    cache.clear()


def test_throttle_rates_come_from_the_environment():
    """The settings module, loaded afresh with the two variables set, carries them as the rates."""
    env = {**os.environ, "API_USER_RATE": "7/min", "API_ANON_RATE": "3/hour", "DEBUG": "true"}
    env["DJANGO_SETTINGS_MODULE"] = "hub.settings"
    code = "from django.conf import settings; print(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert ast.literal_eval(out.stdout.strip()) == {"user": "7/min", "anon": "3/hour"}
