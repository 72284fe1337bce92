"""The customer search of SPEC section 6: one FilterSet for the REST API and the CSA search page.

Every value is normalised the way the hub stores it before it is compared (postcodes `M1 1AE`, phones in
E.164, UPRNs without leading zeros), so each filter is an indexed equality or prefix match; see the
indexes on `Customer` and `Address`, and migration 0006. Postcode and UPRN match the customer's
**primary** address. Results come in `SEARCH_ORDER` (`profiles.selectors.profile_search`), which the
surname index also serves, except fuzzy name results, ranked by similarity.

The `search` box decides from the shape of its text which lookups to make, so that each runs on its own
index: an `@` is an email; a postcode shape a postcode; digits a UCRN, a phone number or a UPRN (the
UPRN's few customers read first, by the address index, so no `IN (subquery)` defeats the others); text
with letters the start of names. Other systems' references (SPEC 8.3) come from their own small indexed
table, read first as the UPRN's: `source:value`, or a bare value any unique source holds.

On PostgreSQL, names and outward codes or sectors are matched on the search keys (`SearchKey`, migration
0014): one key drives the search (`n:SMI`, `o:M1`) and its index range is already in the page's order, so
the first page and the capped count (`core.pagination`) read a few index entries, however many customers
match; longer words and the other words of the box are rechecked on the same index entries. SQLite (a
development database) matches the customer's own columns: the same customers in the same order.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Iterable

import django_filters
from django import forms
from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat, Greatest, Lower, StrIndex, Upper
from django.db.models.lookups import GreaterThan
from ukpostcodeutils.validation import is_valid_partial_postcode

from core.prepared import Prepared
from profiles import fuzzy, registry, values
from profiles.indexes import SEARCH_ORDER, SortKey, search_key_text
from profiles.models import (
    HAS_EMAIL,
    Address,
    ContactType,
    Customer,
    CustomerName,
    ExtendedReference,
    SearchKey,
    Status,
)
from profiles.selectors.extended import reference_key, reference_sources
from profiles.ucrn import is_valid_ucrn

SEARCH_MAX = 254
# A fuzzy name search lists at most this many customers, the most similar.
FUZZY_MAX = 100
# A UPRN is one property: more customers than this at one UPRN (a hostel, say) are not all listed.
UPRN_CUSTOMERS_MAX = 1000
NOTHING = Q(pk__in=[])  # matches no one
# `council_tax:12345`: a source's reference (SPEC 8.3), the source's slug before the colon.
QUALIFIED_REFERENCE = re.compile(r"^([A-Za-z0-9_-]{1,50})\s*:\s*(\S.*)$")
DIGITS = re.compile(r"^[\d\s+().-]+$")
# An outward code and the start of the inward code, as typed: `M1 1` is the sector `M1 1`, not `M11`.
POSTCODE_SECTOR = re.compile(r"^([A-Z0-9]{2,4})\s+(\d[A-Z]{0,1})$")
# Search keys (migration 0014): a name's first letters, up to this many; longer words are rechecked.
NAME_KEY_LENGTH = 3
NAMES_SEPARATOR = "\x1f"  # before each name in `SearchKey.names`; whitespace, so never inside a searched word
KEY_ORDER = ("search_keys__last_key", "search_keys__first_key", "search_keys__ucrn")  # = SEARCH_ORDER


def postcode_q(text: str) -> Q | None:
    """A primary-address postcode match for `text`, or None if it is not (part of) a UK postcode.

    A full postcode matches exactly; an outward code (`M1`) matches every postcode of that district but
    not `M11 ...` (postcodes are stored with their space); a sector (`M1 1`) matches its postcodes.
    """
    upper = " ".join(text.upper().split())
    sector = POSTCODE_SECTOR.match(upper)
    key = values.postcode_search_key(upper)
    if key is not None and key[1]:
        lookup = {"addresses__postcode": key[0]}
    elif sector and is_valid_partial_postcode(sector.group(1)):
        lookup = {"addresses__postcode__startswith": f"{sector.group(1)} {sector.group(2)}"}
    elif key is not None:
        lookup = {"addresses__postcode__startswith": f"{key[0]} "}
    else:
        return None
    return Q(addresses__is_primary=True, **lookup)


def postcode_key(text: str) -> str | None:
    """The search key of an outward code (`o:M1`) or a sector (`s:M1 1`), or None for anything else (a
    full postcode is an equality on the address index already; `M1 1A` matches the address itself)."""
    upper = " ".join(text.upper().split())
    key = values.postcode_search_key(upper)
    if key is not None and key[1]:
        return None
    sector = POSTCODE_SECTOR.match(upper)
    if sector and is_valid_partial_postcode(sector.group(1)):
        return f"s:{sector.group(1)} {sector.group(2)}" if len(sector.group(2)) == 1 else None
    return f"o:{key[0]}" if key is not None else None


def uses_search_keys(queryset: QuerySet) -> bool:
    """Whether `queryset`'s database keeps the search keys (PostgreSQL: migration 0014)."""
    return connections[queryset.db].vendor == "postgresql"


