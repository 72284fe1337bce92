"""The CSA search of SPEC section 6: GET /api/v1/profiles/ with filters, paginated."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.api.conftest import codes, url
from tests.factories import AddressFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def person(postcode="M1 1AE", **kwargs):
    """A customer whose primary address has `postcode`; an old address elsewhere to prove primary-only."""
    customer = CustomerFactory(address=False, **kwargs)
    AddressFactory(customer=customer, postcode="LS1 4AP", uprn="999", end_date=dt.date(2021, 1, 1))
    AddressFactory(customer=customer, postcode=postcode, is_primary=True)
    return customer


def found(client, **params) -> list[str]:
    response = client.get(url(), params)
    assert response.status_code == 200, response.json()
    return sorted(result["ucrn"] for result in response.json()["results"])


def test_a_result_carries_the_customer_and_primary_address(csa_api):
    customer = person(first_name="Jane", last_name="Smith")
    response = csa_api.get(url(), {"last_name": "smith"})
    body = response.json()
    assert set(body) == {"count", "count_capped", "next", "previous", "results"} and body["count"] == 1
    result = body["results"][0]
    assert result["ucrn"] == customer.ucrn and result["name"] == "Jane Smith"
    assert result["postcode"] == "M1 1AE" and result["street"]
    assert result["contact_type"] == "Individual" and result["status"] == "Active"
    assert result["phone_number"] == customer.phone_number


def test_postcode_is_normalised_and_matches_the_primary_address(csa_api):
    a = person("M1 1AE")
    person("M11 1AA")
    assert found(csa_api, postcode="m11ae") == [a.ucrn]
    assert found(csa_api, postcode="LS1 4AP") == []  # an old address does not count


def test_an_outward_code_finds_its_district_only(csa_api):
    a, b = person("M1 1AE"), person("M1 2AB")
    person("M11 1AA")
    assert found(csa_api, postcode="M1") == sorted([a.ucrn, b.ucrn])
    assert found(csa_api, postcode="m1 1") == [a.ucrn]  # a sector


def test_a_postcode_that_is_not_one_is_400(csa_api):
    response = csa_api.get(url(), {"postcode": "XYZ!"})
    assert response.status_code == 400 and codes(response) == {"postcode": ["invalid"]}


def test_last_name_is_a_case_insensitive_prefix(csa_api):
    a = person(last_name="Smith")
    b = person(last_name="smithson")
    person(last_name="Goldsmith")
    assert found(csa_api, last_name="SMI") == sorted([a.ucrn, b.ucrn])


def test_email_is_exact_and_case_insensitive(csa_api):
    a = person(email_address="Jane.Smith@Example.org")
    person(email_address="jane.smith@example.org.uk")
    assert found(csa_api, email_address="jane.smith@example.ORG") == [a.ucrn]
    assert found(csa_api, email_address="jane.smith") == []


@pytest.mark.parametrize("typed", ["0117 496 0123", "01174960123", "+44 117 496 0123", "+441174960123",
                                   "(0117) 4960123", "0044 117 496 0123"])
def test_phone_in_any_common_format(csa_api, typed):
    a = person(phone_number="+441174960123")
    b = person(phone_number="", mobile_number="+441174960123")
    person(phone_number="+441174960124")
    assert found(csa_api, phone_number=typed) == sorted([a.ucrn, b.ucrn])


def test_a_phone_that_is_not_one_is_400(csa_api):
    assert codes(csa_api.get(url(), {"phone_number": "call me"})) == {"phone_number": ["invalid"]}


def test_uprn_exact_on_the_primary_address(csa_api):
    customer = CustomerFactory(address=False)
    AddressFactory(customer=customer, uprn="100023336956", is_primary=True)
    assert found(csa_api, uprn="100023336956") == [customer.ucrn]
    assert found(csa_api, uprn="10002333695") == []
    assert codes(csa_api.get(url(), {"uprn": "12ab"})) == {"uprn": ["invalid"]}


def test_status_and_contact_type_exact_and_unknown_is_400(csa_api):
    a = person(status_id="Inactive")
    b = person(contact_type_id="Organization", organisation_name="Acme Ltd")
    assert found(csa_api, status="Inactive") == [a.ucrn]
    assert found(csa_api, contact_type="Organization") == [b.ucrn]
    assert codes(csa_api.get(url(), {"status": "Sleeping"})) == {"status": ["invalid_choice"]}
    assert codes(csa_api.get(url(), {"contact_type": "Robot"})) == {"contact_type": ["invalid_choice"]}


def test_filters_combine(csa_api):
    a = person("M1 1AE", last_name="Smith")
    person("M1 1AE", last_name="Jones")
    assert found(csa_api, postcode="M1", last_name="smi") == [a.ucrn]


def test_search_box_matches_any_kind_of_value(csa_api):
    jane = person("M1 1AE", first_name="Jane", last_name="Smith", email_address="js@example.org",
                  phone_number="+441174960123")
    org = person("B33 8TH", contact_type_id="Organization", organisation_name="Acme Housing")
    assert found(csa_api, search="jane smi") == [jane.ucrn]
    assert found(csa_api, search="acme") == [org.ucrn]
    assert found(csa_api, search=jane.ucrn) == [jane.ucrn]
    assert found(csa_api, search="JS@EXAMPLE.ORG") == [jane.ucrn]
    assert found(csa_api, search="0117 496 0123") == [jane.ucrn]
    assert found(csa_api, search="b338th") == [org.ucrn]
    uprn = org.addresses.get(is_primary=True).uprn
    assert found(csa_api, search=uprn) == [org.ucrn]
    assert found(csa_api, search="nobody") == []


def test_pagination(csa_api):
    for _ in range(30):
        person()
    page = csa_api.get(url(), {"page_size": 10}).json()
    assert page["count"] == 30 and len(page["results"]) == 10 and page["next"] and page["previous"] is None
    assert len(csa_api.get(url()).json()["results"]) == 25
    assert len(csa_api.get(url(), {"page_size": 100}).json()["results"]) == 30  # at most 100
    refused = csa_api.get(url(), {"page_size": 1000})  # a 400, not a silent cap: the caller asked for all
    assert refused.status_code == 400 and codes(refused) == {"page_size": ["max_value"]}
    assert csa_api.get(url(), {"page": 99}).status_code == 404
