"""Likely duplicates: who else in the hub may be this person (a read; "not the same person" marks are
written by `profiles.services.duplicates`).

`find_duplicates` compares a customer (an existing one, or the data names of a Create about to be made)
with everyone else, by five reasons, each one index-backed query branch:

- `same_email`: the email or alternative email vs. others' email, ignoring case
  (index `customer_email_unique_ci`; others' alternative emails have no index, so are not searched);
- `same_phone`: the phone or mobile (E.164) vs. others' phone and mobile (`customer_phone_idx`,
  `customer_mobile_idx`);
- `same_name_birth_date`: first and last name, ignoring case (or the organisation's name), and birth date
  (`customer_birth_date_name_idx`: the date and the upper-cased surname);
- `same_name_postcode`: that name and the primary address's normalised postcode
  (`address_primary_postcode_idx`);
- `similar_name_address`: a similar name at the same primary address, the same postcode and house or the
  same UPRN (`address_primary_postcode_idx`, `address_primary_uprn_idx`). On PostgreSQL "similar" is
  trigram similarity (pg_trgm's `similarity()` >= 0.3, `%`'s default); elsewhere the same surname and
  first initial, ignoring case.

The branches go to the database as one `UNION ALL` (each capped, so a phone number shared by thousands
cannot flood it), written from SQL pieces made once per database (`_Statements`: no ORM query building per
search), then the candidates are read with their primary addresses, joined (`profile_rows_by_ids`, the
Get's own SQL): at most two queries
whatever the data, one more when the customer's own primary address must be read first. Erased and
merged customers, the customer itself and the pairs marked "not the same person" are never suggested.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from core.roles import UserLike, is_csa
from profiles import values
from profiles.access import customer_for
from profiles.datanames import ADDRESS_NAMES, PROFILE_NAMES
from profiles.models import MERGED_STATUS, Address, Customer, NotSamePerson
from profiles.selectors import profile_rows_by_ids, profile_summary
from profiles.ucrn import is_valid_ucrn

MAX_CANDIDATES = 10  # a CSA reads the list before saving: a short one
PER_REASON = 25  # rows one reason may bring back before ranking
ORGANIZATION = "Organization"
SIMILARITY = 0.3  # pg_trgm's own default threshold for `%` (pg_trgm.similarity_threshold)


class ReasonSpec(NamedTuple):
    weight: int  # in the ranking
    message: str  # what the CSA reads
    # The data names compared: a warning naming this reason tells its reader that another customer has the
    # same values of these, so only a caller who may read them all is told it (`systems.allowlists`).
    # `name` is the full name, an individual's or an organisation's, as an API client is granted it.
    compares: tuple[str, ...]


REASONS: dict[str, ReasonSpec] = {
    "same_email": ReasonSpec(100, "same email address", ("email_address", "alternative_email")),
    "same_phone": ReasonSpec(80, "same phone number", ("phone_number", "mobile_number")),
    "same_name_birth_date": ReasonSpec(70, "same name and date of birth", ("name", "birth_date")),
    "same_name_postcode": ReasonSpec(50, "same name and postcode", ("name", "postcode")),
    "similar_name_address": ReasonSpec(40, "similar name at the same address", ("name", "postcode", "house", "uprn")),
}


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass
class Duplicate:
    """A customer who may be the same person, why, and how strongly (the sum of the reasons' weights)."""

    customer: Customer
    primary: Address | None
    reasons: list[Reason] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(REASONS[r.code].weight for r in self.reasons)

    @property
    def reason_text(self) -> str:
        return "; ".join(r.message for r in self.reasons)

    def as_dict(self) -> dict[str, Any]:
        """The API's shape: the search result's fields (primary address flattened), score and reasons."""
        return {
            **profile_summary(self.customer),
            "score": self.score,
            "reasons": [{"code": r.code, "message": r.message} for r in self.reasons],
        }

    def as_warning(self) -> dict[str, Any]:
        """A Create's warning (SPEC 4.3.4 shape, plus the UCRN and reason codes for machines)."""
        return {
            "code": "possible_duplicate",
            "message": warning_message(self.customer.ucrn, [r.code for r in self.reasons],
                                       name=self.customer.display_name or "no name"),
            "ucrn": self.customer.ucrn,
            "reasons": [r.code for r in self.reasons],
        }


def warning_message(ucrn: str, reasons: list[str], *, name: str | None = None) -> str:
    """The text of a `possible_duplicate` warning; without the other customer's name when `name` is None
    (a reader who may not read names: `systems.allowlists`)."""
    who = f"customer {ucrn} ({name})" if name is not None else f"customer {ucrn}"
    return f"Possible duplicate of {who}: {'; '.join(REASONS[code].message for code in reasons)}."


@dataclass
class _Probe:
    """The facts compared, normalised: from data names or from a stored customer."""

    pk: int | None = None  # the customer itself, left out with its "not the same person" pairs
    first_name: str = ""
    last_name: str = ""
    organisation_name: str = ""
    organisation: bool = False
    birth_date: Any = None
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    postcode: str = ""
    house: str = ""
    uprn: str = ""

    @property
    def has_name(self) -> bool:
        return bool(self.organisation_name) if self.organisation else bool(self.first_name and self.last_name)

    @property
    def full_name(self) -> str:
        return self.organisation_name if self.organisation else f"{self.first_name} {self.last_name}"


# --- finding ---------------------------------------------------------------------------------------


def find_duplicates(
    *, data: Mapping[str, Any] | None = None, customer: Customer | str | int | None = None,
    limit: int = MAX_CANDIDATES,
) -> list[Duplicate]:
    """Customers who may be the same person, best first, each with the reasons it matched.

    Give `data` (data names, as a Create receives them: unparsed values are parsed here, bad ones are
    ignored) for a customer not yet saved, or `customer` (a `Customer`, or a UCRN) for an existing one,
    who is then left out together with the pairs marked "not the same person". Both: `data` is that
    customer's Get output and `customer` its id (the record page has both: no read of the customer, and
    the exclusions compare ids, which PostgreSQL plans in half the time a join on the UCRN takes).
    No access check: callers are CSA doors (`duplicates_for`, the Create warnings, the pages).
    """
    if data is not None and customer is not None:
        if not isinstance(customer, int):
            raise TypeError("find_duplicates with data takes the customer's id")
        probe = _probe_from_stored(customer, data)
    elif data is not None:
        probe = _probe_from_data(data)
    elif isinstance(customer, Customer):
        primary = Address.objects.filter(customer=customer, is_primary=True).first()
        probe = _probe_from_customer(customer, primary)
    elif customer is not None:
        stored = Customer.objects.filter(ucrn=customer).first()
        if stored is None:
            return []
        return find_duplicates(customer=stored, limit=limit)
    else:
        raise TypeError("find_duplicates needs data or a customer")
    search = _search(probe)
    if search is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*search)
        rows = cursor.fetchall()
    found: dict[int, list[str]] = {}
    for pk, code in rows:
        codes = found.setdefault(pk, [])
        if code not in codes:
            codes.append(code)
    if not found:
        return []
    duplicates = []
    for candidate, primary in profile_rows_by_ids(list(found)):
        candidate.primary_addresses = [primary] if primary is not None else []  # as the search's prefetch
        codes = sorted(found[candidate.pk], key=list(REASONS).index)
        reasons = [Reason(code, REASONS[code].message) for code in codes]
        duplicates.append(Duplicate(customer=candidate, primary=primary, reasons=reasons))
    duplicates.sort(key=lambda d: (-d.score, d.customer.ucrn))
    return duplicates[:limit]


