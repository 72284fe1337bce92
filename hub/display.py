"""How pages word data names and show stored values: labels, list names, dates, phone numbers.

Presentation only: the values come from the services and selectors already checked and stored.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from profiles.selectors import reference_lists
from profiles.values import phone_national

LABELS: dict[str, str] = {
    "ucrn": "UCRN",
    "contact_type": "Contact type",
    "prefix_id": "Title",
    "first_name": "First name",
    "last_name": "Last name",
    "suffix_id": "Suffix",
    "organisation_name": "Organisation name",
    "birth_date": "Date of birth",
    "status": "Status",
    "location": "Location",
    "email_address": "Email address",
    "alternative_email": "Alternative email address",
    "phone_number": "Telephone number",
    "mobile_number": "Mobile number",
    "twitter": "Twitter handle",
    "preferred_contact_method": "Preferred contact method",
    "notification_preference": "Notification preference",
    "consent_to_share": "Consent to share",
    "preferred_language_id": "Preferred language",
    "data_location": "Data location",
    "region": "Region",
    "flat": "Flat",
    "house": "House name or number",
    "street": "Street",
    "locality": "Locality",
    "town": "Town or city",
    "post_town": "Post town",
    "county": "County",
    "postcode": "Postcode",
    "uprn": "UPRN",
    "ward": "Ward",
    "country_id": "Country",
    "lat": "Latitude",
    "lng": "Longitude",
    "start_date": "Start date",
    "end_date": "End date",
    "is_primary": "Is the current (primary) address",
    "address": "Address",
}

# The reference list whose item a data name's value is the id of.
LIST_OF: dict[str, str] = {
    "contact_type": "contact_types",
    "prefix_id": "titles",
    "suffix_id": "suffixes",
    "status": "statuses",
    "location": "locations",
    "preferred_contact_method": "contact_methods",
    "notification_preference": "contact_methods",
    "preferred_language_id": "languages",
    "country_id": "countries",
}

PHONE_NAMES = frozenset({"phone_number", "mobile_number"})
ADDRESS_LINE_NAMES = ("flat", "house", "street", "locality", "town", "post_town", "county", "postcode")

Labels = dict[str, dict[str, str]]


def reference_labels() -> Labels:
    """Every reference list as {list name: {str(id): name}}, from the shared cache (no query on a hit)."""
    return {name: {str(item["id"]): item["name"] for item in items} for name, items in reference_lists().items()}


def label(name: str) -> str:
    """`address.postcode` -> `Address: postcode`; unknown names are shown as they are."""
    if name.startswith("address."):
        inner = label(name.removeprefix("address."))
        return f"Address: {inner[0].lower()}{inner[1:]}" if inner != "UPRN" else "Address: UPRN"
    return LABELS.get(name, name.replace("_", " ").capitalize())


def show_date(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.day} {value:%B %Y}" if isinstance(value, dt.date) else ""


def show_phone(value: str) -> str:
    try:
        return phone_national(value)
    except Exception:
        return value


def show_address(address: dict[str, Any] | Any, labels: Labels | None = None) -> str:
    """One line: `Flat 2, 10 High Street, Bristol, BS1 4DJ` (the country when not the UK)."""
    get = address.get if isinstance(address, dict) else lambda name: getattr(address, name, "")
    parts = [str(get(name) or "") for name in ADDRESS_LINE_NAMES]
    country = get("country_id")
    if country and str(country) != "826" and labels is not None:
        parts.append(labels["countries"].get(str(country), str(country)))
    return ", ".join(p for p in parts if p)


def show_value(name: str, value: Any, labels: Labels) -> str:
    """A stored value of data name `name` in words; blank values are ""."""
    name = name.removeprefix("address.")
    if value is None or value == "" or value == []:
        return ""
    if name == "address" and isinstance(value, dict):
        return show_address(value, labels)
    if name in LIST_OF:
        names = labels[LIST_OF[name]]
        if isinstance(value, list):
            return ", ".join(names.get(str(v), str(v)) for v in value)
        return names.get(str(value), str(value))
    if name in PHONE_NAMES:
        return show_phone(value)
    if name.endswith("_date"):
        return show_date(value)
    if name == "consent_to_share":
        return {1: "Yes", 0: "No"}.get(value, str(value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def history_rows(records: Any, labels: Labels) -> list[dict[str, Any]]:
    """One row per changed field of each change record (one for a record without fields); custom fields
    are left out (SPEC 1)."""
    rows = []
    for record in records:
        if not record.changes:  # an export or an erasure: that it happened is the whole record
            who = record.user.get_username() if record.user else "System"
            rows.append({"record": record, "who": who, "field": record.get_action_display(), "before": "", "after": ""})
        for entry in record.changes:
            field = entry.get("field", "")
            if field.startswith("custom_"):
                continue
            rows.append(
                {
                    "record": record,
                    "who": record.user.get_username() if record.user else "System",
                    "field": label(field) if field != "address" else "New address",
                    "before": show_value(field, entry.get("before"), labels),
                    "after": show_value(field, entry.get("after"), labels),
                }
            )
    return rows
