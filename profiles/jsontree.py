"""JSON values of any depth: made JSON-ready, walked and read back from the database without recursion.

The hub stores JSON it did not make (an event's properties, a form's values), and some of it was stored
before the doors limited its depth. Python recurses once per level in `json.loads`, `json.dumps` and any
recursive walk, and stops at about a thousand levels (`RecursionError`). Erasure and the subject access
export must work on every stored row however deep, so everything here uses explicit stacks, and a value
read from the database keeps at most `MAX_DEPTH` levels: a deeper part is given as its JSON text.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from json.decoder import scanstring
from typing import Any, TypeVar

from django.db.models import Model, QuerySet, TextField
from django.db.models.functions import Cast

M = TypeVar("M", bound=Model)

MAX_DEPTH = 64  # far more than any value the hub makes; far less than Python's recursion limit

_AS_IS = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """`value` with dates as ISO text, decimals as text and tuples as lists, at any depth."""
    if type(value) in _AS_IS:  # most values: the bulk import turns thousands of address records
        return value
    if not isinstance(value, (dict, list, tuple)):
        return _leaf(value)
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        item, parent, slot = stack.pop()
        if type(item) in _AS_IS:
            parent[slot] = item
        elif isinstance(item, dict):
            parent[slot] = out = dict.fromkeys(item)
            stack.extend((v, out, k) for k, v in item.items())
        elif isinstance(item, (list, tuple)):
            parent[slot] = out = [None] * len(item)
            stack.extend((v, out, i) for i, v in enumerate(item))
        else:
            parent[slot] = _leaf(item)
    return root[0]


def _leaf(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def depth(value: Any) -> int:
    """How many levels of objects and arrays `value` has (a scalar: 0)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


def loads(text: str | None, *, max_depth: int = MAX_DEPTH) -> Any:
    """JSON `text` as Python, with at most `max_depth` levels: a deeper object or array is its JSON text."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except RecursionError:
        return _loads_capped(text, max_depth)
    return value if depth(value) <= max_depth else _loads_capped(text, max_depth)


def with_json(queryset: QuerySet[M], *fields: str) -> list[M]:
    """The rows of `queryset` with their JSON `fields` read by `loads` (depth-safe) instead of by Django.

    Django decodes a JSON column with `json.loads` as it reads the row, which fails on a value nested
    deeper than Python's recursion limit; here the column is read as text and decoded without recursion.
    Saving such a row writes the (capped) values back.
    """
    texts = {f"_json_text_{name}": Cast(name, TextField()) for name in fields}
    rows = list(queryset.defer(*fields).annotate(**texts))  # all read first: callers save them as they go
    for row in rows:
        for name in fields:
            setattr(row, name, loads(getattr(row, f"_json_text_{name}")))
    return rows


# --- an iterative reader ------------------------------------------------------------------------------

_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_STRUCTURE = re.compile(r'["{}\[\]]')
_LITERALS = {"true": True, "false": False, "null": None}


def _loads_capped(text: str, max_depth: int) -> Any:
    """`json.loads` with explicit stacks; objects and arrays deeper than `max_depth` stay JSON text."""
    containers: list[dict[str, Any] | list[Any]] = []
    keys: list[str | None] = []
    pos = _skip(text, 0)
    while True:
        char = text[pos:pos + 1]
        if char in ("{", "["):
            if len(containers) >= max_depth:
                end = _container_end(text, pos)
                value, pos = text[pos:end], end
            else:
                pos = _skip(text, pos + 1)
                if text[pos:pos + 1] == ("}" if char == "{" else "]"):
                    value, pos = ({} if char == "{" else []), pos + 1
                else:
                    containers.append({} if char == "{" else [])
                    key = None
                    if char == "{":
                        key, pos = _key(text, pos)
                    keys.append(key)
                    continue  # read the first member
        elif char == '"':
            value, pos = scanstring(text, pos + 1)
        else:
            value, pos = _scalar(text, pos)
        # Put the value in its container; close every container that ends here.
        while True:
            if not containers:
                if _skip(text, pos) != len(text):
                    raise ValueError(f"Extra data at {pos}")
                return value
            container = containers[-1]
            if isinstance(container, dict):
                container[keys[-1]] = value  # type: ignore[index]
            else:
                container.append(value)
            pos = _skip(text, pos)
            if text[pos:pos + 1] == ",":
                pos = _skip(text, pos + 1)
                if isinstance(container, dict):
                    keys[-1], pos = _key(text, pos)
                break  # read the next member
            if text[pos:pos + 1] != ("}" if isinstance(container, dict) else "]"):
                raise ValueError(f"Expected ',' or the end of a container at {pos}")
            pos += 1
            value = containers.pop()
            keys.pop()


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()  # type: ignore[union-attr]


def _key(text: str, pos: int) -> tuple[str, int]:
    """An object's key at `pos` and the position of its value (after the colon)."""
    if text[pos:pos + 1] != '"':
        raise ValueError(f"Expected a key at {pos}")
    key, pos = scanstring(text, pos + 1)
    pos = _skip(text, pos)
    if text[pos:pos + 1] != ":":
        raise ValueError(f"Expected ':' at {pos}")
    return key, _skip(text, pos + 1)


def _scalar(text: str, pos: int) -> tuple[Any, int]:
    for word, value in _LITERALS.items():
        if text.startswith(word, pos):
            return value, pos + len(word)
    number = _NUMBER.match(text, pos)
    if number is None or number.end() == pos:
        raise ValueError(f"Expected a value at {pos}")
    whole = number.group()
    return (float(whole) if number.group(1) or number.group(2) else int(whole)), number.end()


def _container_end(text: str, pos: int) -> int:
    """Where the object or array starting at `pos` ends (just after it), strings skipped whole."""
    level = 0
    while True:
        found = _STRUCTURE.search(text, pos)
        if found is None:
            raise ValueError("Unterminated object or array")
        pos = found.start()
        char = text[pos]
        if char == '"':
            _, pos = scanstring(text, pos + 1)
            continue
        level += 1 if char in "{[" else -1
        pos += 1
        if level == 0:
            return pos
