"""Other systems' data (SPEC 8.3): per customer and per registered source, one JSON object, replaced whole.

The API's `PUT .../extended/{source}/` calls `extended_put`: one transaction that checks the source, the
JSON limits, the source's size and key limits and that no top-level key is already another source's, then
writes the object, the source's reference (its own small indexed row, for the search box) and the
customer's change record naming the source (`extended.<source>`), which renews the cached Get and tells the
webhooks. The import's records and the event rules carry several sources at once (`{"council_tax": {...}}`)
and call `extended_put_locked` on the customer they have locked: the same checks and codes (each error
keyed `extended.<source>`), the change entries returned for their own change record.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from core.caching import bump
from core.jsonlimits import STORED_MAX_DEPTH, json_problem
from core.roles import UserLike, is_csa
from profiles.access import check_may_ask, check_row, check_writable
from profiles.models import ChangeRecord, Customer, ExtendedData, ExtendedReference, ExtendedSource
from profiles.registry import Subject
from profiles.selectors import profile_row
from profiles.selectors.extended import SOURCES_GENERATION, reference_key, source_of
from profiles.services.audit import change, write_customer
from profiles.services.profiles import VersionConflict

PREFIX = "extended."  # the data name of a source's object: in change records, webhooks and allow-lists
TOO_LARGE = "extended_too_large"
TOO_MANY_KEYS = "extended_too_many_keys"
KEY_IN_OTHER_SOURCE = "extended_key_in_other_source"
REFERENCE_TAKEN = "extended_reference_taken"


def sources_changed(**kwargs: Any) -> None:
    bump(SOURCES_GENERATION)


def connect_signals() -> None:
    """A source saved or deleted (the admin) renews the cached `reference_sources`, on every server."""
    post_save.connect(sources_changed, sender=ExtendedSource, dispatch_uid="hub-extended-source-save")
    post_delete.connect(sources_changed, sender=ExtendedSource, dispatch_uid="hub-extended-source-delete")


def data_name(slug: str) -> str:
    """The data name of a source's object: `extended.council_tax`."""
    return f"{PREFIX}{slug}"


def size_of(data: Any) -> int:
    """The size an object counts for against a source's limit: its compact UTF-8 JSON, in bytes."""
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


def check_limits(source: ExtendedSource, data: Any) -> None:
    """The object's shape and the source's limits: an object, the JSON limits (`too_deep`,
    `invalid_text`), at most `size_limit_kb` KB (`extended_too_large`, giving the size) and
    `top_level_keys_limit` top-level keys (`extended_too_many_keys`, giving the count)."""
    name = data_name(source.slug)
    if not isinstance(data, dict):
        raise ValidationError({name: ValidationError("Send a JSON object.", code="invalid")})
    problem = json_problem(data, max_depth=STORED_MAX_DEPTH)
    if problem is not None:
        raise ValidationError({name: problem})
    size, limit = size_of(data), source.size_limit_kb * 1024
    if size > limit:
        raise ValidationError({name: ValidationError(
            f"Exceeded data size limit for extended data: {size} bytes (at most {limit}).", code=TOO_LARGE)})
    if len(data) > source.top_level_keys_limit:
        raise ValidationError({name: ValidationError(
            f"Exceeded root level key limit for extended data: {len(data)} keys (at most "
            f"{source.top_level_keys_limit}).", code=TOO_MANY_KEYS)})


def reference_of(source: ExtendedSource, data: dict[str, Any]) -> str | None:
    """The source's reference in `data` as text, or None (no reference key, or not a text or number)."""
    if not source.reference_key:
        return None
    value = data.get(source.reference_key)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value).strip()
    return text[:255] or None


@dataclass
class ExtendedResult:
    customer: Customer
    source: str
    data: dict[str, Any]
    changed: bool


def extended_put(*, ucrn: Any, source: Any, data: Any, user: UserLike, channel: str,
                 expected_version: int | None = None) -> ExtendedResult:
    """Replace the customer's object from `source` whole (SPEC 8.3; seed 002: all of it is sent). An empty
    object removes it. CSAs only (other systems act as CSAs). Refused with 400 and a code, nothing written:
    see the module's codes; `erased`/`merged` as every write."""
    if not is_csa(user):
        raise PermissionDenied("Only customer service agents and other systems may write extended data.")
    found = source_of(source)
    check_limits(found, data)
    with transaction.atomic():
        check_may_ask(user, ucrn)
        row = profile_row(ucrn, lock=True)
        check_row(user, found=row is not None, portal_user_id=row[0].portal_user_id if row else None)
        customer = row[0]
        check_writable(customer, user)
        if expected_version is not None and customer.version != expected_version:
            raise VersionConflict(current_version=customer.version)
        entry = _replace(customer, found, data)
        if entry is None:
            return ExtendedResult(customer, found.slug, data, changed=False)
        write_customer(customer=customer, fields=[], user=user, channel=channel, action=ChangeRecord.Action.UPDATE,
                       changes=[entry])
    return ExtendedResult(customer, found.slug, data, changed=True)


