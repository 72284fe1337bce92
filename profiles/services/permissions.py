"""Contact permissions per channel (SPEC 8.1): the rules the profile service applies to `permission_*`.

The values are profile data names (`profiles.datanames.PERMISSION_NAMES`), so Create and Update set them on
every door with the usual rules (absent = not touched, blank = back to `unknown` unless Ignore Empty
Entries). What is particular to them lives here:

- a channel is granted only with the contact it needs (`contact_missing` otherwise);
- their change entries carry the free text saying how they were given (`permission_note`);
- when, how (the door: the change record's channel) and by whom each was given are read back from the
  change records (`profiles.selectors.permissions.permission_details`), which also keep every earlier value.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from profiles.datanames import PERMISSION_NAMES
from profiles.models import Customer, Permission
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

