"""The API's per-client throttles: DRF's rates, counted with one atomic increment per request.

DRF's `SimpleRateThrottle` keeps every request's timestamp in one cache entry that it reads, unpickles,
trims, pickles and writes back on each request: two cache round trips whose payload grows with the rate
(a client allowed 2,000 requests a minute sends up to 2,000 floats each way on every call). These count
instead: one integer per client and window, raised with the cache's `incr` (one round trip on Redis,
`core.redis_cache`), so the cost does not depend on the rate and servers sharing the cache count together.

The window is fixed: it starts on the clock's multiples of the period (each minute for `/min`), so a
client may send up to twice its rate across a boundary; `Retry-After` says when its window ends. Without
Redis the counters are in Django's database cache, whose `incr` is a read then a write (two servers can
each count one request as the same one) and keeps the entry for the cache's default timeout (a day: see
`CACHES` in hub.settings).

Each answer tells the client where it stands, in the IETF draft's headers (`RateLimit-Limit`,
`RateLimit-Remaining`, `RateLimit-Reset`: seconds until the window ends): the throttle keeps the count its
increment returned on the request (`RATE_LIMIT_ATTRIBUTE`) and `RateLimitHeadersMiddleware` writes them, so
they cost no cache round trip of their own. Answers no throttle counted (the schema page, and refusals made
before DRF throttles: no or a bad token 401, permission 403) carry none.

`attempt` counts the same way for a service outside any view: a citizen's attempts to create their profile
(`profiles.services.profiles`), whichever door they come through, and `AttemptRefused` is how a
service says no.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache as default_cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

RATE_LIMIT_ATTRIBUTE = "hub_rate_limit"


@dataclass(frozen=True)
class RateLimit:
    """Where a client stands in its window: what the `RateLimit-*` headers say."""

    limit: int
    remaining: int
    reset: int  # whole seconds until the window ends (at least 1)

    def headers(self) -> dict[str, str]:
        return {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.remaining),
                "RateLimit-Reset": str(self.reset)}


class CountingThrottle(SimpleRateThrottle):
    """`SimpleRateThrottle`'s rates and keys, with a counter per fixed window instead of a timestamp log."""

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        used, self.window_ends = counted(self.cache, key, self.duration, self.now)
        _note(request, RateLimit(limit=self.num_requests, remaining=max(self.num_requests - used, 0),
                                 reset=max(math.ceil(self.window_ends - self.now), 1)))
        return used <= self.num_requests

    def wait(self) -> float:
        return max(self.window_ends - self.now, 0.0)


def _note(request: Any, rate_limit: RateLimit) -> None:
    """Keep `rate_limit` on the request for the middleware (on Django's request: DRF's wraps it). Where
    several throttles count one request, the one with the fewest requests left is told."""
    target = getattr(request, "_request", request)
    kept = getattr(target, RATE_LIMIT_ATTRIBUTE, None)
    if kept is None or (rate_limit.remaining, -rate_limit.reset) < (kept.remaining, -kept.reset):
        setattr(target, RATE_LIMIT_ATTRIBUTE, rate_limit)


class RateLimitHeadersMiddleware:
    """Writes the `RateLimit-*` headers of the request's throttle (`RateLimit`) on its answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        rate_limit = getattr(request, RATE_LIMIT_ATTRIBUTE, None)
        if rate_limit is not None:
            for name, value in rate_limit.headers().items():
                response[name] = value
        return response


def counted(cache: Any, key: str, duration: int, now: float) -> tuple[int, float]:
    """Count one request for `key` in the fixed window of `now` (`duration` seconds): the window's count
    so far, this one included, and when the window ends."""
    window = int(now // duration)
    return count(cache, f"{key}:{window}", duration), float((window + 1) * duration)


def take(cache: Any, key: str, num_requests: int, duration: int, now: float) -> tuple[bool, float]:
    """Count one request for `key`: whether it is within `num_requests` per `duration` seconds, and when
    the window ends."""
    used, window_ends = counted(cache, key, duration, now)
    return used <= num_requests, window_ends


def attempt(key: str, rate: str) -> float | None:
    """Count one attempt at something rated `rate` (DRF's spelling: `10/hour`) for `key`, outside a view
    (a service): None when it is allowed, else the seconds until it may be tried again."""
    num_requests, duration = SimpleRateThrottle.parse_rate(None, rate)  # self is unused by parse_rate
    now = time.time()
    allowed, window_ends = take(default_cache, f"throttle_{key}", num_requests, duration, now)
    return None if allowed else max(window_ends - now, 1.0)


def count(cache: Any, key: str, timeout: int) -> int:
    """Add one to the counter `key` (created at 1, expiring after `timeout` s) and return its new value."""
    try:
        return cache.incr(key)
    except ValueError:  # no counter yet for this window
        if cache.add(key, 1, timeout):
            return 1
        return cache.incr(key)  # another server started it first


class AttemptRefused(ValidationError):
    """A service refused an attempt counted with `attempt`: a `ValidationError` (on `non_field_errors`, code
    `throttled`), so that every door shows it as it shows the service's other errors; the API answers it 429
    with Retry-After (`core.errors.exception_handler`)."""

    def __init__(self, message: str, *, wait: float) -> None:
        super().__init__({"non_field_errors": ValidationError(message, code="throttled")})
        self.wait = wait


class UserThrottle(CountingThrottle, UserRateThrottle):
    """Signed-in callers (tokens and sessions), by user: `DEFAULT_THROTTLE_RATES["user"]`."""


class AnonThrottle(CountingThrottle, AnonRateThrottle):
    """Anonymous callers, by address: `DEFAULT_THROTTLE_RATES["anon"]`."""