def extended_put_locked(customer: Customer, extended: Any, *, user: UserLike) -> list[dict[str, Any]]:
    """Replace several sources' objects of a customer the caller has locked and may write (an import record's
    or an event's `{"council_tax": {...}, ...}`), in the caller's transaction, without its change record:
    the change entries (none for an object unchanged). The rules and codes of `extended_put`, each error
    keyed `extended.<source>` (a source named wrongly too), all of them at once; the caller's transaction
    undoes what was written before an error."""
    if not is_csa(user):
        raise PermissionDenied("Only customer service agents and other systems may write extended data.")
    if not isinstance(extended, dict):
        raise ValidationError({SECTION: ValidationError(
            'Send an object of sources: {"council_tax": {...}}.', code="invalid")})
    entries, errors = [], {}
    for slug, data in extended.items():
        try:
            found = source_of(slug)
            check_limits(found, data)
            entry = _replace(customer, found, data)
        except ValidationError as error:
            for name, found_errors in error.error_dict.items():
                errors.setdefault(data_name(str(slug)[:60]) if name == "source" else name, []).extend(found_errors)
            continue
        if entry is not None:
            entries.append(entry)
    if errors:
        raise ValidationError(errors)
    return entries


def _replace(customer: Customer, source: ExtendedSource, data: dict[str, Any]) -> dict[str, Any] | None:
    """Replace the locked customer's object of `source` (its shape and limits checked): the keys unique across
    its sources, a unique reference free, then the object and its reference written. The change entry, or
    None when the object is the same as JSON (`true` is not `1`, key order does not count)."""
    _check_keys_unique(customer, source, data)
    reference = reference_of(source, data)
    if reference is not None and source.reference_unique:
        # the source's row lock: two customers given one unique reference at once are taken in turn
        ExtendedSource.objects.select_for_update().filter(pk=source.pk).first()
        _check_reference_free(customer, source, reference)
    current = ExtendedData.objects.filter(customer=customer, source=source).first()
    before = current.data if current is not None else {}
    if _canonical(before) == _canonical(data):
        return None
    if not data:
        ExtendedData.objects.filter(customer=customer, source=source).delete()
    elif current is None:
        ExtendedData.objects.create(customer=customer, source=source, data=data)
    else:
        current.data = data
        current.save(update_fields=["data", "updated_at"])
    _write_reference(customer, source, reference)
    return change(data_name(source.slug), before, data)


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _check_keys_unique(customer: Customer, source: ExtendedSource, data: dict[str, Any]) -> None:
    """A top-level key belongs to one source of a customer: 400 naming the keys another source holds."""
    taken: dict[str, str] = {}
    others = ExtendedData.objects.filter(customer=customer).exclude(source=source).select_related("source")
    for other in others:
        for key in data.keys() & (other.data.keys() if isinstance(other.data, dict) else set()):
            taken[key] = other.source.slug
    if taken:
        keys = sorted(taken)
        raise ValidationError({data_name(source.slug): ValidationError(
            f"Attribute(s) {', '.join(keys)} are already used in another source "
            f"({', '.join(sorted(set(taken.values())))}).", code=KEY_IN_OTHER_SOURCE)})


def _check_reference_free(customer: Customer, source: ExtendedSource, reference: str) -> None:
    """A unique reference identifies one customer: refused when another customer already holds it."""
    clash = ExtendedReference.objects.filter(source=source, key=reference_key(reference)).exclude(customer=customer)
    if clash.exists():
        raise ValidationError({data_name(source.slug): ValidationError(
            f"{source.reference_key} {reference} is another customer's reference in {source.slug}.",
            code=REFERENCE_TAKEN)})


def _write_reference(customer: Customer, source: ExtendedSource, reference: str | None) -> None:
    if reference is None:
        ExtendedReference.objects.filter(customer=customer, source=source).delete()
        return
    ExtendedReference.objects.update_or_create(
        customer=customer, source=source, defaults={"value": reference, "key": reference_key(reference)})


# --- export and erasure (`profiles.registry`, from `ProfilesConfig.ready`) ------------------------------

SECTION = "extended"


def erase_extended(subject: Subject) -> None:
    """Erasure removes every object and reference held about the subject's records."""
    ExtendedReference.objects.filter(customer__in=subject.ids).delete()
    ExtendedData.objects.filter(customer__in=subject.ids).delete()
