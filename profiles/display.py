"""How pages word data names and show stored values: labels, list names, address lines, dates, phone numbers.

SPEC 5, "Pages speak words": whatever a person reads (the record, its change history, a case, what the
integrations did) goes through this one module, so no page shows a list id, a data name or a raw structure.
Presentation only: the values come from the services and selectors already checked and stored. Every
page of every app uses it, so it sits in `profiles`, the lowest app that knows customers.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from profiles.models import REFERENCE_LISTS, UK_COUNTRY_ID, Address, ChangeRecord
from profiles.selectors import reference_lists
from profiles.selectors.duplicates import Duplicate
from profiles.values import parse_date, parse_phone, phone_national

# Seed 004: "help text exists on the End Date field to encourage users not to enter dates in the past for
# primary addresses". Every end-date field shows it: the CSA edit page, and any form field named End_Date.
END_DATE_HELP = ("Leave it blank while the customer lives there: an end date in the past marks the address as "
                 "ended. The end date cannot be before the start date.")

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
    "is_primary": "Current address",
    "address": "Address",
    # contact permissions and subscriptions (SPEC 8.1, 8.2)
    "permission_email": "Permission to email",
    "permission_phone": "Permission to phone",
    "permission_sms": "Permission to text (SMS)",
    "permission_post": "Permission to write (post)",
    "subscription": "Subscription",
    # what a merge (and its undoing) records beside the data names
    "merged_from": "Customer merged into this one",
    "merged_into": "Merged into customer",
    "cases": "Cases moved here",
    "portal_user": "Portal account",
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
YES_NO = {True: "Yes", False: "No", "1": "Yes", "0": "No", "on": "Yes", "true": "Yes", "false": "No"}  # 1 == True
BLANK = "(blank)"
# A house number ("12", "10a", "3-5") goes on one line with its street, as the Royal Mail writes it.
HOUSE_NUMBER = re.compile(r"^\d+[A-Za-z]?(\s*[-/]\s*\d+[A-Za-z]?)?$")

Labels = dict[str, dict[str, str]]


class FieldLike(Protocol):
    """A form field as the case pages need it (integrations.models.FormField)."""

    data_name: str
    label: str
    type: str
    hub_list: str

    def typed_options(self) -> list[tuple[str, str]]: ...


def reference_labels() -> Labels:
    """Every reference list as {list name: {str(id): name}}, from the shared cache (no query on a hit)."""
    return {name: {str(item["id"]): item["name"] for item in items} for name, items in reference_lists().items()}


def label(name: str) -> str:
    """`address.postcode` -> `Address: postcode`; unknown names are shown as they are, made readable."""
    if name.startswith("address."):
        return f"Address: {_lower(label(name.removeprefix('address.')))}"
    if name.startswith("extended."):  # another system's data (SPEC 8.3), by source
        return f"Other system's data: {name.removeprefix('extended.')}"
    return LABELS.get(name, name.replace("_", " ").capitalize())


def _lower(text: str) -> str:
    """`End date` -> `end date`, leaving an acronym (UPRN) as it is."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def show_date(value: Any) -> str:
    """`30 November 2026`, from a date or a date as the hub reads it (ISO or US text); other text as it is."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            try:
                value = parse_date(value)
            except ValidationError:
                return value
    return f"{value.day} {value:%B %Y}" if isinstance(value, dt.date) else ""


class ListNames:
    """`names(id)`: the name of a reference list's item, from the cached list (no query), "" for no id; an
    id the cached list lacks (an item added while the page was read) is read from its table."""

    def __init__(self, list_name: str) -> None:
        self.model = REFERENCE_LISTS[list_name]
        self.names = {item["id"]: item["name"] for item in reference_lists()[list_name]}

    def __call__(self, pk: Any) -> str:
        if pk is None:
            return ""
        if pk not in self.names:
            self.names[pk] = self.model._default_manager.filter(pk=pk).values_list("name", flat=True).first() or ""
        return self.names[pk]


def primary_address_lines(customer_ids: Iterable[int]) -> dict[int, str]:
    """{customer id: its primary address's line} (`show_address`, without the country: as a result row
    shows it), in one query of plain values, its SQL made once from the model (building and compiling it
    with the ORM cost more than the database spent on it)."""
    ids = list(customer_ids)
    if not ids:
        return {}
    sql = _primary_lines_sql.get(connection.vendor)
    if sql is None:
        qn, meta = connection.ops.quote_name, Address._meta
        columns = ", ".join(qn(meta.get_field(name).column) for name in ADDRESS_LINE_NAMES)
        customer = qn(meta.get_field("customer").column)
        sql = _primary_lines_sql[connection.vendor] = (
            f"SELECT {customer}, {columns} FROM {qn(meta.db_table)}"
            f" WHERE {qn(meta.get_field('is_primary').column)} = %s AND {customer} IN "
        )
    with connection.cursor() as cursor:
        cursor.execute(f"{sql}({', '.join(['%s'] * len(ids))})", [True, *ids])
        rows = cursor.fetchall()
    return {row[0]: show_address(dict(zip(ADDRESS_LINE_NAMES, row[1:], strict=True))) for row in rows}


_primary_lines_sql: dict[str, str] = {}  # by database vendor


def show_moment(value: dt.datetime, *, time: bool = True) -> str:
    """`2 Jan 2024 15:04` (`time`) or `2 Jan 2024`, in the current time zone: what the templates' `date`
    filter writes with "j M Y H:i" and "j M Y" (English month names), at a tenth of its cost."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.day} {local:%b %Y %H:%M}" if time else f"{local.day} {local:%b %Y}"


