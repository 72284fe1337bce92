"""Shared fixtures: users of every role and a customer to work on."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import CustomerFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: a test's rolled-back rows must not live on in cached reads
    (profiles, reference lists, tokens, webhook subscriptions) that a later test would be served."""
    cache.clear()


@pytest.fixture
def warm_reference_lists(db):
    """Query budgets are for the warm path: the reference lists are read once per generation, then cached."""
    from profiles.selectors import reference_lists

    reference_lists()


@pytest.fixture
def csa(db):
    return UserFactory(username="csa", role="csa")


@pytest.fixture
def csa_client(csa) -> Client:
    """A page client signed in as the CSA."""
    client = Client()
    client.force_login(csa)
    return client


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role="admin")


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def citizen(db, customer):
    """A citizen linked to `customer`."""
    user = UserFactory(username="citizen", role="citizen")
    customer.portal_user = user
    customer.save(update_fields=["portal_user"])
    return user
