"""Generate N customers with 1 to 4 addresses each and load them with PostgreSQL COPY.

Rows are made in Python from the fixed lists of `bench.vocabulary` (seeded, so a run is repeatable) and
streamed with psycopg 3's `cursor.copy()` in text format. The values are what the hub itself stores:
UCRNs of 9 digits with a Damm check digit, normalised UK postcodes (`M1 1AE`), phones in E.164,
lower-case unique emails, one primary address per customer (the newest), the older ones ended the day
the next one started.

Columns the generator does not know (added by later migrations) are filled with their type's blank when
they are NOT NULL, so the loader keeps working as the schema grows.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import time
from collections.abc import Iterator

import psycopg
from stdnum import damm

from bench.vocabulary import (
    EMAIL_DOMAINS,
    FIRST_NAMES,
    INWARD_LETTERS,
    LANDLINE_PREFIXES,
    ORGANISATIONS,
    OUTWARD,
    STREETS,
    SURNAMES,
)

# The search tables that triggers keep (profiles migration 0012), filled after COPY by the migration's own
# statements: the loader bypasses the triggers.
SEARCH_TABLES = ["profiles_search_key", "profiles_customer_name", "profiles_search_name"]
SEARCH_FILL = importlib.import_module("profiles.migrations.0014_search_keys").FILL


def ucrns(rng: random.Random, count: int) -> list[str]:
    """`count` distinct UCRNs: 8 random digits (no leading zero) and the Damm check digit, as the hub's own
    (`profiles.ucrn`) issues them."""
    bodies = rng.sample(range(10**7, 10**8), count)
    return [f"{b}{damm.calc_check_digit(str(b))}" for b in bodies]


def _postcodes(rng: random.Random) -> list[tuple[str, str]]:
    """(postcode, post town) pairs: every outward code with 10 sectors of 60 units each."""
    result = []
    for town, outwards in OUTWARD.items():
        for outward in outwards:
            for sector in range(10):
                for _ in range(60):
                    result.append((f"{outward} {sector}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}", town))
    return result


# --- Loading -----------------------------------------------------------------------------------------


def _columns(conn: psycopg.Connection, table: str) -> list[tuple[str, str, bool, bool]]:
    return conn.execute(
        "SELECT column_name, data_type, is_nullable = 'YES', (column_default IS NOT NULL OR is_identity = 'YES')"
        " FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    ).fetchall()


BLANK_BY_TYPE = {
    "character varying": "",
    "text": "",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
    "boolean": "f",
    "jsonb": "[]",
    "json": "[]",
    "date": "2020-01-01",
    "timestamp with time zone": "2020-01-01 00:00:00+00",
    "numeric": "0",
}


def _copy_plan(conn: psycopg.Connection, table: str, given: list[str]) -> tuple[list[str], str]:
    """The COPY column list (the given columns, then any other NOT NULL column without a default) and the
    constant tail of each row for the latter."""
    extra, tail = [], []
    for name, data_type, nullable, has_default in _columns(conn, table):
        if name in given or nullable or has_default:
            continue
        if data_type not in BLANK_BY_TYPE:
            raise SystemExit(f"bench: {table}.{name} ({data_type}) is NOT NULL and the generator has no blank for it")
        extra.append(name)
        tail.append(BLANK_BY_TYPE[data_type])
    return given + extra, ("\t" + "\t".join(tail)) if tail else ""


CUSTOMER_COLUMNS = [
    "id",
    "ucrn",
    "contact_type_id",
    "prefix_id",
    "first_name",
    "last_name",
    "organisation_name",
    "birth_date",
    "status_id",
    "location_id",
    "email_address",
    "phone_number",
    "mobile_number",
    "preferred_contact_method_id",
    "notification_preference",
    "version",
    "created_at",
    "updated_at",
]
ADDRESS_COLUMNS = [
    "id",
    "customer_id",
    "house",
    "street",
    "town",
    "post_town",
    "postcode",
    "uprn",
    "country_id",
    "start_date",
    "end_date",
    "is_primary",
    "created_at",
]


def generate(conn: psycopg.Connection, *, customers: int, seed: int = 8, log=print) -> dict[str, float]:
    """Load `customers` customers and their addresses into empty tables; returns timings and counts."""
    rng = random.Random(seed)
    surnames = list(SURNAMES)
    weights = list(SURNAMES.values())
    postcodes = _postcodes(rng)
    today = dt.date.today()
    now = "2025-01-01 09:00:00+00"
    titles = {row[0]: row[1] for row in conn.execute("SELECT name, id FROM profiles_title")}
    male_titles = [titles[t] for t in ("Mr", "Dr") if t in titles]
    female_titles = [titles[t] for t in ("Mrs", "Ms", "Miss", "Dr") if t in titles]

    customer_cols, customer_tail = _copy_plan(conn, "profiles_customer", CUSTOMER_COLUMNS)
    address_cols, address_tail = _copy_plan(conn, "profiles_address", ADDRESS_COLUMNS)

    t0 = time.perf_counter()
    numbers = ucrns(rng, customers)
    last_names = rng.choices(surnames, weights=weights, k=customers)
    counts = {"customers": customers, "addresses": 0}

    def customer_rows() -> Iterator[str]:
        for i in range(customers):
            cid = i + 1
            first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
            if rng.random() < 0.03:
                org = f"{rng.choice(STREETS).split()[0]} {rng.choice(ORGANISATIONS)}"
                contact_type, prefix, first, last = "Organization", r"\N", "", ""
                email = f"info{cid}@{rng.choice(EMAIL_DOMAINS)}"
            else:
                org, contact_type, last = "", "Individual", last_names[i]
                pool = male_titles if FIRST_NAMES.index(first) < 50 else female_titles
                prefix = str(rng.choice(pool)) if rng.random() < 0.8 else r"\N"
                local = f"{first}.{last}".lower().replace("'", "")
                email = f"{local}{cid}@{rng.choice(EMAIL_DOMAINS)}" if rng.random() < 0.95 else ""
            birth = (today - dt.timedelta(days=rng.randrange(18 * 365, 95 * 365))).isoformat()
            phone = f"{rng.choice(LANDLINE_PREFIXES)}{rng.randrange(10**6, 10**7)}" if rng.random() < 0.8 else ""
            if phone.startswith("+4420") or phone.startswith("+4429"):
                phone += str(rng.randrange(10))  # 10-digit national numbers there
            mobile = f"+447{rng.randrange(10**8, 10**9)}" if rng.random() < 0.7 else ""
            method = rng.randrange(1, 5)
            yield (
                f"{cid}\t{numbers[i]}\t{contact_type}\t{prefix}\t{first}\t{last}\t{org}\t{birth}\tActive\t1\t"
                f"{email}\t{phone}\t{mobile}\t{method}\t[{method}]\t1\t{now}\t{now}{customer_tail}\n"
            )

    def address_rows() -> Iterator[str]:
        aid = 0
        for i in range(customers):
            cid = i + 1
            n = rng.choice((1, 1, 1, 2, 2, 3, 4))
            start = today - dt.timedelta(days=rng.randrange(30, 40 * 365))
            starts = sorted(start + dt.timedelta(days=rng.randrange(0, (today - start).days + 1)) for _ in range(n - 1))
            starts = [start, *starts]
            for k in range(n):
                aid += 1
                postcode, town = postcodes[rng.randrange(len(postcodes))]
                primary = k == n - 1
                end = r"\N" if primary else starts[k + 1].isoformat()
                uprn = str(10**10 + aid * 7 + rng.randrange(7))
                yield (
                    f"{aid}\t{cid}\t{rng.randrange(1, 200)}\t{rng.choice(STREETS)}\t{town}\t{town.upper()}\t"
                    f"{postcode}\t{uprn}\t826\t{starts[k].isoformat()}\t{end}\t{'t' if primary else 'f'}\t{now}"
                    f"{address_tail}\n"
                )
        counts["addresses"] = aid

    with conn.transaction():
        # The rows are consistent by construction: skip the per-row FK triggers (superuser only).
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("SET LOCAL synchronous_commit = off")
        dropped = _drop_secondary_indexes(conn, ["profiles_customer", "profiles_address", *SEARCH_TABLES])
        for table, cols, rows in (
            ("profiles_customer", customer_cols, customer_rows()),
            ("profiles_address", address_cols, address_rows()),
        ):
            t = time.perf_counter()
            with conn.cursor().copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                batch: list[str] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) >= 5000:
                        copy.write("".join(batch))
                        batch.clear()
                if batch:
                    copy.write("".join(batch))
            log(f"  COPY {table}: {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        # The search keys and names the triggers keep (skipped by COPY here): the migration's own fill.
        for statement in SEARCH_FILL:
            conn.execute(statement)
        log(f"  search keys and names filled: {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for statement in dropped:
            conn.execute(statement)
        log(f"  indexes rebuilt: {time.perf_counter() - t:.1f} s")
        for table in ("profiles_customer", "profiles_address"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    load_seconds = time.perf_counter() - t0
    t = time.perf_counter()
    # VACUUM as well, as autovacuum does on a live database: the visibility map lets counts (a search's
    # `count`) be answered from the indexes alone.
    conn.execute("VACUUM ANALYZE")
    log(f"  VACUUM ANALYZE: {time.perf_counter() - t:.1f} s")
    return {
        **counts,
        "load_seconds": load_seconds,
        "rows_per_second": (counts["customers"] + counts["addresses"]) / load_seconds,
    }


def _drop_secondary_indexes(conn: psycopg.Connection, tables: list[str]) -> list[str]:
    """Drop the indexes that back no constraint (rebuilt after COPY, much faster); their CREATE statements."""
    rows = conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " WHERE i.indrelid = ANY(%s::regclass[])"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [tables],
    ).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in rows]
