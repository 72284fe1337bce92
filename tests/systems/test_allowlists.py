"""API clients see only the data names they may read and write only those they may write."""
from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from profiles.api.views import ProfileListCreateView
from profiles.datanames import PROFILE_NAMES, DataName, text
from profiles.filters import SEARCH_PARAMETERS, CustomerFilterSet
from profiles.models import ChangeRecord, Customer
from profiles.services import profile_update
from systems.models import READ_CHOICES, WRITE_CHOICES
from systems.services.clients import api_client_revoke_token, api_client_rotate_token
from tests.api.conftest import codes, token_client, url
from tests.factories import AddressFactory, CustomerFactory
from tests.profiles.support import db_state

pytestmark = pytest.mark.django_db

BOOKKEEPING = {"ucrn", "version", "created_at", "updated_at"}


def test_get_holds_only_the_readable_names(system_factory, customer, csa):
    system = system_factory(readable=["first_name", "last_name", "postcode"])
    response = system.api.get(url(customer.ucrn))
    assert response.status_code == 200
    assert set(response.json()) == BOOKKEEPING | {"first_name", "last_name", "postcode"}
    assert response.json()["first_name"] == customer.first_name
    # A CSA (a token of a plain user, and the browser) is not affected.
    full = token_client(csa).get(url(customer.ucrn)).json()
    assert {"birth_date", "email_address", "street", "custom_1", "name"} <= set(full)


def test_a_client_with_no_read_grant_sees_only_identifiers(system_factory, customer):
    system = system_factory()
    assert set(system.api.get(url(customer.ucrn)).json()) == BOOKKEEPING


def test_country_follows_country_id_and_name_is_granted_on_its_own(system_factory, customer):
    system = system_factory(readable=["country_id", "name"])
    body = system.api.get(url(customer.ucrn)).json()
    assert body["country"] == "United Kingdom" and body["country_id"] == 826
    assert body["name"] == customer.display_name and "first_name" not in body


def test_search_results_addresses_and_history_are_filtered_alike(system_factory, customer, csa):
    AddressFactory(customer=customer, postcode="M1 1AE", end_date="2021-01-01")
    profile_update(ucrn=customer.ucrn, data={"first_name": "Changed", "birth_date": "1970-01-02"}, user=csa,
                   channel="api", full=False)
    system = system_factory(readable=["last_name", "postcode", "first_name"])

    page = system.api.get(url(), {"last_name": customer.last_name}).json()
    assert page["count"] >= 1
    assert all(set(r) <= BOOKKEEPING | {"last_name", "postcode", "first_name"} for r in page["results"])

    addresses = system.api.get(url(customer.ucrn, "addresses")).json()
    assert len(addresses) == 2
    assert all(set(a) == {"id", "is_primary", "postcode"} for a in addresses)

    history = system.api.get(url(customer.ucrn, "history")).json()
    fields = [c["field"] for record in history for c in record["changes"]]
    assert fields == ["first_name"]  # birth_date changed too, but is not readable


def test_search_by_a_name_the_client_cannot_read_is_refused(system_factory, customer):
    system = system_factory(readable=["last_name"])
    response = system.api.get(url(), {"email_address": customer.email_address})
    assert response.status_code == 403
    assert codes(response) == {"email_address": ["field_not_allowed"]}
    response = system.api.get(url(), {"search": customer.last_name})
    assert response.status_code == 403 and "email_address" in codes(response)


def test_write_outside_the_writable_list_is_refused_and_changes_nothing(system_factory, customer):
    system = system_factory(readable=["first_name"], writable=["first_name", "last_name"])
    before = db_state()
    response = system.api.patch(url(customer.ucrn), {"first_name": "New", "birth_date": "1990-01-01",
                                                     "email_address": ""}, format="json")
    assert response.status_code == 403
    assert codes(response) == {"birth_date": ["field_not_allowed"], "email_address": ["field_not_allowed"]}
    assert db_state() == before
    customer.refresh_from_db()
    assert customer.first_name != "New"


def test_create_and_put_are_checked_too(system_factory, customer):
    system = system_factory(writable=["first_name", "contact_type"])
    before = Customer.objects.count()
    response = system.api.post(url(), {"contact_type": "Individual", "preferred_contact_method": 3,
                                       "first_name": "A"}, format="json")
    assert response.status_code == 403 and codes(response) == {"preferred_contact_method": ["field_not_allowed"]}
    assert Customer.objects.count() == before
    response = system.api.put(url(customer.ucrn), {"contact_type": "Individual", "preferred_contact_method": 3},
                              format="json")
    assert response.status_code == 403


