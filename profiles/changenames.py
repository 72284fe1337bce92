"""The data names a change record changed: the one reading of the change log's entries as data names.

Webhooks (`changed` in a profile event) and profile events (`Event.changed`) tell other systems which data
names a write changed, so they know what to read again. The change log records what the services wrote,
which is not always named as the Get output names it:

- an address record changed in place is `address.<name>` (with the record's id): `<name>`, whichever record
  it was (a move end-dates the old record: `end_date`). `address.is_primary` is bookkeeping, not data;
- a new address record is `address`, with all its values. When it replaces the primary address (a move: the
  old primary's `address.is_primary` went from true to false in the same record), the Get output's address
  changed from the old record's values to the new one's: every name whose value differs, the ones the move
  blanked included; the old record's values are read back (one query for many records). Otherwise (a first
  address, one added beside the primary, one a merge brought) its non-blank values are new data;
- the names made of others change with them: `name` and `sort_name` (`Customer.display_name`,
  `Customer.sort_name`), `country` (`country_id`);
- extended data of a source (SPEC 8.3) is `extended.<source>`: the source whose object was replaced;
- entries that are not data (merge links, cases, the portal account) name nothing.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from profiles.datanames import ADDRESS_NAMES, PROFILE_NAMES
from profiles.jsontree import jsonable
from profiles.models import Address

# The derived names of the Get output and the data names each is made of.
DERIVED_FROM: dict[str, frozenset[str]] = {
    "name": frozenset({"contact_type", "prefix_id", "first_name", "last_name", "suffix_id", "organisation_name"}),
    "sort_name": frozenset({"contact_type", "first_name", "last_name", "organisation_name"}),
    "country": frozenset({"country_id"}),
}
EXTENDED_PREFIX = "extended."  # extended data by source (SPEC 8.3)
BOOKKEEPING = frozenset({"is_primary"})

Entry = Mapping[str, Any]


def changed_data_names(changes_of: Sequence[Iterable[Entry]], *, derived: bool = True) -> list[list[str]]:
    """For each change record's entries (`ChangeRecord.changes`), the sorted data names it changed;
    with the names derived from them (`name`, ...) unless `derived` is false (the names written)."""
    entries_of = [list(changes) for changes in changes_of]
    replaced = _replaced_primaries(entries_of)
    return [_names(entries, replaced, derived) for entries in entries_of]


def _names(entries: list[Entry], replaced: dict[int, dict[str, Any]], derived: bool) -> list[str]:
    names: set[str] = set()
    old_primary = next((replaced[pk] for pk in _replaced_ids(entries) if pk in replaced), None)
    for entry in entries:
        field = str(entry.get("field", ""))
        if field in PROFILE_NAMES:
            names.add(field)
        elif field.removeprefix("address.") in ADDRESS_NAMES and field.startswith("address."):
            names.add(field.removeprefix("address."))
        elif field == "address":
            names |= _new_record_names(entry, old_primary)
        elif field.startswith(EXTENDED_PREFIX) and len(field) > len(EXTENDED_PREFIX):
            names.add(field)  # a source's extended data, replaced whole: `extended.<source>`
    if derived:
        names |= {name for name, parts in DERIVED_FROM.items() if names & parts}
    return sorted(names)


def _new_record_names(entry: Entry, old_primary: dict[str, Any] | None) -> set[str]:
    """A record added (`after`) or taken away (`before`, undoing a merge): the names it changed."""
    after, before = entry.get("after"), entry.get("before")
    if isinstance(after, Mapping) and after.get("is_primary") and old_primary is not None:
        return {name for name in ADDRESS_NAMES if _value(after.get(name)) != _value(old_primary.get(name))}
    record = after if isinstance(after, Mapping) else before if isinstance(before, Mapping) else {}
    return {name for name in ADDRESS_NAMES if _value(record.get(name)) is not None}


def _value(value: Any) -> Any:
    """Blank is blank, whichever blank it is."""
    return None if value in (None, "", []) else value


def _replaced_ids(entries: list[Entry]) -> list[int]:
    """The address records this change made stop being primary: a new primary replaced them."""
    return [entry["address_id"] for entry in entries
            if entry.get("field") == "address.is_primary" and entry.get("before") is True
            and entry.get("after") is False and isinstance(entry.get("address_id"), int)]


def _replaced_primaries(entries_of: list[list[Entry]]) -> dict[int, dict[str, Any]]:
    """The values each replaced primary record had before the change (as the change log writes values):
    its row now, with the fields the change wrote put back as they were. One query for every record."""
    wanted = {pk for entries in entries_of
              if any(e.get("field") == "address" and isinstance(e.get("after"), Mapping) for e in entries)
              for pk in _replaced_ids(entries)}
    if not wanted:
        return {}
    attrs = {name: spec.attr for name, spec in ADDRESS_NAMES.items()}
    rows = {row["pk"]: row for row in Address.objects.filter(pk__in=wanted).values("pk", *attrs.values())}
    values = {pk: {name: jsonable(row[attr]) for name, attr in attrs.items()} for pk, row in rows.items()}
    for entries in entries_of:
        for entry in entries:
            field, pk = str(entry.get("field", "")), entry.get("address_id")
            if pk in values and field.startswith("address.") and field.removeprefix("address.") in ADDRESS_NAMES:
                values[pk][field.removeprefix("address.")] = entry.get("before")
    return values
