"""Contact permissions per channel (SPEC 8.1): the rules the profile service applies to `permission_*`.

The values are profile data names (`profiles.datanames.PERMISSION_NAMES`), so Create and Update set them on
every door with the usual rules (absent = not touched, blank = back to `unknown` unless Ignore Empty
Entries). What is particular to them lives here:

- a channel is granted only with the contact it needs (`contact_missing` otherwise);
- their change entries carry the free text saying how they were given (`permission_note`);
- when, how (the door: the change record's channel) and by whom each was given are read back from the
  change records (`permission_details`), which also keep every earlier value.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from profiles.datanames import PERMISSION_NAMES
from profiles.models import PERMISSION_CHANNELS, ChangeRecord, Customer, Permission
from profiles.services.payload import Payload

CONTACT_MISSING = "contact_missing"
# What each channel needs, in words for the refusal.
NEEDS: dict[str, str] = {
    "email": "an email address",
    "phone": "a phone or mobile number",
    "sms": "a mobile number",
    "post": "an address",
}


def has_contact(customer: Customer, channel: str, *, has_address: bool) -> bool:
    """Whether the customer has what `channel` needs to reach them (`has_address`: a primary address)."""
    if channel == "email":
        return bool(customer.email_address)
    if channel == "sms":
        return bool(customer.mobile_number)
    if channel == "phone":
        return bool(customer.phone_number or customer.mobile_number)
    return has_address


def contact_missing_message(channel: str) -> str:
    return f"Permission to contact by {channel} cannot be granted without {NEEDS[channel]}."


def check_contacts(customer: Customer, payload: Payload, *, has_address: bool) -> None:
    """Refuse (into the payload's errors) each permission the write grants without its contact, judged on
    the values the customer will have once written."""
    for name, channel in PERMISSION_NAMES.items():
        if payload.profile.get(name) == Permission.GRANTED and not has_contact(customer, channel,
                                                                               has_address=has_address):
            payload.add_error(name, contact_missing_message(channel), CONTACT_MISSING)


def add_note(changes: Iterable[dict[str, Any]], note: str) -> None:
    """Put the free text saying how permissions were given into their change entries."""
    if not note:
        return
    for entry in changes:
        if entry.get("field") in PERMISSION_NAMES:
            entry["note"] = note


def refused_channels(changes: Iterable[dict[str, Any]]) -> list[str]:
    """The channels whose permission these change entries turned to `refused`."""
    return [PERMISSION_NAMES[e["field"]] for e in changes
            if e.get("field") in PERMISSION_NAMES and e.get("after") == Permission.REFUSED
            and e.get("before") != Permission.REFUSED]


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
