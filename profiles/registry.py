"""Rows other apps keep about a customer: how erasure and the subject access export reach them.

`profiles` is the lower layer and never imports the apps above it, yet they keep rows about customers
(cases in `integrations`; events and webhook deliveries in `systems`). Each such app registers here, in its
`AppConfig.ready()`, one export section and one eraser for its rows; `profile_export` and `profile_erase`
call every one registered, inside their own transaction, with the `Subject` they are about.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import phonenumbers
from django.db.models import Model, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Replace

from profiles.models import Customer

M = TypeVar("M", bound=Model)

MIN_PHONE_DIGITS = 7  # shorter numbers would match unrelated digits (ids, amounts)
PHONE_SEPARATORS = " -()./"  # taken out of stored text before looking for a number's digits


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
    phones: frozenset[str]

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
            for phone in self.phones:
                condition |= Q(**{f"_digits_{name}__contains": phone})
        return queryset.alias(**aliases).filter(condition)


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
    phones = {digits for c in everyone for n in (c.phone_number, c.mobile_number) if (digits := _national(n))}
    return Subject(customer, tuple(merged), frozenset(emails), frozenset(phones))


def _national(e164: str) -> str | None:
    """The national significant digits of a stored (E.164) number: what every way of writing it contains."""
    if not e164:
        return None
    try:
        digits = str(phonenumbers.parse(e164, "GB").national_number)
    except phonenumbers.NumberParseException:
        return None
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


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
