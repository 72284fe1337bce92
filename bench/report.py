"""The results file: machine, figures, targets met or missed, profiles, and bench/NOTES.md."""

# ruff: noqa: E501 - the Markdown rows of the results file read best unbroken
from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH,
    DB_NAME,
    FUZZY_P95_MS,
    PG,
    RATIO_TARGETS,
    RECORD_P95_MS,
    SEARCH_P95_MS,
    SEARCH_PAGE_P95_MS,
)


def machine() -> dict[str, str]:
    import psycopg

    with psycopg.connect(f"{PG}/{DB_NAME}") as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[:1]
    import django
    import gunicorn

    return {
        "cpus": f"{os.cpu_count()} ({cpu})",
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "postgresql": pg_version,
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": wrk[0] if wrk else "?",
    }


def fmt_ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def write_results(ctx: dict[str, Any]) -> None:
    o = ctx["options"]
    m = ctx["machine"]
    lines: list[str] = []
    add = lines.append
    kind = "quick run (`make bench-quick`)" if o["quick"] else "full run (`make bench`)"
    add("# Benchmark results")
    add("")
    add(
        f"**{kind}**: {ctx['load']['customers']:,} customers, {ctx['addresses']:,} address records. "
        f"Written by `bench/run.py` on {ctx['date']}."
    )
    if o["quick"] and ctx["load"]["customers"] < 1_000_000:
        add(
            "The targets are set at 1,000,000 customers: this quick run at "
            f"{ctx['load']['customers']:,} shows the shape; the search and record-page times at a million come from "
            "a full `make bench`."
        )
    add("")
    add("| | |")
    add("|---|---|")
    add(f"| commit | `{ctx['commit']}`{' (with uncommitted changes in the working tree)' if ctx['dirty'] else ''} |")
    for key in ("cpus", "memory", "postgresql", "python", "django", "gunicorn", "wrk"):
        add(f"| {key} | {m[key]} |")
    add(
        "| server | gunicorn, 2 sync workers, `--no-control-socket`, DEBUG off, `bench.settings` (the hub's settings plus the floor URL; "
        "plain HTTP on 127.0.0.1), CONN_MAX_AGE 600, API throttle rate raised so it never refuses (the throttle still runs) |"
    )
    add(f"| cache | {ctx['cache']} |")
    add(
        f"| machine load | 1-minute load average {ctx['loadavg'][0]:.1f} before and {ctx['loadavg'][1]:.1f} after the load test "
        "(2 cores: above about 2.5, other processes were taking CPU from the benchmark) |"
    )
    add(
        f"| load | wrk, 1 thread, {o['connections']} connections, on the same 2 cores as the server; {o['warmup']} s warm-up per scenario, "
        f"then {o['rounds']} rounds of {o['duration']} s of every scenario in turn; the **median** round is reported; after each scenario the bench waits until the floor answers in under 100 ms again (requests wrk gave up on still occupy the workers): {ctx['drained']:.0f} s of such waiting in this run |"
    )
    load = ctx["load"]
    if load.get("reused"):
        add(
            f"| data | reused database `{DB_NAME}` (loaded earlier with COPY: {load['rows_per_second']:,.0f} rows/s); "
            "earlier PATCH runs have added address records |"
        )
    else:
        add(
            f"| data | generated and loaded with COPY in {load['load_seconds']:.1f} s ({load['rows_per_second']:,.0f} rows/s, "
            "indexes rebuilt after the load), then ANALYZE |"
        )
    add("")
    add(
        "wrk and the server share the machine's cores: absolute figures move from machine to machine and run to run; "
        "the **ratio to the floor**, measured in the same rounds on the same server, is the figure to compare."
    )
    add("")
    add("## Requests")
    add("")
    add(
        "Requests/s and latencies: the median round. Ratio to the floor: the median of the rounds' ratios; for the "
        "scenarios with a ratio target (GET, the two PATCHes, the CSA search page) each round's ratio is to a floor measured right "
        "before that scenario (half as long), for the others to the round's floor row (other load on the 2 shared "
        "cores moves within a round, so only neighbouring measurements compare fairly)."
    )
    add("")
    add("| scenario | requests/s | p50 ms | p95 ms | p99 ms | ratio to floor | rounds (req/s) | errors |")
    add("|---|---:|---:|---:|---:|---:|---|---:|")
    for name, result in ctx["http"].items():
        label = ctx["labels"][name]
        if "skipped" in result:
            add(f"| {label} | not measured: {result['skipped']} | | | | | | |")
            continue
        ratio = f"{100 * result['ratio']:.0f} %" if result.get("ratio") is not None else "?"
        add(
            f"| {label} | {result['rps']:,.0f} | {fmt_ms(result['p50_us'])} | {fmt_ms(result['p95_us'])} | {fmt_ms(result['p99_us'])} | "
            f"{ratio} | {', '.join(f'{r:,.0f}' for r in result['rounds'])} | {result['errors']} |"
        )
    add("| 6. import with matching by email | rows/s against a raw COPY: `make bench-import`, in [results/import.md](results/import.md) (run after this by `make bench`) | | | | | | |")
    if ctx.get("record_single"):
        r = ctx["record_single"]
        add("")
        add(
            f"The record page alone (wrk with **1 connection**, so no queueing behind other requests): "
            f"{r['rps']:,.0f} requests/s, p50 {fmt_ms(r['p50_us'])} ms, p95 {fmt_ms(r['p95_us'])} ms, p99 {fmt_ms(r['p99_us'])} ms. "
            f"With {o['connections']} connections on 2 workers every request also waits for another: the latency columns above include that wait."
        )
    add("")
    add("## Database time of the searches")
    add("")
    add(
        "Each search as the API runs it (the FilterSet's queryset: count, one page of 25, the page's primary addresses), "
        "every query's execute time summed, over random inputs taken from the data (the samples column), on one connection, before the load test. "
        "Find by address runs its selector as the API does (one query: up to 21 addresses with their counts; matches: addresses listed)."
    )
    add("")
    add("| search | samples | p50 ms | p95 ms | max ms | queries | matches (median / max) |")
    add("|---|---:|---:|---:|---:|---:|---|")
    for r in ctx["db"]["kinds"].values():
        add(
            f"| {r['label']} | {r['samples']} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {r['max_ms']:.2f} | {r['queries']:.0f} | "
            f"{r['matches_median']:,.0f} / {r['matches_max']:,} |"
        )
    add("")
    add("## Targets")
    add("")
    add("| target | measured | verdict |")
    add("|---|---|---|")
    for row in ctx["targets"]:
        add(f"| {row[0]} | {row[1]} | {row[2]} |")
    if ctx["profiles"]:
        add("")
        add("## Where the time goes (profiles of the missed targets)")
        add("")
        add(
            "pyinstrument over requests of one kind through Django's whole stack in one process (the test Client, "
            "no network, same database), after ten warm-up requests. Each frame's own time is given to the innermost "
            "frame of a known area."
        )
        for name, p in ctx["profiles"].items():
            add("")
            add(f"### {ctx['labels'][name]}")
            add("")
            add(
                f"{p['ms_per_request']:.2f} ms per request in process under the profiler ({p['requests']} requests), "
                f"{p['queries']} SQL queries per request."
            )
            add("")
            add("| area | share of the time |")
            add("|---|---:|")
            for area, share in p["areas"]:
                if share >= 0.5:
                    add(f"| {area} | {share:.0f} % |")
            add("")
            add("<details><summary>the queries of one request, and the top of the call tree</summary>")
            add("")
            add("```")
            for sql in p["query_sql"]:
                add(sql)
            add("")
            add(p["tree"])
            add("```")
            add("</details>")
    notes = BENCH / "NOTES.md"
    if notes.exists():
        add("")
        add(notes.read_text().strip())
    for kind_name, plan in ctx["db"].get("plans", {}).items():
        add("")
        add(f"## Search over its target: {ctx['db']['kinds'][kind_name]['label']}")
        add("")
        add("EXPLAIN ANALYZE of the slowest query of the slowest input (run again after the timing):")
        add("")
        add("```")
        add(plan)
        add("```")
    add("")
    add("## How to run")
    add("")
    add("```sh")
    add("make bench-quick   # 100,000 customers, short rounds: under 5 minutes")
    add("make bench         # 1,000,000 customers (the database is reused by later runs)")
    add(".venv/bin/python bench/run.py --customers 300000 --rounds 5 --duration 10   # any size")
    add("```")
    ctx["output"].write_text("\n".join(lines) + "\n")


