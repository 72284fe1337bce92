"""Find by address: the addresses held (current ones), grouped with their customer counts, in a stable order,
on an index; the same results on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import is_csa
from profiles.models import UK_COUNTRY_ID, Customer
from profiles.selectors import address_search
from profiles.selectors.address_search import (
    address_key,
    address_suggestions,
    customers_at_address,
    parse_address_text,
)
from profiles.services.erasure import profile_erase
from tests.factories import AddressFactory, CustomerFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL plans")


def live_at(house, street, town, postcode, *, primary=True, flat="", post_town=""):
    customer = CustomerFactory(address=False)
    AddressFactory(customer=customer, house=house, street=street, town=town, postcode=postcode, flat=flat,
                   post_town=post_town, is_primary=primary)
    return customer


@pytest.fixture
def street(db):
    """Three customers at 12 Old Road, one at 14, one at 12 Old Road in another postcode, one who moved."""
    for _ in range(3):
        live_at("12", "Old Road", "Leeds", "LS1 4AP")
    live_at("14", "Old Road", "Leeds", "LS1 4AP")
    live_at("2", "Old Road", "Leeds", "LS1 4AQ")
    live_at("12", "Old Road", "Leeds", "LS1 4AP", primary=False)  # an old address: not held as current
    live_at("7", "Oldfield Lane", "Bradford", "BD1 1AA")
    live_at("9", "New Street", "Leeds", "LS11 5AB")


def labels(csa, text, **kw):
    return [(s["label"], s["customers"]) for s in address_suggestions(text=text, user=csa, **kw)]


def test_a_full_postcode_in_any_spacing_groups_the_current_addresses(csa, street):
    expected = [("12 Old Road, Leeds, LS1 4AP", 3), ("14 Old Road, Leeds, LS1 4AP", 1)]
    assert labels(csa, "ls14ap") == expected
    assert labels(csa, " LS1  4AP ") == expected


def test_an_outward_code_and_a_sector_in_postcode_order(csa, street):
    assert labels(csa, "LS1") == [
        ("12 Old Road, Leeds, LS1 4AP", 3), ("14 Old Road, Leeds, LS1 4AP", 1), ("2 Old Road, Leeds, LS1 4AQ", 1)]
    assert labels(csa, "ls1 4") == labels(csa, "LS1")
    assert labels(csa, "LS11") == [("9 New Street, Leeds, LS11 5AB", 1)]  # LS1 is not LS11


def test_a_street_prefix_any_case_in_street_order(csa, street):
    assert labels(csa, "old r") == [
        ("12 Old Road, Leeds, LS1 4AP", 3), ("14 Old Road, Leeds, LS1 4AP", 1), ("2 Old Road, Leeds, LS1 4AQ", 1)]
    assert [label for label, _ in labels(csa, "Old")][-1] == "7 Oldfield Lane, Bradford, BD1 1AA"


def test_house_number_town_and_postcode_narrow_a_street(csa, street):
    assert labels(csa, "12 Old Road, Leeds") == [("12 Old Road, Leeds, LS1 4AP", 3)]
    assert labels(csa, "Old Road, brad") == []
    assert labels(csa, "Old, brad") == [("7 Oldfield Lane, Bradford, BD1 1AA", 1)]
    assert labels(csa, "Old Road, LS1 4AQ") == [("2 Old Road, Leeds, LS1 4AQ", 1)]


def test_a_suggestion_carries_the_fields_a_form_fills(csa, street):
    [first, *_] = address_suggestions(text="LS1 4AP", user=csa)
    assert first == {"flat": "", "house": "12", "street": "Old Road", "town": "Leeds",
                     "post_town": "", "postcode": "LS1 4AP", "country_id": UK_COUNTRY_ID, "country_code": "GB",
                     "label": "12 Old Road, Leeds, LS1 4AP", "customers": 3}


def test_at_most_the_limit(csa, street):
    assert len(address_suggestions(text="LS1", user=csa, limit=2)) == 2


def test_erased_customers_are_not_counted(csa, admin_user, street):
    erased = Customer.objects.get(addresses__house="14")
    profile_erase(ucrn=erased.ucrn, user=admin_user, channel="admin")
    assert labels(csa, "LS1 4AP") == [("12 Old Road, Leeds, LS1 4AP", 3)]


def test_one_query(csa, street, warm_reference_lists, django_assert_max_num_queries):
    is_csa(csa)  # the user's roles, read once per request
    with django_assert_max_num_queries(1):
        address_suggestions(text="12 Old Road, Leeds", user=csa)


@pytest.mark.parametrize(("text", "code"), [
    ("", "required"), ("   ", "required"), (None, "required"), ("x" * 201, "max_length"), ("12", "invalid"),
    ("!!", "invalid"), ("a, b, c, d", "invalid"), ("nul\x00", "invalid"),
])
def test_bad_text_is_refused_with_a_code(text, code):
    with pytest.raises(ValidationError) as raised:
        parse_address_text(text)
    assert raised.value.code == code


def test_only_csas(citizen, street):
    with pytest.raises(PermissionDenied):
        address_suggestions(text="LS1", user=citizen)


def test_the_customers_at_a_suggestion(csa, street):
    [first, *_] = address_suggestions(text="LS1 4AP", user=csa)
    key = address_key({k: str(v) for k, v in first.items()})
    found = list(customers_at_address(key=key, user=csa))
    assert len(found) == 3
    assert {a.house for c in found for a in c.addresses.filter(is_primary=True)} == {"12"}


def test_a_bad_key_is_none():
    assert address_key({"street": "x" * 101, "country_id": "826"}) is None
    assert address_key({"street": "Old Road", "country_id": "uk"}) is None
    assert address_key({"country_id": "826"}) is None


# --- PostgreSQL: the plans --------------------------------------------------------------------------------


def plan(csa, text) -> str:
    query = address_search.parse_address_text(text)
    order = address_search._order(query)
    sql, params = (
        address_search._matching(query)
        .annotate(street_key=address_search.SortKey("street"),
                  **{f"{n}_c": address_search.Binary(n) for n in address_search.KEY_TEXT})
        .values(*order).annotate(customers=address_search.Count("*"))
        .order_by(*order)[:20].query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: would the index serve the query at all?
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
@pytest.mark.parametrize(("text", "index"), [
    ("LS1 4AP", "address_postcode_group_idx"), ("LS1", "address_postcode_group_idx"),
    ("12 Old Road, Leeds", "address_street_group_idx"), ("Old", "address_street_group_idx"),
])
def test_each_search_reads_its_grouping_index_already_in_order(csa, street, text, index):
    explained = plan(csa, text)
    assert index in explained, explained
    assert "Seq Scan" not in explained and "Sort" not in explained, explained


def test_a_house_number_any_case(csa, street):
    live_at("3b", "Old Road", "Leeds", "LS1 4AP")
    assert labels(csa, "3B old road") == [("3b Old Road, Leeds, LS1 4AP", 1)]


def test_an_address_too_long_for_the_index_is_not_suggested(csa, street):
    live_at("1", "Old Road", "L" * 100, "LS1 4AP", post_town="P" * 100, flat="F" * 100)
    assert "1 Old Road" not in str(labels(csa, "Old Road"))


@postgres_only
def test_the_customers_at_an_address_are_found_on_the_grouping_index(csa, street):
    key = address_key({"postcode": "LS1 4AP", "street": "Old Road", "house": "12", "town": "Leeds",
                       "country_id": "826"})
    is_csa(csa)  # the roles, read before
    with CaptureQueriesContext(connection) as captured:
        assert len(list(customers_at_address(key=key, user=csa))) == 3
    [ids_query] = [q["sql"] for q in captured.captured_queries if '"profiles_address"' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + ids_query)
        explained = "\n".join(row[0] for row in cursor.fetchall())
    assert "_group_idx" in explained and "Seq Scan" not in explained and "Sort" not in explained, explained
    assert "Index Cond: (((upper" in explained or "Index Cond: ((postcode" in explained  # every key a seek
