"""Query budgets: a Get costs four queries however many addresses and sources; a search page a constant number."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import url
from tests.factories import AddressFactory, CustomerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("warm_reference_lists")]


def customer_with(addresses: int):
    customer = CustomerFactory(address=False)
    for n in range(addresses - 1):
        AddressFactory(customer=customer, start_date=dt.date(2000 + n % 20, 1, 1), end_date=dt.date(2021, 1, 1))
    AddressFactory(customer=customer, is_primary=True)
    return customer


@pytest.mark.parametrize("addresses", [1, 50])
def test_get_costs_four_queries_for_a_csa(csa_api, django_assert_max_num_queries, addresses):
    customer = customer_with(addresses)
    # token + user + roles (one query, then cached), the API client's allow-lists (systems), the profile,
    # its extended data (one query for all its sources)
    with django_assert_max_num_queries(4):
        assert csa_api.get(url(customer.ucrn)).status_code == 200


def test_get_costs_four_queries_for_a_citizen(citizen_api, customer, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert citizen_api.get(url(customer.ucrn)).status_code == 200


def search_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(), {"page_size": 50, **params})
    assert response.status_code == 200
    return len(queries)


def test_a_search_page_costs_a_constant_number_of_queries(csa_api):
    for _ in range(5):
        customer_with(1)
    search_queries(csa_api, status="Active")  # the token is read once, then cached
    few = search_queries(csa_api, status="Active")
    for _ in range(50):
        customer_with(4)
    many = search_queries(csa_api, status="Active")
    # (API client,) status check, page, count, primary addresses; the count only past one page of matches
    assert few <= many <= few + 1 <= 5
    assert search_queries(csa_api, search="smith", postcode="M1") <= 4