def show_phone(value: str) -> str:
    """A stored (E.164) or typed number in the national format; what cannot be parsed, as it is."""
    try:
        return phone_national(value if str(value).startswith("+") else parse_phone(value))
    except Exception:
        return value


def show_address(address: Mapping[str, Any] | Any, labels: Labels | None = None) -> str:
    """One line: `Flat 2, 10 High Street, Bristol, BS1 4DJ` (the country when not the UK)."""
    get = address.get if isinstance(address, Mapping) else lambda name: getattr(address, name, "")
    parts = [str(get(name) or "").strip() for name in ADDRESS_LINE_NAMES]
    lines = dict(zip(ADDRESS_LINE_NAMES, parts, strict=True))
    if HOUSE_NUMBER.match(lines["house"]) and lines["street"]:
        lines["street"] = f"{lines['house']} {lines['street']}"
        lines["house"] = ""
    country = get("country_id")
    shown = [p for p in lines.values() if p]
    if country and str(country).lstrip("0") != str(UK_COUNTRY_ID) and labels is not None:
        shown.append(labels["countries"].get(str(int(country)) if str(country).isdigit() else str(country),
                                             str(country)))
    return ", ".join(shown)


def show_value(name: str, value: Any, labels: Labels) -> str:
    """A stored value of data name `name` in words; blank values are ""."""
    name = name.removeprefix("address.")
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if name.startswith("extended."):  # another system's object, as it sent it
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if name == "address" and isinstance(value, Mapping):
        return show_address(value, labels)
    if name.startswith("permission_") and isinstance(value, str):
        return value.capitalize()
    if name == "subscription" and isinstance(value, Mapping):
        return show_subscription(value)
    if name in LIST_OF:
        names = labels[LIST_OF[name]]
        if isinstance(value, list):
            return ", ".join(names.get(str(v), str(v)) for v in value)
        return names.get(str(value), str(value))
    if name in PHONE_NAMES:
        return show_phone(value)
    if name.endswith("_date"):
        return show_date(value)
    if name in ("consent_to_share", "is_primary") or isinstance(value, bool):
        return YES_NO.get(value, str(value))
    return str(value)


def show_subscription(value: Mapping[str, Any]) -> str:
    """A subscription (a change entry's value, or `subscription_data`) in words: `bin-reminders by email
    (jo@example.org)`."""
    text = f"{value.get('topic_name') or value.get('topic')} by {value.get('channel')}"
    return f"{text} ({value['address']})" if value.get("address") else text


def addresses_named(
    entries: Iterable[Mapping[str, Any]], labels: Labels | None = None, known: Iterable[Any] = (),
) -> dict[int, str]:
    """{address id: its address line} for the address records that change entries name.

    `known` are address records the page already holds (the record page's timeline): only the others
    are read, in one query.
    """
    lines = {a.pk: show_address(a, labels) for a in known}
    wanted = {e["address_id"] for e in entries if isinstance(e.get("address_id"), int)} - set(lines)
    if wanted:
        rows = Address.objects.filter(pk__in=wanted).only("pk", "country_id", *ADDRESS_LINE_NAMES)
        lines.update({a.pk: show_address(a, labels) for a in rows})
    return lines


