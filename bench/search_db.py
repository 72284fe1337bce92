"""The database part of the benchmark alone: make (or reuse) the database, pick inputs, time the searches.

    BENCH_DB=hub_bench_mine .venv/bin/python bench/search_db.py [--customers N] [--samples S] [--seconds T]

Prints each search's p50/p95 and the plans of those over their target; no server, no load test.
"""


from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `bench.*` when run as bench/search_db.py

from bench.common import CSA, PRESETS, log, manage
from bench.database import django_setup, pick_inputs, prepare_database, server_env
from bench.searches import measure_search_db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=PRESETS["full"]["customers"])
    parser.add_argument("--samples", type=int, default=PRESETS["full"]["db_samples"])
    parser.add_argument("--seconds", type=float, default=PRESETS["full"]["db_seconds"])
    args = parser.parse_args()
    env = server_env(secrets.token_urlsafe(40))
    prepare_database(env, args.customers)
    manage(env, "adduser", CSA, "--role", "csa", "--password", secrets.token_urlsafe(18))
    django_setup(env)
    db = measure_search_db(pick_inputs(args.samples), args.samples, args.seconds)
    for kind, row in db["kinds"].items():
        target = f"{row['target_ms']:.0f}" if row["target_ms"] else "-"
        log(f"{kind:12} p50 {row['p50_ms']:8.2f}  p95 {row['p95_ms']:8.2f}  max {row['max_ms']:8.2f}  target {target}"
            f"  queries {row['queries']}  matches {row['matches_median']:,}/{row['matches_max']:,}")
    for kind, plan in db["plans"].items():
        print(f"\n## {kind}\n{plan}")


if __name__ == "__main__":
    main()