def test_a_granted_write_applies_and_its_response_is_filtered(system_factory, customer):
    system = system_factory(readable=["first_name"], writable=["first_name"])
    body = {"ucrn": customer.ucrn, "first_name": "Granted", "ignore_empty_entries": True, "version": 1}
    response = system.api.patch(url(customer.ucrn), body, format="json")
    assert response.status_code == 200, response.json()
    assert set(response.json()) == BOOKKEEPING | {"first_name", "warnings"}
    customer.refresh_from_db()
    assert customer.first_name == "Granted"
    record = ChangeRecord.objects.get(customer=customer)
    assert record.channel == "api" and record.user == system.client.user


def test_import_is_checked_before_any_record(system_factory, customer):
    system = system_factory(readable=["email_address"], writable=["email_address", "first_name"])
    before = db_state()
    body = {"matching": "email_address", "records": [
        {"email_address": customer.email_address, "first_name": "Ok"},
        {"email_address": "new@example.org", "contact_type": "Individual", "preferred_contact_method": 3},
    ]}
    response = system.api.post("/api/v1/profiles/import/", body, format="json")
    assert response.status_code == 403
    assert codes(response) == {"contact_type": ["field_not_allowed"], "preferred_contact_method": ["field_not_allowed"]}
    assert db_state() == before


def test_a_new_data_name_is_closed_to_every_client_until_granted(system_factory, customer, csa, monkeypatch):
    """A client granted every name there is today: a name added tomorrow is still closed to it."""
    system = system_factory(readable=list(READ_CHOICES), writable=list(WRITE_CHOICES))
    monkeypatch.setitem(PROFILE_NAMES, "loyalty_tier", DataName("loyalty_tier", "region", text))
    assert "loyalty_tier" in token_client(csa).get(url(customer.ucrn)).json()
    body = system.api.get(url(customer.ucrn)).json()
    assert "loyalty_tier" not in body and "birth_date" in body
    response = system.api.patch(url(customer.ucrn), {"loyalty_tier": "gold"}, format="json")
    assert response.status_code == 403 and codes(response) == {"loyalty_tier": ["field_not_allowed"]}
    assert token_client(csa).patch(url(customer.ucrn), {"loyalty_tier": "gold"}, format="json").status_code == 200


def test_endpoints_that_do_not_apply_allow_lists_are_closed_to_clients(system_factory, customer, csa):
    system = system_factory(readable=["first_name"])
    assert system.api.get(url(customer.ucrn, "export")).status_code == 403
    assert system.api.get("/api/v1/forms/").status_code == 403
    assert system.api.get("/api/v1/lists/titles/").status_code == 200
    assert token_client(csa).get(url(customer.ucrn, "export")).status_code == 200


def test_a_client_signed_in_by_session_is_filtered_too(system_factory, customer):
    system = system_factory(readable=["first_name"])
    api = APIClient()
    api.force_login(system.client.user)
    assert set(api.get(url(customer.ucrn)).json()) == BOOKKEEPING | {"first_name"}


def test_tokens_rotate_revoke_and_inactive_clients(system_factory, customer):
    system = system_factory(readable=["first_name"])
    assert system.api.get(url(customer.ucrn)).status_code == 200
    new_key = api_client_rotate_token(client=system.client)
    assert system.api.get(url(customer.ucrn)).status_code == 401  # the old key
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {new_key}")
    assert fresh.get(url(customer.ucrn)).status_code == 200
    system.client.active = False
    system.client.save()
    assert fresh.get(url(customer.ucrn)).status_code == 401
    system.client.active = True
    system.client.save()
    assert fresh.get(url(customer.ucrn)).status_code == 200
    assert api_client_revoke_token(client=system.client)
    assert not Token.objects.filter(user=system.client.user).exists()
    assert fresh.get(url(customer.ucrn)).status_code == 401


def test_grants_apply_at_once_despite_the_token_cache(system_factory, customer):
    system = system_factory(readable=["first_name"])
    assert "last_name" not in system.api.get(url(customer.ucrn)).json()
    system.client.readable = ["first_name", "last_name"]
    system.client.save()
    assert "last_name" in system.api.get(url(customer.ucrn)).json()


@pytest.mark.usefixtures("warm_reference_lists")
def test_a_get_by_a_client_costs_no_more_queries_than_by_a_csa(system_factory, django_assert_max_num_queries):
    customer = CustomerFactory()
    system = system_factory(readable=list(READ_CHOICES))
    with django_assert_max_num_queries(3):  # token + user + roles + client, customer, primary address
        assert system.api.get(url(customer.ucrn)).status_code == 200


