"""API clients signed in as each role, by token (as other systems call the API) or by session."""
from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import CustomerFactory, UserFactory


def token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


@pytest.fixture
def csa_api(csa) -> APIClient:
    return token_client(csa)


@pytest.fixture
def admin_api(admin_user) -> APIClient:
    return token_client(admin_user)


@pytest.fixture
def citizen_api(citizen) -> APIClient:
    """A citizen linked to `customer`."""
    return token_client(citizen)


@pytest.fixture
def other_customer(db):
    return CustomerFactory()


@pytest.fixture
def new_citizen_api(db) -> APIClient:
    """A citizen with no customer yet."""
    return token_client(UserFactory(username="newcomer", role="citizen"))


def url(ucrn: str = "", suffix: str = "") -> str:
    return f"/api/v1/profiles/{ucrn + '/' if ucrn else ''}{suffix + '/' if suffix else ''}"


def codes(response) -> dict[str, list[str]]:
    """`{name: [codes]}` of an error response."""
    return {name: [e["code"] for e in errors] for name, errors in response.json().items()}
