"""Limits on JSON from outside, the same at every door: how deep it nests, how large it is, what text it holds.

Python's `json` module gives up with `RecursionError` (not `ValueError`) at about a thousand levels, and
code that walks a value recursively (rendering, auditing, erasure) fails far sooner; text holding a lone
surrogate or NUL cannot be encoded or stored. So every JSON request body is refused past
`REQUEST_MAX_DEPTH` (the API's parser, `core.api.JSONParser`), and any JSON kept as it came (an event's
properties, a form's values) past `STORED_MAX_DEPTH` and `STORED_MAX_BYTES`. Every check here walks the
value level by level, never by recursion, so it is safe on any depth; `too_deep`, `too_large` and
`invalid_text` are the codes of its refusals at every door.
"""
from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder

INVALID_TEXT = "invalid_text"  # the code of both refusals, whatever the door
UNSTORABLE_MESSAGE = "Text may not hold NUL characters or lone surrogates (such as \\ud800)."

REQUEST_MAX_DEPTH = 32  # a request body: far above any body the API takes (an event's is at most 11)
STORED_MAX_DEPTH = 10  # JSON kept as it came: an event's properties, a form's values
STORED_MAX_BYTES = 64 * 1024  # of the same, as UTF-8 JSON
TOO_DEEP = "too_deep"
TOO_LARGE = "too_large"


def is_storable_text(text: str) -> bool:
    """Whether a database can store `text`: no NUL (PostgreSQL's text and jsonb refuse it), no lone
    surrogate. Tested in C: a regular expression is several times slower on a large request body."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")  # fails on a lone surrogate, and only on one
    except UnicodeEncodeError:
        return False
    return True


def too_deep(max_depth: int) -> ValidationError:
    return ValidationError(f"Nest objects and lists at most {max_depth} deep.", code=TOO_DEEP)


def json_problem(value: Any, *, max_depth: int, text: bool = True) -> ValidationError | None:
    """Why `value` (parsed JSON) cannot be taken, or None: objects and lists nested more than `max_depth`
    deep (`too_deep`; a scalar has depth 0, `{"a": 1}` 1), or (unless `text` is false) a key or text
    holding NUL or a lone surrogate (`invalid_text`).

    Level by level, never recursing; each level's text is searched in one go (a 1,000-record import body
    costs a few milliseconds)."""
    level, depth = [value], 0
    while level:
        if text:
            strings = [item for item in level if isinstance(item, str)]
            if strings and not is_storable_text("".join(strings)):
                return ValidationError(UNSTORABLE_MESSAGE, code=INVALID_TEXT)
        containers = [item for item in level if isinstance(item, (dict, list, tuple))]
        if not containers:
            return None
        if depth >= max_depth:
            return too_deep(max_depth)
        level = []
        for container in containers:
            if isinstance(container, dict):
                if text:
                    level.extend(container.keys())
                level.extend(container.values())
            else:
                level.extend(container)
        depth += 1
    return None


def printable(text: str) -> str:
    """`text` as it can be echoed in a message or an error's key: a lone surrogate written as its escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def load_json(raw: str | bytes, *, max_depth: int = REQUEST_MAX_DEPTH, text: bool = True) -> Any:
    """`json.loads` for JSON that is not a DRF request body (a page's hidden field, a JSON Lines file):
    a `ValidationError` with a code for anything that cannot be taken, never `RecursionError`. `text=False`
    leaves unstorable text to the caller (an import reports it per record)."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise too_deep(max_depth) from None
    except ValueError as error:
        raise ValidationError(f"Not JSON: {error}.", code="parse_error") from None
    problem = json_problem(value, max_depth=max_depth, text=text)
    if problem is not None:
        raise problem
    return value


def check_stored_json(value: Any, *, name: str, max_depth: int = STORED_MAX_DEPTH,
                      max_bytes: int = STORED_MAX_BYTES) -> None:
    """Refuse JSON about to be kept as it came, with a `ValidationError` keyed by `name`: deeper than
    `max_depth`, larger than `max_bytes` as UTF-8 JSON, or holding text no database stores."""
    problem = json_problem(value, max_depth=max_depth)
    if problem is None:
        size = len(json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder).encode())
        if size > max_bytes:
            problem = ValidationError(
                f"At most {max_bytes // 1024} KB (this is {-(-size // 1024)} KB).", code=TOO_LARGE)
    if problem is not None:
        raise ValidationError({name: problem})
