"""The indexes of "Find by address" (`profiles.address_search`), on PostgreSQL only (SQLite runs no-ops).

Each holds the grouping key of a suggestion (postcode, street, house, flat, town, country) in the order the
search groups and sorts by, collated "C", and is partial on the current (primary) address; so a search
reads one index range already grouped, and stops after the suggestions it needs.

- `address_postcode_group_idx`: by postcode (a full postcode, or `LS1 %` for an outward code), then street.
- `address_street_group_idx`: by the upper-cased street (`UPPER(street) COLLATE "C" LIKE 'OLD RO%'`), then
  postcode.

Six text columns of at most 100 characters and an integer keep an entry under PostgreSQL's index entry
limit (2,704 bytes) whatever the characters. Not in the models' state (the model classes cannot say
`COLLATE "C"` in a way SQLite survives), so `makemigrations` neither sees nor drops them. On a large live
table, run the statements with CREATE INDEX CONCURRENTLY by hand first; these then do nothing.
"""
from django.db import migrations

INDEXES = {
    "address_postcode_group_idx": (
        'CREATE INDEX IF NOT EXISTS address_postcode_group_idx ON profiles_address ('
        'postcode COLLATE "C", street COLLATE "C", house COLLATE "C", flat COLLATE "C", town COLLATE "C", '
        'country_id) WHERE is_primary'
    ),
    "address_street_group_idx": (
        'CREATE INDEX IF NOT EXISTS address_street_group_idx ON profiles_address ('
        '(UPPER(street) COLLATE "C"), street COLLATE "C", postcode COLLATE "C", house COLLATE "C", '
        'flat COLLATE "C", town COLLATE "C", country_id) WHERE is_primary'
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
        ("profiles", "0011_contact_permissions_and_subscriptions"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
