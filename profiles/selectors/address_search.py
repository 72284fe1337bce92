"""Find by address: the addresses the hub already holds that match a postcode or a street, each with the
number of customers living there (the seed's `search_for_street_postcode` input helper).

An address the hub "holds" is a customer's **current (primary) address**. Erased customers' addresses are
blanked by the erasure (nothing left to match); a merged record's addresses moved to the survivor as
history (not primary). So the primary records are exactly the addresses of the customers a search finds.
Addresses are grouped by what a suggestion fills on a form: flat, house, street, town, post town, postcode
and country (not the UPRN, ward or lat/lng: records of one property often differ only there; nor locality
and county, which would make the index entries too wide).

The text decides how it is matched:
- a postcode part (`LS1 4AP`, `ls14ap`, the outward code `LS1` or the sector `LS1 4`), normalised as the
  search does (`profiles.values.postcode_search_key`): the postcode index, ordered by postcode then street;
- else the first part is a street (`Old Ro` matches `Old Road`, any case), after an optional house number
  (`12 Old Road`); the street index, ordered by street then postcode.
Other comma-separated parts narrow it: a town (the start of the town or post town), a postcode.

Both ways, PostgreSQL reads one index range in the order of the grouping (migration 0013's
`address_postcode_group_idx` and `address_street_group_idx` hold every grouped column, collated "C"), from
the index alone, so it groups as it reads and stops after `limit` addresses: the cost follows the number of
suggestions, not the number of customers in the postcode or street (the house and town filters are read in
the index too; see bench/NOTES.md). SQLite runs the same query (its BINARY order is the
"C" order), so both databases return the same suggestions in the same order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Collate, Length

from core.jsonlimits import UNSTORABLE_MESSAGE, is_storable_text
from core.roles import UserLike, is_csa
from profiles import values
from profiles.indexes import SEARCH_ORDER, SortKey, search_key_text
from profiles.models import Address, Customer
from profiles.selectors import reference_lists

SEARCH_TEXT_MAX = 200
LIMIT_DEFAULT = 20
LIMIT_MAX = 50
# Customers listed at one address (a hostel may have hundreds: the first ones, in surname order).
CUSTOMERS_AT_ADDRESS_MAX = 100
# What a suggestion carries: the address fields a form fills (data names = `Address` attributes).
ADDRESS_FIELDS = ("flat", "house", "street", "town", "post_town", "postcode", "country_id")
# `LS1 4`: an outward code and the start of the inward code, as typed.
POSTCODE_SECTOR = re.compile(r"^([A-Z0-9]{2,4})\s+(\d[A-Z]{0,1})$")
# A house number before the street: `12`, `12a`, `12-14`.
HOUSE_NUMBER = re.compile(r"^\d[\dA-Za-z/-]{0,9}$")
# Every query parameter of the API's address search, by the data names a match on it reveals: an API client
# may use one only if it may read all of them (`systems.allowlists.check_search`, as for the customer search).
ADDRESS_SEARCH_PARAMETERS: dict[str, tuple[str, ...]] = {
    "search": ("flat", "house", "street", "town", "post_town", "postcode", "country_id"),
    "limit": (),
    "format": (),
}
HELP = "Type a postcode (LS1 4AP, or LS1), or a street with an optional house number and town (12 Old Road, Leeds)."


class Binary(Collate):
    """`col COLLATE "C"`: code-point order, the order of the grouping indexes; SQLite's BINARY is the same
    order, so there it is the column alone (SQLite has no "C" collation)."""

    def __init__(self, column: str) -> None:
        super().__init__(column, "C")

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.get_source_expressions()[0])


@dataclass(frozen=True)
class AddressQuery:
    """A parsed search text: at most one postcode match, a street prefix, a house, a town prefix."""

    postcode: str = ""  # a full postcode, matched exactly
    postcode_prefix: str = ""  # `LS1 ` (outward code) or `LS1 4` (sector)
    street: str = ""  # upper-cased street prefix
    house: str = ""  # upper-cased house number, matched exactly
    town: str = ""  # upper-cased prefix of the town or post town

    @property
    def by_postcode(self) -> bool:
        return bool(self.postcode or self.postcode_prefix)


def postcode_match(text: str) -> tuple[str, str] | None:
    """(`full`, "") for a full postcode, ("", `prefix`) for an outward code or sector; None otherwise."""
    upper = " ".join(text.upper().split())
    sector = POSTCODE_SECTOR.match(upper)
    key = values.postcode_search_key(upper)
    if key is not None and key[1]:
        return key[0], ""
    if sector and values.postcode_search_key(sector.group(1)) is not None:
        return "", f"{sector.group(1)} {sector.group(2)}"
    if key is not None and " " not in upper:
        return "", f"{key[0]} "
    return None


def parse_address_text(text: Any) -> AddressQuery:
    """The search text as an `AddressQuery`; a ValidationError (code `required`, `max_length` or
    `invalid`) when it cannot be one."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(f"Enter an address to search for. {HELP}", code="required")
    if len(text) > SEARCH_TEXT_MAX:
        raise ValidationError(f"Enter at most {SEARCH_TEXT_MAX} characters.", code="max_length")
    if not is_storable_text(text):  # NUL or a lone surrogate: no database can compare it
        raise ValidationError(UNSTORABLE_MESSAGE, code="invalid")
    parts = [" ".join(p.split()) for p in text.split(",")]
    parts = [p for p in parts if p]
    found: dict[str, str] = {}
    rest: list[str] = []
    for part in parts:
        match = postcode_match(part)
        if match is not None and "postcode" not in found:
            found["postcode"], found["postcode_prefix"] = match
        else:
            rest.append(part)
    if rest:
        words = rest[0].split()
        if len(words) > 1 and HOUSE_NUMBER.match(words[0]):
            found["house"] = search_key_text(words[0])
            words = words[1:]
        street = search_key_text(" ".join(words))
        if not re.search(r"[^\W\d_]", street) or len(rest) > 2:
            raise ValidationError(f"This is not an address search. {HELP}", code="invalid")
        found["street"] = street
        if len(rest) == 2:
            found["town"] = search_key_text(rest[1])
    if not found.get("postcode") and not found.get("postcode_prefix") and not found.get("street"):
        raise ValidationError(f"This is not an address search. {HELP}", code="invalid")
    return AddressQuery(**found)


