"""pyinstrument profiles of the request types whose targets are missed, through Django's whole stack."""


from __future__ import annotations

import random
import secrets
import time
from typing import Any

from bench.common import (
    CSA,
)
from bench.load import search_page_inputs

AREAS = [
    # (area, path fragment): a frame's self time goes to the innermost frame of a known area
    ("PostgreSQL round trips (psycopg)", "/psycopg/"),
    ("ORM: SQL compiling, model instances", "/django/db/"),
    ("templates", "/django/template/"),
    ("DRF: request, auth, throttles, rendering", "/rest_framework/"),
    ("django-filter", "/django_filters/"),
    ("phone parsing (phonenumbers)", "/phonenumbers/"),
    ("sessions, auth, middleware, handler", "/django/"),
    ("hub code (profiles/, hub/, integrations/)", "/work/"),
]


def _area(path: str | None) -> str | None:
    if not path:
        return None
    for area, fragment in AREAS:
        if fragment in path:
            if fragment == "/work/" and ("/.venv/" in path or "site-packages" in path):
                continue
            return area
    return None


def profile_requests(kind: str, inputs: dict[str, list[str]], token: str, seconds: float) -> dict[str, Any]:
    """pyinstrument over `seconds` of requests of one kind through Django's full stack (test Client)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler

    client = Client(HTTP_HOST="127.0.0.1")
    # Values this run has never written, so that every PATCH changes something, on a reused database too.
    run = secrets.token_hex(3)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    if kind.startswith("page_"):
        client.force_login(get_user_model().objects.get(username=CSA))
    ucrns = inputs["ucrns"]
    searches = search_page_inputs(inputs)
    random.Random(8).shuffle(searches)  # the inputs' kinds in turn, as wrk's random paths mix them

    def one(i: int):
        ucrn = ucrns[i % len(ucrns)]
        if kind == "page_search":
            return client.get("/hub/customers/", {"q": searches[i % len(searches)]})
        if kind == "get":
            return client.get(f"/api/v1/profiles/{ucrn}/", **headers)
        if kind == "patch_fields":
            return client.patch(
                f"/api/v1/profiles/{ucrn}/",
                {"first_name": "Alex", "twitter": f"p{run}_{i}"},
                content_type="application/json",
                **headers,
            )
        if kind == "patch_address":
            return client.patch(
                f"/api/v1/profiles/{ucrn}/",
                {
                    "house": f"{run}-{i}",
                    "street": "Profile Street",
                    "postcode": "M1 1AE",
                    "update_primary_address": 0,
                    "address_is_primary": 1,
                },
                content_type="application/json",
                **headers,
            )
        return client.get(f"/hub/customers/{ucrn}/")

    for i in range(10):
        one(i)
    queries: list[str] = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        answer = one(10)
    assert answer.status_code == 200, (kind, answer.status_code)
    profiler = Profiler(interval=0.001)
    profiler.start()
    start = time.perf_counter()
    count = 0
    while time.perf_counter() - start < seconds:
        one(11 + count)
        count += 1
    elapsed = time.perf_counter() - start
    profiler.stop()
    root = profiler.last_session.root_frame()
    areas: dict[str, float] = {}

    def walk(frame, area):
        area = _area(frame.file_path) or area
        own = frame.time - sum(child.time for child in frame.children)
        areas[area or "other (Python, WSGI)"] = areas.get(area or "other (Python, WSGI)", 0.0) + max(0.0, own)
        for child in frame.children:
            walk(child, area)

    walk(root, None)
    total = sum(areas.values()) or 1.0
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    return {
        "ms_per_request": 1000 * elapsed / count,
        "requests": count,
        "queries": len(queries),
        "query_sql": [sql[:160] for sql in queries],
        "areas": sorted(((a, 100 * t / total) for a, t in areas.items()), key=lambda x: -x[1]),
        "tree": "\n".join(text.splitlines()[:70]),
    }
