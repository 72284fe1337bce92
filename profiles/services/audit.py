"""The change log: one record per create or update that changed something, in the same transaction."""
from __future__ import annotations

from typing import Any

from core.caching import bump
from core.roles import UserLike
from profiles import signals
from profiles.caching import profile_changed, profile_generation
from profiles.jsontree import jsonable
from profiles.models import ChangeRecord, Customer
from profiles.services.bulk import bulk_insert

__all__ = ["change", "jsonable", "record_change", "record_changes"]


def change(field: str, before: Any, after: Any, *, address_id: int | None = None) -> dict[str, Any]:
    entry = {"field": field, "before": jsonable(before), "after": jsonable(after)}
    if address_id is not None:
        entry["address_id"] = address_id
    return entry


def record_change(
    *, customer: Customer, user: UserLike, channel: str, action: str, changes: list[dict[str, Any]]
) -> ChangeRecord:
    # Every write of a customer comes through here: cached reads of it (profiles.caching) become stale
    # now and again on commit, on every server.
    profile_changed(customer.ucrn)
    record = ChangeRecord.objects.create(
        customer=customer,
        user=user if user is not None and user.is_authenticated else None,
        channel=channel,
        action=action,
        changes=changes,
    )
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
