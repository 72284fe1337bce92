"""Fuzzy name search: trigram similarity, as PostgreSQL's pg_trgm computes it, on both databases.

PostgreSQL answers with pg_trgm (the extension is created by migration 0005, the GIN trigram indexes by
0006): the `%` operator finds the candidates through the index, `similarity()` ranks them. SQLite has no
pg_trgm: the same `similarity()` is registered on each SQLite connection as a Python function computing
the same figure, so the same query (without the index: a scan, fine for a development database) returns
the same customers in the same order.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.db import connections
from django.db.backends.signals import connection_created

# pg_trgm's default `pg_trgm.similarity_threshold`: 'Smyth' and 'Smith' are 0.33 alike.
THRESHOLD = 0.3
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=4096)
def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigrams of `text`: each word (letters and digits), lower-cased, padded with two spaces
    in front and one behind, cut into every run of three characters."""
    found: set[str] = set()
    for word in _WORD.findall(text.lower()):
        padded = f"  {word} "
        found.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return frozenset(found)


def similarity(a: Any, b: Any) -> float:
    """pg_trgm's `similarity(a, b)`: shared trigrams over all trigrams of both, 0 to 1."""
    if a is None or b is None:
        return None  # SQL: NULL in, NULL out
    first, second = trigrams(str(a)), trigrams(str(b))
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def _register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("similarity", 2, similarity, deterministic=True)


def connect_signals() -> None:
    """Connected once, by `ProfilesConfig.ready`: every new SQLite connection gets `similarity()`."""
    connection_created.connect(_register, dispatch_uid="hub-sqlite-similarity")
    for conn in connections.all(initialized_only=True):  # opened before the app was ready
        if conn.vendor == "sqlite" and conn.connection is not None:
            _register(None, conn)
