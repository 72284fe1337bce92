"""Reads of other systems' data (SPEC 8.3): a customer's object from a source, the sources' references
(cached) and how the search and the record page compare and show them, the export's section.

Writing it is `profiles.services.extended`.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from core.caching import PREFIX as PREFIX_CACHE
from core.caching import cached_locally
from core.roles import UserLike
from profiles.access import check_may_access
from profiles.models import RESERVED_SOURCE, Customer, ExtendedData, ExtendedSource
from profiles.registry import Subject
from profiles.timestamps import api_datetime

UNKNOWN_SOURCE = "unknown_source"
RESERVED = "reserved_source"

SOURCES_GENERATION = f"{PREFIX_CACHE}:gen:extended-sources"
SOURCES_TTL = 3600


def reference_sources() -> dict[str, dict[str, Any]]:
    """The sources that declare a reference key, by slug: `{"id", "name", "key", "unique"}`. From the shared
    cache (no query on a hit): the search box and the record page read them on every request, and an
    administrator's save or delete of a source renews them (`profiles.services.extended.connect_signals`)."""
    return cached_locally(f"{PREFIX_CACHE}:extended-sources", SOURCES_GENERATION, _read_reference_sources,
                          timeout=SOURCES_TTL)


def _read_reference_sources() -> dict[str, dict[str, Any]]:
    return {source.slug: {"id": source.pk, "name": source.name or source.slug, "key": source.reference_key,
                          "unique": source.reference_unique}
            for source in ExtendedSource.objects.exclude(reference_key="").order_by("slug")}


def cross_references(profile: dict[str, Any]) -> list[dict[str, str]]:
    """The record page's cross-references: each source's reference in the Get output's `extended`, as
    `{"source", "name", "key", "value"}`; no query beyond the cached sources."""
    held = profile.get("extended") or {}
    found = []
    for slug, source in reference_sources().items():
        data = held.get(slug)
        value = data.get(source["key"]) if isinstance(data, dict) else None
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            found.append({"source": slug, "name": source["name"], "key": source["key"], "value": str(value).strip()})
    return found


def reference_key(text: str) -> str:
    """A reference as the search compares it: trimmed, upper case."""
    return text.strip().upper()


def source_of(slug: Any) -> ExtendedSource:
    """The registered source `slug`; 400 `reserved_source` for `internal` (any case), else `unknown_source`."""
    text = slug if isinstance(slug, str) else ""
    if text.strip().lower() == RESERVED_SOURCE:
        raise ValidationError({"source": ValidationError(
            f"{RESERVED_SOURCE.upper()} cannot be used as an extended data source.", code=RESERVED)})
    source = ExtendedSource.objects.filter(slug=text).first() if text else None
    if source is None:
        raise ValidationError({"source": ValidationError(
            f"{str(slug)[:60]!r} is not a valid extended data source.", code=UNKNOWN_SOURCE)})
    return source


def extended_get(*, ucrn: Any, source: Any, user: UserLike) -> dict[str, Any]:
    """The customer's object from `source` (`{}` when none): CSAs, or a citizen for their own UCRN."""
    check_may_access(user, ucrn)
    found = source_of(source)
    row = ExtendedData.objects.filter(customer__ucrn=ucrn, source=found).values_list("data", flat=True).first()
    if row is None and not Customer.objects.filter(ucrn=ucrn).exists():
        raise Http404("No customer has this UCRN.")
    return row if row is not None else {}


def export_extended(subject: Subject) -> list[dict[str, Any]]:
    """The export's `extended`: each object held about the subject's records, with its source."""
    rows = ExtendedData.objects.filter(customer__in=subject.ids).select_related("customer", "source")
    return [{"ucrn": row.customer.ucrn, "source": row.source.slug, "data": row.data,
             "updated_at": api_datetime(row.updated_at)}
            for row in rows.order_by("customer_id", "source__slug")]
