"""The search's count stops at `SEARCH_COUNT_CAP`: the API flags it, the CSA page says how to narrow the
search, and both still page through every result in order; the page runs the same few queries whatever
the input and however many customers match."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.models import Customer
from tests.api.conftest import token_client, url
from tests.factories import AddressFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def smiths(db, settings) -> list[str]:
    settings.SEARCH_COUNT_CAP = 3
    made = [CustomerFactory(first_name=first, last_name="Smith", address__postcode="M1 1AE")
            for first in ("Eve", "Dan", "Cat", "Bob", "Ann")]
    return [c.ucrn for c in sorted(made, key=lambda c: c.first_name.upper())]


def test_the_api_flags_a_capped_count_and_pages_on(csa, smiths):
    client = token_client(csa)
    body = client.get(url(), {"search": "Smith", "page_size": 2}).json()
    assert (body["count"], body["count_capped"]) == (3, True)
    seen = [r["ucrn"] for r in body["results"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        assert body["count_capped"] is True
        seen += [r["ucrn"] for r in body["results"]]
    assert seen == smiths  # every result, in order, though only 3 were counted


def test_an_exact_count_says_it_is_not_capped(csa, smiths):
    body = token_client(csa).get(url(), {"search": "Smith Ann"}).json()
    assert (body["count"], body["count_capped"], body["next"]) == (1, False, None)


def test_past_the_last_result_is_404(csa, smiths):
    response = token_client(csa).get(url(), {"search": "Smith", "page_size": 2, "page": 4})
    assert response.status_code == 404


def test_the_schema_documents_count_capped(csa):
    schema = token_client(csa).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    search = schema["paths"]["/api/v1/profiles"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    page = schema["components"]["schemas"][search["$ref"].split("/")[-1]]
    assert "count_capped" in page["required"] and page["properties"]["count_capped"]["type"] == "boolean"
    assert "1,000" in page["properties"]["count"]["description"]


def test_the_page_asks_for_a_first_name_or_postcode_and_pages_on(csa_client, smiths, monkeypatch):
    monkeypatch.setattr("hub.views.SEARCH_PAGE_SIZE", 2)
    page = csa_client.get("/hub/customers/", {"q": "smith"}).content.decode()
    assert "More than 3 customers: add a first name or postcode." in page
    assert 'rel="next"' in page and "of 2" not in page
    seen = []
    for number in (1, 2, 3, 4, 5):
        page = csa_client.get("/hub/customers/", {"q": "smith", "page": number}).content.decode()
        seen += [u for u in smiths if u in page and u not in seen]
        if 'rel="next"' not in page:
            break
    assert seen == smiths


def test_an_exact_count_is_shown_as_it_is(csa_client, smiths):
    page = csa_client.get("/hub/customers/", {"q": "Ann Smith"}).content.decode()
    assert "1 customer found" in page and "More than" not in page


# --- Queries of the search page ------------------------------------------------------------------------


def page_queries(client, q: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/hub/customers/", {"q": q})
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def searching(queries: list[str]) -> list[str]:
    """The queries that read customers, their keys, names or addresses: the search's own."""
    tables = ("profiles_customer", "profiles_search_key", "profiles_address", "profiles_extendedreference")
    return [q for q in queries if any(f'"{table}"' in q for table in tables)]


def crowd(count: int) -> Customer:
    """`count` Smiths at M1 1AE (the first one with a mobile and a UPRN), some with older addresses."""
    first = None
    for n in range(count):
        customer = CustomerFactory(first_name=f"Jo{n}", last_name="Smith", address__postcode="M1 1AE",
                                   address__uprn=str(900000 + n), mobile_number="+447700900123" if not n else "")
        AddressFactory(customer=customer, postcode="BS1 4DJ", is_primary=False)
        first = first or customer
    return first


# Each input kind: what it is, and how many of the search's queries it may make (count, page, primary
# addresses; a UPRN's customers first; a name that finds no one: its empty count, then similar names).
KINDS = {
    "name": (lambda c: "Smi", 3),
    "two names": (lambda c: "Jo Smith", 3),
    "postcode": (lambda c: "M1 1AE", 3),
    "outward code": (lambda c: "M1", 3),
    "sector": (lambda c: "M1 1", 3),
    "email": (lambda c: c.email_address.upper(), 3),
    "phone": (lambda c: "07700 900123", 3),
    "ucrn": (lambda c: c.ucrn, 4),
    "uprn": (lambda c: "900000", 4),
    "similar name": (lambda c: "Smyth", 5),
}


@pytest.mark.parametrize("kind", KINDS)
def test_the_page_makes_the_same_few_queries_however_many_match(csa_client, kind, settings,
                                                               django_assert_max_num_queries):
    settings.SEARCH_COUNT_CAP = 10
    text, budget = KINDS[kind]
    first = crowd(3)
    page_queries(csa_client, text(first))  # the first fills the caches (reference lists, sources)
    few = page_queries(csa_client, text(first))
    crowd(30)
    many = page_queries(csa_client, text(first))
    assert len(searching(many)) <= budget, "\n".join(searching(many))
    assert len(searching(few)) <= budget, "\n".join(searching(few))
    # The count's query is left out when the first page holds every match: at most that one more.
    assert len(few) <= len(many) <= len(few) + 1, "the number of queries grows with the matches"
    with django_assert_max_num_queries(len(many)):
        page_queries(csa_client, text(first))


def counting(queries: list[str]) -> list[str]:
    return [q for q in queries if q.lstrip().upper().startswith("SELECT COUNT(")]


def test_a_first_page_that_holds_every_match_is_not_counted_again(csa_client, smiths):
    """Page 1 is read first; with no more matches than a page shows, its rows are the count."""
    queries = page_queries(csa_client, "Ann Smith")
    assert counting(queries) == []
    page = csa_client.get("/hub/customers/", {"q": "Ann Smith"}).content.decode()
    assert "1 customer found" in page


def test_a_first_page_with_more_behind_it_is_counted_once(csa_client, smiths, monkeypatch):
    monkeypatch.setattr("hub.views.SEARCH_PAGE_SIZE", 2)
    queries = page_queries(csa_client, "smith")
    assert len(counting(queries)) == 1
    page = csa_client.get("/hub/customers/", {"q": "smith"}).content.decode()
    assert "More than 3 customers" in page and 'rel="next"' in page


def test_the_api_counts_a_first_page_only_when_it_does_not_hold_every_match(csa, smiths):
    client = token_client(csa)
    with CaptureQueriesContext(connection) as one:
        body = client.get(url(), {"search": "Smith Ann"}).json()
    assert (body["count"], body["count_capped"]) == (1, False) and counting([q["sql"] for q in one]) == []
    with CaptureQueriesContext(connection) as many:
        body = client.get(url(), {"search": "Smith", "page_size": 2}).json()
    assert (body["count"], body["count_capped"]) == (3, True) and len(counting([q["sql"] for q in many])) == 1
