"""Likely duplicates: who else in the hub may be this person (a read; "not the same person" marks are
written by `profiles.services.duplicates`).

`find_duplicates` compares a customer (an existing one, or the data names of a Create about to be made)
with everyone else, by five reasons, each one index-backed query branch:

- `same_email`: the email or alternative email vs. others' email, ignoring case
  (index `customer_email_unique_ci`; others' alternative emails have no index, so are not searched);
- `same_phone`: the phone or mobile (E.164) vs. others' phone and mobile (`customer_phone_idx`,
  `customer_mobile_idx`);
- `same_name_birth_date`: first and last name, ignoring case (or the organisation's name), and birth date
  (`customer_last_name_prefix_idx`, `customer_first_name_prefix_idx`);
- `same_name_postcode`: that name and the primary address's normalised postcode
  (`address_primary_postcode_idx`);
- `similar_name_address`: a similar name at the same primary address, the same postcode and house or the
  same UPRN (`address_primary_postcode_idx`, `address_primary_uprn_idx`). On PostgreSQL "similar" is
  trigram similarity (pg_trgm, `TrigramSimilarity` >= 0.3, `%`'s default); elsewhere the same surname and
  first initial, ignoring case.

The branches go to the database as one `UNION ALL` (each capped, so a phone number shared by thousands
cannot flood it), then the candidates are read with their primary addresses, joined: at most two queries
whatever the data, one more when the customer's own primary address must be read first. Erased and
merged customers, the customer itself and the pairs marked "not the same person" are never suggested.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import CharField, F, FilteredRelation, Q, QuerySet, Value
from django.db.models.functions import Concat, Lower

from core.roles import UserLike, is_csa
from profiles import values
from profiles.access import customer_for
from profiles.datanames import ADDRESS_NAMES, PROFILE_NAMES
from profiles.models import MERGED_STATUS, Address, Country, Customer, NotSamePerson
from profiles.selectors import profile_summary
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

    ucrn: str | None = None  # the customer itself, left out with its "not the same person" pairs
    pk: int | None = None  # its id, when known: the pairs are then found without joining on the UCRN
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
    *, data: Mapping[str, Any] | None = None, customer: Customer | str | None = None, limit: int = MAX_CANDIDATES
) -> list[Duplicate]:
    """Customers who may be the same person, best first, each with the reasons it matched.

    Give `data` (data names, as a Create receives them: unparsed values are parsed here, bad ones are
    ignored) for a customer not yet saved, or `customer` (a `Customer`, or a UCRN) for an existing one,
    who is then left out together with the pairs marked "not the same person". Both: `data` is that
    customer's Get output (the record page has it already, which saves reading it again).
    No access check: callers are CSA doors (`duplicates_for`, the Create warnings, the pages).
    """
    if data is not None:
        probe = _probe_from_data(data)
        if isinstance(customer, Customer):
            probe.ucrn, probe.pk = customer.ucrn, customer.pk
        elif customer is not None:
            probe.ucrn = str(customer)
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
    branches = _branches(probe)
    if not branches:
        return []
    first, *rest = branches
    rows = list(first.union(*rest, all=True)) if rest else list(first)
    found: dict[int, list[str]] = {}
    for pk, code in rows:
        codes = found.setdefault(pk, [])
        if code not in codes:
            codes.append(code)
    if not found:
        return []
    duplicates = []
    for candidate in _with_primary_address(Customer.objects.filter(pk__in=found)):
        codes = sorted(found[candidate.pk], key=list(REASONS).index)
        primary = candidate.primary_addresses[0] if candidate.primary_addresses else None
        reasons = [Reason(code, REASONS[code].message) for code in codes]
        duplicates.append(Duplicate(customer=candidate, primary=primary, reasons=reasons))
    duplicates.sort(key=lambda d: (-d.score, d.customer.ucrn))
    return duplicates[:limit]


_ADDRESS_ATTRS = [f.attname for f in Address._meta.concrete_fields if f.attname != "customer_id"]


def _with_primary_address(customers: QuerySet[Customer]) -> list[Customer]:
    """The customers with their title, suffix and primary address (and its country) in one joined query,
    the address set as `primary_addresses` as the search's prefetch does (`profiles.selectors`)."""
    customers = customers.select_related("prefix", "suffix").annotate(
        current=FilteredRelation("addresses", condition=Q(addresses__is_primary=True)),
        current_country_name=F("current__country__name"),
        **{f"current_{attr}": F(f"current__{attr}") for attr in _ADDRESS_ATTRS},
    )
    loaded = list(customers)
    for customer in loaded:
        customer.primary_addresses = []
        if customer.current_id is not None:
            address = Address(customer_id=customer.pk, **{a: getattr(customer, f"current_{a}") for a in _ADDRESS_ATTRS})
            Address.country.field.set_cached_value(
                address, Country(id=address.country_id, name=customer.current_country_name)
            )
            customer.primary_addresses.append(address)
    return loaded


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


