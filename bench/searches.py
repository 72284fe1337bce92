"""Database time of each search as the API runs it (the FilterSet's queryset, or the address search's
selector), and the plans of the slow ones."""


from __future__ import annotations

import statistics
import time
from typing import Any

from bench.common import (
    CSA,
    FUZZY_P95_MS,
    SEARCH_P95_MS,
    log,
)

SEARCH_KINDS = {
    # name: (label, API query parameter, inputs key, target p95 ms or None for an informational row)
    "surname": ("surname prefix (`last_name=Smi`)", "last_name", "surnames", SEARCH_P95_MS),
    "postcode": ("postcode (`postcode=M1 1AE`)", "postcode", "postcodes", SEARCH_P95_MS),
    "email": ("email (`email_address=`, any case)", "email_address", "emails", SEARCH_P95_MS),
    "phone": ("phone (`phone_number=0161...`)", "phone_number", "phones", SEARCH_P95_MS),
    "ucrn": ("UCRN (`search=UCRN`)", "search", "ucrns", SEARCH_P95_MS),
    "outward": ("outward code (`postcode=M1`)", "postcode", "outwards", SEARCH_P95_MS),
    "box_outward": ("search box, an outward code (`search=M1`)", "search", "outwards", SEARCH_P95_MS),
    "box_name": ("search box, a name (`search=Smi`, `John Smi`, `Smith J`)", "search", "box_names", SEARCH_P95_MS),
    "fuzzy": ("fuzzy name (`name=Smyth`)", "name", "fuzzy", FUZZY_P95_MS),
    # Find by address (`GET /api/v1/addresses/?search=`): `profiles.selectors.address_search`, not the FilterSet.
    "address_postcode": ("find by address, a postcode (`search=m11ae`, `search=M1`)", "address", "address_postcodes",
                         SEARCH_P95_MS),
    "address_street": ("find by address, a street (`search=12 High Street, Manchester`)", "address",
                       "address_streets", SEARCH_P95_MS),
}
# The kinds `measure_search_db` runs through the address search's selector (its `param` is "address").
ADDRESS_PARAM = "address"


def measure_search_db(inputs: dict[str, list[str]], samples: int, budget: float) -> dict[str, Any]:
    """Database time of each search as the API runs it: the FilterSet's queryset, counted (capped at
    `SEARCH_COUNT_CAP`) and one page read (count, page, primary addresses), every query's execute time
    summed per search; at most
    `samples` inputs of each kind, and no more than `budget` seconds of each kind."""
    import random

    from django.contrib.auth import get_user_model
    from django.db import connection

    from core.pagination import CappedPaginator
    from profiles.filters import CustomerFilterSet
    from profiles.selectors import profile_search
    from profiles.selectors.address_search import LIMIT_DEFAULT, address_suggestions

    user = get_user_model().objects.get(username=CSA)
    rng = random.Random(8)
    spent: list[float] = []
    executed: list[tuple[float, str, Any]] = []

    def timer(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - start)
            executed.append((spent[-1], sql, params))

    results: dict[str, Any] = {}
    slowest: dict[str, tuple[str, Any]] = {}
    with connection.execute_wrapper(timer):
        for kind, (label, param, key, target) in SEARCH_KINDS.items():
            values = inputs[key]
            if not values:
                continue
            chosen = [rng.choice(values) for _ in range(samples)]
            per_search, matches, queries = [], [], []
            worst: tuple[float, tuple[str, Any] | None] = (0.0, None)
            deadline = time.perf_counter() + budget
            for i, value in enumerate(chosen):
                if time.perf_counter() > deadline and len(per_search) >= 10:
                    break
                if param == ADDRESS_PARAM:  # as the API asks: one more than the limit, to say if there are more
                    spent.clear()
                    executed.clear()
                    count = len(address_suggestions(text=value, user=user, limit=LIMIT_DEFAULT + 1))
                else:
                    filterset = CustomerFilterSet({param: value}, queryset=profile_search(user=user))
                    if not filterset.is_valid():
                        raise SystemExit(f"bench: the search {param}={value!r} is invalid: {filterset.errors}")
                    spent.clear()
                    executed.clear()
                    paginator = CappedPaginator(filterset.qs, 25)  # as the API and the search page read it
                    count = paginator.count
                    list(paginator.page(1))
                total = sum(spent) * 1000
                if i >= 5:  # the first few warm the connection and caches
                    per_search.append(total)
                    matches.append(count)
                    queries.append(len(spent))
                    if total > worst[0]:
                        _, sql, params = max(executed, key=lambda x: x[0])
                        worst = (total, (sql, params))
            per_search.sort()
            results[kind] = {
                "label": label,
                "target_ms": target,
                "samples": len(per_search),
                "p50_ms": statistics.median(per_search),
                "p95_ms": per_search[int(0.95 * (len(per_search) - 1))],
                "max_ms": per_search[-1],
                "queries": statistics.median(queries),
                "matches_median": statistics.median(matches),
                "matches_max": max(matches),
            }
            if worst[1] is not None:
                slowest[kind] = worst[1]
            log(f"  db {kind}: p50 {results[kind]['p50_ms']:.2f} ms, p95 {results[kind]['p95_ms']:.2f} ms")
    # The plan of the slowest query of the slowest input of each search over its target: the explanation.
    plans = {}
    for kind, (sql, params) in slowest.items():
        target = results[kind]["target_ms"]
        if target is None or results[kind]["p95_ms"] <= target:
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plans[kind] = "\n".join(row[0] for row in cursor.fetchall())
    return {"kinds": results, "plans": plans}