def key_match(key: str, words: Iterable[str] = (), *, prefix: str = "") -> Q:
    """The search key `key` and, for each of `words`, a name starting with it, rechecked on the key's own
    index entry (`names`); `prefix` is the path to `SearchKey` (`search_keys__` from the customer)."""
    match = Q(**{f"{prefix}key": key})
    for word in words:
        position = StrIndex(f"{prefix}names", Concat(Value(NAMES_SEPARATOR), Upper(Value(word))))
        match &= Q(GreaterThan(position, 0))
    return match


def name_words_key(text: str) -> tuple[str, list[str]]:
    """The key of the words of `text` and the words to recheck (every word the start of a name).

    Two words of at least `NAME_KEY_LENGTH` letters whose first letters differ start two different names:
    their pair key (`p:JOH\\x1fSMI`, the two starts in code-point order, as the keys are kept: migration
    0017) is the range of the customers with both, however common each is alone. Otherwise the longest
    word's first letters drive (`n:SMI`). Every word is rechecked whole, except a short driving word,
    which its key already is.
    """
    words = text.split()
    long = sorted((w for w in words if len(w) >= NAME_KEY_LENGTH), key=len, reverse=True)
    starts = {search_key_text(w)[:NAME_KEY_LENGTH]: w for w in long}
    if len(starts) >= 2:
        first, second = sorted(list(starts)[:2])
        return f"p:{first}{NAMES_SEPARATOR}{second}", words
    driver = max(words, key=len)
    rest = [w for w in words if w is not driver or len(w) > NAME_KEY_LENGTH]
    return "n:" + search_key_text(driver)[:NAME_KEY_LENGTH], rest


class SearchQuerySet(QuerySet):
    """The search's result, counted the cheap way (a count is capped: `core.pagination`).

    A count reads no order and only the UCRN, so a surname search counts from its index alone
    (`customer_search_name_idx` holds the UCRN; selecting the id or keeping the order read the table, 4 to
    8 ms for 1,001 rows against 0.35 ms). A search by one search key and nothing else (`key_rows`) counts
    the key's index entries without reading a customer: the keys hold exactly the customers not erased,
    which is what `profile_search` keeps. Any further filter forgets the key.
    """

    key_rows: QuerySet[SearchKey] | None = None

    def _clone(self):
        clone = super()._clone()
        clone.key_rows = self.key_rows
        return clone

    def _filter_or_exclude(self, negate, args, kwargs):
        clone = super()._filter_or_exclude(negate, args, kwargs)
        clone.key_rows = None
        return clone

    def none(self):
        clone = super().none()
        clone.key_rows = None
        return clone

    def count(self) -> int:
        if self.key_rows is not None and not self.query.is_empty():
            return self.key_rows[self.query.low_mark: self.query.high_mark].count()
        counted = self.values("ucrn")
        counted.query.clear_ordering(force=True)  # a capped count is sliced: `order_by()` refuses it
        return QuerySet.count(counted)


def as_search(queryset: QuerySet[Customer], key_rows: QuerySet[SearchKey] | None) -> QuerySet[Customer]:
    search = queryset._chain()
    search.__class__ = SearchQuerySet
    search.key_rows = key_rows
    return search


