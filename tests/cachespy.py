"""What a test asks of the shared cache: the keys, counted once per outer call."""
from __future__ import annotations

from typing import Any

from django.core.cache import cache


def spy_cache_keys(monkeypatch: Any) -> list[str]:
    """The keys asked of the shared cache from now on (a backend's get_many calling its own get: once)."""
    asked: list[str] = []
    calls = {"open": 0}
    for name in ("get", "get_many"):
        original = getattr(cache, name)

        def spy(keys, *args, original=original, **kwargs):
            if not calls["open"]:
                asked.extend([keys] if isinstance(keys, str) else keys)
            calls["open"] += 1
            try:
                return original(keys, *args, **kwargs)
            finally:
                calls["open"] -= 1

        monkeypatch.setattr(cache, name, spy)
    return asked
