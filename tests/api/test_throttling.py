"""The API's counting throttle (core.throttling): DRF's rates, one counter per client and fixed window."""
from __future__ import annotations

import secrets
from types import SimpleNamespace

from django.core.cache.backends.locmem import LocMemCache

from core.throttling import AnonThrottle, UserThrottle, count


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def user(pk: int) -> SimpleNamespace:
    return SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=pk), META={})


def throttle(cache, clock, rate="3/min", base=UserThrottle):
    return type("Throttle", (base,), {"cache": cache, "rate": rate, "timer": staticmethod(clock)})()


def fresh_cache() -> LocMemCache:
    return LocMemCache(f"throttle-{secrets.token_hex(4)}", {})


def test_the_rate_holds_within_a_window_and_resets_in_the_next():
    cache, clock = fresh_cache(), Clock(600.0)  # 600 s: the start of a minute
    answers = []
    for offset in (0, 10, 20, 59.9):
        clock.now = 600 + offset
        answers.append(throttle(cache, clock).allow_request(user(1), view=None))
    assert answers == [True, True, True, False]
    clock.now = 660.0
    assert throttle(cache, clock).allow_request(user(1), view=None) is True


def test_retry_after_is_the_end_of_the_window():
    cache, clock = fresh_cache(), Clock(615.0)
    for _ in range(3):
        throttle(cache, clock).allow_request(user(1), view=None)
    refused = throttle(cache, clock)
    assert refused.allow_request(user(1), view=None) is False
    assert refused.wait() == 45.0


def test_each_client_has_its_own_count_and_anonymous_callers_are_counted_by_address():
    cache, clock = fresh_cache(), Clock(630.0)
    for _ in range(3):
        assert throttle(cache, clock).allow_request(user(1), view=None)
    assert throttle(cache, clock).allow_request(user(1), view=None) is False
    assert throttle(cache, clock).allow_request(user(2), view=None) is True
    # The anonymous throttle leaves signed-in callers to the user throttle, and counts addresses.
    assert throttle(cache, clock, "1/min", AnonThrottle).allow_request(user(1), view=None) is True
    anonymous = SimpleNamespace(user=SimpleNamespace(is_authenticated=False), META={"REMOTE_ADDR": "192.0.2.1"},
                                headers={})
    answers = [throttle(cache, clock, "1/min", AnonThrottle).allow_request(anonymous, view=None) for _ in range(2)]
    assert answers == [True, False]


def test_no_rate_means_no_throttle():
    cache = fresh_cache()
    unlimited = type("Throttle", (UserThrottle,), {"cache": cache, "THROTTLE_RATES": {"user": None}})()
    assert all(unlimited.allow_request(user(1), view=None) for _ in range(10))
    assert not cache._cache  # nothing counted


class StartedByAnotherServer(LocMemCache):
    """A counter made by another server between this server's incr (missing) and its add."""

    def add(self, key, value, timeout=None, version=None):
        super().add(key, 41, timeout, version)
        return False


def test_a_counter_started_elsewhere_is_added_to_not_restarted():
    cache = StartedByAnotherServer(f"race-{secrets.token_hex(4)}", {})
    assert count(cache, "key", 60) == 42
