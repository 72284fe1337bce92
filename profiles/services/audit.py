"""The one write of a customer, and the change log: one record per create or change, in the same transaction.

Every change of an existing customer (Update, a new email, merge and its undo, erasure, the bulk import)
goes through `write_customer` (or `write_customers`, its batch form): the row saved with the next
`version` and a new `updated_at`, then its change record, which makes cached reads of it stale and tells
the listeners (webhooks).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from core.caching import bump
from core.roles import UserLike
from profiles import signals
from profiles.caching import profile_changed, profile_generation
from profiles.jsontree import jsonable
from profiles.models import ChangeRecord, Customer
from profiles.services.bulk import bulk_insert, bulk_update, insert_row, update_row

__all__ = ["change", "jsonable", "record_change", "record_changes", "write_customer", "write_customers"]


def write_customer(*, customer: Customer, fields: Iterable[str] | None, user: UserLike, channel: str, action: str,
                   changes: list[dict[str, Any]]) -> ChangeRecord:
    """Save `customer` (its `fields`; every field when None) with the next version and a new `updated_at`,
    and write its change record: in the caller's transaction, with the row locked by the caller, so the
    database's version + 1 is the instance's + 1 and nothing is read back."""
    customer.version += 1
    if fields is None:
        customer.save()
    else:
        update_row(customer, sorted({*fields, "version", "updated_at"}))
    return record_change(customer=customer, user=user, channel=channel, action=action, changes=changes)


def write_customers(*, entries: list[tuple[Customer, str, list[dict[str, Any]]]], fields: Iterable[str],
                    user: UserLike, channel: str) -> list[ChangeRecord]:
    """`write_customer` for many customers at once (the bulk import): (customer, action, changes) each.

    The customers of every entry but a Create (a row the caller has just inserted) are saved in one UPDATE
    of `fields`, each with its next version and one new `updated_at`; the change records of all the entries
    in one INSERT (`record_changes`)."""
    now = timezone.now()
    changed = [customer for customer, action, _ in entries if action != ChangeRecord.Action.CREATE]
    for customer in changed:
        customer.version += 1  # the rows are locked: the database's version + 1, as F() would
        customer.updated_at = now  # what `save` sets (auto_now); bulk_update does not
    if changed:
        bulk_update(Customer, changed, [*fields, "version", "updated_at"])
    return record_changes(entries=entries, user=user, channel=channel)


def change(field: str, before: Any, after: Any, *, address_id: int | None = None) -> dict[str, Any]:
    entry = {"field": field, "before": jsonable(before), "after": jsonable(after)}
    if address_id is not None:
        entry["address_id"] = address_id
    return entry


def record_change(
    *, customer: Customer, user: UserLike, channel: str, action: str, changes: list[dict[str, Any]]
) -> ChangeRecord:
    """The change record of a Create, or of a `write_customer`; an export (which changes nothing) too."""
    # Every write of a customer comes through here: cached reads of it (profiles.caching) become stale
    # now and again on commit, on every server.
    profile_changed(customer.ucrn)
    record = ChangeRecord(
        customer=customer,
        user=user if user is not None and user.is_authenticated else None,
        channel=channel,
        action=action,
        changes=changes,
    )
    insert_row(record)
    # Listeners (the webhooks' outbox, `systems`) write in this same transaction.
    signals.profile_changed.send(sender=ChangeRecord, record=record)
    return record


def record_changes(
    *, entries: list[tuple[Customer, str, list[dict[str, Any]]]], user: UserLike, channel: str
) -> list[ChangeRecord]:
    """`record_change` for many customers at once (the bulk import): (customer, action, changes) each.

    The same records, cache bumps and signals as one `record_change` per entry, in the caller's
    transaction, but one INSERT and one cache round trip (`profile_changed` for every UCRN) for them all,
    and one `profile_changes` signal carrying every record.
    """
    if not entries:
        return []
    bump(*dict.fromkeys(profile_generation(customer.ucrn) for customer, _, _ in entries))
    who = user if user is not None and user.is_authenticated else None
    records = [ChangeRecord(customer=customer, user=who, channel=channel, action=action, changes=changes)
               for customer, action, changes in entries]
    bulk_insert(ChangeRecord, records)
    signals.profile_changes.send(sender=ChangeRecord, records=records)
    return records
