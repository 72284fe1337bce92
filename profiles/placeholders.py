"""Placeholders: values that stand for "no data" and are refused on every door (SPEC 8.4, seed 001).

A contact centre's systems fill a form's required box with `test@test.com`, `N/A` or `00000 000000` when
the caller gave none; stored, such a value looks like data (a duplicate email, a number to ring). The
list is the `Placeholder` model (installed with the built-in values, edited in the admin); any all-zero
phone number is refused by rule. `profiles.datanames` checks each email, phone and name given to a write
here, before it is parsed, so the answer is `placeholder_value` whatever else is wrong with the value.

The list is read on every write, so it is cached in the shared cache under a generation that every save
or delete of an entry renews (`connect_signals`): a change in the admin counts at once, on every server,
and a write reads no table for it while the list is unchanged.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, post_save

from core.caching import PREFIX, bump, cached_locally
from profiles.models import Placeholder

CODE = "placeholder_value"
KINDS = ("email", "phone", "name")
GENERATION = f"{PREFIX}:gen:placeholders"
KEY = f"{PREFIX}:placeholders"
TTL = 3600
NON_DIGITS = re.compile(r"[^\d]")

MESSAGES = {
    "email": "This is a placeholder, not an email address: leave it blank if the customer has none.",
    "phone": "This is a placeholder, not a phone number: leave it blank if the customer has none.",
    "name": "This is a placeholder, not a name: leave it blank if it is not known.",
}


@dataclass(frozen=True)
class Rules:
    """The list, ready to look up: folded values by the kind they apply to, and email local parts."""

    exact: dict[str, frozenset[str]]  # kind (email, phone, name) -> folded values
    phone_digits: frozenset[str]  # the digits of the phone entries: `00000 000000` matches `00000000000`
    local_parts: frozenset[str]  # folded; an email whose local part is one of these, at any domain


def fold(text: str) -> str:
    """Any case, spaces folded: ` N / a ` and `n / A` are the same value."""
    return " ".join(text.split()).casefold()


def _phone_digits(text: str) -> str:
    """A phone number's digits, with its `+` if it has one: how phone entries compare."""
    digits = NON_DIGITS.sub("", text)
    return f"+{digits}" if text.strip().startswith("+") and digits else digits


def _load() -> Rules:
    exact: dict[str, set[str]] = {kind: set() for kind in KINDS}
    phone_digits: set[str] = set()
    local_parts: set[str] = set()
    for value, kind, match in Placeholder.objects.values_list("value", "kind", "match"):
        kinds = KINDS if kind == Placeholder.Kind.ANY else (kind,)
        if match == Placeholder.Match.LOCAL_PART:
            local_parts.add(fold(value).rstrip("@"))
            continue
        for each in kinds:
            exact[each].add(fold(value))
        if kind == Placeholder.Kind.PHONE and (digits := _phone_digits(value)):
            phone_digits.add(digits)
    return Rules(exact={k: frozenset(v) for k, v in exact.items()}, phone_digits=frozenset(phone_digits),
                 local_parts=frozenset(local_parts))


_memo: ContextVar[dict[str, Rules] | None] = ContextVar("placeholder_rules_memo", default=None)


def rules() -> Rules:
    """The list: this write's copy, or from the shared cache (one small read of its generation)."""
    memo = _memo.get()
    if memo is not None and "rules" in memo:
        return memo["rules"]
    found = cached_locally(KEY, GENERATION, _load, timeout=TTL)
    if memo is not None:
        memo["rules"] = found
    return found


@contextmanager
def rules_memo() -> Iterator[None]:
    """Within it the list is looked up once, when first needed, however many values are checked (a write's
    several names, an import's batch); a write that gives no email, phone or name does not look it up."""
    token = _memo.set({}) if _memo.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _memo.reset(token)


def is_placeholder(kind: str, text: str) -> bool:
    """Whether `text`, given as an `email`, `phone` or `name`, is a placeholder."""
    folded = fold(text)
    if not folded:
        return False
    if kind == "phone" and _all_zero(text):
        return True
    found = rules()
    if folded in found.exact[kind]:
        return True
    if kind == "phone" and found.phone_digits and _phone_digits(text) in found.phone_digits:
        return True
    if kind == "email" and "@" in folded:
        return folded.rsplit("@", 1)[0] in found.local_parts
    return False


def _all_zero(text: str) -> bool:
    """`00000 000000`, `0000`, `+44 0000 000000`: a number whose digits (after any country code) are zeros."""
    digits = NON_DIGITS.sub("", text)
    if not digits:
        return False
    if set(digits) == {"0"}:
        return True
    if text.strip().startswith("+"):
        try:
            return phonenumbers.parse(text.strip(), None).national_number == 0
        except phonenumbers.NumberParseException:
            return False
    return False


def check(kind: str, raw: Any) -> None:
    """Raise `placeholder_value` when `raw` is a placeholder `kind` (email, phone, name); else nothing."""
    if isinstance(raw, str) and is_placeholder(kind, raw):
        raise ValidationError(MESSAGES[kind], code=CODE)


def placeholders_changed(**kwargs: Any) -> None:
    bump(GENERATION)


def connect_signals() -> None:
    """An entry saved or deleted (the admin, a shell) renews the cached list. Connected by `ProfilesConfig.ready`."""
    post_save.connect(placeholders_changed, sender=Placeholder, dispatch_uid="hub-placeholders-save")
    post_delete.connect(placeholders_changed, sender=Placeholder, dispatch_uid="hub-placeholders-del")
