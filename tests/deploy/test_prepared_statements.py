"""PostgreSQL with server-side binding and prepared statements (hub.settings, `DATABASE_PREPARED_STATEMENTS`):
the connection prepares a query it runs often, and the queries that repeat a partial index's condition
still use that index in a prepared statement's generic plan, which PostgreSQL makes without the values."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.db.models.functions import Lower

from profiles.filters import email_q
from profiles.models import Customer
from profiles.selectors.duplicates import find_duplicates
from profiles.services.profiles import emails_taken
from tests.factories import CustomerFactory

ROOT = Path(__file__).resolve().parents[2]
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's binding and plans")


def database_options(**env: str) -> dict[str, Any]:
    """hub.settings' database OPTIONS, read in a fresh interpreter with `env`."""
    code = "import json; from hub import settings; print(json.dumps(settings.DATABASES['default'].get('OPTIONS')))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env}, check=True,
                            capture_output=True, text=True, timeout=60)
    return json.loads(result.stdout) or {}


@pytest.mark.parametrize(("url", "switch", "expected"), [
    ("postgres://u@127.0.0.1:5432/hub", "", {"server_side_binding": True, "prepare_threshold": 5}),
    ("postgres://u@127.0.0.1:5432/hub", "false", {}),
    ("sqlite:///hub.sqlite3", "", {}),
])
def test_postgresql_binds_on_the_server_unless_turned_off(url, switch, expected):
    options = database_options(DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS=switch)
    assert {k: options[k] for k in ("server_side_binding", "prepare_threshold") if k in options} == expected


@postgres_only
@pytest.mark.django_db
def test_the_connection_prepares_a_query_run_often():
    connection.ensure_connection()
    assert not issubclass(connection.connection.cursor_factory, psycopg.ClientCursor)  # server-side binding
    for n in range(6):
        list(Customer.objects.filter(ucrn=f"CRN{n:07d}"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"profiles_customer"."ucrn" = $1' in statement for statement in prepared), prepared


def statements_of(call: Callable[[], Any]) -> list[tuple[str, list[Any]]]:
    """The SQL and parameters `call` sends, as the cursor receives them."""
    seen: list[tuple[str, list[Any]]] = []

    def record(execute, sql, params, many, context):
        seen.append((sql, list(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        call()
    return seen


def generic_plan(sql: str, params: list[Any]) -> str:
    """The plan PostgreSQL keeps for a prepared `sql` once it stops planning it for each execution's values.
    Bitmap scans only: a test table is tiny, so ask whether an index *can* serve the conditions (and not
    whether walking one gives the order)."""
    numbered = iter(range(1, len(params) + 1))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("PREPARE generic_probe AS " + re.sub("%s", lambda _: f"${next(numbered)}", sql))
        values = connection.ops.compose_sql(f"({', '.join(['%s'] * len(params))})", params)
        cursor.execute(f"EXPLAIN EXECUTE generic_probe{values}")
        text = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE generic_probe")
    return text


@postgres_only
@pytest.mark.django_db
def test_the_email_queries_use_the_unique_index_in_a_generic_plan():
    """With the blank email as a parameter, the plan could not use `customer_email_unique_ci` (its condition
    is `email_address <> ''`) and read every customer: 150 ms instead of 0.4 at 100,000."""
    Customer.objects.bulk_create(CustomerFactory.build_batch(2000))  # enough for the plans of a real table
    jane = CustomerFactory(email_address="jane@example.org", phone_number="", mobile_number="")
    searched = Customer.objects.annotate(email_lower=Lower("email_address")).filter(email_q("Jane@Example.org"))
    assert list(searched) == [jane]
    assert emails_taken(["JANE@example.org"]) == {"jane@example.org"}
    other = CustomerFactory(email_address="other@example.org", alternative_email="Jane@example.org")
    assert jane in [d.customer for d in find_duplicates(customer=other)]
    taken = statements_of(lambda: emails_taken(["jane@example.org"]))
    union = next(s for s in statements_of(lambda: find_duplicates(customer=other)) if "same_email" in s[0])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE profiles_customer")
    for sql, params in [searched.query.sql_with_params(), taken[0], union]:
        text = generic_plan(sql, list(params))
        assert "customer_email_unique_ci" in text, text
