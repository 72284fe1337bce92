"""The benchmark, one command: `make bench` (1,000,000 customers) or `make bench-quick` (100,000).

    .venv/bin/python bench/run.py [--quick] [--customers N] [--rounds R] [--duration S] [--warmup S]

1. installs what it needs (gunicorn and pyinstrument from bench/requirements.txt into the running
   virtualenv; wrk with apt-get when root and missing);
2. makes the PostgreSQL database `hub_bench` (reused when it already holds the same number of customers
   made by the same migrations and generator, else dropped and recreated), migrates it, loads the
   customers with COPY (bench/datagen.py), ANALYZE;
3. makes a CSA user and API token (manage.py adduser / apitoken) and picks random inputs from the data;
4. times the search queries the FilterSet builds, in the database (p50/p95 over many random inputs);
5. starts gunicorn on a loopback port (2 sync workers, DEBUG off, bench.settings: the hub plus the floor
   view) and drives every scenario with wrk (bench/wrk/scenario.lua) after a warm-up, several rounds,
   the median reported, the floor measured in the same rounds;
6. profiles (pyinstrument, in process) the request types whose target is missed;
7. writes bench/RESULTS.md (bench/RESULTS-quick.md for --quick), and stops everything it started, whatever happens.
"""


from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `bench.*` when run as bench/run.py

from bench.common import BENCH, CSA, DB_NAME, PG, PRESETS, RATIO_TARGETS, ROOT, WORK, git, log, manage
from bench.database import django_setup, ensure_tools, pick_inputs, prepare_database, server_env
from bench.load import (
    Server,
    check_scenario,
    free_port,
    login_cookie,
    run_wrk,
    scenarios,
    settle,
    write_paths,
)
from bench.profiling import profile_requests
from bench.report import machine, targets_table, write_results
from bench.searches import measure_search_db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 customers and short rounds")
    parser.add_argument("--customers", type=int)
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--duration", type=float, help="seconds per scenario per round")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per scenario")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--no-profile", action="store_true", help="skip the pyinstrument profiles")
    parser.add_argument(
        "--output", type=Path,
        help="the results file (default: bench/RESULTS.md for a full run, bench/RESULTS-quick.md for --quick, so a "
             "quick run never overwrites the full run's figures)",
    )
    args = parser.parse_args()
    output = args.output or BENCH / ("RESULTS-quick.md" if args.quick else "RESULTS.md")
    preset = PRESETS["quick" if args.quick else "full"]
    options = {
        "quick": args.quick,
        "customers": args.customers or preset["customers"],
        "rounds": args.rounds or preset["rounds"],
        "duration": args.duration or preset["duration"],
        "warmup": args.warmup if args.warmup is not None else preset["warmup"],
        "connections": args.connections,
    }
    started = time.time()
    WORK.mkdir(exist_ok=True)
    ensure_tools()
    secret = secrets.token_urlsafe(40)
    env = server_env(secret)
    sys.path.insert(0, str(ROOT))
    load = prepare_database(env, options["customers"])

    password = secrets.token_urlsafe(18)
    manage(env, "adduser", CSA, "--role", "csa", "--password", password)
    token = manage(env, "apitoken", CSA).strip().splitlines()[-1].strip()

    django_setup(env)
    from django.conf import settings

    cache_backend = settings.CACHES.get("default", {}).get("BACKEND", "?")
    inputs = pick_inputs(preset["db_samples"])
    log("timing the search queries in the database")
    db = measure_search_db(inputs, preset["db_samples"], preset["db_seconds"])

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server(env, port)

    def on_signal(signum, frame):
        raise SystemExit(f"bench: stopped by signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    http: dict[str, dict[str, Any]] = {}
    record_single = None
    drained = 0.0
    try:
        server.start()
        log(f"gunicorn up at {base}")
        load_before = os.getloadavg()[0]
        cookie = login_cookie(base, password)
        specs = scenarios(inputs, token, cookie)
        for name, spec in specs.items():
            spec["paths_file"] = write_paths(name, spec["paths"])
            problem = check_scenario(base, name, spec)
            if problem:
                log(f"  {name}: not measured, {problem}")
                http[name] = {"skipped": problem.replace("|", "/").replace("\n", " ")}
        live = [n for n in specs if n not in http]
        probe = specs["floor"]["paths"][0]
        for name in live:
            run_wrk(base, specs[name], options["warmup"], options["connections"], f"{name}-warmup")
            drained += settle(base, probe)
        rounds: dict[str, list[dict[str, Any]]] = {n: [] for n in live}
        # The floor measured again right before each scenario with a ratio target: the machine's other load
        # (2 shared cores) moves within a round, and a ratio is only fair between neighbouring measurements.
        paired: dict[str, list[dict[str, Any]]] = {n: [] for n in live if n in RATIO_TARGETS}
        for r in range(options["rounds"]):
            for name in live:
                if name in paired and "floor" in live:
                    paired[name].append(run_wrk(base, specs["floor"], options["duration"] / 2,
                                                options["connections"], f"floor-before-{name}-{r}"))
                rounds[name].append(
                    run_wrk(base, specs[name], options["duration"], options["connections"], f"{name}-{r}")
                )
                drained += settle(base, probe)
            log(f"round {r + 1}/{options['rounds']}: " + ", ".join(f"{n} {rounds[n][-1]['rps']:.0f}" for n in live))
        for name in specs:
            if name in http:
                continue
            ordered = sorted(rounds[name], key=lambda x: x["rps"])
            median = ordered[len(ordered) // 2]
            errors = sum(sum(x["errors"].values()) for x in rounds[name])
            # The ratio to the floor of each round (measured minutes apart at most), then the median: other
            # load on the machine moves both figures of a round together.
            floors = paired.get(name) or rounds.get("floor", [])
            ratios = [x["rps"] / f["rps"] for x, f in zip(rounds[name], floors, strict=False) if f["rps"]]
            http[name] = {
                **median,
                "rounds": [x["rps"] for x in rounds[name]],
                "errors": errors,
                "ratio": statistics.median(ratios) if ratios else None,
            }
        if "page_record" in live:
            record_single = run_wrk(base, specs["page_record"], options["duration"] * 2, 1, "page_record-single")
        load_after = os.getloadavg()[0]
    finally:
        server.stop()
        log("gunicorn stopped")

    ctx: dict[str, Any] = {
        "options": options,
        "load": load,
        "http": http,
        "db": db,
        "record_single": record_single,
        "labels": {n: s["label"] for n, s in specs.items()},
        "machine": machine(),
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "cache": cache_backend + (" (REDIS_URL set)" if "REDIS_URL" in env else ""),
        "profiles": {},
        "loadavg": (load_before, load_after),
        "drained": drained,
        "output": output,
    }
    import psycopg

    with psycopg.connect(f"{PG}/{DB_NAME}") as conn:
        ctx["addresses"] = conn.execute("SELECT count(*) FROM profiles_address").fetchone()[0]
    ctx["targets"], missed = targets_table(ctx)
    if missed and not args.no_profile:
        for name in missed:
            log(f"profiling {name}")
            ctx["profiles"][name] = profile_requests(name, inputs, token, preset["profile_seconds"])
    write_results(ctx)
    log(f"wrote {output} in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
