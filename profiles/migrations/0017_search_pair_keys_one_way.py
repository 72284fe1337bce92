"""A pair key once per customer and two names, not once each way round (PostgreSQL only).

`p:JOH\\x1fSMI` and `p:SMI\\x1fJOH` found the same customers: the search (`profiles.filters.name_words_key`)
now puts the two starts in order (the lesser first, compared as `COLLATE "C"` compares, by code point), so the
keys keep only that one. A customer has one row fewer in `profiles_search_key` (9 instead of 10 for a first
and last name), and a first-name change writes one index entry fewer in the key order index: one leaf of a
770 MB index at a million customers, a full page in the WAL after each checkpoint. Deleting the other
rows scans the key table once (about a million rows go at a million customers): run it in a quiet hour.
"""
from django.db import migrations

NAME_KEY_LENGTH = 3
SEPARATOR = "\\x1f"


def keys_function(pair_condition: str) -> str:
    """`profiles_search_keys` of migration 0014 with its pairs' condition (deliberately a copy: each
    migration keeps the SQL it ran)."""
    return f"""
    CREATE OR REPLACE FUNCTION profiles_search_keys(first_name text, last_name text, organisation_name text,
                                                    postcode text) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT DISTINCT k FROM (
            SELECT 'n:' || left(upper(n), l) AS k
            FROM unnest(ARRAY[first_name, last_name, organisation_name]) AS n,
                 generate_series(1, {NAME_KEY_LENGTH}) AS l
            WHERE l <= length(n)
            UNION ALL
            SELECT 'p:' || a.k || E'{SEPARATOR}' || b.k
            FROM (SELECT left(upper(n), {NAME_KEY_LENGTH}) AS k
                  FROM unnest(ARRAY[first_name, last_name, organisation_name]) AS n
                  WHERE length(n) >= {NAME_KEY_LENGTH}) AS a,
                 (SELECT left(upper(n), {NAME_KEY_LENGTH}) AS k
                  FROM unnest(ARRAY[first_name, last_name, organisation_name]) AS n
                  WHERE length(n) >= {NAME_KEY_LENGTH}) AS b
            WHERE {pair_condition}
            UNION ALL
            SELECT 'o:' || split_part(postcode, ' ', 1) WHERE strpos(postcode, ' ') > 1
            UNION ALL
            SELECT 's:' || left(postcode, strpos(postcode, ' ') + 1)
            WHERE strpos(postcode, ' ') > 1 AND length(postcode) > strpos(postcode, ' ')
        ) AS keys
    $$
    """


FIRST = f"split_part(substr(key, 3), E'{SEPARATOR}', 1) COLLATE \"C\""
SECOND = f"split_part(key, E'{SEPARATOR}', 2) COLLATE \"C\""


def one_way(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(keys_function('a.k COLLATE "C" < b.k COLLATE "C"'))
    schema_editor.execute(f"DELETE FROM profiles_search_key WHERE starts_with(key, 'p:') AND {FIRST} > {SECOND}")


def both_ways(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(keys_function("a.k <> b.k"))
    schema_editor.execute(f"""
        INSERT INTO profiles_search_key (customer_id, key, last_key, first_key, ucrn, names)
        SELECT customer_id, 'p:' || {SECOND} || E'{SEPARATOR}' || {FIRST}, last_key, first_key, ucrn, names
        FROM profiles_search_key WHERE starts_with(key, 'p:')
    """)


class Migration(migrations.Migration):

    dependencies = [
        ("profiles", "0016_fewer_customer_indexes"),
    ]

    operations = [
        migrations.RunPython(one_way, both_ways, elidable=False),
    ]
