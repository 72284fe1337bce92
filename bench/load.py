"""The load test: gunicorn on loopback, the scenarios (paths, headers, bodies) and wrk driving them."""


from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH,
    CSA,
    PY,
    ROOT,
    WORK,
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, env: dict[str, str], port: int):
        self.env, self.port, self.proc = env, port, None

    def start(self) -> None:
        log_file = open(WORK / "gunicorn.log", "w")
        self.proc = subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                "--no-control-socket",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "60",
                "--chdir",
                str(ROOT),
                "hub.wsgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: gunicorn exited; see {WORK / 'gunicorn.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("bench: gunicorn did not start within 60 s")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


def login_cookie(base: str, password: str) -> str:
    from bench.calls import login_cookie as sign_in

    return sign_in(base, CSA, password)


def write_paths(name: str, paths: list[str]) -> Path:
    path = WORK / f"{name}.paths"
    path.write_text("\n".join(paths) + "\n")
    return path


def search_page_inputs(inputs: dict[str, list[str]]) -> list[str]:
    """What the CSA search page's box is given: a surname's first letters, a postcode, a UCRN, an email or a
    phone number, up to a thousand of each."""
    return [
        *inputs["surnames"][:1000],
        *inputs["postcodes"][:1000],
        *inputs["ucrns"][:1000],
        *inputs["emails"][:1000],
        *inputs["phones"][:1000],
    ]


def scenarios(inputs: dict[str, list[str]], token: str, cookie: str) -> dict[str, dict[str, Any]]:
    q = urllib.parse.quote
    ucrns = inputs["ucrns"]
    api = {"BENCH_AUTH": f"Token {token}"}
    page = {"BENCH_COOKIE": cookie}
    mixed = search_page_inputs(inputs)
    return {
        "floor": {
            "label": "floor: bare view, one raw SQL row by UCRN",
            "paths": [f"/bench/floor/{u}/" for u in ucrns],
            "env": {},
        },
        "get": {
            "label": "1. GET /api/v1/profiles/{ucrn}/ (token)",
            "paths": [f"/api/v1/profiles/{u}/" for u in ucrns],
            "env": api,
        },
        "patch_fields": {
            "label": "2. PATCH two fields (first_name, twitter)",
            "paths": [f"/api/v1/profiles/{u}/" for u in ucrns],
            "env": {**api, "BENCH_METHOD": "PATCH", "BENCH_BODY": "fields"},
        },
        "patch_address": {
            "label": "3. PATCH a new primary address",
            "paths": [f"/api/v1/profiles/{u}/" for u in ucrns],
            # Postcodes the data holds (a few dozen customers each, as in life): a handful of fixed ones would
            # put a thousand customers at each, and the record pages of the same customers would then
            # compare every one of them as a possible duplicate (same name and postcode).
            "env": {**api, "BENCH_METHOD": "PATCH", "BENCH_BODY": "address",
                    "BENCH_POSTCODES": str(write_paths("address-postcodes", inputs["postcodes"]))},
        },
        "search_surname": {
            "label": "4a. API search: surname prefix",
            "paths": [f"/api/v1/profiles/?last_name={q(v)}" for v in inputs["surnames"]],
            "env": api,
        },
        "search_postcode": {
            "label": "4b. API search: postcode",
            "paths": [f"/api/v1/profiles/?postcode={q(v)}" for v in inputs["postcodes"]],
            "env": api,
        },
        "search_email": {
            "label": "4c. API search: email",
            "paths": [f"/api/v1/profiles/?email_address={q(v)}" for v in inputs["emails"]],
            "env": api,
        },
        "search_phone": {
            "label": "4d. API search: phone",
            "paths": [f"/api/v1/profiles/?phone_number={q(v)}" for v in inputs["phones"]],
            "env": api,
        },
        "search_ucrn": {
            "label": "4e. API search: UCRN",
            "paths": [f"/api/v1/profiles/?search={u}" for u in ucrns],
            "env": api,
        },
        "search_fuzzy": {
            "label": "4f. API search: fuzzy name (`Smyth` finds `Smith`)",
            "paths": [f"/api/v1/profiles/?name={q(v)}" for v in inputs["fuzzy"]],
            "env": api,
        },
        "page_search": {
            "label": "5a. CSA search page /hub/customers/?q= (mixed inputs)",
            "paths": [f"/hub/customers/?q={q(v)}" for v in mixed],
            "env": page,
        },
        "page_record": {
            "label": "5b. CSA customer record page /hub/customers/{ucrn}/",
            "paths": [f"/hub/customers/{u}/" for u in ucrns],
            "env": page,
        },
    }


def check_scenario(base: str, name: str, spec: dict[str, Any]) -> str | None:
    """One request as wrk will send it: None if it answers 200, else why not."""
    from bench.calls import request

    headers = {}
    if "BENCH_AUTH" in spec["env"]:
        headers["Authorization"] = spec["env"]["BENCH_AUTH"]
    if "BENCH_COOKIE" in spec["env"]:
        headers["Cookie"] = spec["env"]["BENCH_COOKIE"]
    body = None
    if spec["env"].get("BENCH_BODY") == "fields":
        body = {"first_name": "Alex", "twitter": "bench_check"}
    elif spec["env"].get("BENCH_BODY") == "address":
        body = {
            "house": "1",
            "street": "Check Street",
            "postcode": "M1 1AE",
            "update_primary_address": 0,
            "address_is_primary": 1,
        }
    answer = request(spec["env"].get("BENCH_METHOD", "GET"), base + spec["paths"][0], headers=headers,
                     json_body=body, timeout=30)
    if answer.status != 200:
        return f"{answer.status}: {answer.text[:200]}"
    return None


def settle(base: str, probe: str, limit: float = 90.0) -> float:
    """Wait until the server answers the floor quickly again; the seconds waited.

    wrk stops after its time, but requests it gave up on (slow searches) still sit in the listen backlog and
    keep the 2 sync workers busy: without this, the next scenario would be measured against that queue."""
    from bench.calls import request

    start = time.perf_counter()
    quick = 0
    while quick < 2 and time.perf_counter() - start < limit:
        t = time.perf_counter()
        try:
            request("GET", base + probe, timeout=limit)
            quick = quick + 1 if time.perf_counter() - t < 0.1 else 0
        except OSError:
            quick = 0
        if quick < 2:
            time.sleep(0.05)
    return time.perf_counter() - start


def run_wrk(base: str, spec: dict[str, Any], seconds: float, connections: int, tag: str) -> dict[str, Any]:
    out = WORK / f"wrk-{tag}.json"
    out.unlink(missing_ok=True)
    env = dict(os.environ, BENCH_PATHS=str(spec["paths_file"]), BENCH_OUT=str(out), **spec["env"])
    subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(BENCH / "wrk" / "scenario.lua"),
            base,
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=seconds + 60,
    )
    return json.loads(out.read_text())
