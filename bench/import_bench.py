"""The import scenario: matching by email against a raw COPY of the same rows.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--customers N] [--out bench/results/import.md]
                                           [--profile] [--keep-db]

1. makes a fresh PostgreSQL database (`postgres://postgres@127.0.0.1:5432/hub_import_<random>`, or the
   server of `--server`), migrates it, and loads N existing customers (default: as many as rows), each
   with a primary address, with COPY;
2. generates the rows to import (seeded): about half match an existing customer by email, with changed
   fields and a new address (the end-dating path); the other half are new customers with an address;
   they are written to a JSON Lines file beside the results and read back, as the command would;
3. the floor: a raw `COPY` of the same rows into a scratch table shaped like the customer table (its
   columns, defaults, constraints and indexes), from the rows in memory to the commit;
4. the import: `import_records` in batches of 1,000 (the API's batch size) as a CSA, channel `command`,
   from the same rows in memory; checks the outcomes and that every created or changed customer has its
   change record;
5. prints rows/s for both and the ratio, writes a Markdown section to `--out`, and drops the database
   whatever happens (unless `--keep-db`).

`--profile` also profiles a part of the import with pyinstrument (a fresh slice of rows, after the timed
run) and writes where the time goes into the results.
"""

# ruff: noqa: E501 - the Markdown rows read best unbroken
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.10  # at least 10 % of raw COPY's rows/s
BATCH = 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="Rows to import (default 100,000).")
    parser.add_argument("--customers", type=int, default=None, help="Existing customers (default: --rows).")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432",
                        help="The PostgreSQL server; the database is made there and dropped after.")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "import.md")
    parser.add_argument("--profile", action="store_true", help="Profile a slice of the import (pyinstrument).")
    parser.add_argument("--keep-db", action="store_true", help="Keep the database (its name is printed).")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                        help="The cache, as in production on several servers; '' for the database cache.")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    customers = args.rows if args.customers is None else args.customers

    name = f"hub_import_{uuid.uuid4().hex[:10]}"
    os.environ["DATABASE_URL"] = f"{args.server.rstrip('/')}/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    os.environ.setdefault("SECRET_KEY", "bench-import-" + uuid.uuid4().hex)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ["REDIS_URL"] = args.redis
    os.environ["CACHE_KEY_PREFIX"] = name  # its own keys in a shared Redis
    sys.path.insert(0, str(ROOT))
    _admin_sql(args.server, f'CREATE DATABASE "{name}"')
    print(f"database {name}", flush=True)
    try:
        import django

        django.setup()
        return run(args, customers, name)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep_db:
            print(f"kept database {name}")
        else:
            _admin_sql(args.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_sql(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def run(args: argparse.Namespace, customers: int, name: str) -> int:
    from django.core.management import call_command
    from django.db import connection

    rng = random.Random(args.seed)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    existing = load_customers(customers, rng)
    user = make_csa()
    print(f"migrated and loaded {customers:,} customers in {time.perf_counter() - started:.1f} s", flush=True)

    rows = make_rows(args.rows, existing, rng)
    path = args.out.parent / "import_rows.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    path.unlink()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    copy_seconds = time_copy(rows)
    print(f"COPY floor: {len(rows):,} rows in {copy_seconds:.2f} s = {len(rows) / copy_seconds:,.0f} rows/s", flush=True)

    watch_listener()
    import_seconds, counts = time_import(rows, user)
    listener = LISTENER["seconds"]
    print(f"import: {len(rows):,} rows in {import_seconds:.2f} s = {len(rows) / import_seconds:,.0f} rows/s {counts}", flush=True)
    print(f"  of which {listener:.2f} s ({listener / import_seconds:.0%}) in the webhooks listener's subscription look-ups", flush=True)
    check(rows, counts)

    copy_rate, import_rate = len(rows) / copy_seconds, len(rows) / import_seconds
    ratio = import_rate / copy_rate
    verdict = "met" if ratio >= TARGET else f"missed by {(TARGET - ratio) * 100:.1f} points"
    print(f"ratio: {ratio:.1%} of COPY (target {TARGET:.0%}: {verdict})", flush=True)

    profile_text = profile_slice(existing, user, rng) if args.profile else ""
    write_results(args, customers, rows, copy_seconds, import_seconds, counts, ratio, verdict, profile_text, listener)
    return 0


# --- data ---------------------------------------------------------------------------------------------

FIRST = ["Ann", "Ben", "Cara", "Dev", "Ella", "Finn", "Gita", "Hugh", "Isla", "Jon", "Kemi", "Liam"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Patel", "Khan", "Hughes"]
STREETS = ["High Street", "Station Road", "Church Lane", "Mill Road", "Park Avenue", "Dock Road"]
POSTCODES = ["M1 1AE", "L1 8JQ", "SW1A 1AA", "NE1 7RU", "BS1 4DJ", "G1 1XQ", "CF10 1EP", "LS1 4AP"]


def _ucrns(count: int, taken: set[str]) -> list[str]:
    from profiles.ucrn import new_ucrn_candidate

    issued: list[str] = []
    while len(issued) < count:
        candidate = new_ucrn_candidate()
        if candidate not in taken:
            taken.add(candidate)
            issued.append(candidate)
    return issued


def _columns(model: Any) -> list[Any]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _blank(field: Any, now: dt.datetime) -> Any:
    """A column's value when the generator gives none: its default, else its type's blank."""
    from django.db import models

    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        return now
    if field.has_default():
        return field.get_default()
    return None if field.null else ""


def _copy(table_model: Any, table: str, values: list[dict[str, Any]]) -> None:
    """COPY rows (attname -> value) into `table`, shaped like `table_model`'s table."""
    from django.db import connection, models
    from psycopg.types.json import Jsonb

    fields = _columns(table_model)
    now = dt.datetime.now(dt.UTC)
    blanks = {f.attname: _blank(f, now) for f in fields}
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            for row in values:
                copy.write_row([
                    Jsonb(row.get(f.attname, blanks[f.attname])) if f.attname in json_fields
                    else row.get(f.attname, blanks[f.attname])
                    for f in fields
                ])


def load_customers(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """`count` customers with one primary address each, by COPY; their emails and UCRNs."""
    from django.db import connection, transaction

    from profiles.models import Address, Customer

    ucrns = _ucrns(count, set())
    customers = [{
        "ucrn": ucrn, "contact_type_id": "Individual", "first_name": rng.choice(FIRST),
        "last_name": rng.choice(LAST), "email_address": f"existing{n}@example.org",
        "phone_number": f"+4411749{n % 100000:05d}", "preferred_contact_method_id": 3,
        "notification_preference": [3], "birth_date": dt.date(1950, 1, 1) + dt.timedelta(days=n % 18000),
    } for n, ucrn in enumerate(ucrns)]
    with transaction.atomic():
        _copy(Customer, Customer._meta.db_table, customers)
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT "ucrn", "id" FROM "{Customer._meta.db_table}"')
            ids = dict(cursor.fetchall())
        _copy(Address, Address._meta.db_table, [{
            "customer_id": ids[c["ucrn"]], "house": str(n % 200 + 1), "street": rng.choice(STREETS),
            "town": "Bristol", "postcode": rng.choice(POSTCODES), "country_id": 826,
            "start_date": dt.date(2015, 1, 1), "is_primary": True,
        } for n, c in enumerate(customers)])
    return customers


def make_csa() -> Any:
    from tests.factories import UserFactory

    return UserFactory(username="bench-import-csa", role="csa")


def make_rows(count: int, existing: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """About half match an existing customer by email (changed fields, a new address), half are new.
    Values are text, as read from a CSV."""
    matched = rng.sample(existing, min(len(existing), count // 2))
    rows = [{
        "email_address": c["email_address"].upper() if n % 10 == 0 else c["email_address"],
        "last_name": rng.choice(LAST) + "-Moved", "phone_number": f"0117 496 {n % 10000:04d}",
        "custom_1": f"CRM-{n}", "house": str(n % 300 + 1), "street": rng.choice(STREETS),
        "town": "Leeds", "postcode": rng.choice(POSTCODES).lower().replace(" ", ""),
    } for n, c in enumerate(matched)]
    rows += [{
        "contact_type": "Individual", "preferred_contact_method": "3", "first_name": rng.choice(FIRST),
        "last_name": rng.choice(LAST), "email_address": f"new{n}@example.org",
        "phone_number": f"07700 9{n % 100000:05d}", "birth_date": f"19{50 + n % 50}-0{1 + n % 9}-1{n % 9}",
        "custom_1": f"CRM-NEW-{n}", "house": str(n % 300 + 1), "street": rng.choice(STREETS),
        "town": "York", "postcode": rng.choice(POSTCODES),
    } for n in range(count - len(matched))]
    rng.shuffle(rows)
    return rows


# --- the two timings --------------------------------------------------------------------------------


def time_copy(rows: list[dict[str, Any]]) -> float:
    """The floor: the same rows COPYed into a scratch table like the customer table, until committed."""
    from django.db import connection, transaction

    from profiles.models import Customer

    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TABLE "bench_copy_floor" (LIKE "{Customer._meta.db_table}" INCLUDING ALL)')
    ucrns = _ucrns(len(rows), set(Customer.objects.values_list("ucrn", flat=True)))
    started = time.perf_counter()
    with transaction.atomic():
        _copy(Customer, "bench_copy_floor", ({
            "ucrn": ucrn, "contact_type_id": row.get("contact_type", "Individual"),
            "preferred_contact_method_id": int(row.get("preferred_contact_method", 3)),
            "first_name": row.get("first_name", ""), "last_name": row.get("last_name", ""),
            "email_address": row["email_address"], "phone_number": row.get("phone_number", ""),
            "birth_date": row.get("birth_date"), "custom_1": row.get("custom_1", ""),
        } for ucrn, row in zip(ucrns, rows, strict=True)))
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute('DROP TABLE "bench_copy_floor"')
    return seconds


LISTENER = {"seconds": 0.0}  # time spent in the webhooks' listener looking up subscriptions (systems)


def watch_listener() -> None:
    """Time the webhooks listener's subscription look-up (`systems`: one look-up per change record, run by
    the `profile_changed` signal), to say how much of the import it takes. Measures only; changes nothing."""
    try:
        from systems.services import webhooks
    except ImportError:
        return
    lookup = webhooks.subscriptions_for

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return lookup(*args, **kwargs)
        finally:
            LISTENER["seconds"] += time.perf_counter() - started

    webhooks.subscriptions_for = timed


def time_import(rows: list[dict[str, Any]], user: Any) -> tuple[float, dict[str, int]]:
    from profiles.models import Channel
    from profiles.services.imports import import_records

    counts = {"created": 0, "updated": 0, "unchanged": 0, "error": 0}
    LISTENER["seconds"] = 0.0
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        for outcome in import_records(records=rows[start:start + BATCH], matching="email_address", user=user,
                                      channel=Channel.COMMAND):
            counts[outcome.status] += 1
    return time.perf_counter() - started, counts


def check(rows: list[dict[str, Any]], counts: dict[str, int]) -> None:
    """Every row imported, and audited: one change record per created or changed customer."""
    from profiles.models import ChangeRecord

    assert counts["error"] == 0, counts
    assert counts["created"] + counts["updated"] == len(rows), counts
    records = ChangeRecord.objects.filter(channel="command").count()
    assert records == len(rows), f"{records} change records for {len(rows)} rows"


def profile_slice(existing: list[dict[str, Any]], user: Any, rng: random.Random, size: int = 5 * BATCH) -> str:
    """pyinstrument over a fresh slice of rows of the same mix (the timed rows are imported by now)."""
    from pyinstrument import Profiler

    slice_rows = make_rows(size, existing, rng)
    for row in slice_rows:  # new emails, so that the new half creates again
        if "contact_type" in row:
            row["email_address"] = "profiled-" + row["email_address"]
    profiler = Profiler(interval=0.0005)
    profiler.start()
    time_import(slice_rows, user)
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    print(text)
    return text


# --- results ------------------------------------------------------------------------------------------


def write_results(args: argparse.Namespace, customers: int, rows: list[dict[str, Any]], copy_seconds: float,
                  import_seconds: float, counts: dict[str, int], ratio: float, verdict: str, profile_text: str,
                  listener: float) -> None:
    from django.db import connection

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    n = len(rows)
    lines = [
        "## Import with matching by email (scenario 6)",
        "",
        f"{dt.datetime.now().strftime('%Y-%m-%d %H:%M')}, commit {commit or '?'} (plus the working tree), "
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {server}, "
        f"cache: {'Redis' if args.redis else 'the database cache tables'}. "
        f"`.venv/bin/python bench/import_bench.py --rows {n}`.",
        "",
        f"{n:,} rows against {customers:,} existing customers: {counts['updated']:,} matched by email "
        f"(changed fields, a new primary address, the old one end-dated), {counts['created']:,} new (with an "
        "address); batches of 1,000 through `import_records`, with a change record per customer.",
        "",
        "| what | seconds | rows/s | ratio to COPY |",
        "|---|---:|---:|---:|",
        f"| raw `COPY` into a table like the customer table (the floor) | {copy_seconds:.2f} | {n / copy_seconds:,.0f} | 100 % |",
        f"| `import_records`, matching by email | {import_seconds:.2f} | {n / import_seconds:,.0f} | {ratio:.1%} |",
        "",
        f"Target: at least {TARGET:.0%} of COPY's rows/s: **{verdict}**.",
        "",
        f"Of the import's {import_seconds:.1f} s, {listener:.1f} s ({listener / import_seconds:.0%}) went to the webhooks "
        "listener (`systems.services.webhooks.subscriptions_for`: one look-up per change record, no subscription "
        f"configured); without it the import would run at {n / (import_seconds - listener):,.0f} rows/s, "
        f"{n / (import_seconds - listener) / (n / copy_seconds):.1%} of COPY.",
        "",
    ]
    if profile_text:
        lines += ["Where the import's time goes (pyinstrument, 5,000 rows of the same mix):", "", "```",
                  profile_text.strip(), "```", ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    sys.exit(main())
