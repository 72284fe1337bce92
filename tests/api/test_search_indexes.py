"""The search: each filter on an index that also serves the order, the search box by shape, and the
fuzzy name filter (pg_trgm on PostgreSQL, the same similarity on SQLite)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles import fuzzy
from profiles.filters import CustomerFilterSet
from profiles.models import Customer
from profiles.selectors import profile_search
from tests.api.conftest import url
from tests.factories import AddressFactory, CustomerFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL plans")


def names(client, **params) -> list[str]:
    response = client.get(url(), params)
    assert response.status_code == 200, response.json()
    return [r["sort_name"] for r in response.json()["results"]]


# --- Fuzzy name search -----------------------------------------------------------------------------------


def test_smyth_finds_smith_most_similar_first(csa_api):
    CustomerFactory(first_name="Ann", last_name="Smith")
    CustomerFactory(first_name="Bob", last_name="Smyth")
    CustomerFactory(first_name="Cat", last_name="Smithers")
    CustomerFactory(first_name="Dan", last_name="Jones")
    found = names(csa_api, name="Smyth")
    assert found[:2] == ["Smyth, Bob", "Smith, Ann"]
    assert "Jones, Dan" not in found


def test_first_names_rank_the_matches(csa_api):
    CustomerFactory(first_name="Jane", last_name="Smith")
    CustomerFactory(first_name="John", last_name="Smith")
    assert names(csa_api, name="Jon Smyth") == ["Smith, John", "Smith, Jane"]


def test_an_organisation_name_spelt_roughly(csa_api):
    CustomerFactory(contact_type_id="Organization", organisation_name="Acme Housing", first_name="", last_name="")
    assert names(csa_api, name="Acme Housng") == ["Acme Housing"]


def test_the_fuzzy_filter_is_in_the_schema(csa_api):
    schema = csa_api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    parameters = schema["paths"]["/api/v1/profiles"]["get"]["parameters"]
    assert any(p["name"] == "name" and "Smyth" in p["description"] for p in parameters)


def test_similarity_is_pg_trgms_on_both_databases():
    with connection.cursor() as cursor:
        cursor.execute("SELECT similarity(%s, %s), similarity(%s, %s)", ["Smyth", "smith", "Jon", "John"])
        in_db = cursor.fetchone()
    assert in_db[0] == pytest.approx(fuzzy.similarity("Smyth", "smith")) == pytest.approx(3 / 9)
    assert in_db[1] == pytest.approx(fuzzy.similarity("Jon", "John"))


# --- The search box and the order ----------------------------------------------------------------------


def test_surname_results_in_case_insensitive_order(csa_api):
    for last in ("smithson", "Smith", "SMITHERS"):
        CustomerFactory(first_name="A", last_name=last)
    assert names(csa_api, last_name="smi") == ["Smith, A", "SMITHERS, A", "smithson, A"]


def test_a_ucrn_in_the_box_makes_no_subquery(csa_api):
    customer = CustomerFactory()
    with CaptureQueriesContext(connection) as captured:
        response = csa_api.get(url(), {"search": customer.ucrn})
    assert [r["ucrn"] for r in response.json()["results"]] == [customer.ucrn]
    assert not [q["sql"] for q in captured.captured_queries if "IN (SELECT" in q["sql"].upper()]


def test_a_uprn_in_the_box_finds_its_primary_address_only(csa_api):
    customer = CustomerFactory(address=False)
    AddressFactory(customer=customer, uprn="100023336956", is_primary=True)
    old = CustomerFactory(address=False)
    AddressFactory(customer=old, uprn="100023336956", is_primary=False)
    assert [r["ucrn"] for r in csa_api.get(url(), {"search": "100023336956"}).json()["results"]] == [customer.ucrn]


def test_punctuation_alone_finds_nothing(csa_api):
    CustomerFactory()
    assert csa_api.get(url(), {"search": "?!"}).json()["count"] == 0


# --- The plans: the indexes serve the queries (PostgreSQL) ---------------------------------------------


def plan(csa, *, bitmap: bool = False, **params) -> str:
    # bitmap: the customer table alone, without the partial indexes' condition (which would make any of
    # them a candidate), so the plan shows which index the filter itself uses
    base = Customer.objects.only("pk") if bitmap else profile_search(user=csa)
    filterset = CustomerFilterSet(params, queryset=base)
    assert filterset.is_valid(), filterset.errors
    queryset = filterset.qs
    sql, args = queryset[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is tiny: ask whether it *can*
        if bitmap:  # ... and not by walking any index of the whole table
            cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, args)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
def test_the_surname_index_serves_filter_and_order(csa):
    CustomerFactory(last_name="Smith")
    text = plan(csa, last_name="smi")
    assert "customer_search_name_idx" in text
    assert "Sort" not in text  # the index gives the order: no sort of the matches


@postgres_only
def test_the_surname_count_reads_the_index_only(csa):
    """A paginated search is counted: 44,000 `Smi`s at a million must not be fetched from the table."""
    CustomerFactory(last_name="Smith")
    filterset = CustomerFilterSet({"last_name": "smi"}, queryset=profile_search(user=csa))
    assert filterset.is_valid(), filterset.errors
    with CaptureQueriesContext(connection) as captured:
        assert filterset.qs.count() == 1
    with connection.cursor() as cursor:  # a test table is tiny: ask whether an index-only scan *can* count
        for path in ("seqscan", "bitmapscan", "indexscan"):
            cursor.execute(f"SET LOCAL enable_{path} = off")
        cursor.execute("EXPLAIN " + captured.captured_queries[-1]["sql"])
        text = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using customer_search_name_idx" in text, text


def fuzzy_plan(queryset, **params) -> str:
    with CaptureQueriesContext(connection) as captured:
        filterset = CustomerFilterSet(params, queryset=queryset)
        assert filterset.is_valid() and len(filterset.qs) == 1
    finding = next(q["sql"] for q in captured.captured_queries if " % " in q["sql"])  # the one with `%`
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + finding)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
def test_the_fuzzy_filter_finds_similar_names_among_the_distinct_names(csa):
    """A surname alone: similar names come from the distinct names (`profiles_search_name`), then each
    one's first customers from the narrow names table; the customer table is not read."""
    CustomerFactory(last_name="Smith")
    text = fuzzy_plan(profile_search(user=csa), name="Smyth")
    assert "on profiles_search_name" in text, text
    assert "profiles_customer " not in text.replace("profiles_customer_name", ""), text


