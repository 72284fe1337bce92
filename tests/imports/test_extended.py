"""Extended data by source in an import record (`"extended": {"council_tax": {...}}`): the rules and codes of
`PUT .../extended/{source}/` (SPEC 8.3), per record, with the record's other fields all or nothing; the
import's channel; allow-lists by source."""
from __future__ import annotations

import pytest

from profiles.models import ChangeRecord, Customer, ExtendedData, ExtendedReference, ExtendedSource
from profiles.selectors import profile_get
from profiles.services.extended import extended_put
from tests.api.conftest import token_client
from tests.factories import CustomerFactory
from tests.systems.conftest import make_system

pytestmark = pytest.mark.django_db
IMPORT = "/api/v1/profiles/import"


@pytest.fixture
def sources(db):
    return {
        "council_tax": ExtendedSource.objects.create(slug="council_tax", size_limit_kb=1, top_level_keys_limit=3,
                                                     reference_key="account", reference_unique=True),
        "housing": ExtendedSource.objects.create(slug="housing", reference_key="tenancy"),
    }


def run(api, records, matching="email_address"):
    response = api.post(IMPORT, {"matching": matching, "records": records}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_a_record_creates_and_updates_extended_data_with_the_import_channel(csa, sources):
    customer = CustomerFactory(email_address="known@example.org")
    results = run(token_client(csa), [
        {"email_address": "known@example.org", "extended": {"council_tax": {"account": "CT-1", "band": "D"}}},
        {"email_address": "new@example.org", "contact_type": "Individual", "preferred_contact_method": 3,
         "first_name": "Nia", "extended": {"housing": {"tenancy": "T-9"}, "council_tax": {"account": "CT-2"}}},
        {"email_address": "known@example.org", "extended": {"council_tax": {"band": "D", "account": "CT-1"}}},
    ])
    assert [r["status"] for r in results] == ["updated", "created", "unchanged"]
    assert profile_get(ucrn=customer.ucrn, user=csa)["extended"] == {"council_tax": {"account": "CT-1", "band": "D"}}
    created = Customer.objects.get(ucrn=results[1]["ucrn"])
    assert profile_get(ucrn=created.ucrn, user=csa)["extended"] == {"council_tax": {"account": "CT-2"},
                                                                    "housing": {"tenancy": "T-9"}}
    assert ExtendedReference.objects.get(customer=created, source=sources["council_tax"]).value == "CT-2"
    record = ChangeRecord.objects.filter(customer=customer).latest("id")
    assert record.channel == "import" and [c["field"] for c in record.changes] == ["extended.council_tax"]


def test_each_refusal_is_the_records_error_with_the_codes_of_the_put(csa, sources):
    other = CustomerFactory()
    extended_put(ucrn=other.ucrn, source="council_tax", data={"account": "TAKEN"}, user=csa, channel="api")
    customer = CustomerFactory(email_address="known@example.org", first_name="Before")
    extended_put(ucrn=customer.ucrn, source="housing", data={"rent": 1}, user=csa, channel="api")

    def refused(extended) -> dict[str, list[str]]:
        [result] = run(token_client(csa), [{"email_address": "known@example.org", "first_name": "After",
                                            "extended": extended}])
        assert result["status"] == "error"
        return {name: [e["code"] for e in errors] for name, errors in result["errors"].items()}

    assert refused({"water": {"a": 1}}) == {"extended.water": ["unknown_source"]}
    assert refused({"internal": {"a": 1}}) == {"extended.internal": ["reserved_source"]}
    assert refused({"council_tax": {"a": "x" * 1017}}) == {"extended.council_tax": ["extended_too_large"]}
    assert refused({"council_tax": {"a": 1, "b": 2, "c": 3, "d": 4}}) == {
        "extended.council_tax": ["extended_too_many_keys"]}
    assert refused({"council_tax": {"rent": 2}}) == {"extended.council_tax": ["extended_key_in_other_source"]}
    assert refused({"council_tax": {"account": "taken"}}) == {"extended.council_tax": ["extended_reference_taken"]}
    assert refused({"council_tax": ["not", "an", "object"]}) == {"extended.council_tax": ["invalid"]}
    assert refused(["council_tax"]) == {"extended": ["invalid"]}
    # Every error at once; a good source beside a bad one is not written either.
    assert refused({"housing": {"tenancy": "T-1"}, "water": {}}) == {"extended.water": ["unknown_source"]}
    customer.refresh_from_db()
    assert customer.first_name == "Before"  # the record applies completely or not at all
    assert ExtendedData.objects.get(customer=customer).data == {"rent": 1}


def test_an_api_client_imports_only_the_sources_it_may_write(sources):
    CustomerFactory(email_address="known@example.org")
    record = {"email_address": "known@example.org", "extended": {"council_tax": {"account": "CT-1"}}}
    body = {"records": [record]}
    blind = make_system("blind", readable=["email_address"], writable=["email_address", "extended.housing"])
    response = blind.api.post(IMPORT, body, format="json")
    assert response.status_code == 403
    assert {name: [e["code"] for e in errors] for name, errors in response.json().items()} == {
        "extended.council_tax": ["field_not_allowed"]}
    allowed = make_system("allowed", readable=["email_address"], writable=["email_address", "extended.council_tax"])
    assert allowed.api.post(IMPORT, body, format="json").json()["counts"]["updated"] == 1
