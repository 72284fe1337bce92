"""A POST that creates something answers 201 with a `Location` header naming where it can be read (SPEC
section 6)."""
from __future__ import annotations

import pytest

from integrations.models import Case, Form
from tests.api.conftest import token_client
from tests.factories import CustomerFactory, UserFactory
from tests.systems.conftest import make_system

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


def test_profile_create_points_at_the_new_profile(csa):
    api = token_client(csa)
    response = api.post("/api/v1/profiles/", {"contact_type": "Individual", "preferred_contact_method": 3},
                        format="json")
    assert response.status_code == 201
    ucrn = response.json()["ucrn"]
    assert response["Location"] == f"{BASE}/api/v1/profiles/{ucrn}/"
    assert api.get(response["Location"]).json()["ucrn"] == ucrn


def test_merge_points_at_the_merge(csa, citizen):
    survivor, merged = CustomerFactory(), CustomerFactory()
    api = token_client(csa)
    response = api.post(f"/api/v1/profiles/{survivor.ucrn}/merge", {"merge": merged.ucrn}, format="json")
    assert response.status_code == 201, response.json()
    merge_id = response.json()["id"]
    assert response["Location"] == f"{BASE}/api/v1/profiles/{survivor.ucrn}/merge/{merge_id}/"
    record = api.get(response["Location"])
    assert record.status_code == 200
    assert record.json() | {"created_at": None} == {
        "id": merge_id, "survivor": survivor.ucrn, "merged": merged.ucrn, "created_at": None,
        "choices": response.json()["choices"], "undone_at": None, "undo": response.json()["undo"]}
    assert api.get(f"/api/v1/profiles/{merged.ucrn}/merge/{merge_id}/").status_code == 200  # either customer
    assert api.get(f"/api/v1/profiles/{CustomerFactory().ucrn}/merge/{merge_id}/").status_code == 404
    assert api.get(f"/api/v1/profiles/{survivor.ucrn}/merge/{merge_id + 1}/").status_code == 404
    assert token_client(citizen).get(response["Location"]).status_code == 403
    api.post(response.json()["undo"])
    assert api.get(response["Location"]).json()["undone_at"] is not None


def test_an_event_points_at_the_event_which_only_its_sender_reads(csa, customer):
    api = token_client(csa)
    response = api.post("/api/v1/events/", {"type": "visit", "ucrn": customer.ucrn}, format="json")
    assert response.status_code == 201, response.json()
    event_id = response.json()["id"]
    assert response["Location"] == f"{BASE}/api/v1/events/{event_id}/"
    record = api.get(response["Location"])
    assert record.status_code == 200
    assert record.json() | {"received_at": None} == {**response.json(), "errors": {}, "received_at": None}
    assert token_client(UserFactory(username="another-csa", role="csa")).get(response["Location"]).status_code == 404
    missing = api.post("/api/v1/events/", {"type": "visit", "ucrn": "123456789"}, format="json")
    assert missing.status_code == 404  # stored with its outcome, readable by its sender
    stored = api.get(f"/api/v1/events/{event_id + 1}/").json()
    assert (stored["outcome"], stored["ucrn"]) == ("not_found", None)


def test_an_api_client_reads_its_own_event(customer):
    system = make_system("housing")
    response = system.api.post("/api/v1/events/", {"type": "visit", "ucrn": customer.ucrn}, format="json")
    assert response.status_code == 201, response.json()
    assert system.api.get(response["Location"]).json()["id"] == response.json()["id"]
    assert make_system("parking").api.get(response["Location"]).status_code == 404


def test_a_submission_points_at_its_case(csa):
    Form.objects.create(name="Note", slug="note", audience=Form.Audience.BOTH, allow_anonymous=True)
    response = token_client(csa).post("/api/v1/forms/note/submissions/", {}, format="json")
    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    assert response.json()["case"] == case.reference
    assert response["Location"] == f"{BASE}/hub/cases/{case.reference}/"


def test_not_duplicate_points_at_the_duplicates_only_when_it_creates(csa):
    a, b = CustomerFactory(), CustomerFactory()
    api = token_client(csa)
    created = api.post(f"/api/v1/profiles/{a.ucrn}/not-duplicate/", {"ucrn": b.ucrn}, format="json")
    assert created.status_code == 201
    assert created["Location"] == f"{BASE}/api/v1/profiles/duplicates/?ucrn={a.ucrn}"
    again = api.post(f"/api/v1/profiles/{a.ucrn}/not-duplicate/", {"ucrn": b.ucrn}, format="json")
    assert again.status_code == 200 and not again.has_header("Location")
