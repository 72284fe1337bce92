"""Reads of contact permissions (SPEC 8.1): each channel's permission with when, how and by whom it was
last given, read back from the change records.

The rules applied when they are written are `profiles.services.permissions`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from profiles.datanames import PERMISSION_NAMES
from profiles.models import PERMISSION_CHANNELS, ChangeRecord, Customer


@dataclass(frozen=True)
class PermissionDetail:
    """A channel's permission now, and when, how and by whom it was last changed (None: never)."""

    channel: str
    status: str
    changed_at: Any = None
    source: str = ""  # the door (a change record's channel)
    note: str = ""
    by: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "status": self.status,
                "changed_at": self.changed_at.isoformat() if self.changed_at else None,
                "source": self.source, "note": self.note, "by": self.by}


def permission_details(statuses: Mapping[str, Any], records: Iterable[ChangeRecord]) -> list[PermissionDetail]:
    """Each channel's permission (`statuses`: the Get output, or anything holding `permission_<channel>`),
    with when, how and by whom it last changed, from the customer's change records, newest first (those
    a page already read: no query but the records' users, when not loaded with them)."""
    found: dict[str, PermissionDetail] = {}
    for record in records:
        for entry in record.changes if isinstance(record.changes, list) else []:
            channel = PERMISSION_NAMES.get(entry.get("field")) if isinstance(entry, dict) else None
            if channel is None or channel in found:
                continue
            found[channel] = PermissionDetail(
                channel=channel, status=str(statuses.get(f"permission_{channel}")), changed_at=record.created_at,
                source=record.channel, note=str(entry.get("note") or ""),
                by=record.user.get_username() if record.user_id else "")
        if len(found) == len(PERMISSION_CHANNELS):
            break
    return [found.get(c) or PermissionDetail(channel=c, status=str(statuses.get(f"permission_{c}")))
            for c in PERMISSION_CHANNELS]


def customer_permission_details(customer: Customer) -> list[PermissionDetail]:
    """`permission_details` of a customer, reading their change records (one query)."""
    records = ChangeRecord.objects.filter(customer=customer).select_related("user").order_by("-created_at", "-id")
    statuses = {f"permission_{c}": getattr(customer, f"permission_{c}") for c in PERMISSION_CHANNELS}
    return permission_details(statuses, records.iterator())