# The grouping key, and all a suggestion carries: the columns of the grouping indexes (migration 0013), so
# PostgreSQL answers from the index alone (an index-only scan: the house and town filters cost no heap read).
KEY_TEXT = ("postcode", "street", "house", "flat", "town", "post_town")
# The indexes leave out addresses longer than this in all (in characters, over `KEY_TEXT`): with it no index
# entry can pass PostgreSQL's limit (2,704 bytes) whatever the characters. A real address is far shorter.
INDEXED_LENGTH_MAX = 300


def indexed_length() -> Any:
    """`LENGTH(postcode) + LENGTH(street) + ...`: the expression of the indexes' predicate, written alike."""
    total = Length(KEY_TEXT[0])
    for name in KEY_TEXT[1:]:
        total = total + Length(name)
    return total


def _order(query: AddressQuery) -> tuple[str, ...]:
    """The grouping and its order: the columns of the index the query reads, in that index's order."""
    tail = ("house_c", "flat_c", "town_c", "post_town_c", "country_id")
    if query.by_postcode:
        return ("postcode_c", "street_c", *tail)
    return ("street_key", "street_c", "postcode_c", *tail)


def address_suggestions(*, text: Any, user: UserLike, limit: int = LIMIT_DEFAULT) -> list[dict[str, Any]]:
    """At most `limit` addresses the hub holds matching `text`, each as its address fields, a one-line
    `label` and `customers` (how many live there); in postcode or street order (see the module). CSAs only.
    One query."""
    if not is_csa(user):
        raise PermissionDenied("Only customer service agents may search addresses.")
    query = parse_address_text(text)
    order = _order(query)
    rows = (
        _matching(query)
        .annotate(street_key=SortKey("street"), **{f"{name}_c": Binary(name) for name in KEY_TEXT})
        .values(*order)
        .annotate(customers=Count("*"))
        .order_by(*order)[:limit]
    )
    countries = reference_lists()["countries"]  # cached: the alpha-2 code beside the id, as the Get output
    return [_suggestion(row, countries) for row in rows]


