"""The data names of SPEC sections 1 and 2: one table saying how each is parsed and where it is kept.

Every door (forms, portal, admin, API, import) speaks data names; the services use this table to turn a
mapping of data names into stored values, so a name is parsed the same way whichever door it came in by.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from profiles import placeholders, values
from profiles.models import (
    CUSTOM_FIELD_COUNT,
    CUSTOM_MAX,
    PERMISSION_CHANNELS,
    TEXT_MAX,
    ContactMethod,
    ContactType,
    Country,
    Language,
    Location,
    Permission,
    Status,
    Suffix,
    Title,
)


@dataclass(frozen=True)
class DataName:
    name: str
    attr: str  # the model attribute that stores it
    parse: Callable[[Any], Any]  # non-blank raw value -> stored value; raises ValidationError
    reference: type[models.Model] | None = None  # the reference list its value is an id of
    kept_when_blank: bool = False  # blank never clears it (location, status)
    mandatory: bool = False  # required on Create and on a full Update, never cleared
    placeholder: str | None = None  # email, phone or name: its placeholders are refused (SPEC 8.4)

    def clean(self, raw: Any) -> Any:
        if self.placeholder is not None:
            placeholders.check(self.placeholder, raw)
        value = self.parse(raw)
        if self.reference is not None:
            value = reference_id(self.reference, value)
        return value


_memo: ContextVar[dict[type[models.Model], dict[Any, Any]] | None] = ContextVar("reference_memo", default=None)


@contextmanager
def reference_memo() -> Iterator[None]:
    """Within it, each reference list is read once, not once per value (a bulk import parses thousands
    of records naming the same few items). Outside it every lookup reads the table, so an item edited in
    the admin counts at once; within it, from the next `reference_memo` on."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _items(memo: dict[type[models.Model], dict[Any, Any]], model: type[models.Model]) -> dict[Any, Any]:
    """The list's ids by lookup key (upper case for text ids, as `iexact` compares), first in list order."""
    if model not in memo:
        items: dict[Any, Any] = {}
        text = isinstance(model._meta.pk, models.CharField)
        for pk in model.objects.values_list("pk", flat=True):
            items.setdefault(pk.upper() if text else pk, pk)
        memo[model] = items
    return memo[model]


def reference_id(model: type[models.Model], value: Any) -> Any:
    """The id of an item of a reference list, or a ValidationError naming the list."""
    label = model._meta.verbose_name
    memo = _memo.get()
    if isinstance(model._meta.pk, models.CharField):
        if not isinstance(value, str):
            raise ValidationError(f"Choose a {label} from the list.", code="invalid_choice")
        if memo is not None:
            found = _items(memo, model).get(value.strip().upper())
        else:
            found = model.objects.filter(pk__iexact=value.strip()).values_list("pk", flat=True).first()
    elif memo is not None:
        found = _items(memo, model).get(value)
    else:
        found = model.objects.filter(pk=value).values_list("pk", flat=True).first()
    if found is None:
        raise ValidationError(f"{value} is not a {label} in the hub's list.", code="invalid_choice")
    return found


def parse_contact_methods(raw: Any) -> list[int]:
    methods = values.parse_int_list(raw)
    memo = _memo.get()
    if memo is not None:
        known = {m for m in methods if m in _items(memo, ContactMethod)}
    else:
        known = set(ContactMethod.objects.filter(pk__in=methods).values_list("pk", flat=True))
    if unknown := [m for m in methods if m not in known]:
        raise ValidationError(
            f"{', '.join(map(str, unknown))} is not a contact method (1 Phone, 2 Mobile, 3 Email, 4 Post).",
            code="invalid_choice",
        )
    return methods


def parse_permission(raw: Any) -> str:
    """A contact permission (SPEC 8.1): `granted`, `refused` or `unknown`, in any case."""
    if isinstance(raw, str) and raw.strip().lower() in Permission.values:
        return raw.strip().lower()
    raise ValidationError("Give granted, refused or unknown.", code="invalid_choice")


text = partial(values.parse_text, max_length=TEXT_MAX)
list_code = partial(values.parse_text, max_length=30)


