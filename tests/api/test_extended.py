"""Extended data over REST (SPEC 8.3): `GET`/`PUT /api/v1/profiles/{ucrn}/extended/{source}/`, the Get
output's `extended`, allow-lists by source, the search by reference, the cache, the webhooks, query budgets."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from profiles.models import ChangeRecord
from systems.models import Delivery, Subscription
from tests.api.conftest import codes, url
from tests.factories import CustomerFactory, extended_sources
from tests.systems.conftest import make_system

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources(db):
    return extended_sources()


def ext(ucrn: str, source: str) -> str:
    return url(ucrn, f"extended/{source}")


def test_put_then_get_and_the_get_output_carries_it(csa_api, customer, sources):
    response = csa_api.put(ext(customer.ucrn, "council_tax"), {"account": "CT-1", "band": "D"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"account": "CT-1", "band": "D"}
    assert response["ETag"] == f'"v{customer.version + 1}"'
    assert csa_api.get(ext(customer.ucrn, "council_tax")).json() == {"account": "CT-1", "band": "D"}
    assert csa_api.get(ext(customer.ucrn, "housing")).json() == {}
    assert csa_api.get(url(customer.ucrn)).json()["extended"] == {"council_tax": {"account": "CT-1", "band": "D"}}
    record = ChangeRecord.objects.filter(customer=customer).latest("id")
    assert (record.channel, record.changes[0]["field"]) == ("api", "extended.council_tax")
    history = csa_api.get(url(customer.ucrn, "history")).json()
    assert history[0]["changes"][0]["field"] == "extended.council_tax"


def test_each_refusal_is_a_400_with_its_code(csa_api, customer, sources):
    def put(source, body):
        response = csa_api.put(ext(customer.ucrn, source), body, format="json")
        assert response.status_code == 400, response.content
        return codes(response), str(response.json())

    assert put("water", {"a": 1})[0] == {"source": ["unknown_source"]}
    assert put("internal", {"a": 1})[0] == {"source": ["reserved_source"]}
    found, message = put("council_tax", {"a": "x" * 1017})  # 1,025 bytes
    assert found == {"extended.council_tax": ["extended_too_large"]} and "1025 bytes" in message
    assert put("council_tax", {"a": 1, "b": 2, "c": 3, "d": 4})[0] == {
        "extended.council_tax": ["extended_too_many_keys"]}
    assert csa_api.put(ext(customer.ucrn, "housing"), {"rent": 1, "band": "C"}, format="json").status_code == 200
    found, message = put("council_tax", {"band": "D", "rent": 2})
    assert found == {"extended.council_tax": ["extended_key_in_other_source"]} and "band, rent" in message
    assert put("council_tax", ["not", "an", "object"])[0] == {"extended.council_tax": ["invalid"]}
    raw = csa_api.put(ext(customer.ucrn, "council_tax"), '{"a": "\\ud800"}', content_type="application/json")
    assert raw.status_code == 400 and codes(raw) == {"a": ["invalid_text"]}  # the parser's JSON limits
    assert csa_api.get(ext(customer.ucrn, "internal")).status_code == 400
    assert csa_api.get(ext("999999999", "housing")).status_code in (400, 404)


def test_the_limits_at_the_boundary(csa_api, customer, sources):
    at_limit = {"a": "x" * 1016}  # exactly 1,024 bytes of compact JSON
    assert csa_api.put(ext(customer.ucrn, "council_tax"), at_limit, format="json").status_code == 200
    assert csa_api.put(ext(customer.ucrn, "council_tax"), {"a": 1, "b": 2, "c": 3}, format="json").status_code == 200


def test_if_match_refuses_a_stale_version(csa_api, customer, sources):
    response = csa_api.put(ext(customer.ucrn, "housing"), {"t": 1}, format="json", HTTP_IF_MATCH='"v999"')
    assert response.status_code == 412
    version = csa_api.get(url(customer.ucrn))["ETag"]
    assert csa_api.put(ext(customer.ucrn, "housing"), {"t": 1}, format="json", HTTP_IF_MATCH=version).status_code == 200


def test_the_cached_get_is_renewed_by_a_put(csa_api, customer, sources):
    for _ in range(3):  # a miss, a miss that stores, a hit
        assert csa_api.get(url(customer.ucrn)).json()["extended"] == {}
    csa_api.put(ext(customer.ucrn, "housing"), {"tenancy": "T-1"}, format="json")
    assert csa_api.get(url(customer.ucrn)).json()["extended"] == {"housing": {"tenancy": "T-1"}}


@pytest.mark.usefixtures("warm_reference_lists")
def test_the_get_with_extended_data_costs_one_query_more_for_all_sources(csa_api, customer, sources):
    csa_api.put(ext(customer.ucrn, "housing"), {"tenancy": "T-1"}, format="json")
    csa_api.put(ext(customer.ucrn, "council_tax"), {"account": "CT-1"}, format="json")
    with CaptureQueriesContext(connection) as captured:
        assert csa_api.get(url(customer.ucrn)).status_code == 200
    assert len(captured) <= 4  # the token (cached after the PUTs: none), the client, the profile, its sources
    assert len([q for q in captured.captured_queries if "extendeddata" in q["sql"]]) == 1


def test_allow_lists_apply_by_source(customer, sources, csa_api):
    csa_api.put(ext(customer.ucrn, "housing"), {"tenancy": "T-1"}, format="json")
    csa_api.put(ext(customer.ucrn, "council_tax"), {"account": "CT-1"}, format="json")
    system = make_system("revenues", readable=["first_name", "extended.council_tax"],
                         writable=["extended.council_tax"])
    got = system.api.get(url(customer.ucrn)).json()
    assert got["extended"] == {"council_tax": {"account": "CT-1"}}
    assert system.api.get(ext(customer.ucrn, "council_tax")).status_code == 200
    refused = system.api.get(ext(customer.ucrn, "housing"))
    assert refused.status_code == 403 and codes(refused) == {"extended.housing": ["field_not_allowed"]}
    assert system.api.put(ext(customer.ucrn, "council_tax"), {"account": "CT-2"}, format="json").status_code == 200
    refused = system.api.put(ext(customer.ucrn, "housing"), {"tenancy": "X"}, format="json")
    assert refused.status_code == 403 and codes(refused) == {"extended.housing": ["field_not_allowed"]}
    plain = make_system("plain", readable=["first_name"])
    assert "extended" not in plain.api.get(url(customer.ucrn)).json()  # granted no source: no `extended`


def test_a_client_may_be_granted_only_registered_sources(sources):
    system = make_system("checked", readable=["extended.council_tax"])
    system.client.full_clean()
    system.client.readable = ["extended.water"]
    with pytest.raises(ValidationError):
        system.client.full_clean()


def test_citizens_read_their_own_and_write_none(citizen_api, customer, csa_api, sources):
    csa_api.put(ext(customer.ucrn, "housing"), {"tenancy": "T-1"}, format="json")
    assert citizen_api.get(ext(customer.ucrn, "housing")).json() == {"tenancy": "T-1"}
    assert citizen_api.put(ext(customer.ucrn, "housing"), {"tenancy": "X"}, format="json").status_code == 403
    assert citizen_api.get(ext(CustomerFactory().ucrn, "housing")).status_code == 403


def test_the_webhook_names_the_source_that_changed(customer, csa_api, sources):
    reader = make_system("hooked", readable=["extended.housing"])
    blind = make_system("blind", readable=["first_name"])
    for name, system in (("reader", reader), ("blind", blind)):
        Subscription.objects.create(name=name, url="https://example.org/hook", kinds=["profile.updated"],
                                    client=system.client, secret="s" * 40)
    csa_api.put(ext(customer.ucrn, "housing"), {"tenancy": "T-1"}, format="json")
    changed = {d.subscription.name: d.payload["changed"]
               for d in Delivery.objects.filter(customer_key=customer.ucrn).select_related("subscription")}
    assert changed == {"reader": ["extended.housing"], "blind": []}


def search(api, text: str) -> list[str]:
    response = api.get(url(), {"search": text})
    assert response.status_code == 200, response.content
    return [item["ucrn"] for item in response.json()["results"]]


def test_search_by_reference(csa_api, sources):
    alice, bob, carol = CustomerFactory(), CustomerFactory(), CustomerFactory()
    csa_api.put(ext(alice.ucrn, "council_tax"), {"account": "4000123"}, format="json")
    csa_api.put(ext(bob.ucrn, "housing"), {"tenancy": "HT-77"}, format="json")
    csa_api.put(ext(carol.ucrn, "housing"), {"tenancy": "4000123"}, format="json")
    assert search(csa_api, "council_tax:4000123") == [alice.ucrn]
    assert search(csa_api, "housing:ht-77") == [bob.ucrn]  # any case
    assert search(csa_api, "housing: 4000123") == [carol.ucrn]
    assert search(csa_api, "4000123") == [alice.ucrn]  # bare: only unique sources' references
    assert search(csa_api, "HT-77") == []  # housing's references are not unique: only as housing:HT-77
    assert search(csa_api, "water:4000123") == []


def test_the_search_page_finds_by_reference_and_the_record_shows_it(csa, sources, csa_api):
    customer = CustomerFactory()
    csa_api.put(ext(customer.ucrn, "council_tax"), {"account": "CT-555"}, format="json")
    page = Client()
    page.force_login(csa)
    response = page.get("/hub/customers/", {"q": "council_tax:CT-555"}, follow=True)
    assert customer.ucrn in response.content.decode()
    response = page.get("/hub/customers/", {"q": "ct-555"}, follow=True)
    assert customer.ucrn in response.content.decode()
    record = page.get(f"/hub/customers/{customer.ucrn}/").content.decode()
    assert "Other systems" in record and "Council tax (account)" in record and "CT-555" in record
    assert "Other system&#x27;s data: council_tax" in record  # the change history names the source


def test_the_get_output_fed_back_to_a_profile_put_leaves_extended_data(csa_api, customer, sources):
    csa_api.put(ext(customer.ucrn, "housing"), {"tenancy": "T-1"}, format="json")
    profile = csa_api.get(url(customer.ucrn)).json()
    profile["extended"] = {"housing": {"tenancy": "changed"}}  # read-only in a profile write: ignored
    assert csa_api.put(url(customer.ucrn), profile, format="json").status_code == 200
    assert csa_api.get(ext(customer.ucrn, "housing")).json() == {"tenancy": "T-1"}


@pytest.mark.usefixtures("warm_reference_lists")
def test_a_search_by_reference_is_one_indexed_lookup(csa_api, sources):
    customer = CustomerFactory()
    csa_api.put(ext(customer.ucrn, "council_tax"), {"account": "CT-1"}, format="json")
    search(csa_api, "Warm")  # the sources, read once into the cache
    for text in ("council_tax:CT-1", "CT-1"):
        with CaptureQueriesContext(connection) as captured:
            assert search(csa_api, text) == [customer.ucrn]
        lookups = [q["sql"] for q in captured.captured_queries if "extendedreference" in q["sql"]]
        assert len(lookups) == 1 and "extendedsource" not in lookups[0]


SEARCHABLE = ("first_name", "last_name", "organisation_name", "email_address", "phone_number", "mobile_number",
              "postcode", "uprn")


def test_a_search_by_reference_only_reaches_the_sources_the_client_may_read(csa_api, sources):
    """A client that may search but not read `extended.council_tax` finds no one by a council tax account
    number (bare), and `council_tax:value` is a 403 naming `extended.council_tax`: matching reveals it."""
    alice = CustomerFactory()
    csa_api.put(ext(alice.ucrn, "council_tax"), {"account": "4000123"}, format="json")
    blind = make_system("blind", readable=SEARCHABLE)
    assert search(blind.api, "4000123") == []
    response = blind.api.get(url(), {"search": "council_tax:4000123"})
    assert response.status_code == 403
    assert codes(response) == {"extended.council_tax": ["field_not_allowed"]}
    assert blind.api.get(url(), {"search": "water:4000123"}).status_code == 200  # not a source: no match
    reader = make_system("reader", readable=[*SEARCHABLE, "extended.council_tax"])
    assert search(reader.api, "4000123") == [alice.ucrn]
    assert search(reader.api, "council_tax:4000123") == [alice.ucrn]
