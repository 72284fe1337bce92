"""The address rules of SPEC 4.1 and 4.3: new record or update in place, primary or not, end dates.

Planning happens in memory and raises `ValidationError` before anything is written; `AddressPlan.save`
then writes in the order the one-primary constraint needs (the old primary stops being primary first).
A bulk writer (`profiles.services.imports`) writes many plans at once from `updates()` and `new`, in that
same order, and takes the change-log entries from `entries()`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from profiles import values
from profiles.datanames import (
    ADDRESS_CONTENT_NAMES,
    ADDRESS_MATCH_NAMES,
    ADDRESS_NAMES,
)
from profiles.models import UK_COUNTRY_ID, Address, Customer, check_address_dates
from profiles.services.audit import change
from profiles.services.payload import Payload

Warning = dict[str, str]


@dataclass
class AddressPlan:
    """What a write does to the address records: changed records, and at most one new record."""

    changed: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # record id -> its changes
    records: dict[int, Address] = field(default_factory=dict)
    new: Address | None = None

    @property
    def is_empty(self) -> bool:
        return self.new is None and not self.changed

    def note(self, record: Address, name: str, before: Any, after: Any) -> None:
        self.records[record.pk] = record
        self.changed.setdefault(record.pk, []).append(change(f"address.{name}", before, after, address_id=record.pk))

    def updates(self) -> list[tuple[Address, list[str]]]:
        """The changed records and the model fields each needs written, in plan order.

        Whoever writes them (`save`, or a bulk writer for many plans) writes these before inserting
        `new`: the old primary must stop being primary first (the one-primary constraint)."""
        rows = []
        for pk, record_changes in self.changed.items():
            names = dict.fromkeys(c["field"].removeprefix("address.") for c in record_changes)
            rows.append((self.records[pk], [ADDRESS_NAMES[n].attr if n in ADDRESS_NAMES else n for n in names]))
        return rows

    def entries(self) -> list[dict[str, Any]]:
        """The plan's change-log entries; once written (a new record's entry names its id)."""
        entries = [c for record_changes in self.changed.values() for c in record_changes]
        if self.new is not None:
            entries.append(change("address", None, address_values(self.new), address_id=self.new.pk))
        return entries

    def save(self) -> list[dict[str, Any]]:
        """Write the plan, one record at a time; return its change-log entries."""
        for record, fields in self.updates():
            record.save(update_fields=fields)
        if self.new is not None:
            self.new.save()
        return self.entries()


def address_values(record: Address) -> dict[str, Any]:
    """An address record as data names (dates included), for the change log."""
    data = {name: getattr(record, spec.attr) for name, spec in ADDRESS_NAMES.items()}
    data["is_primary"] = record.is_primary
    return data


def has_content(payload: Payload) -> bool:
    """SPEC 4.3.1: only a given non-date address field makes a new address record."""
    return any(name in payload.address for name in ADDRESS_CONTENT_NAMES)


def checked_postcode(payload: Payload, country_id: int) -> str | None:
    """The given postcode, validated and normalised when the address is in the UK; None if not given."""
    if "postcode" not in payload.address:
        return None
    raw = payload.address["postcode"]
    if country_id != UK_COUNTRY_ID:
        return raw
    try:
        return values.parse_uk_postcode(raw)
    except ValidationError as error:
        raise ValidationError({"postcode": error.error_list}) from None


def new_record(customer: Customer, payload: Payload, *, today: dt.date) -> Address:
    """A new address record from the given fields: start today unless given, end blank unless given."""
    given = dict(payload.address)
    country_id = given.get("country_id") or UK_COUNTRY_ID
    postcode = checked_postcode(payload, country_id)
    if postcode is not None:
        given["postcode"] = postcode
    record = Address(customer=customer, country_id=country_id)
    for name, value in given.items():
        setattr(record, ADDRESS_NAMES[name].attr, value)
    record.start_date = given.get("start_date") or today
    record.end_date = given.get("end_date")
    _check_dates(record, payload)
    return record


def plan_for_create(customer: Customer, payload: Payload, *, today: dt.date) -> AddressPlan:
    plan = AddressPlan()
    if has_content(payload):
        plan.new = new_record(customer, payload, today=today)
        plan.new.is_primary = True
    return plan


def plan_for_update(
    customer: Customer, addresses: list[Address], payload: Payload, *, today: dt.date
) -> AddressPlan:
    """SPEC 4.3, steps 1 to 3."""
    primary = next((a for a in addresses if a.is_primary), None)
    if payload.options["update_primary_address"] and primary is not None:
        return _plan_in_place(primary, payload)
    plan = AddressPlan()
    if not has_content(payload):
        return plan
    record = new_record(customer, payload, today=today)
    as_primary = payload.options["address_is_primary"]
    if as_primary:
        candidates = [primary] if primary is not None and not _ended(primary, today) else []
    else:
        candidates = [a for a in addresses if not _ended(a, today)]
    if any(_match_key(record) == _match_key(other) for other in candidates):
        return plan  # a retried call: the address is already there
    plan.new = record
    record.is_primary = as_primary or primary is None
    if as_primary:
        for older in addresses:
            if older.is_primary:
                plan.note(older, "is_primary", True, False)
                older.is_primary = False
            if older.end_date is None and not payload.options["keep_empty_end_dates"]:
                # A record that has not started yet ends the day it starts: never before its start.
                end = max(today, older.start_date or today)
                plan.note(older, "end_date", None, end)
                older.end_date = end
    return plan


def _plan_in_place(primary: Address, payload: Payload) -> AddressPlan:
    """SPEC 4.3.2: change the primary record field by field under the blank rule."""
    plan = AddressPlan()
    clear_blanks = not payload.options["ignore_empty_entries"]
    if "country_id" in payload.address:
        country_id = payload.address["country_id"]
    elif "country_id" in payload.blank and clear_blanks:
        country_id = UK_COUNTRY_ID
    else:
        country_id = primary.country_id
    postcode = checked_postcode(payload, country_id)
    clearing_postcode = "postcode" in payload.blank and clear_blanks
    if postcode is None and country_id == UK_COUNTRY_ID and primary.country_id != UK_COUNTRY_ID \
            and primary.postcode and not clearing_postcode:
        # Moving the record to the UK keeps its postcode: it must then be a valid UK one (SPEC 2).
        try:
            postcode = values.parse_uk_postcode(primary.postcode)
        except ValidationError as error:
            raise ValidationError({"postcode": error.error_list}) from None
    for name, spec in ADDRESS_NAMES.items():
        if name == "postcode" and postcode is not None:
            new = postcode
        elif name in payload.address:
            new = payload.address[name]
        elif name in payload.blank and clear_blanks and name != "start_date":
            new = country_id if name == "country_id" else _empty(primary, spec.attr)
        else:
            continue
        before = getattr(primary, spec.attr)
        if before != new:
            plan.note(primary, name, before, new)
            setattr(primary, spec.attr, new)
    _check_dates(primary, payload)
    return plan


def _check_dates(record: Address, payload: Payload) -> None:
    """SPEC 4.3.6 on the record as the write leaves it; a date that did not parse has its own error."""
    if not {"start_date", "end_date"} & payload.errors.keys():
        check_address_dates(record.start_date, record.end_date)


def _empty(record: Address, attr: str) -> Any:
    return None if record._meta.get_field(attr.removesuffix("_id")).null else ""


def _ended(record: Address, today: dt.date) -> bool:
    return record.end_date is not None and record.end_date < today


def _match_key(record: Address) -> tuple:
    """The non-date fields, normalised: case and spaces folded, postcode normalised, blank country = UK."""
    key = []
    for name in ADDRESS_MATCH_NAMES:
        value = getattr(record, ADDRESS_NAMES[name].attr)
        if name == "postcode" and record.country_id == UK_COUNTRY_ID and value:
            value = values.normalise_postcode(value)
        if isinstance(value, str):
            value = " ".join(value.split()).casefold()
        if name == "country_id":
            value = value or UK_COUNTRY_ID
        key.append(value)
    return tuple(key)


def ended_address_warnings(profile: Mapping[str, Any], *, today: dt.date | None = None) -> list[Warning]:
    """SPEC 4.3.4: a primary address that has ended is allowed, with a warning. The one source of it, from
    a profile (the Get output): the answer of every write, and a form's lookup."""
    end = profile.get("end_date")
    end_date = values.parse_date(end) if isinstance(end, str) and end else None
    if end_date is not None and end_date < (today or values.today()):
        return [
            {
                "code": "primary_address_ended",
                "message": "The primary address has ended: its end date is in the past. "
                "Check the end date, or add the customer's current address.",
            }
        ]
    return []