def duplicates_for(*, ucrn: Any, user: UserLike) -> tuple[Customer, list[Duplicate]]:
    """`GET .../duplicates?ucrn=`: CSAs only (403 first, revealing nothing), a malformed UCRN 400, unknown 404."""
    if not is_csa(user):
        raise PermissionDenied("Only customer service agents may look for duplicates.")
    if values.is_blank(ucrn):
        raise ValidationError({"ucrn": ValidationError("Give the UCRN of the customer to check.", code="required")})
    if not is_valid_ucrn(ucrn):
        raise ValidationError({"ucrn": ValidationError("This is not a valid UCRN (9 digits).", code="invalid")})
    customer = customer_for(user, ucrn)
    if customer.erased_at is not None or customer.merged_into_id is not None or customer.status_id == MERGED_STATUS:
        return customer, []  # nothing left to compare, or no longer a customer of its own
    return customer, find_duplicates(customer=customer)


def may_be_told_of_duplicates(user: UserLike) -> bool:
    """Whether a Create by `user` may tell them of other customers (`possible_duplicate`): CSAs only; a
    citizen making their own profile must not learn who else is in the hub. An API client (a CSA) is told
    only what its allow-list lets it read: `systems.allowlists` filters the warnings of its responses."""
    return is_csa(user)


