"""`GET /api/v1/addresses/`: CSAs, API clients by their allow-lists, never citizens; bad input is a 400."""
from __future__ import annotations

import pytest

from profiles.api.addresses import AddressSearchInputSerializer
from profiles.selectors.address_search import ADDRESS_SEARCH_PARAMETERS
from systems.models import READ_CHOICES
from tests.addresses.test_selector import live_at
from tests.api.conftest import codes
from tests.systems.conftest import make_system

pytestmark = pytest.mark.django_db
PATH = "/api/v1/addresses/"


@pytest.fixture
def street(db):
    for _ in range(2):
        live_at("12", "Old Road", "Leeds", "LS1 4AP")
    live_at("14", "Old Road", "Leeds", "LS1 4AP")


def test_a_csa_finds_the_addresses_with_their_counts(csa_api, street):
    response = csa_api.get(PATH, {"search": "ls14ap"})
    assert response.status_code == 200
    body = response.json()
    assert [(r["label"], r["customers"]) for r in body["results"]] == [
        ("12 Old Road, Leeds, LS1 4AP", 2), ("14 Old Road, Leeds, LS1 4AP", 1)]
    assert body["results"][0]["country_code"] == "GB" and body["more"] is False


def test_both_slash_forms_answer(csa_api, street):
    without = csa_api.get(PATH.rstrip("/"), {"search": "Old Road"})
    assert without.status_code == 200 and without.json() == csa_api.get(PATH, {"search": "Old Road"}).json()


def test_limit_and_more(csa_api, street):
    body = csa_api.get(PATH, {"search": "LS1", "limit": "1"}).json()
    assert len(body["results"]) == 1 and body["more"] is True


@pytest.mark.parametrize(("params", "field", "code"), [
    ({}, "search", "required"),
    ({"search": ""}, "search", "blank"),
    ({"search": "x" * 201}, "search", "max_length"),
    ({"search": "12"}, "search", "invalid"),
    ({"search": "!!!"}, "search", "invalid"),
    ({"search": "LS1", "limit": "0"}, "limit", "min_value"),
    ({"search": "LS1", "limit": "51"}, "limit", "max_value"),
    ({"search": "LS1", "limit": "many"}, "limit", "invalid"),
])
def test_bad_input_is_a_400_naming_the_field(csa_api, params, field, code):
    response = csa_api.get(PATH, params)
    assert response.status_code == 400
    assert codes(response) == {field: [code]}


def test_citizens_and_anonymous_callers_may_not(citizen_api, anon_api, street):
    assert citizen_api.get(PATH, {"search": "LS1"}).status_code == 403
    assert anon_api.get(PATH, {"search": "LS1"}).status_code == 401


def test_an_api_client_needs_every_address_name(db, street):
    partial = make_system("partial", readable=["postcode", "street"])
    response = partial.api.get(PATH, {"search": "LS1 4AP"})
    assert response.status_code == 403
    assert set(codes(response)) == {"flat", "house", "town", "post_town", "country_id"}
    assert all(c == ["field_not_allowed"] for c in codes(response).values())
    assert "Old Road" not in response.content.decode()
    granted = make_system("granted", readable=list(ADDRESS_SEARCH_PARAMETERS["search"]))
    response = granted.api.get(PATH, {"search": "LS1 4AP"})
    assert response.status_code == 200 and len(response.json()["results"]) == 2
    # A parameter the address search does not know is refused to clients, not silently ignored.
    response = granted.api.get(PATH, {"search": "LS1 4AP", "ucrn": "1"})
    assert response.status_code == 403 and codes(response) == {"ucrn": ["field_not_allowed"]}


def test_every_name_the_search_reveals_can_be_granted():
    assert set(ADDRESS_SEARCH_PARAMETERS["search"]) <= set(READ_CHOICES)


def test_a_client_without_the_csa_role_may_not(db, street):
    system = make_system("citizenish", readable=list(READ_CHOICES), role="citizen")
    assert system.api.get(PATH, {"search": "LS1"}).status_code == 403


def test_the_search_costs_few_queries(csa_api, street, warm_reference_lists, django_assert_max_num_queries):
    csa_api.get(PATH, {"search": "LS1"})  # the session and roles, cached
    with django_assert_max_num_queries(6):
        assert csa_api.get(PATH, {"search": "LS1"}).status_code == 200


def test_it_is_in_the_schema_with_descriptions(csa_api):
    schema = csa_api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/addresses"]["get"]
    assert operation["summary"] == "Find by address" and operation["tags"] == ["search"]
    assert {p["name"] for p in operation["parameters"]} >= {"search", "limit"}
    assert all(p.get("description") for p in operation["parameters"])
    assert {"200", "400", "401", "403"} <= set(operation["responses"])


def test_every_parameter_the_view_reads_is_in_the_allow_list_table():
    """A parameter added to the address search without an entry in its table is closed to API clients."""
    assert set(AddressSearchInputSerializer().fields) <= set(ADDRESS_SEARCH_PARAMETERS)


@pytest.mark.parametrize("query", ["search=Old%ED%A0%80", "search=Old%00Road", "search=%25%25", "search=LS1&limit=1e3"])
def test_hostile_query_strings_are_answered_never_a_500(csa_api, query):
    response = csa_api.get(f"{PATH}?{query}")
    assert response.status_code in (200, 400), response.content
