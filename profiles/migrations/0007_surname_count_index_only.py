"""The surname search's count, index-only (issue 8, measured at 1,000,000 customers).

`last_name=Smi` is paginated, so it is counted: 44,000 matches at a million. Counting them through
`customer_search_name_idx` still fetched every matching row from the table (an index on an expression
cannot answer for the column it is computed from), 100 ms at the 95th percentile. With `last_name` carried
in the index (INCLUDE) the count is an index-only scan: 10 ms. PostgreSQL only, as in 0006; on a large live
table run the CREATE with CONCURRENTLY by hand first.
"""
from django.db import migrations

WITH_INCLUDE = (
    'CREATE INDEX customer_search_name_idx ON profiles_customer '
    '((UPPER(last_name) COLLATE "C"), (UPPER(first_name) COLLATE "C"), ucrn) INCLUDE (last_name) '
    'WHERE erased_at IS NULL'
)
WITHOUT = (
    'CREATE INDEX customer_search_name_idx ON profiles_customer '
    '((UPPER(last_name) COLLATE "C"), (UPPER(first_name) COLLATE "C"), ucrn) WHERE erased_at IS NULL'
)


def recreate(statement: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("DROP INDEX IF EXISTS customer_search_name_idx")
        schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("profiles", "0006_search_order_and_trigram_indexes"),
    ]

    operations = [
        migrations.RunPython(recreate(WITH_INCLUDE), recreate(WITHOUT), elidable=False),
    ]
