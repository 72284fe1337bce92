"""Paths, settings and targets of the benchmark, and the small helpers every part uses."""


from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


BENCH = ROOT / "bench"


WORK = BENCH / ".work"


PY = sys.executable


PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


DB_NAME = os.environ.get("BENCH_DB", "hub_bench")


CSA = "bench-csa"


PRESETS = {
    "full": {
        "customers": 1_000_000,
        "warmup": 5,
        "duration": 10,
        "rounds": 3,
        "db_samples": 300,
        "db_seconds": 40,
        "profile_seconds": 15,
    },
    "quick": {
        "customers": 100_000,
        "warmup": 1,
        "duration": 3,
        "rounds": 3,
        "db_samples": 100,
        "db_seconds": 8,
        "profile_seconds": 6,
    },
}


# The targets: ratio of the floor's requests/s, or p95 milliseconds.
RATIO_TARGETS = {"get": 0.50, "patch_fields": 0.25, "patch_address": 0.20, "page_search": 0.15, "page_record": 0.15}


SEARCH_P95_MS = 20.0


FUZZY_P95_MS = 50.0


# The record page alone (1 connection, no queueing) and the search page under the bench's connections.
RECORD_P95_MS = 30.0


SEARCH_PAGE_P95_MS = 150.0


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=1800
    )
    return result.stdout


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""
