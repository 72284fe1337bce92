"""Search indexes of issue 8, on PostgreSQL only (SQLite, a development database, runs no-ops).

- `customer_search_name_idx`: the surname search's filter *and* its order in one index
  (`profiles.indexes.SortKey`: `UPPER(col) COLLATE "C"`, then `ucrn`), so the first page of
  `last_name=Smi` is the first 25 entries of the index range instead of a walk of the whole name index.
  Partial on `erased_at IS NULL`, as every search is (`profiles.selectors.profile_search`).
- `customer_last_name_trgm_idx`, `customer_org_name_trgm_idx`: GIN trigram indexes (pg_trgm, created by
  0005) for the fuzzy name search's `%` operator (`CustomerFilterSet.filter_name`).

They are not in the models' state (the model classes cannot say `COLLATE "C"` or `gin_trgm_ops` in a way
SQLite survives), so `makemigrations` neither sees nor drops them. On a large live table, run the
statements with CREATE INDEX CONCURRENTLY by hand first; these then do nothing (IF NOT EXISTS).
"""
from django.db import migrations

INDEXES = {
    "customer_search_name_idx": (
        'CREATE INDEX IF NOT EXISTS customer_search_name_idx ON profiles_customer '
        '((UPPER(last_name) COLLATE "C"), (UPPER(first_name) COLLATE "C"), ucrn) WHERE erased_at IS NULL'
    ),
    "customer_last_name_trgm_idx": (
        "CREATE INDEX IF NOT EXISTS customer_last_name_trgm_idx ON profiles_customer "
        "USING gin (last_name gin_trgm_ops)"
    ),
    "customer_org_name_trgm_idx": (
        "CREATE INDEX IF NOT EXISTS customer_org_name_trgm_idx ON profiles_customer "
        "USING gin (organisation_name gin_trgm_ops)"
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in INDEXES.values():
        schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("profiles", "0005_duplicates_and_merges"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