PROFILE_NAMES: dict[str, DataName] = {
    d.name: d
    for d in [
        DataName("contact_type", "contact_type_id", list_code, ContactType, mandatory=True),
        DataName("prefix_id", "prefix_id", values.parse_int, Title),
        DataName("first_name", "first_name", text, placeholder="name"),
        DataName("last_name", "last_name", text, placeholder="name"),
        DataName("suffix_id", "suffix_id", values.parse_int, Suffix),
        DataName("organisation_name", "organisation_name", text, placeholder="name"),
        DataName("birth_date", "birth_date", values.parse_birth_date),
        DataName("status", "status_id", list_code, Status, kept_when_blank=True),
        DataName("location", "location_id", values.parse_int, Location, kept_when_blank=True),
        DataName("email_address", "email_address", values.parse_email, placeholder="email"),
        DataName("alternative_email", "alternative_email", values.parse_email, placeholder="email"),
        DataName("phone_number", "phone_number", values.parse_phone, placeholder="phone"),
        DataName("mobile_number", "mobile_number", values.parse_phone, placeholder="phone"),
        DataName("twitter", "twitter", values.parse_twitter),
        DataName("preferred_contact_method", "preferred_contact_method_id", values.parse_int, ContactMethod,
                 mandatory=True),
        DataName("notification_preference", "notification_preference", parse_contact_methods),
        DataName("consent_to_share", "consent_to_share", values.parse_flag),
        DataName("preferred_language_id", "preferred_language_id", values.parse_int, Language),
        DataName("data_location", "data_location", text),
        DataName("region", "region", text),
        *[DataName(f"permission_{c}", f"permission_{c}", parse_permission) for c in PERMISSION_CHANNELS],
        *[
            DataName(f"custom_{n}", f"custom_{n}", partial(values.parse_text, max_length=CUSTOM_MAX))
            for n in range(1, CUSTOM_FIELD_COUNT + 1)
        ],
    ]
}

ADDRESS_NAMES: dict[str, DataName] = {
    d.name: d
    for d in [
        DataName("flat", "flat", text),
        DataName("house", "house", text),
        DataName("street", "street", text),
        DataName("locality", "locality", text),
        DataName("town", "town", text),
        DataName("post_town", "post_town", text),
        DataName("county", "county", text),
        # Checked as a UK postcode once the address's country is known: see services.addresses.
        DataName("postcode", "postcode", text),
        DataName("uprn", "uprn", values.parse_uprn),
        DataName("ward", "ward", text),
        DataName("country_id", "country_id", values.parse_int, Country),
        DataName("lat", "lat", partial(values.parse_coordinate, limit=90)),
        DataName("lng", "lng", partial(values.parse_coordinate, limit=180)),
        DataName("start_date", "start_date", values.parse_date),
        DataName("end_date", "end_date", values.parse_date),
    ]
}

ADDRESS_DATE_NAMES = ("start_date", "end_date")
# The fields that make an address: any of them given (non-blank) is what creates a new record. The
# country alone does not (a form's country select defaults to the UK even when no address was typed).
ADDRESS_CONTENT_NAMES = tuple(n for n in ADDRESS_NAMES if n not in (*ADDRESS_DATE_NAMES, "country_id"))
ADDRESS_MATCH_NAMES = (*ADDRESS_CONTENT_NAMES, "country_id")

OPTION_DEFAULTS: dict[str, bool] = {
    "ignore_empty_entries": False,
    "update_primary_address": False,
    "keep_empty_end_dates": False,
    "address_is_primary": True,
}
# REST PATCH (SPEC 4.2): a blank value keeps the stored one unless the call says otherwise.
PATCH_OPTION_DEFAULTS: dict[str, bool] = {"ignore_empty_entries": True}

# Names the Get output carries that a write cannot set: ignored in a write, so GET-edit-PUT works.
READ_ONLY_NAMES = frozenset(
    {"ucrn", "name", "sort_name", "country", "country_code", "preferred_language_code", "is_primary",
     "created_at", "updated_at", "version", "merged_from", "extended"}
)

WRITABLE_NAMES = frozenset(PROFILE_NAMES) | frozenset(ADDRESS_NAMES)
# The data name of each channel's contact permission (SPEC 8.1), and the free text saying how a write
# got the permissions it changes ("phone call", an enrolment channel): kept in their change entries.
PERMISSION_NAMES: dict[str, str] = {f"permission_{c}": c for c in PERMISSION_CHANNELS}
PERMISSION_NOTE = "permission_note"
# Accepted and never stored: the address-search helper of a form (SPEC section 2).
INPUT_HELPER_NAMES = frozenset({"search_for_street_postcode"})
