"""The CSA's Find by address pages: the box, the addresses with counts, the customers at one of them."""
from __future__ import annotations

from html import escape

import pytest
from django.test import Client

from tests.addresses.test_selector import live_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(db):
    return [live_at("12", "Old Road", "Leeds", "LS1 4AP") for _ in range(3)] + [
        live_at("14", "Old Road", "Leeds", "LS1 4AP")]


def test_the_box_is_labelled_and_in_the_navigation(csa_client):
    html = csa_client.get("/hub/addresses/").content.decode()
    assert '<label class="label" for="id_q">Postcode or street</label>' in html
    assert 'aria-current="page">Find by address</a>' in html


def test_the_addresses_with_counts_link_to_their_customers(csa_client, held):
    response = csa_client.get("/hub/addresses/", {"q": "old road, leeds"})
    html = response.content.decode()
    assert "2 addresses found" in html
    assert "12 Old Road, Leeds, LS1 4AP</a> <span class=\"hint\">3 customers</span>" in html
    link = escape("/hub/addresses/customers/?postcode=LS1+4AP&street=Old+Road&house=12&flat=&town=Leeds"
                  "&post_town=&country_id=826")
    assert f'href="{link}"' in html
    customers = csa_client.get("/hub/addresses/customers/", {
        "postcode": "LS1 4AP", "street": "Old Road", "house": "12", "flat": "", "town": "Leeds", "post_town": "",
        "country_id": "826"})
    page = customers.content.decode()
    assert customers.status_code == 200 and "3 customers" in page
    assert all(c.ucrn in page for c in held[:3]) and held[3].ucrn not in page


def test_bad_text_is_an_error_beside_the_box(csa_client):
    response = csa_client.get("/hub/addresses/", {"q": "12"})
    assert response.status_code == 200
    assert "This is not an address search" in response.content.decode()


def test_a_bad_address_link_is_a_400(csa_client):
    assert csa_client.get("/hub/addresses/customers/", {"street": "x", "country_id": "uk"}).status_code == 400


def test_the_pages_cost_few_queries(csa_client, held, warm_reference_lists, django_assert_max_num_queries):
    csa_client.get("/hub/addresses/", {"q": "LS1"})
    with django_assert_max_num_queries(6):
        csa_client.get("/hub/addresses/", {"q": "LS1"})
    with django_assert_max_num_queries(7):
        csa_client.get("/hub/addresses/customers/", {"postcode": "LS1 4AP", "street": "Old Road", "house": "12",
                                                     "town": "Leeds", "country_id": "826"})


def test_citizens_may_not(citizen):
    client = Client()
    client.force_login(citizen)
    assert client.get("/hub/addresses/", {"q": "LS1"}).status_code == 403
    assert client.get("/hub/addresses/customers/", {"street": "Old Road", "country_id": "826"}).status_code == 403
