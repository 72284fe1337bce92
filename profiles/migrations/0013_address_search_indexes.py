"""The indexes of "Find by address" (`profiles.selectors.address_search`), on PostgreSQL only (SQLite runs no-ops).

Each holds the whole of a suggestion (postcode, street, house, flat, town, post town, country) in the order
the search groups and sorts by, collated "C", and is partial on the current (primary) address; so a search
reads one index range already grouped, from the index alone (an index-only scan: the house and town
filters read no table row), and stops after the suggestions it needs.

- `address_postcode_group_idx`: by postcode (a full postcode, or `LS1 %` for an outward code), then street.
- `address_street_group_idx`: by the upper-cased street (`UPPER(street) COLLATE "C" LIKE 'OLD RO%'`), then
  postcode.

The predicate's length bound (300 characters over the six columns; `INDEXED_LENGTH_MAX`) keeps every entry
under PostgreSQL's index entry limit (2,704 bytes) whatever the characters, so no write can fail on it. Not in the models' state (the model classes cannot say
`COLLATE "C"` in a way SQLite survives), so `makemigrations` neither sees nor drops them. On a large live
table, run the statements with CREATE INDEX CONCURRENTLY by hand first; these then do nothing.
"""
from django.db import migrations

KEY = ("postcode", "street", "house", "flat", "town", "post_town")
# `profiles.selectors.address_search.indexed_length() <= INDEXED_LENGTH_MAX`, as the queries write it.
PREDICATE = "is_primary AND (" + " + ".join(f"length({name})" for name in KEY) + ") <= 300"
COLUMNS = ", ".join(f'{name} COLLATE "C"' for name in KEY[1:])  # street, house, flat, town, post_town

INDEXES = {
    "address_postcode_group_idx": (
        f'CREATE INDEX IF NOT EXISTS address_postcode_group_idx ON profiles_address ('
        f'postcode COLLATE "C", {COLUMNS}, country_id) WHERE {PREDICATE}'
    ),
    "address_street_group_idx": (
        f'CREATE INDEX IF NOT EXISTS address_street_group_idx ON profiles_address ('
        f'(UPPER(street) COLLATE "C"), street COLLATE "C", postcode COLLATE "C", house COLLATE "C", '
        f'flat COLLATE "C", town COLLATE "C", post_town COLLATE "C", country_id) WHERE {PREDICATE}'
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
        ("profiles", "0012_import_channel"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