def change_words(
    entry: Mapping[str, Any], labels: Labels, addresses: Mapping[int, str],
    field_labels: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """One change-log entry in words: `label`, `before`, `after` and the whole `text`.

    A new address record is its address line; a change to an address record names that record by its
    line ("12 Old Road, Leeds: end date"); other names take the form's label when one is given.
    """
    field = str(entry.get("field", ""))
    before, after = entry.get("before"), entry.get("after")
    if field == "address":
        shown = {"label": "New address", "before": show_value("address", before, labels),
                 "after": show_value("address", after, labels)}
        return {**shown, "text": f"New address: {shown['after'] or BLANK}"}
    if field.startswith("address."):
        line = addresses.get(entry.get("address_id"))  # type: ignore[arg-type]
        name = label(field.removeprefix("address."))
        what = f"{line}: {_lower(name)}" if line else label(field)
        shown = {"label": what, "before": show_value(field, before, labels), "after": show_value(field, after, labels)}
        return {**shown, "text": f"{what} {shown['before'] or BLANK} → {shown['after'] or BLANK}"}
    what = (field_labels or {}).get(field.lower()) or label(field)
    shown = {"label": what, "before": show_value(field, before, labels), "after": show_value(field, after, labels)}
    if entry.get("note") and shown["after"]:  # how a contact permission was given ("phone call")
        shown["after"] = f"{shown['after']} ({entry['note']})"
    return {**shown, "text": f"{what}: {shown['before'] or BLANK} → {shown['after'] or BLANK}"}


def history_rows(records: Iterable[Any], labels: Labels, addresses: Mapping[int, str]) -> list[dict[str, Any]]:
    """One row per changed field of each change record (one for a record without fields); custom fields
    are left out (SPEC 1). `addresses`: `addresses_named` of the records' entries."""
    rows = []
    for record in records:
        email_change = record.action == ChangeRecord.Action.EMAIL_CHANGE
        shown = {"when": show_moment(record.created_at),
                 "who": record.user.get_username() if record.user else "System",
                 "channel": record.get_channel_display() + (" (email change)" if email_change else "")}
        if not record.changes:  # an export or an erasure: that it happened is the whole record
            rows.append({**shown, "field": record.get_action_display(), "before": "", "after": ""})
        for entry in record.changes:
            if str(entry.get("field", "")).startswith("custom_"):
                continue
            words = change_words(entry, labels, addresses)
            rows.append({**shown, "field": words["label"], "before": words["before"], "after": words["after"]})
    return rows


def field_options(field: FieldLike, labels: Labels) -> dict[str, str]:
    """A select or checkbox list field's {value: label}: its hub list's names, or its typed options."""
    if field.hub_list:
        return labels.get(field.hub_list, {})
    return dict(field.typed_options())


def show_entered(field: FieldLike, value: Any, labels: Labels) -> str:
    """A value as a person entered it in a form field, in words: option labels, Yes/No, dates, phones."""
    if value is None or value == "" or value == []:
        return ""
    options = field_options(field, labels)
    if isinstance(value, list):
        return ", ".join(options.get(str(v), str(v)) for v in value)
    if field.type == "checkbox":
        return YES_NO.get(value if not isinstance(value, str) else value.lower(), str(value))
    if field.type in ("select", "checkbox_list"):
        return options.get(str(value), str(value))
    if field.type == "phone":
        return show_phone(value)
    if field.type == "date":
        return show_date(value)
    return str(value)


def entered_rows(data: Mapping[str, Any], fields: Iterable[FieldLike], labels: Labels) -> list[tuple[str, str]]:
    """What was entered in a form, as (field label, value in words), in the form's order; values of
    fields the form no longer has keep their data name, made readable."""
    by_name = {f.data_name.lower(): f for f in fields}
    order = {name: n for n, name in enumerate(by_name)}
    rows = []
    for name, value in sorted(data.items(), key=lambda item: order.get(str(item[0]).lower(), len(order))):
        field = by_name.get(str(name).lower())
        if field is None:
            rows.append((label(str(name).lower()), show_value(str(name).lower(), value, labels)))
        else:
            rows.append((field.label, show_entered(field, value, labels)))
    return rows


def outcome_words(
    outcomes: Iterable[Mapping[str, Any]], labels: Labels, fields: Iterable[FieldLike] = (),
) -> list[dict[str, Any]]:
    """The integrations' outcomes of a case with each change worded beside its data (`label`,
    `before_text`, `after_text`, `text`); the form's labels name the fields they fed."""
    outcomes = list(outcomes)
    field_labels = {f.data_name.lower(): f.label for f in fields}
    addresses = addresses_named((e for o in outcomes for e in o.get("changes", [])), labels)
    worded = []
    for outcome in outcomes:
        changes = []
        for entry in outcome.get("changes", []):
            words = change_words(entry, labels, addresses, field_labels)
            changes.append({**entry, "label": words["label"], "before_text": words["before"],
                            "after_text": words["after"], "text": words["text"]})
        worded.append({**outcome, "changes": changes})
    return worded


def duplicate_rows(duplicates: list[Duplicate], labels: Labels | None = None) -> list[dict[str, Any]]:
    """What a CSA reads of each candidate: UCRN, name, current address, why it may be the same person."""
    return [
        {
            "ucrn": d.customer.ucrn,
            "name": d.customer.display_name or "(no name)",
            "address": show_address(d.primary, labels) if d.primary is not None else "",
            "reasons": d.reason_text[:1].upper() + d.reason_text[1:],
        }
        for d in duplicates
    ]
