"""The CSA search page falls back to similar names when a name finds nothing exactly."""
from __future__ import annotations

import pytest

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_no_exact_match_shows_similar_names(csa_client):
    smith = CustomerFactory(first_name="Ann", last_name="Smith")
    CustomerFactory(first_name="Dan", last_name="Jones")
    page = csa_client.get("/hub/customers/", {"q": "Smyth"}).content.decode()
    assert "No exact match: 1 customer with a similar name" in page
    assert smith.ucrn in page


def test_an_exact_match_is_not_mixed_with_similar_names(csa_client):
    CustomerFactory(first_name="Ann", last_name="Smith")
    smyth = CustomerFactory(first_name="Bob", last_name="Smyth")
    page = csa_client.get("/hub/customers/", {"q": "Smyth"}).content.decode()
    assert "1 customer found" in page and smyth.ucrn in page and "similar" not in page


def test_a_number_that_finds_nothing_is_not_searched_as_a_name(csa_client):
    CustomerFactory(first_name="Ann", last_name="Smith")
    page = csa_client.get("/hub/customers/", {"q": "0117 000 0000"}).content.decode()
    assert "0 customers found" in page
