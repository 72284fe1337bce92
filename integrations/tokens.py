"""Token templates: the values of an integration's field mapping (SPEC section 5).

A template is text with tokens in braces naming form fields: `{First_Name}`, `{House} {Street}`. Names are
matched case-insensitively. A template that is one token and nothing else passes the field's value through
unchanged (a checkbox list stays a list); otherwise tokens are replaced by text. A template whose tokens
are all blank gives a blank value, so the blank rule of SPEC 4.2 applies to it. Braces that do not
enclose a name (`{ x }`, `{}` or a lone `{`) are literal text.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

TOKEN = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")


class UnknownToken(KeyError):
    """A template names a field the form does not have (the admin refuses such a mapping)."""


def tokens_in(template: str) -> list[str]:
    """The field names a template uses, lower-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in TOKEN.finditer(template):
        seen.setdefault(match.group(1).lower(), None)
    return list(seen)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or value == [] or value == ()


def _as_text(value: Any) -> str:
    if _is_blank(value):
        return ""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def render(template: str, values: Mapping[str, Any]) -> Any:
    """The value of `template` for the submitted `values` (keys are field data names, any case)."""
    lookup = {str(k).lower(): v for k, v in values.items()}
    names = tokens_in(template)
    for name in names:
        if name not in lookup:
            raise UnknownToken(name)
    whole = TOKEN.fullmatch(template.strip())
    if whole:
        value = lookup[whole.group(1).lower()]
        return "" if _is_blank(value) else value
    if names and all(_is_blank(lookup[name]) for name in names):
        return ""
    text = TOKEN.sub(lambda m: _as_text(lookup[m.group(1).lower()]), template)
    return " ".join(text.split())