CUSTOMER, ADDRESS = Customer._meta, Address._meta


class _Statements:
    """The pieces of the search's SQL, made once per database from the models, with Django's own lookups
    (`iexact`, `istartswith` and their value preparation), so each expression is the one its index was
    built on, as the ORM would write it. A search then joins strings: no ORM query building or compiling
    (about 25 `filter()` calls a search cost, half the record page's time)."""

    def __init__(self) -> None:
        qn = connection.ops.quote_name
        c, a, n = CUSTOMER, ADDRESS, NotSamePerson._meta
        customers = qn(c.db_table)
        pk = self.col(c, "c", "id")
        self.select = f"SELECT {pk} AS id, '{{code}}' AS reason FROM {customers} c"  # the code: a REASONS key
        self.join_address = f" INNER JOIN {qn(a.db_table)} a ON {self.col(a, 'a', 'customer')} = {pk}"
        self.eligible = [f"{self.col(c, 'c', 'erased_at')} IS NULL", f"{self.col(c, 'c', 'merged_into')} IS NULL",
                         f"NOT ({self.col(c, 'c', 'status')} = %s)"]
        pairs, first, second = qn(n.db_table), self.col(n, "n", "first"), self.col(n, "n", "second")
        self.not_itself = [
            f"NOT ({pk} = %s)",
            f"NOT ({pk} IN (SELECT {second} FROM {pairs} n WHERE {first} = %s))",
            f"NOT ({pk} IN (SELECT {first} FROM {pairs} n WHERE {second} = %s))",
        ]
        self.primary = self.col(a, "a", "is_primary")  # as Django writes it: the partial indexes' condition
        # `HAS_EMAIL` (profiles.models), the unique index's own condition, with its literal: PostgreSQL then
        # uses the index, in a prepared statement's generic plan too.
        self.has_email = f"NOT ({self.col(c, 'c', 'email_address')} = '')"
        self.full_name = (f"COALESCE({self.col(c, 'c', 'first_name')}, '') || ' ' || "
                          f"COALESCE({self.col(c, 'c', 'last_name')}, '')")

    @staticmethod
    def col(meta: Any, alias: str, name: str) -> str:
        return f"{alias}.{connection.ops.quote_name(meta.get_field(name).column)}"

    def lookup(self, kind: str, meta: Any, alias: str, name: str) -> str:
        """Django's `kind` lookup on this database, e.g. `UPPER(a.house::text) = UPPER(%s)` (iexact,
        PostgreSQL); its value goes through `prep_for_iexact_query` or `prep_for_like_query` as Django's."""
        lhs = connection.ops.lookup_cast(kind, "CharField") % self.col(meta, alias, name)
        return f"{lhs} {connection.operators[kind] % '%s'}"


_statements: dict[str, _Statements] = {}


def _sql() -> _Statements:
    found = _statements.get(connection.vendor)
    if found is None:
        found = _statements[connection.vendor] = _Statements()
    return found


def _in(column: str, values: list[Any]) -> str:
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


