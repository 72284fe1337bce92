"""Rows other apps keep about a customer: how erasure, the subject access export and a merge reach them.

`profiles` is the lower layer and never imports the apps above it, yet they keep rows about customers
(cases in `integrations`; events and webhook deliveries in `systems`). Each such app registers here, in its
`AppConfig.ready()`, one export section and one eraser for its rows; `profile_export` and `profile_erase`
call every one registered, inside their own transaction, with the `Subject` they are about. Rows that
follow their customer into a merge (cases) register how they move (`register_merge`): `profile_merge`
moves them to the survivor and `merge_undo` moves them back.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

import phonenumbers
from django.db.models import Model, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Replace

from profiles.jsontree import with_json
from profiles.models import Customer

M = TypeVar("M", bound=Model)

MIN_PHONE_DIGITS = 7  # shorter numbers would match unrelated digits (ids, amounts)
PHONE_SEPARATORS = " -()./"  # taken out of stored text before looking for a number's digits
# Characters that may come right before an email address's local part, or after its domain, when it is part
# of a longer address (`joann@example.org` holds `ann@example.org`, but is not it).
_EMAIL_BEFORE = r"(?<![A-Za-z0-9.!#$%&'*+/=?^_`{|}~-])"
_EMAIL_AFTER = r"(?![A-Za-z0-9_-]|\.[A-Za-z0-9])"


@dataclass(frozen=True)
class Subject:
    """Whom an erasure or an export is about.

    The customer, and every record merged into it (directly or along a chain): their UCRNs resolve to it,
    so they are the same person and go with it. `emails` (lower case) and `phones` (national significant
    digits) are theirs as held now, to find rows that name no customer but carry them: an event that
    matched no one, an anonymous case.
    """

    customer: Customer
    merged: tuple[Customer, ...]
    emails: frozenset[str]
    phones: frozenset[tuple[str, str]]  # (country calling code, national significant digits)

    @property
    def customers(self) -> tuple[Customer, ...]:
        return (self.customer, *self.merged)

    @property
    def ids(self) -> list[int]:
        return [c.pk for c in self.customers]

    @property
    def ucrns(self) -> list[str]:
        return [c.ucrn for c in self.customers]

    def carrying(self, queryset: QuerySet[M], *fields: str) -> QuerySet[M]:
        """The rows of `queryset` whose text or JSON `fields` carry one of the subject's email addresses
        (any case) or phone numbers (any spacing or punctuation, national or international)."""
        if not self.emails and not self.phones:
            return queryset.none()
        # A broad look in the database (a substring of the text, of its digits); `carries` decides.
        aliases: dict[str, Any] = {}
        condition = Q()
        for name in fields:
            text = Cast(name, TextField())
            digits = text
            for separator in PHONE_SEPARATORS:
                digits = Replace(digits, Value(separator), Value(""), output_field=TextField())
            aliases[f"_text_{name}"], aliases[f"_digits_{name}"] = text, digits
            for email in self.emails:
                condition |= Q(**{f"_text_{name}__icontains": email})
            for _, national in self.phones:
                condition |= Q(**{f"_digits_{name}__contains": national})
        return queryset.alias(**aliases).filter(condition)

    def rows(self, queryset: QuerySet[M], *, read: tuple[str, ...], search: tuple[str, ...]) -> list[M]:
        """The subject's rows of `queryset` (a model with a `customer`), with their JSON fields `read`
        depth-safely: those about one of their records, and those about no customer whose `search` fields
        carry their email address or phone number (`carries`)."""
        ids = set(self.ids)
        unmatched = self.carrying(queryset.filter(customer__isnull=True), *search)
        candidates = queryset.filter(Q(customer__in=ids) | Q(pk__in=unmatched.values("pk")))
        return [row for row in with_json(candidates, *read)
                if row.customer_id in ids or any(self.carries(getattr(row, name)) for name in search)]

    def carries(self, value: Any) -> bool:
        """Whether a text or JSON value holds one of the subject's email addresses or phone numbers whole
        (not inside a longer address or number): in any case, any spacing, national or international."""
        for text in _texts(value):
            if self._email_pattern is not None and self._email_pattern.search(text):
                return True
            digits = text
            for separator in PHONE_SEPARATORS:
                digits = digits.replace(separator, "")
            for run in re.findall(r"[0-9]+", digits):
                for code, national in self.phones:
                    prefix = run[:-len(national)]
                    if run.endswith(national) and prefix in ("", "0", code, f"{code}0", f"00{code}", f"00{code}0"):
                        return True
        return False

    @cached_property
    def _email_pattern(self) -> re.Pattern[str] | None:
        if not self.emails:
            return None
        either = "|".join(re.escape(email) for email in sorted(self.emails))
        return re.compile(f"{_EMAIL_BEFORE}(?:{either}){_EMAIL_AFTER}", re.IGNORECASE)


def _texts(value: Any) -> Iterator[str]:
    """Every key, text and number in a JSON value, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield from (str(key) for key in item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
            yield str(item)


def subject_of(customer: Customer, *, lock: bool = False) -> Subject:
    """The `Subject` of `customer`: it and the records merged into it, locked too when `lock`."""
    merged: list[Customer] = []
    seen, frontier = {customer.pk}, [customer.pk]
    while frontier:
        found = Customer.objects.select_related("prefix", "suffix").filter(merged_into__in=frontier).order_by("pk")
        if lock:
            found = found.select_for_update(of=("self",))
        new = [c for c in found if c.pk not in seen]
        merged += new
        seen.update(c.pk for c in new)
        frontier = [c.pk for c in new]
    everyone = [customer, *merged]
    emails = {e.strip().lower() for c in everyone for e in (c.email_address, c.alternative_email) if e.strip()}
    phones = {number for c in everyone for n in (c.phone_number, c.mobile_number) if (number := _national(n))}
    return Subject(customer, tuple(merged), frozenset(emails), frozenset(phones))


def _national(e164: str) -> tuple[str, str] | None:
    """The country calling code and national significant digits of a stored (E.164) number: every way of
    writing it holds those digits, after nothing, a trunk 0, or the country code."""
    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return None
    digits = phonenumbers.national_significant_number(number)
    return (str(number.country_code), digits) if len(digits) >= MIN_PHONE_DIGITS else None


# --- the registry ----------------------------------------------------------------------------------------

ExportSection = Callable[[Subject], list[dict[str, Any]]]
Eraser = Callable[[Subject], None]


@dataclass(frozen=True)
class CustomerRows:
    """One app's rows about customers: `export` gives the export's `section`, `erase` removes the personal
    data from them (in the erasure's transaction)."""

    section: str
    export: ExportSection
    erase: Eraser


_registered: dict[str, CustomerRows] = {}


def register(section: str, *, export: ExportSection, erase: Eraser) -> None:
    """Register an app's rows, from its `AppConfig.ready()`. Registering a section again replaces it."""
    _registered[section] = CustomerRows(section, export, erase)


def registered() -> list[CustomerRows]:
    """Every registered app's rows, in the order the apps registered them."""
    return list(_registered.values())


# --- rows that follow a merge ----------------------------------------------------------------------------

@dataclass(frozen=True)
class MergedRows:
    """One app's rows about a customer that a merge moves to the survivor.

    `count(customer)`: how many the merge preview says would move. `move(merged, survivor)`: move them,
    returning their ids (kept in the merge under `key`, for the undo) and the labels its change record names
    (`key`: "reference, reference"). `move_back(ids, survivor, merged)`: the undo, for the ids still on the
    survivor. All in the merge's transaction."""

    key: str
    count: Callable[[Customer], int]
    move: Callable[[Customer, Customer], tuple[list[int], list[str]]]
    move_back: Callable[[list[int], Customer, Customer], None]


_merged: dict[str, MergedRows] = {}


def register_merge(key: str, *, count: Callable[[Customer], int],
                   move: Callable[[Customer, Customer], tuple[list[int], list[str]]],
                   move_back: Callable[[list[int], Customer, Customer], None]) -> None:
    """Register rows that follow their customer into a merge, from the app's `AppConfig.ready()`."""
    _merged[key] = MergedRows(key, count, move, move_back)


def merged_rows() -> list[MergedRows]:
    """Every registered app's rows that a merge moves, in the order the apps registered them."""
    return list(_merged.values())


# --- the sources a user may read -------------------------------------------------------------------------

SourceReader = Callable[[Any], "frozenset[str] | None"]
_source_reader: list[SourceReader] = []


def register_source_reader(reader: SourceReader) -> None:
    """Register who may read which extended data source (`reader(user)`: the slugs, or None for every
    source), from the `AppConfig.ready()` of the app that keeps the allow-lists. Registering again replaces it."""
    _source_reader[:] = [reader]


def readable_sources(user: Any) -> frozenset[str] | None:
    """The slugs of the sources `user` may read (a search by their references reveals them), or None: all."""
    return _source_reader[0](user) if _source_reader else None