def _matching(query: AddressQuery) -> QuerySet[Address]:
    match = Q(is_primary=True, indexed_length__lte=INDEXED_LENGTH_MAX)
    if query.postcode:
        match &= Q(postcode_match=query.postcode)
    elif query.postcode_prefix:
        match &= Q(postcode_match__startswith=query.postcode_prefix)
    if query.street:
        match &= Q(street_match__startswith=query.street)
    if query.house:  # a number, maybe with a letter: `12a` or `12A` (a key of the index, not an expression)
        match &= Q(house_match__in=sorted({query.house, query.house.lower()}))
    if query.town:
        match &= Q(town_match__startswith=query.town) | Q(post_town_match__startswith=query.town)
    return Address.objects.alias(
        indexed_length=indexed_length(), postcode_match=Binary("postcode"), street_match=SortKey("street"),
        house_match=Binary("house"),
        town_match=SortKey("town"), post_town_match=SortKey("post_town"),
    ).filter(match)


def _suggestion(row: dict[str, Any], countries: list[dict[str, Any]]) -> dict[str, Any]:
    address = {name: row[f"{name}_c"] or "" for name in ADDRESS_FIELDS[:-1]}
    address["country_id"] = row["country_id"]
    code = next((c.get("code") for c in countries if c["id"] == row["country_id"]), None)
    return {**address, "country_code": code, "label": address_label(address), "customers": row["customers"]}


def address_label(address: dict[str, Any]) -> str:
    """One line: `Flat 2, 12 Old Road, Leeds, LS1 4AP` (the house number before the street)."""
    street = " ".join(p for p in (address.get("house", ""), address.get("street", "")) if p)
    town = address.get("town") or address.get("post_town") or ""
    parts = [address.get("flat", ""), street, town, address.get("postcode", "")]
    return ", ".join(p for p in parts if p)


def address_key(data: Any) -> dict[str, Any] | None:
    """The grouping key of a suggestion (its postcode, street, house, flat, town and country) from outside
    input (a link's query string); None when it is not one (text too long, a country that is no number)."""
    if not hasattr(data, "get"):
        return None
    key: dict[str, Any] = {}
    for name in KEY_TEXT:
        value = data.get(name) or ""
        if not isinstance(value, str) or len(value) > 100 or not is_storable_text(value):
            return None
        key[name] = value
    country = str(data.get("country_id") or "")
    if not country.isdigit() or len(country) > 9 or not (key["postcode"] or key["street"]):
        return None
    key["country_id"] = int(country)
    return key


def customers_at_address(*, key: dict[str, Any], user: UserLike) -> QuerySet[Customer]:
    """The customers whose current address has this grouping key (`address_key`), in the search's order, at
    most `CUSTOMERS_AT_ADDRESS_MAX`. CSAs only. The address ids are read on the grouping index first."""
    if not is_csa(user):
        raise PermissionDenied("Only customer service agents may search addresses.")
    match = {f"{name}_match": key[name] for name in KEY_TEXT}
    ids = (
        Address.objects.alias(street_key=SortKey("street"), indexed_length=indexed_length(),
                              **{f"{name}_match": Binary(name) for name in KEY_TEXT})
        .filter(is_primary=True, country_id=key["country_id"], street_key=search_key_text(key["street"]),
                indexed_length__lte=INDEXED_LENGTH_MAX, **match)
        .values_list("customer_id", flat=True)
        .order_by()  # any 100 of them: the page orders the customers
    )
    return (
        Customer.objects.filter(erased_at__isnull=True, pk__in=list(ids[:CUSTOMERS_AT_ADDRESS_MAX]))
        .select_related("prefix", "suffix")
        .order_by(*SEARCH_ORDER)
    )
