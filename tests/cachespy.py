"""What a test asks of the shared cache: the keys, counted once per outer call."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache


def _spy(monkeypatch: Any, record: Callable[[list[str]], None]) -> None:
    """`record(keys)` for each get or get_many from now on (a backend's get_many calling its own get: once)."""
    calls = {"open": 0}
    for name in ("get", "get_many"):
        original = getattr(cache, name)

        def spy(keys, *args, original=original, **kwargs):
            if not calls["open"]:
                record([keys] if isinstance(keys, str) else list(keys))
            calls["open"] += 1
            try:
                return original(keys, *args, **kwargs)
            finally:
                calls["open"] -= 1

        monkeypatch.setattr(cache, name, spy)


def spy_cache_keys(monkeypatch: Any) -> list[str]:
    """The keys asked of the shared cache from now on."""
    asked: list[str] = []
    _spy(monkeypatch, asked.extend)
    return asked


def spy_cache_calls(monkeypatch: Any) -> list[list[str]]:
    """The keys of each call to the shared cache from now on, one list per call."""
    calls: list[list[str]] = []
    _spy(monkeypatch, calls.append)
    return calls
