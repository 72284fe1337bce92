"""The benchmark's database: the tools it needs, the server's environment, the generated customers (reused
when unchanged), the random inputs taken from them, and Django set up in this process."""


from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from typing import Any

import redis

from bench.common import (
    BENCH,
    DB_NAME,
    PG,
    PY,
    ROOT,
    log,
    manage,
)


def ensure_tools() -> None:
    try:
        import gunicorn  # noqa: F401
        import pyinstrument  # noqa: F401
    except ImportError:
        log("installing bench/requirements.txt")
        subprocess.run([PY, "-m", "pip", "install", "--quiet", "-r", str(BENCH / "requirements.txt")], check=True)
    if shutil.which("wrk") is None:
        if os.geteuid() != 0:
            raise SystemExit("bench: wrk is missing; install it (apt-get install wrk) or run as root")
        log("installing wrk")
        subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=300, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, timeout=300, stdout=subprocess.DEVNULL)


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def server_env(secret: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=f"{PG}/{DB_NAME}",
        DEBUG="false",
        SECRET_KEY=secret,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        CONN_MAX_AGE="600",
        # A client calling the API all day has a rate limit to match; the throttle still runs on every call.
        API_USER_RATE="100000000/min",
        API_ANON_RATE="100000000/min",
        PYTHONPATH=str(ROOT),
    )
    if redis_up():
        env.setdefault("REDIS_URL", BENCH_REDIS)
    return env


# The bench's own Redis database, when the environment names none: emptied whenever the bench database is
# loaded afresh, so no profile cached from an earlier load (with an earlier run's PATCHes in it) is served.
BENCH_REDIS = "redis://127.0.0.1:6379/1"


def forget_cached(env: dict[str, str]) -> None:
    """Empty the bench's own Redis database (never one the environment named: that may be someone's)."""
    if env.get("REDIS_URL") != BENCH_REDIS or "REDIS_URL" in os.environ:
        return
    redis.Redis.from_url(BENCH_REDIS, socket_timeout=5).flushdb()
    log(f"emptied the bench's cache ({BENCH_REDIS})")


def schema_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in [*sorted(ROOT.glob("*/migrations/*.py")), BENCH / "datagen.py", BENCH / "vocabulary.py"]:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prepare_database(env: dict[str, str], customers: int) -> dict[str, Any]:
    import psycopg

    from bench import datagen

    fingerprint = schema_fingerprint()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
    if exists:
        with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
            meta = (
                conn.execute("SELECT to_regclass('bench_meta') IS NOT NULL").fetchone()[0]
                and conn.execute("SELECT value FROM bench_meta WHERE key = 'load'").fetchone()
            )
        if meta:
            load = json.loads(meta[0])
            if load.get("customers") == customers and load.get("fingerprint") == fingerprint:
                log(f"reusing the database {DB_NAME}: {customers:,} customers, same migrations and generator")
                manage(env, "migrate", "--noinput", "-v0")
                manage(env, "createcachetable")
                return {**load, "reused": True}
    log(f"creating the database {DB_NAME}")
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    t = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "createcachetable")  # database caches of the settings, if any (as a deployment does)
    log(f"migrated in {time.perf_counter() - t:.1f} s; loading {customers:,} customers with COPY")
    with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
        load = datagen.generate(conn, customers=customers, log=log)
        load["fingerprint"] = fingerprint
        conn.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        conn.execute("INSERT INTO bench_meta VALUES ('load', %s)", [json.dumps(load)])
    log(
        f"loaded {load['customers']:,} customers and {load['addresses']:,} addresses in {load['load_seconds']:.1f} s "
        f"({load['rows_per_second']:,.0f} rows/s)"
    )
    forget_cached(env)
    return {**load, "reused": False}


def pick_inputs(samples: int) -> dict[str, list[str]]:
    """Random search inputs taken from the data itself (so a reused database works too)."""
    import psycopg

    with psycopg.connect(f"{PG}/{DB_NAME}") as conn:
        rows = conn.execute(
            "SELECT c.ucrn, c.last_name, c.email_address, c.phone_number, c.mobile_number, a.postcode,"
            " a.house, a.street, a.town, c.first_name"
            " FROM profiles_customer c TABLESAMPLE BERNOULLI (%s::float8) REPEATABLE (8)"
            " LEFT JOIN profiles_address a ON a.customer_id = c.id AND a.is_primary"
            " LIMIT 20000",
            [min(100.0, 100.0 * 25000 / max(1, conn.execute("SELECT count(*) FROM profiles_customer").fetchone()[0]))],
        ).fetchall()
    ucrns = [r[0] for r in rows]
    surnames = [r[1][:3] for r in rows if len(r[1]) >= 3]
    # Any case: the filter is case-insensitive, and a CSA types it as they hear it.
    emails = [r[2].capitalize() for r in rows if r[2]]
    phones = ["0" + p[3:] for r in rows for p in (r[3] or r[4],) if p]  # as a caller says it: national
    postcodes = [r[5] for r in rows if r[5]]
    outwards = [p.split()[0] for p in postcodes]
    # A surname as it is misheard: one letter changed (`Smith` -> `Smyth`), so the exact name is not typed.
    fuzzy = [misspelt(r[1]) for r in rows if len(r[1]) >= 4]
    addresses = [r for r in rows if r[5] and r[7]]
    # Find by address, as a CSA types it: a postcode run together in lower case, or its outward code ...
    address_postcodes = [r[5].replace(" ", "").lower() if i % 2 else r[5].split()[0] for i, r in enumerate(addresses)]
    # ... or a street: with the house number, with the town, both, or its first letters only.
    shapes = ("{house} {street}", "{street}, {town}", "{house} {street}, {town}", "{start}")
    address_streets = [shapes[i % 4].format(house=r[6], street=r[7], town=r[8], start=r[7][:4])
                       for i, r in enumerate(addresses)]
    # The search box as a CSA types a name: the start of a surname, a first name and the start of a surname,
    # a surname and an initial, in turn.
    people = [(r[9], r[1]) for r in rows if r[9] and len(r[1]) >= 3]
    box_names = [(last[:3], f"{first} {last[:3]}", f"{last} {first[0]}")[i % 3]
                 for i, (first, last) in enumerate(people)]
    return {
        "address_postcodes": address_postcodes,
        "address_streets": address_streets,
        "ucrns": ucrns,
        "surnames": surnames,
        "emails": emails,
        "phones": phones,
        "postcodes": postcodes,
        "outwards": outwards,
        "fuzzy": fuzzy,
        "box_names": box_names,
    }


def misspelt(name: str) -> str:
    """`name` with its first vowel after the first letter made a `y` (or, without one, its last letter
    doubled): `Smith` -> `Smyth`, `Jones` -> `Jynes`."""
    for i, c in enumerate(name[1:], 1):
        if c.lower() in "aeiou":
            return name[:i] + "y" + name[i + 1:]
    return name + name[-1]


def django_setup(env: dict[str, str]) -> None:
    for key in (
        "DJANGO_SETTINGS_MODULE",
        "DATABASE_URL",
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "SECURE_SSL_REDIRECT",
        "CONN_MAX_AGE",
        "API_USER_RATE",
        "API_ANON_RATE",
        "REDIS_URL",
    ):
        if key in env:
            os.environ[key] = env[key]
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
