"""The duplicate endpoints and the Create's `possible_duplicate` warnings, with every role."""
from __future__ import annotations

import pytest

from profiles.models import Customer, NotSamePerson
from profiles.ucrn import new_ucrn_candidate
from tests.api.conftest import token_client
from tests.duplicates.conftest import BIRTH, person
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DUPLICATES = "/api/v1/profiles/duplicates"


def not_duplicate(ucrn: str) -> str:
    return f"/api/v1/profiles/{ucrn}/not-duplicate"


def codes(response) -> dict[str, list[str]]:
    return {name: [e["code"] for e in errors] for name, errors in response.json().items()}


@pytest.fixture
def twin(jane) -> Customer:
    return person("Jane", "Doubleday", birth_date=BIRTH, phone_number="+441632960123", postcode="BS1 4DJ")


# --- GET duplicates --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [DUPLICATES, DUPLICATES + "/"])
def test_csa_gets_the_candidates_with_their_reasons(csa_api, jane, twin, path):
    response = csa_api.get(path, {"ucrn": jane.ucrn})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ucrn"] == jane.ucrn
    [found] = body["results"]
    assert found["ucrn"] == twin.ucrn and found["name"] == "Jane Doubleday" and found["postcode"] == "BS1 4DJ"
    assert [r["code"] for r in found["reasons"]] == ["same_phone", "same_name_birth_date", "same_name_postcode"]
    assert found["score"] == 200 and all(r["message"] for r in found["reasons"])


def test_no_candidates_is_an_empty_list(csa_api, jane):
    assert csa_api.get(DUPLICATES, {"ucrn": jane.ucrn}).json() == {"ucrn": jane.ucrn, "results": []}


@pytest.mark.parametrize("query, code", [({}, "required"), ({"ucrn": ""}, "required"),
                                         ({"ucrn": "12345"}, "invalid"), ({"ucrn": "123456789"}, "invalid")])
def test_a_missing_or_malformed_ucrn_is_400(csa_api, query, code):
    response = csa_api.get(DUPLICATES, query)
    assert response.status_code == 400
    assert codes(response) == {"ucrn": [code]}


def test_an_unknown_ucrn_is_404(csa_api):
    assert csa_api.get(DUPLICATES, {"ucrn": new_ucrn_candidate()}).status_code == 404


def test_citizens_are_refused_even_for_their_own_ucrn_and_anonymous_callers_are_401(
    citizen_api, anon_api, customer, jane, twin
):
    assert citizen_api.get(DUPLICATES, {"ucrn": customer.ucrn}).status_code == 403
    assert citizen_api.get(DUPLICATES, {"ucrn": jane.ucrn}).status_code == 403
    assert citizen_api.get(DUPLICATES).status_code == 403  # before the input is even looked at
    assert anon_api.get(DUPLICATES, {"ucrn": jane.ucrn}).status_code == 401


def test_an_administrator_may_ask(admin_user, jane, twin):
    assert token_client(admin_user).get(DUPLICATES, {"ucrn": jane.ucrn}).json()["results"][0]["ucrn"] == twin.ucrn


@pytest.mark.parametrize("count", [1, 20])
def test_get_duplicates_has_a_query_budget(csa_api, jane, django_assert_max_num_queries, count,
                                          warm_reference_lists):
    for _ in range(count):
        person("Jane", "Doubleday", birth_date=BIRTH, postcode="BS1 4DJ", house="12")
    with django_assert_max_num_queries(6):  # token (user, roles), customer, then find_duplicates' three
        response = csa_api.get(DUPLICATES, {"ucrn": jane.ucrn})
    assert len(response.json()["results"]) == min(count, 10)