@postgres_only
def test_the_fuzzy_filter_with_first_names_rechecks_the_narrow_names_table(csa):
    CustomerFactory(first_name="John", last_name="Smith")
    text = fuzzy_plan(profile_search(user=csa), name="Jon Smyth")
    assert "customer_name_last_trgm_idx" in text and "customer_name_org_trgm_idx" in text, text
    assert "profiles_customer " not in text.replace("profiles_customer_name", ""), text


def keys_plan(csa, *, count: bool = False, **params) -> str:
    """The plan of the page (or of the capped count) with sorting and scans of whole tables ruled out: a
    test table is tiny, so this asks whether the search keys' index *can* give the matches in order."""
    filterset = CustomerFilterSet(params, queryset=profile_search(user=csa))
    assert filterset.is_valid(), filterset.errors
    with CaptureQueriesContext(connection) as captured:
        filterset.qs[:1001].count() if count else list(filterset.qs[:25])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE profiles_search_key")
        for path in ("seqscan", "bitmapscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{path} = off")
        cursor.execute("EXPLAIN " + next(q["sql"] for q in captured.captured_queries if "search_key" in q["sql"]))
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
@pytest.mark.parametrize("params", [{"search": "Smi"}, {"search": "John Smi"}, {"search": "Smith J"},
                                    {"search": "s"}, {"postcode": "M1"}, {"search": "M1"}, {"postcode": "M1 1"}])
def test_names_and_outward_codes_are_an_in_order_range_of_the_search_keys(csa, params):
    CustomerFactory(first_name="John", last_name="Smith", address__postcode="M1 1AE")
    text = keys_plan(csa, **params)
    assert "search_key_order_idx" in text, text
    assert "Sort" not in text, text  # the key's index range is the page's order
    assert "Seq Scan" not in text, text


@postgres_only
def test_the_capped_count_of_a_name_reads_the_search_keys(csa):
    CustomerFactory(first_name="John", last_name="Smith")
    text = keys_plan(csa, count=True, search="John Smi")
    assert "search_key_order_idx" in text and "Seq Scan" not in text, text
    assert "profiles_customer" not in text, text  # one key alone: its count reads no customer


@postgres_only
def test_the_ucrn_search_is_an_or_of_indexes(csa):
    customer = CustomerFactory()
    text = plan(csa, bitmap=True, search=customer.ucrn)
    assert "SubPlan" not in text and "BitmapOr" in text
    assert "Index Cond: ((ucrn)::text = " in text and "customer_phone_idx" in text
