"""Get, Create, Update (PUT and PATCH), addresses and history through the API (SPEC sections 4 and 6)."""
from __future__ import annotations

import datetime as dt

import pytest

from profiles.models import Address, ChangeRecord, Customer
from profiles.values import today
from tests.api.conftest import codes, session_client, url
from tests.factories import AddressFactory, CustomerFactory

pytestmark = pytest.mark.django_db

REQUIRED = {"contact_type": "Individual", "preferred_contact_method": 3}


def test_get_returns_the_flat_profile(csa_api, customer):
    response = csa_api.get(url(customer.ucrn))
    assert response.status_code == 200
    body = response.json()
    assert body["ucrn"] == customer.ucrn
    assert body["last_name"] == customer.last_name
    assert body["postcode"] == customer.addresses.get().postcode  # the primary address, flattened
    assert body["country_id"] == 826 and body["country"] == "United Kingdom"


def test_get_by_session(csa, customer):
    assert session_client(csa).get(url(customer.ucrn)).status_code == 200


def test_unknown_and_malformed_ucrn_are_404_for_a_csa(csa_api):
    assert csa_api.get(url("123456789")).status_code == 404
    assert csa_api.get(url("abc")).status_code == 404


def test_create_returns_201_with_the_profile_and_no_warnings(csa_api):
    response = csa_api.post(
        url(), {**REQUIRED, "first_name": "Jane", "last_name": "Smith", "house": "1", "postcode": "m11ae"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Jane Smith" and body["postcode"] == "M1 1AE"
    assert body["start_date"] == today().isoformat() and body["location"] == 1 and body["status"] == "Active"
    assert body["warnings"] == []
    assert Customer.objects.get(ucrn=body["ucrn"]).addresses.get().is_primary


def test_create_requires_contact_type_and_preferred_contact_method(csa_api):
    response = csa_api.post(url(), {"first_name": "Jane"}, format="json")
    assert response.status_code == 400
    assert codes(response) == {"contact_type": ["required"], "preferred_contact_method": ["required"]}
    assert not Customer.objects.exists()


def test_create_refuses_an_email_another_customer_has(csa_api, customer):
    response = csa_api.post(url(), {**REQUIRED, "email_address": customer.email_address.upper()}, format="json")
    assert response.status_code == 400
    assert codes(response) == {"email_address": ["email_already_exists"]}


def test_put_requires_the_mandatory_names_and_patch_does_not(csa_api, customer):
    response = csa_api.put(url(customer.ucrn), {"first_name": "Ann"}, format="json")
    assert response.status_code == 400
    assert set(codes(response)) == {"contact_type", "preferred_contact_method"}
    response = csa_api.patch(url(customer.ucrn), {"first_name": "Ann"}, format="json")
    assert response.status_code == 200 and response.json()["first_name"] == "Ann"
    assert response.json()["warnings"] == []


def test_patch_keeps_a_blank_value_and_put_clears_it(csa_api, customer):
    response = csa_api.patch(url(customer.ucrn), {"first_name": ""}, format="json")
    assert response.json()["first_name"] == customer.first_name
    response = csa_api.put(url(customer.ucrn), {**REQUIRED, "first_name": ""}, format="json")
    assert response.status_code == 200 and response.json()["first_name"] == ""


@pytest.mark.parametrize("false", [False, 0, "0", "false"])
def test_patch_with_ignore_empty_entries_off_clears(csa_api, customer, false):
    response = csa_api.patch(url(customer.ucrn), {"first_name": None, "ignore_empty_entries": false}, format="json")
    assert response.status_code == 200 and response.json()["first_name"] == ""


@pytest.mark.parametrize("true", [True, 1, "1", "true"])
def test_put_with_ignore_empty_entries_on_keeps(csa_api, customer, true):
    response = csa_api.put(
        url(customer.ucrn), {**REQUIRED, "first_name": "", "ignore_empty_entries": true}, format="json"
    )
    assert response.status_code == 200 and response.json()["first_name"] == customer.first_name


def test_an_option_that_is_not_a_flag_is_400(csa_api, customer):
    response = csa_api.patch(url(customer.ucrn), {"update_primary_address": "maybe"}, format="json")
    assert response.status_code == 400 and codes(response) == {"update_primary_address": ["invalid"]}


def test_a_new_address_becomes_primary_and_ends_the_old_one(csa_api, customer):
    old = customer.addresses.get()
    new = {"house": "2", "street": "New Road", "postcode": "M1 1AE"}
    response = csa_api.patch(url(customer.ucrn), new, format="json")
    assert response.status_code == 200 and response.json()["street"] == "New Road"
    old.refresh_from_db()
    assert not old.is_primary and old.end_date == today()
    addresses = csa_api.get(url(customer.ucrn, "addresses")).json()
    assert [a["street"] for a in addresses] == ["New Road", old.street]  # newest first
    assert [a["is_primary"] for a in addresses] == [True, False] and addresses[1]["id"] == old.pk


@pytest.mark.parametrize("keep", [True, "1"])
def test_keep_empty_end_dates(csa_api, customer, keep):
    old = customer.addresses.get()
    csa_api.patch(url(customer.ucrn), {"street": "New Road", "keep_empty_end_dates": keep}, format="json")
    old.refresh_from_db()
    assert not old.is_primary and old.end_date is None


def test_address_not_primary_leaves_the_primary_alone(csa_api, customer):
    response = csa_api.patch(url(customer.ucrn), {"street": "Holiday Lane", "address_is_primary": 0}, format="json")
    assert response.json()["street"] == customer.addresses.get(is_primary=True).street
    assert customer.addresses.count() == 2


def test_update_primary_address_changes_it_in_place(csa_api, customer):
    old = customer.addresses.get()
    response = csa_api.patch(
        url(customer.ucrn), {"street": "Renamed Street", "update_primary_address": "true"}, format="json"
    )
    assert response.json()["street"] == "Renamed Street"
    assert customer.addresses.count() == 1
    old.refresh_from_db()
    assert old.street == "Renamed Street" and old.start_date == dt.date(2020, 1, 1)


def test_a_primary_address_that_has_ended_gives_a_warning(csa_api, customer):
    response = csa_api.patch(
        url(customer.ucrn), {"end_date": "2021-01-01", "update_primary_address": 1}, format="json"
    )
    assert response.status_code == 200
    assert [w["code"] for w in response.json()["warnings"]] == ["primary_address_ended"]
    assert response.json()["warnings"][0]["message"]


def test_an_update_cannot_change_the_email(csa_api, customer):
    before = customer.first_name
    response = csa_api.patch(
        url(customer.ucrn), {"first_name": "Changed", "email_address": "new@example.org"}, format="json"
    )
    assert response.status_code == 400 and codes(response) == {"email_address": ["email_not_updatable"]}
    customer.refresh_from_db()
    assert customer.first_name == before  # nothing saved
    same = csa_api.patch(url(customer.ucrn), {"email_address": customer.email_address.upper()}, format="json")
    assert same.status_code == 200


def test_an_unknown_key_is_400_naming_it(csa_api, customer):
    response = csa_api.patch(url(customer.ucrn), {"shoe_size": 9}, format="json")
    assert response.status_code == 400 and codes(response) == {"shoe_size": ["unknown_field"]}


def test_get_edit_put_round_trip(csa_api, customer):
    body = csa_api.get(url(customer.ucrn)).json()
    body["first_name"] = "Roundtrip"
    response = csa_api.put(url(customer.ucrn), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["first_name"] == "Roundtrip"
    assert customer.addresses.count() == 1  # the same address again adds no record


def test_a_ucrn_in_the_body_must_be_the_one_addressed(csa_api, customer, other_customer):
    response = csa_api.patch(url(customer.ucrn), {"ucrn": other_customer.ucrn, "first_name": "X"}, format="json")
    assert response.status_code == 400 and codes(response) == {"ucrn": ["ucrn_mismatch"]}


def test_history_shows_an_api_change(csa_api, csa, customer):
    csa_api.patch(url(customer.ucrn), {"first_name": "Hist"}, format="json")
    response = csa_api.get(url(customer.ucrn, "history"))
    assert response.status_code == 200
    newest = response.json()[0]
    assert newest["who"] == csa.username and newest["channel"] == "api" and newest["action"] == "update"
    assert newest["changes"] == [{"field": "first_name", "before": customer.first_name, "after": "Hist"}]
    assert dt.datetime.fromisoformat(newest["when"].replace("Z", "+00:00"))
    assert ChangeRecord.objects.filter(customer=customer, channel="api").count() == 1


def test_history_of_a_deleted_user_says_null(csa_api, customer):
    ChangeRecord.objects.create(customer=customer, user=None, channel="command", action="update", changes=[])
    assert csa_api.get(url(customer.ucrn, "history")).json()[0]["who"] is None


def test_addresses_newest_first(csa_api):
    customer = CustomerFactory(address=False)
    AddressFactory(customer=customer, start_date=dt.date(2010, 1, 1), end_date=dt.date(2015, 1, 1))
    AddressFactory(customer=customer, start_date=dt.date(2015, 1, 1), is_primary=True)
    dates = [a["start_date"] for a in csa_api.get(url(customer.ucrn, "addresses")).json()]
    assert dates == ["2015-01-01", "2010-01-01"]


def test_citizen_creates_their_own_profile_once(new_citizen_api):
    response = new_citizen_api.post(url(), REQUIRED, format="json")
    assert response.status_code == 201
    assert Customer.objects.get(ucrn=response.json()["ucrn"]).portal_user.username == "newcomer"
    assert new_citizen_api.post(url(), REQUIRED, format="json").status_code == 403


@pytest.mark.parametrize("name", ["titles", "suffixes", "countries", "languages", "locations",
                                  "contact_methods", "contact_types", "statuses"])
def test_lists(citizen_api, name):
    response = citizen_api.get(f"/api/v1/lists/{name}/")
    assert response.status_code == 200
    items = response.json()
    assert items and all({"id", "name"} <= set(item) for item in items)
    if name == "languages":
        assert all(item["code"] for item in items)
    if name == "countries":
        assert {"id": 826, "name": "United Kingdom", "code": "GB"} in items


def test_an_unknown_list_is_404(csa_api):
    response = csa_api.get("/api/v1/lists/planets/")
    assert response.status_code == 404 and codes(response) == {"detail": ["not_found"]}


def test_lists_need_a_signed_in_user(anon_api):
    assert anon_api.get("/api/v1/lists/titles/").status_code == 401


def test_address_records_are_not_written_for_a_refused_write(csa_api, customer):
    before = list(Address.objects.values())
    response = csa_api.patch(url(customer.ucrn), {"street": "New", "birth_date": "2999-01-01"}, format="json")
    assert response.status_code == 400 and codes(response) == {"birth_date": ["future_date"]}
    assert list(Address.objects.values()) == before