def search_name(label: str) -> str:
    """`search surname prefix`, `search box, a name`: a search's label without its example."""
    name = label.split(" (")[0]
    return name if name.startswith("search") else f"search {name}"


def targets_table(ctx: dict[str, Any]) -> tuple[list[tuple[str, str, str]], list[str]]:
    rows, missed = [], []
    floor_rps = ctx["http"].get("floor", {}).get("rps")
    names = {"get": "GET profile", "patch_fields": "PATCH two fields", "patch_address": "PATCH new address",
             "page_search": "CSA search page", "page_record": "CSA record page"}
    for name, target in RATIO_TARGETS.items():
        result = ctx["http"].get(name, {})
        if not floor_rps or result.get("ratio") is None:
            rows.append((f"{names[name]}: at least {target:.0%} of the floor", "not measured", "?"))
            continue
        ratio = result["ratio"]
        if ratio >= target:
            verdict = f"**met** (by {100 * (ratio - target):.0f} points)"
        else:
            verdict = f"**missed** by {100 * (target - ratio):.0f} points (needs {target / ratio:.1f}x the requests/s)"
            missed.append(name)
        rows.append(
            (
                f"{names[name]}: at least {target:.0%} of the floor",
                f"{ratio:.0%} (median round: {result['rps']:,.0f} vs {floor_rps:,.0f} req/s)",
                verdict,
            )
        )
    scale = "" if ctx["load"]["customers"] >= 1_000_000 else f" (at {ctx['load']['customers']:,}, not 1M)"
    for kind_name in ("surname", "postcode", "email", "phone", "ucrn", "outward", "box_outward", "box_name",
                      "address_postcode", "address_street"):
        r = ctx["db"]["kinds"].get(kind_name)
        if r is None:
            continue
        ok = r["p95_ms"] <= SEARCH_P95_MS
        verdict = f"**met**{scale}" if ok else f"**missed** by {r['p95_ms'] - SEARCH_P95_MS:.1f} ms{scale}"
        rows.append(
            (
                f"{search_name(r['label'])}: database p95 at most {SEARCH_P95_MS:.0f} ms",
                f"p95 {r['p95_ms']:.2f} ms",
                verdict,
            )
        )
    fuzzy = ctx["db"]["kinds"].get("fuzzy")
    if fuzzy is None:
        rows.append((f"fuzzy name search: p95 at most {FUZZY_P95_MS:.0f} ms", "not measured", "?"))
    else:
        ok = fuzzy["p95_ms"] <= FUZZY_P95_MS
        verdict = f"**met**{scale}" if ok else f"**missed** by {fuzzy['p95_ms'] - FUZZY_P95_MS:.1f} ms{scale}"
        rows.append((f"fuzzy name search: database p95 at most {FUZZY_P95_MS:.0f} ms", f"p95 {fuzzy['p95_ms']:.2f} ms", verdict))
    page = ctx["http"].get("page_search", {})
    if page.get("p95_us") is not None:
        p95 = page["p95_us"] / 1000
        ok = p95 <= SEARCH_PAGE_P95_MS
        verdict = f"**met**{scale}" if ok else f"**missed** by {p95 - SEARCH_PAGE_P95_MS:.1f} ms{scale}"
        if not ok and "page_search" not in missed:
            missed.append("page_search")
        rows.append((f"CSA search page: p95 at most {SEARCH_PAGE_P95_MS:.0f} ms under "
                     f"{ctx['options']['connections']} connections", f"p95 {p95:.1f} ms (median round)", verdict))
    single = ctx.get("record_single")
    if single:
        p95 = single["p95_us"] / 1000
        ok = p95 <= RECORD_P95_MS
        verdict = f"**met**{scale}" if ok else f"**missed** by {p95 - RECORD_P95_MS:.1f} ms{scale}"
        if not ok and "page_record" not in missed:
            missed.append("page_record")
        rows.append(
            (f"CSA record page: p95 at most {RECORD_P95_MS:.0f} ms", f"p95 {p95:.1f} ms (1 connection)", verdict)
        )
    rows.append(
        (
            "import with matching: at least 10 % of raw COPY's rows/s",
            "measured by `bench/import_bench.py`: [results/import.md](results/import.md)",
            "see that file (`make bench` runs it right after this)",
        )
    )
    return rows, missed