class _Branch(NamedTuple):
    code: str
    conditions: list[str]
    params: list[Any]
    joins_address: bool = False


def _name_conditions(sql: _Statements, probe: _Probe) -> tuple[list[str], list[Any]]:
    """The same name, ignoring case: an organisation's, or first and last name."""
    prep = connection.ops.prep_for_iexact_query
    if probe.organisation:
        return [sql.lookup("iexact", CUSTOMER, "c", "organisation_name")], [prep(probe.organisation_name)]
    return ([sql.lookup("iexact", CUSTOMER, "c", "first_name"), sql.lookup("iexact", CUSTOMER, "c", "last_name")],
            [prep(probe.first_name), prep(probe.last_name)])


def _similar_name(sql: _Statements, probe: _Probe) -> tuple[list[str], list[Any]]:
    """PostgreSQL: trigram similarity of the whole name. Elsewhere: the same surname (or organisation name)
    and the same first initial, ignoring case: "J Smith", "Jo Smith" and "John SMITH" are alike."""
    if connection.vendor == "postgresql":
        name = sql.col(CUSTOMER, "c", "organisation_name") if probe.organisation else sql.full_name
        return [f"SIMILARITY({name}, %s) >= %s"], [probe.full_name, SIMILARITY]
    if probe.organisation:
        return _name_conditions(sql, probe)
    first_initial = f"{connection.ops.prep_for_like_query(probe.first_name[0])}%"
    return ([sql.lookup("istartswith", CUSTOMER, "c", "first_name"),
             sql.lookup("iexact", CUSTOMER, "c", "last_name")],
            [first_initial, connection.ops.prep_for_iexact_query(probe.last_name)])


def _branches(sql: _Statements, probe: _Probe) -> list[_Branch]:
    """One branch per reason the probe has the facts for."""
    c, a = CUSTOMER, ADDRESS
    branches: list[_Branch] = []
    if probe.emails:
        emails = sorted(probe.emails)
        lowered = f"LOWER({sql.col(c, 'c', 'email_address')})"
        branches.append(_Branch("same_email", [sql.has_email, _in(lowered, emails)], emails))
    if probe.phones:
        phones = sorted(probe.phones)
        branches.append(_Branch("same_phone", [
            f"({_in(sql.col(c, 'c', 'phone_number'), phones)} OR {_in(sql.col(c, 'c', 'mobile_number'), phones)})"],
            [*phones, *phones]))
    if probe.has_name and probe.birth_date:
        names, params = _name_conditions(sql, probe)
        branches.append(_Branch("same_name_birth_date", [*names, f"{sql.col(c, 'c', 'birth_date')} = %s"],
                                [*params, connection.ops.adapt_datefield_value(probe.birth_date)]))
    if probe.has_name and probe.postcode:
        names, params = _name_conditions(sql, probe)
        branches.append(_Branch("same_name_postcode", [*names, sql.primary, f"{sql.col(a, 'a', 'postcode')} = %s"],
                                [*params, probe.postcode], joins_address=True))
    same_address: list[str] = []
    address_params: list[Any] = []
    if probe.postcode and probe.house:
        same_address.append(f"({sql.primary} AND {sql.col(a, 'a', 'postcode')} = %s"
                            f" AND {sql.lookup('iexact', a, 'a', 'house')})")
        address_params += [probe.postcode, connection.ops.prep_for_iexact_query(probe.house)]
    if probe.uprn:
        same_address.append(f"({sql.primary} AND {sql.col(a, 'a', 'uprn')} = %s)")
        address_params.append(probe.uprn)
    if probe.has_name and same_address:
        similar, params = _similar_name(sql, probe)
        branches.append(_Branch("similar_name_address", [f"({' OR '.join(same_address)})", *similar],
                                [*address_params, *params], joins_address=True))
    return branches