def by_search_key(queryset: QuerySet[Customer], key: str, words: Iterable[str] = ()) -> QuerySet[Customer]:
    """The customers with the search key `key` (and a name starting with each of `words`), in the page's
    order: the key's index range."""
    return queryset.filter(key_match(key, words, prefix="search_keys__")).order_by(*KEY_ORDER)


def _uprn_customer_ids(uprn: str) -> list[int]:
    """The customers whose primary address has this UPRN: an index lookup, made before the search query
    so that the search is an OR of indexed equalities (an `IN (subquery)` arm made PostgreSQL scan).
    Compiled once (`core.prepared`): every UCRN or phone number typed in the box is a UPRN too."""
    return [address.customer_id for address in _primary_addresses_at_uprn(uprn)]


_primary_addresses_at_uprn = Prepared(
    lambda uprn: Address.objects.filter(is_primary=True, uprn=uprn).only("customer_id")[:UPRN_CUSTOMERS_MAX])


def _reference_source(slug: str) -> int | None:
    """The id of the source named before the colon of `source:value`, if it declares a reference key (from
    the cached sources: no query)."""
    source = reference_sources().get(slug.lower())
    return source["id"] if source else None


def _reference_customer_ids(text: str, *, source: int | None = None, user: object = None) -> list[int]:
    """The customers whose reference in `source` is `text` (any case); without a source, in any source that
    says its reference is unique (none: no query). Only sources `user` may read count (allow-lists by
    source, `registry.readable_sources`): matching by a reference reveals it. An index lookup on the
    references table (`ExtendedReference`), made before the search query, as the UPRN's."""
    readable = registry.readable_sources(user)
    allowed = {s["id"] for slug, s in reference_sources().items() if readable is None or slug in readable}
    sources = [source] if source else [s["id"] for s in reference_sources().values() if s["unique"]]
    sources = [s for s in sources if s in allowed]
    if not sources:
        return []
    references = ExtendedReference.objects.filter(key=reference_key(text), source_id__in=sources)
    return list(references.values_list("customer_id", flat=True)[:UPRN_CUSTOMERS_MAX])


def uprn_key(text: str) -> str | None:
    try:
        return values.parse_uprn(text)
    except ValidationError:
        return None


def phone_q(e164: str) -> Q:
    return Q(phone_number=e164) | Q(mobile_number=e164)


def email_q(text: str) -> Q:
    # Lower() = lower(value) and HAS_EMAIL: the query the unique index customer_email_unique_ci serves
    # (Django's iexact would compare UPPER(), which no index has).
    return Q(email_lower=text.strip().lower()) & HAS_EMAIL


def fuzzy_name_text(text: str | None) -> str | None:
    """The text of a search box worth a fuzzy name search when the exact search found nothing: a name
    (letters, spaces, hyphens, apostrophes, dots), not a number, email or postcode; else None."""
    text = " ".join((text or "").split())
    if not text or "@" in text or any(c.isdigit() for c in text) or not re.search(r"[^\W\d_]", text):
        return None
    return text


# The customers of each similar last name (to the surname) and organisation name (to the whole text), the
# first `FUZZY_MAX` of each in the page's order (indexes of migration 0014). Without first names a customer's
# rank is its names' similarity, so the best `FUZZY_MAX` are among these: any other customer has
# `FUZZY_MAX` customers of the same name, as similar, before it in the order.
SIMILAR_NAMES_CUSTOMERS = f"""
    SELECT c.customer_id FROM profiles_search_name n CROSS JOIN LATERAL (
        SELECT customer_id FROM profiles_customer_name c WHERE c.last_name = n.name
        ORDER BY upper(c.last_name) COLLATE "C", upper(c.first_name) COLLATE "C", c.ucrn LIMIT {FUZZY_MAX}) c
    WHERE n.kind = 'l' AND n.name %% %s
    UNION
    SELECT c.customer_id FROM profiles_search_name n CROSS JOIN LATERAL (
        SELECT customer_id FROM profiles_customer_name c WHERE c.organisation_name = n.name
        ORDER BY upper(c.last_name) COLLATE "C", upper(c.first_name) COLLATE "C", c.ucrn LIMIT {FUZZY_MAX}) c
    WHERE n.kind = 'o' AND n.name %% %s
"""