def _eligible(probe: _Probe) -> QuerySet[Customer]:
    customers = Customer.objects.filter(erased_at__isnull=True, merged_into__isnull=True)
    customers = customers.exclude(status_id=MERGED_STATUS)
    if probe.pk is not None:
        customers = customers.exclude(pk=probe.pk).exclude(
            pk__in=NotSamePerson.objects.filter(first_id=probe.pk).values("second_id")
        ).exclude(pk__in=NotSamePerson.objects.filter(second_id=probe.pk).values("first_id"))
    elif probe.ucrn:
        customers = customers.exclude(ucrn=probe.ucrn).exclude(
            pk__in=NotSamePerson.objects.filter(first__ucrn=probe.ucrn).values("second_id")
        ).exclude(pk__in=NotSamePerson.objects.filter(second__ucrn=probe.ucrn).values("first_id"))
    return customers.order_by()


def _name_filter(probe: _Probe) -> Q:
    if probe.organisation:
        return Q(organisation_name__iexact=probe.organisation_name)
    return Q(first_name__iexact=probe.first_name, last_name__iexact=probe.last_name)


def _similar_name(customers: QuerySet[Customer], probe: _Probe) -> QuerySet[Customer]:
    """PostgreSQL: trigram similarity of the whole name. Elsewhere: the same surname (or organisation name)
    and the same first initial, ignoring case: "J Smith", "Jo Smith" and "John SMITH" are alike."""
    if connection.vendor == "postgresql":
        name = "organisation_name" if probe.organisation else Concat("first_name", Value(" "), "last_name")
        return customers.annotate(name_similarity=TrigramSimilarity(name, probe.full_name)).filter(
            name_similarity__gte=SIMILARITY
        )
    if probe.organisation:
        return customers.filter(organisation_name__iexact=probe.organisation_name)
    return customers.filter(first_name__istartswith=probe.first_name[0], last_name__iexact=probe.last_name)


def _branches(probe: _Probe) -> list[QuerySet]:
    """One `(pk, reason)` query per reason the probe has the facts for."""
    base = _eligible(probe)
    matches: list[tuple[str, QuerySet[Customer]]] = []
    if probe.emails:
        # `NOT email_address = ''` is the unique index's own condition: PostgreSQL then uses it.
        by_email = base.exclude(email_address="").annotate(email_lower=Lower("email_address"))
        matches.append(("same_email", by_email.filter(email_lower__in=sorted(probe.emails))))
    if probe.phones:
        phones = sorted(probe.phones)
        matches.append(("same_phone", base.filter(Q(phone_number__in=phones) | Q(mobile_number__in=phones))))
    if probe.has_name and probe.birth_date:
        matches.append(("same_name_birth_date", base.filter(_name_filter(probe), birth_date=probe.birth_date)))
    if probe.has_name and probe.postcode:
        matches.append(("same_name_postcode", base.filter(
            _name_filter(probe), addresses__is_primary=True, addresses__postcode=probe.postcode)))
    same_address = Q()
    if probe.postcode and probe.house:
        same_address |= Q(addresses__is_primary=True, addresses__postcode=probe.postcode,
                          addresses__house__iexact=probe.house)
    if probe.uprn:
        same_address |= Q(addresses__is_primary=True, addresses__uprn=probe.uprn)
    if probe.has_name and same_address:
        matches.append(("similar_name_address", _similar_name(base.filter(same_address), probe)))
    if connection.features.supports_slicing_ordering_in_compound:  # PostgreSQL: each branch capped itself
        return [matched.order_by().values_list("pk", Value(code, output_field=CharField()))[:PER_REASON]
                for code, matched in matches]
    # Each branch capped inside an IN subquery: SQLite allows no LIMIT in a branch of a UNION itself.
    return [
        Customer.objects.filter(pk__in=matched.values("pk")[:PER_REASON])
        .order_by()
        .values_list("pk", Value(code, output_field=CharField()))
        for code, matched in matches
    ]


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
    return _Probe(
        ucrn=customer.ucrn,
        pk=customer.pk,
        first_name=customer.first_name,
        last_name=customer.last_name,
        organisation_name=customer.organisation_name,
        organisation=customer.contact_type_id == ORGANIZATION,
        birth_date=customer.birth_date,
        emails={e.lower() for e in (customer.email_address, customer.alternative_email) if e},
        phones={p for p in (customer.phone_number, customer.mobile_number) if p},
        postcode=_postcode(primary.postcode) if primary else "",
        house=primary.house if primary else "",
        uprn=primary.uprn if primary else "",
    )


def _postcode(text: str) -> str:
    """A UK postcode as stored (`SW1A 1AA`); any other text as typed, trimmed (other countries' are free)."""
    key = values.postcode_search_key(text)
    return key[0] if key is not None and key[1] else text.strip()