def test_a_deleted_client_loses_its_token(system_factory, customer):
    system = system_factory(readable=["first_name"])
    assert system.api.get(url(customer.ucrn)).status_code == 200
    system.client.delete()
    assert system.api.get(url(customer.ucrn)).status_code == 401  # not a plain CSA token now


# --- searches and warnings reveal other customers' data: the allow-lists cover them all ---------------------

# A value each search parameter accepts; a parameter added without one here makes the tests below fail.
SAMPLE = {"search": "Wright", "last_name": "Wright", "name": "Wright", "postcode": "M1 1AE",
          "email_address": "someone@example.org", "phone_number": "0117 496 0123", "uprn": "100000001",
          "status": "Active", "contact_type": "Individual", "page": "1", "page_size": "10", "format": "json"}


def test_a_fuzzy_name_search_needs_the_names_it_matches(system_factory):
    wright = CustomerFactory(first_name="Ann", last_name="Wright")
    system = system_factory(readable=["first_name", "town"])
    response = system.api.get(url(), {"name": "Wright"})
    assert response.status_code == 403
    assert codes(response) == {"last_name": ["field_not_allowed"], "organisation_name": ["field_not_allowed"]}
    assert wright.ucrn not in response.content.decode()
    granted = system_factory(name="names", readable=["first_name", "last_name", "organisation_name"])
    response = granted.api.get(url(), {"name": "Wrigth"})
    assert response.status_code == 200
    assert [r["ucrn"] for r in response.json()["results"]] == [wright.ucrn]


def test_every_search_parameter_has_an_allow_list_entry():
    """The one table of what each search parameter reveals covers every filter of the FilterSet and every
    parameter the view reads (its pagination): a filter added without an entry fails here."""
    view = ProfileListCreateView()
    read_by_view = {view.paginator.page_query_param, view.paginator.page_size_query_param}
    assert set(CustomerFilterSet.base_filters) | read_by_view <= set(SEARCH_PARAMETERS)
    assert set(SEARCH_PARAMETERS) <= set(SAMPLE)


def test_every_filter_is_refused_to_a_client_that_may_not_read_what_it_matches(system_factory, customer):
    nothing = system_factory(readable=[])
    everything = system_factory(name="everything", readable=list(READ_CHOICES))
    for name in CustomerFilterSet.base_filters:
        response = nothing.api.get(url(), {name: SAMPLE[name]})
        assert response.status_code == 403, name
        assert set(codes(response)) and all(c == ["field_not_allowed"] for c in codes(response).values()), name
        assert everything.api.get(url(), {name: SAMPLE[name]}).status_code == 200, name
    # Paging reveals nothing; a parameter the search does not know is refused, not silently ignored.
    assert nothing.api.get(url(), {"page": "1", "page_size": "10"}).status_code == 200
    response = everything.api.get(url(), {"birth_date": "1970-01-01"})
    assert response.status_code == 403 and codes(response) == {"birth_date": ["field_not_allowed"]}


DUPLICATE = {"contact_type": "Individual", "preferred_contact_method": 3, "first_name": "Ann", "last_name": "Wright",
             "birth_date": "1970-05-17"}


def test_a_write_only_client_learns_nothing_of_other_customers_from_a_create(system_factory):
    other = CustomerFactory(first_name="Ann", last_name="Wright", birth_date="1970-05-17")
    writer = system_factory(writable=list(DUPLICATE))
    response = writer.api.post(url(), DUPLICATE, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["warnings"] == []
    assert other.ucrn not in response.content.decode() and "same_name" not in response.content.decode()
    # Reading the birth date but not the name: the reason still cannot be told.
    dates = system_factory(name="dates", readable=["birth_date"], writable=list(DUPLICATE))
    assert dates.api.post(url(), DUPLICATE, format="json").json()["warnings"] == []


def test_a_client_that_may_read_the_reasons_is_warned(system_factory):
    other = CustomerFactory(first_name="Ann", last_name="Wright", birth_date="1970-05-17",
                            email_address="ann@example.org")
    reader = system_factory(readable=["name", "birth_date"], writable=[*DUPLICATE, "alternative_email"])
    response = reader.api.post(url(), {**DUPLICATE, "alternative_email": "ANN@example.org"}, format="json")
    assert response.status_code == 201, response.content
    [warning] = response.json()["warnings"]
    # Matched by email too, which this client may not read: that reason is left out.
    assert warning["ucrn"] == other.ucrn and warning["reasons"] == ["same_name_birth_date"]
    assert warning["message"] == f"Possible duplicate of customer {other.ucrn}: same name and date of birth."