def similar_names(queryset: QuerySet[Customer], text: str, *, narrow: bool = False) -> QuerySet[Customer]:
    """Fuzzy name search: the `FUZZY_MAX` customers of `queryset` whose last name is most like the last
    word of `text` (or whose organisation name is most like `text`), most similar first; earlier words,
    first names, count for the rank too (`Jon Smyth` puts John Smith before Jane Smith).

    One query finds and ranks the candidates (PostgreSQL: pg_trgm's `%` on the GIN trigram indexes of
    migration 0006, then `similarity()`; SQLite: the same `similarity()`, `profiles.fuzzy`), keeping the
    ids of the best `FUZZY_MAX`; the page and its count are then plain primary-key reads, so the
    trigram work is done once, not once for the count and again for the page. With `narrow` (no other
    filter but the search's own) on PostgreSQL, the candidates come from `CustomerName`, the names of
    the customers not erased and nothing else, so the trigram recheck reads a narrow row.
    """
    words = text.split()
    surname, given = words[-1], " ".join(words[:-1])
    zero = Value(0.0, output_field=FloatField())
    if narrow and uses_search_keys(queryset):
        candidates = CustomerName.objects.all()
        if not given:  # the rank is the name's alone: each similar name's first customers are enough
            candidates = candidates.filter(pk__in=RawSQL(SIMILAR_NAMES_CUSTOMERS, [surname, text]))
    else:
        candidates = queryset
    ranked = candidates.annotate(
        last_name_similarity=TrigramSimilarity("last_name", surname),
        organisation_similarity=TrigramSimilarity("organisation_name", text),
    )
    if connection.vendor == "postgresql":
        match = Q(last_name__trigram_similar=surname) | Q(organisation_name__trigram_similar=text)
    else:
        match = Q(last_name_similarity__gte=fuzzy.THRESHOLD) | Q(organisation_similarity__gte=fuzzy.THRESHOLD)
    first = TrigramSimilarity("first_name", given) if given else zero
    rank = Greatest(Coalesce(F("last_name_similarity"), zero), Coalesce(F("organisation_similarity"), zero)) \
        + Coalesce(first, zero) / 2
    order = (F("similarity").desc(), *SEARCH_ORDER)
    ids = list(ranked.filter(match).annotate(similarity=rank).order_by(*order).values_list("pk", flat=True)[:FUZZY_MAX])
    return queryset.annotate(
        last_name_similarity=TrigramSimilarity("last_name", surname),
        organisation_similarity=TrigramSimilarity("organisation_name", text),
    ).filter(pk__in=ids).annotate(similarity=rank).order_by(*order)


# Validators of the form fields: a value that cannot match anything is a 400 (or a form error), not an
# empty page, so a caller learns that `XYZ` is not a postcode.


def validate_postcode(value: str) -> None:
    if postcode_q(value) is None:
        raise ValidationError(
            "%(value)s is not a UK postcode or outward code, such as M1 1AE or M1.",
            code="invalid",
            params={"value": value},  # not formatted in: the text may hold a %
        )


def validate_phone(value: str) -> None:
    if values.phone_search_key(value) is None:
        raise ValidationError("Enter a phone number such as 0117 496 0123.", code="invalid")


def validate_uprn(value: str) -> None:
    if uprn_key(value) is None:
        raise ValidationError("Enter a UPRN of 1 to 12 digits.", code="invalid")


