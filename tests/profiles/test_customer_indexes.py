"""The customer table keeps only indexes a query reads: each one is one more entry, on a leaf of its own, for
every UPDATE that is not HOT (a name change), so a full page in the WAL after each checkpoint (migration
0016)."""
from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# The reference lists nothing searches by: a value is deleted about never (PROTECT's check is then one scan).
UNSEARCHED_LISTS = ["prefix_id", "suffix_id", "location_id", "preferred_contact_method_id", "preferred_language_id"]


def index_columns() -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "profiles_customer")
    return [tuple(c["columns"]) for c in constraints.values() if c["index"] and not c["primary_key"]]


@pytest.mark.parametrize("column", UNSEARCHED_LISTS)
def test_a_reference_list_nothing_searches_by_has_no_index(column):
    assert not [columns for columns in index_columns() if columns[:1] == (column,)]


@pytest.mark.parametrize("column", ["status_id", "contact_type_id", "merged_into_id"])
def test_a_column_the_search_or_the_merges_read_has_one_index(column):
    assert index_columns().count((column,)) == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's index definitions")
def test_no_like_twin_and_merged_customers_only():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'profiles_customer'")
        definitions = dict(cursor.fetchall())
    assert not [name for name, sql in definitions.items() if "varchar_pattern_ops" in sql]
    assert definitions["customer_merged_into_idx"].endswith("WHERE (merged_into_id IS NOT NULL)")