def _search(probe: _Probe) -> tuple[str, list[Any]] | None:
    """The reasons' branches as one `UNION ALL` of `(id, reason)` rows, each branch capped by its own
    `LIMIT` (a derived table: SQLite allows no `LIMIT` in a branch of a UNION itself); None: nothing to
    compare. Erased and merged customers, the customer itself and its "not the same person" pairs are left
    out of every branch."""
    sql = _sql()
    branches = _branches(sql, probe)
    if not branches:
        return None
    excluded, excluded_params = list(sql.eligible), [MERGED_STATUS]
    if probe.pk is not None:
        excluded += sql.not_itself
        excluded_params += [probe.pk, probe.pk, probe.pk]
    parts, params = [], []
    for n, branch in enumerate(branches):
        join = sql.join_address if branch.joins_address else ""
        where = " AND ".join([*excluded, *branch.conditions])
        select = sql.select.format(code=branch.code)
        parts.append(f"SELECT * FROM ({select}{join} WHERE {where} LIMIT {PER_REASON}) b{n}")
        params += [*excluded_params, *branch.params]
    return " UNION ALL ".join(parts), params


def _probe_from_data(data: Mapping[str, Any]) -> _Probe:
    given = {str(key).lower(): value for key, value in data.items()}

    def parsed(name: str) -> Any:
        raw = given.get(name)
        if values.is_blank(raw):
            return None
        spec = PROFILE_NAMES.get(name) or ADDRESS_NAMES[name]
        try:
            return spec.parse(raw)  # the parser alone: none of these names is a reference list
        except ValidationError:
            return None

    probe = _Probe(
        first_name=parsed("first_name") or "",
        last_name=parsed("last_name") or "",
        organisation_name=parsed("organisation_name") or "",
        organisation=str(given.get("contact_type") or "").strip().lower() == ORGANIZATION.lower(),
        birth_date=parsed("birth_date"),
        emails={e.lower() for e in (parsed("email_address"), parsed("alternative_email")) if e},
        phones={p for p in (parsed("phone_number"), parsed("mobile_number")) if p},
        postcode=_postcode(parsed("postcode") or ""),
        house=parsed("house") or "",
        uprn=parsed("uprn") or "",
    )
    return probe


def _probe_from_customer(customer: Customer, primary: Address | None) -> _Probe:
    return _probe_from_stored(customer.pk, {
        "first_name": customer.first_name, "last_name": customer.last_name,
        "organisation_name": customer.organisation_name, "contact_type": customer.contact_type_id,
        "birth_date": customer.birth_date, "email_address": customer.email_address,
        "alternative_email": customer.alternative_email, "phone_number": customer.phone_number,
        "mobile_number": customer.mobile_number, "postcode": primary.postcode if primary else "",
        "house": primary.house if primary else "", "uprn": primary.uprn if primary else "",
    })


def _probe_from_stored(pk: int | None, stored: Mapping[str, Any]) -> _Probe:
    """The probe of a stored customer: its values (or its Get output's, the record page's) are already in
    their stored forms, E.164 phones and ISO dates, so nothing is parsed again (parsing the phone numbers
    was most of a probe's cost)."""
    birth_date = stored.get("birth_date")
    return _Probe(
        pk=pk,
        first_name=stored.get("first_name") or "",
        last_name=stored.get("last_name") or "",
        organisation_name=stored.get("organisation_name") or "",
        organisation=stored.get("contact_type") == ORGANIZATION,
        birth_date=dt.date.fromisoformat(birth_date) if isinstance(birth_date, str) and birth_date else birth_date,
        emails={e.lower() for e in (stored.get("email_address"), stored.get("alternative_email")) if e},
        phones={p for p in (stored.get("phone_number"), stored.get("mobile_number")) if p},
        postcode=_postcode(stored.get("postcode") or ""),
        house=stored.get("house") or "",
        uprn=stored.get("uprn") or "",
    )


def _postcode(text: str) -> str:
    """A UK postcode as stored (`SW1A 1AA`); any other text as typed, trimmed (other countries' are free)."""
    key = values.postcode_search_key(text)
    return key[0] if key is not None and key[1] else text.strip()