class CustomerFilterSet(django_filters.FilterSet):
    """Search customers: each filter given narrows the result; `search` is the single box of the page."""

    search = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX,
        label="Search",
        help_text="Name, UCRN, email, phone number, postcode or UPRN; another system's reference as "
        "`source:value` (`council_tax:12345`), or by its bare value when the source says it is unique.",
    )
    last_name = django_filters.CharFilter(
        method="filter_last_name", max_length=100, help_text="The start of the last name, any case."
    )
    name = django_filters.CharFilter(
        method="filter_name",
        max_length=200,
        label="Similar name",
        help_text="Fuzzy name search: a last name (or an organisation's name), spelt roughly, optionally after "
        "first names (`Smyth` finds `Smith`; `Jon Smyth` puts John Smith first). Trigram similarity, as "
        f"PostgreSQL's pg_trgm computes it (at least {fuzzy.THRESHOLD} on the last or organisation name); "
        f"results ranked by similarity, most similar first, at most {FUZZY_MAX}. Combines with the other filters.",
    )
    postcode = django_filters.CharFilter(
        method="filter_postcode",
        max_length=16,
        validators=[validate_postcode],
        help_text="A UK postcode in any case and spacing (m11ae), or its outward code (M1) or sector (M1 1).",
    )
    email_address = django_filters.CharFilter(
        method="filter_email", max_length=254, help_text="The whole email address, any case."
    )
    phone_number = django_filters.CharFilter(
        method="filter_phone",
        max_length=40,
        validators=[validate_phone],
        help_text="A phone or mobile number in any common format (0117 496 0123, +44 117 496 0123).",
    )
    uprn = django_filters.CharFilter(
        method="filter_uprn", max_length=12, validators=[validate_uprn], help_text="The primary address's UPRN.")
    status = django_filters.ModelChoiceFilter(queryset=Status.objects.all(), help_text="Active, Inactive, ...")
    contact_type = django_filters.ModelChoiceFilter(
        queryset=ContactType.objects.all(), help_text="Individual or Organization."
    )

    class Meta:
        model = Customer
        fields = ["search", "last_name", "name", "postcode", "email_address", "phone_number", "uprn", "status",
                  "contact_type"]

    def get_form_class(self) -> type:
        """The form class, made once per FilterSet class: django-filter makes a new class with new fields for
        every search, though nothing in them depends on the request (the status and type querysets are
        fixed; each form copies its fields, and a `ModelChoiceField` its queryset, when it is made)."""
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = SharedFields(form_class.base_fields)
            type(self)._form_class = form_class
        return form_class

    def filter_search(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        """What the text looks like decides what it is matched as (each on its index):
        an email (has `@`); a postcode, outward code or sector (`postcode_q`); digits: a UCRN, a phone
        number or a primary address's UPRN, any of them; else every word the start of a first, last or
        organisation name."""
        text = value.strip()
        if not text:
            return queryset
        if (qualified := QUALIFIED_REFERENCE.match(text)) and (source := _reference_source(qualified.group(1))):
            return queryset.filter(pk__in=_reference_customer_ids(qualified.group(2), source=source, user=self.user))
        ids = _reference_customer_ids(text, user=self.user)  # a unique source's reference, by its bare value
        if not ids and uses_search_keys(queryset) and (keyed := self._keyed(text)) is not None:
            return self._by_key(queryset, *keyed)
        queryset, match = self._match(queryset, text)
        if ids:
            match |= Q(pk__in=ids)
        return queryset.filter(match)

    @property
    def user(self) -> object:
        """Who searches (None without a request): a reference matches only in a source they may read."""
        return getattr(self.request, "user", None)

    def _keyed(self, text: str) -> tuple[str, list[str]] | None:
        """The search key (and words to recheck) of names or an outward code or sector; else None."""
        if "@" in text:
            return None
        if postcode_q(text) is not None:
            key = postcode_key(text)
            return (key, []) if key else None
        if DIGITS.match(text) or not re.search(r"[^\W\d_]", text):
            return None
        return name_words_key(text)

    def _by_key(self, queryset: QuerySet[Customer], key: str, words: list[str]) -> QuerySet[Customer]:
        self.key_rows = SearchKey.objects.filter(key_match(key, words))  # for the count, if alone
        return by_search_key(queryset, key, words)

    def _match(self, queryset: QuerySet[Customer], text: str) -> tuple[QuerySet[Customer], Q]:
        if "@" in text:
            return queryset.annotate(email_lower=Lower("email_address")), email_q(text)
        if postcode := postcode_q(text):
            return queryset, postcode
        if DIGITS.match(text):
            match = NOTHING  # each kind of number the text can be adds its match
            if is_valid_ucrn(text):
                match |= Q(ucrn=text)
            if phone := values.phone_search_key(text):
                match |= phone_q(phone)
            if (uprn := uprn_key(text)) and (ids := _uprn_customer_ids(uprn)):
                match |= Q(pk__in=ids)
            return queryset, match
        if not re.search(r"[^\W\d_]", text):  # no letters, no digits: nothing can match
            return queryset, NOTHING
        names = Q()
        for word in text.split():
            names &= (
                Q(first_name__istartswith=word)
                | Q(last_name__istartswith=word)
                | Q(organisation_name__istartswith=word)
            )
        return queryset, names

    def filter_last_name(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        """`UPPER(last_name) COLLATE "C" LIKE 'SMI%'`: the expression `customer_search_name_idx` starts with,
        so the index gives the matches already in the page's order."""
        return queryset.alias(last_name_key=SortKey("last_name")).filter(
            last_name_key__startswith=search_key_text(value)
        )

    def filter_name(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return queryset  # applied last, by `filter_queryset`: the most similar of what the others keep

    def filter_queryset(self, queryset: QuerySet[Customer]) -> QuerySet[Customer]:
        self.key_rows = None
        queryset = super().filter_queryset(queryset)
        given = [name for name, value in self.form.cleaned_data.items() if value not in (None, "")]
        text = self.form.cleaned_data.get("name")
        if text and text.split():
            return as_search(similar_names(queryset, text, narrow=given == ["name"]), None)
        alone = self.key_rows is not None and len(given) == 1  # one search key and no other filter
        return as_search(queryset, self.key_rows if alone else None)

    def filter_postcode(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        if uses_search_keys(queryset) and (key := postcode_key(value)):
            return self._by_key(queryset, key, [])
        return queryset.filter(postcode_q(value))

    def filter_email(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return queryset.annotate(email_lower=Lower("email_address")).filter(email_q(value))

    def filter_phone(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return queryset.filter(phone_q(values.phone_search_key(value)))

    def filter_uprn(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return queryset.filter(addresses__is_primary=True, addresses__uprn=uprn_key(value))


class SharedFilters(dict):
    """A FilterSet class's filters (`base_filters`), which django-filter deep-copies for every FilterSet it
    makes: nine filters with their field arguments, the status and type querysets among them, a twentieth
    of a search page's Python. What is a FilterSet's own is a filter's `parent` and `model`, set after the
    copy; the rest (names, lookups, field arguments, querysets) is only read, so each FilterSet gets
    shallow copies, their `method` bound to the copy itself (a `FilterMethod` calls its filter's parent)."""

    def __deepcopy__(self, memo: dict[int, object]) -> dict[str, django_filters.Filter]:
        copies = {}
        for name, base in self.items():
            own = copies[name] = copy.copy(base)
            if base.method is not None:
                own.method = base.method  # a new FilterMethod, calling `own.parent`
        return copies


class SharedFields(dict):
    """The fields of a FilterSet's form class (`base_fields`), which Django deep-copies for every form (with
    their widgets, and the status and type querysets). The form only validates: a field's `clean` keeps
    nothing on the field, a `ModelChoiceField` reads its queryset with `get` (no result cache), and
    rendering one (DRF's browsable API) builds new attributes; so each form gets shallow copies."""

    def __deepcopy__(self, memo: dict[int, object]) -> dict[str, forms.Field]:
        return {name: copy.copy(field) for name, field in self.items()}


CustomerFilterSet.base_filters = SharedFilters(CustomerFilterSet.base_filters)


# Every query parameter the customer search reads, by the data names a match on it reveals: the filters
# above, and what the view and DRF read (paging, the format override), which reveal nothing. An API client
# may use a parameter only if it may read all of its names (`systems.allowlists.check_search`), and a
# parameter missing here is refused to every client: a filter added to the FilterSet or the view is closed
# to systems until it is listed (tests/systems/test_allowlists.py fails until then).
SEARCH_PARAMETERS: dict[str, tuple[str, ...]] = {
    "search": ("first_name", "last_name", "organisation_name", "email_address", "phone_number", "mobile_number",
               "postcode", "uprn"),
    "last_name": ("last_name",),
    "name": ("first_name", "last_name", "organisation_name"),  # similar last or organisation names, ranked by first
    "postcode": ("postcode",),
    "email_address": ("email_address",),
    "phone_number": ("phone_number", "mobile_number"),
    "uprn": ("uprn",),
    "status": ("status",),
    "contact_type": ("contact_type",),
    "page": (),
    "page_size": (),
    "format": (),
}
