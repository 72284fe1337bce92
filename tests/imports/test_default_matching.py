"""Import matching defaults to email when `matching` is omitted (seed 003): service, API and command."""
from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from profiles.models import ChangeRecord, Customer
from profiles.services.imports import import_records
from tests.factories import CustomerFactory
from tests.systems.conftest import make_system

pytestmark = pytest.mark.django_db

NEW = {"contact_type": "Individual", "preferred_contact_method": 3, "first_name": "Iris", "last_name": "Import",
       "email_address": "iris@example.org"}


def test_the_service_matches_by_email_when_no_matching_is_named(csa):
    customer = CustomerFactory(custom_1="SAME", phone_number="+441174960888")
    other = CustomerFactory(custom_1="SAME")
    records = [{"email_address": customer.email_address.upper(), "first_name": "Matched",
                "phone_number": "0117 496 0999", "custom_1": "SAME"}, NEW]
    outcomes = [o.as_dict() for o in import_records(records=records, user=csa, channel="api")]
    assert [(o["status"], o["ucrn"]) for o in outcomes[:1]] == [("updated", customer.ucrn)]
    assert outcomes[1]["status"] == "created"
    customer.refresh_from_db()
    assert customer.first_name == "Matched"
    assert Customer.objects.get(pk=other.pk).first_name != "Matched"
    assert import_records(records=[NEW], matching=None, user=csa, channel="api")[0].status == "unchanged"


def test_the_api_matches_by_email_when_matching_is_omitted(csa):
    customer = CustomerFactory()
    api = APIClient()
    api.force_authenticate(csa)
    body = {"records": [{"email_address": customer.email_address, "first_name": "Matched"}]}
    response = api.post("/api/v1/profiles/import", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["results"][0] == {"index": 0, "status": "updated", "ucrn": customer.ucrn, "errors": {}}
    assert api.post("/api/v1/profiles/import", {**body, "matching": None}, format="json").json()["counts"] == {
        "created": 0, "updated": 0, "unchanged": 1, "error": 0}
    # Any other matching is as before: named, it is used; an unknown one is refused.
    by_ucrn = api.post("/api/v1/profiles/import", {**body, "matching": "ucrn"}, format="json").json()
    # No `ucrn` in the record: a Create, refused because the email is taken (it was not matched by email).
    assert by_ucrn["results"][0]["errors"]["email_address"][0]["code"] == "email_already_exists"
    assert api.post("/api/v1/profiles/import", {**body, "matching": "shoe"}, format="json").status_code == 400


def test_the_schema_says_what_an_omitted_matching_means(csa):
    api = APIClient()
    api.force_authenticate(csa)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/profiles/import"]["post"]
    assert "omitted" in operation["description"]
    request = schema["components"]["schemas"]["ImportInput"]
    assert "`email_address` when `matching` is omitted" in request["description"]
    assert "matching" not in request.get("required", [])
    assert "email_address" in request["properties"]["matching"]["description"]


def test_the_command_matches_by_email_without_matching(tmp_path, admin_user):
    customer = CustomerFactory()
    path = tmp_path / "people.jsonl"
    path.write_text(json.dumps({"email_address": customer.email_address, "first_name": "Matched"}) + "\n")
    out = StringIO()
    call_command("import_profiles", str(path), stdout=out, stderr=StringIO())
    assert "1 were updated" in out.getvalue()
    customer.refresh_from_db()
    assert customer.first_name == "Matched"
    assert ChangeRecord.objects.filter(customer=customer).latest("id").channel == "import"  # the import's own door


def test_an_api_client_must_read_email_to_import_without_matching(customer):
    """Omitted, the matching is by email: a client that may not read emails may not match by them."""
    body = {"records": [{"email_address": customer.email_address, "first_name": "Matched"}]}
    blind = make_system("blind", writable=["email_address", "first_name"])
    response = blind.api.post("/api/v1/profiles/import", body, format="json")
    assert response.status_code == 403
    assert {e["code"] for e in response.json()["email_address"]} == {"field_not_allowed"}
    sighted = make_system("sighted", readable=["email_address"], writable=["email_address", "first_name"])
    assert sighted.api.post("/api/v1/profiles/import", body, format="json").json()["counts"]["updated"] == 1