# --- POST not-duplicate ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "/"])
def test_csa_marks_a_pair_once_and_it_is_no_longer_suggested(csa_api, jane, twin, suffix):
    response = csa_api.post(not_duplicate(twin.ucrn) + suffix, {"ucrn": jane.ucrn}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["created"] is True and response.json()["not_same_as"] == jane.ucrn
    again = csa_api.post(not_duplicate(jane.ucrn) + suffix, {"ucrn": twin.ucrn}, format="json")
    assert again.status_code == 200 and again.json()["created"] is False
    assert NotSamePerson.objects.get().first == jane  # once, lower id first
    assert csa_api.get(DUPLICATES, {"ucrn": jane.ucrn}).json()["results"] == []
    assert csa_api.get(DUPLICATES, {"ucrn": twin.ucrn}).json()["results"] == []


@pytest.mark.parametrize("body, code", [
    ({}, "required"), ({"ucrn": ""}, "required"), ({"ucrn": "nonsense"}, "invalid"), ({"ucrn": 5}, "invalid"),
    ({"ucrn": ["x"]}, "invalid"),
])
def test_bad_bodies_are_400(csa_api, jane, body, code):
    response = csa_api.post(not_duplicate(jane.ucrn), body, format="json")
    assert response.status_code == 400, response.content
    assert codes(response) == {"ucrn": [code]}
    assert not NotSamePerson.objects.exists()


def test_a_body_that_is_not_an_object_is_400(csa_api, jane):
    response = csa_api.post(not_duplicate(jane.ucrn), ["x"], format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_a_customer_paired_with_itself_is_refused(csa_api, jane):
    response = csa_api.post(not_duplicate(jane.ucrn), {"ucrn": jane.ucrn}, format="json")
    assert response.status_code == 400 and codes(response) == {"ucrn": ["same_customer"]}


def test_unknown_customers(csa_api, jane):
    unknown = new_ucrn_candidate()
    assert csa_api.post(not_duplicate(unknown), {"ucrn": jane.ucrn}, format="json").status_code == 404
    response = csa_api.post(not_duplicate(jane.ucrn), {"ucrn": unknown}, format="json")
    assert response.status_code == 400 and codes(response) == {"ucrn": ["not_found"]}


def test_marking_is_refused_to_citizens_and_anonymous_callers(citizen_api, anon_api, customer, jane):
    assert citizen_api.post(not_duplicate(customer.ucrn), {"ucrn": jane.ucrn}, format="json").status_code == 403
    assert anon_api.post(not_duplicate(customer.ucrn), {"ucrn": jane.ucrn}, format="json").status_code == 401
    assert not NotSamePerson.objects.exists()


# --- the Create's warnings -------------------------------------------------------------------------


CREATE = {"contact_type": "Individual", "preferred_contact_method": 1, "first_name": "JANE", "last_name": "doubleday",
          "birth_date": "1970-05-17", "phone_number": "01632 960123", "postcode": "bs1 4dj", "house": "12"}


def test_create_still_creates_and_warns_of_each_likely_duplicate(csa_api, jane, twin):
    response = csa_api.post("/api/v1/profiles/", CREATE, format="json")
    assert response.status_code == 201, response.content
    warnings = [w for w in response.json()["warnings"] if w["code"] == "possible_duplicate"]
    assert [w["ucrn"] for w in warnings] == [jane.ucrn, twin.ucrn]  # Jane also lives at the same house
    by_ucrn = {w["ucrn"]: w for w in warnings}
    assert by_ucrn[jane.ucrn]["reasons"] == ["same_phone", "same_name_birth_date", "same_name_postcode",
                                              "similar_name_address"]
    assert jane.ucrn in by_ucrn[jane.ucrn]["message"] and "same phone number" in by_ucrn[jane.ucrn]["message"]
    assert set(warnings[0]) == {"code", "message", "ucrn", "reasons"}
    assert Customer.objects.filter(first_name="JANE").exists()


def test_create_without_duplicates_has_no_such_warning(csa_api, jane):
    response = csa_api.post("/api/v1/profiles/", {**CREATE, "first_name": "Brand", "last_name": "New",
                                                  "phone_number": "01632 960999"}, format="json")
    assert response.status_code == 201 and response.json()["warnings"] == []


def test_a_citizen_creating_their_own_profile_learns_nothing_of_others(db, jane):
    citizen = token_client(UserFactory(username="newcomer", role="citizen"))
    response = citizen.post("/api/v1/profiles/", CREATE, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["warnings"] == []
