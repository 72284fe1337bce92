"""Find address on a form (the seed's `search_for_street_postcode` input helper): the CSA types a postcode or
a street in the form's helper field, picks one of the addresses the hub holds, and the form's address
fields are filled with it.

Without JavaScript this is two submits of the form, each re-rendering it with what was typed: "Find
address" lists the suggestions as radio buttons, "Use this address" fills the fields. The helper itself is
never sent to the record (SPEC 2: not stored). What matches is `profiles.selectors.address_search`'s.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from core.roles import UserLike
from integrations.models import Form
from profiles.datanames import INPUT_HELPER_NAMES
from profiles.selectors.address_search import ADDRESS_FIELDS, address_suggestions

SUGGESTIONS_SHOWN = 20


def helper_field(form: Form) -> str | None:
    """The data name of the form's address search box, as the form spells it; None without one."""
    return next((f.data_name for f in form.fields.all() if f.data_name.lower() in INPUT_HELPER_NAMES), None)


def find_addresses(*, text: Any, user: UserLike) -> list[dict[str, Any]]:
    """The suggestions for `text`, each with `choice`: what its radio button sends back (its fields, as
    JSON). A ValidationError for text that is no address search; PermissionDenied for a non-CSA."""
    found = address_suggestions(text=text, user=user, limit=SUGGESTIONS_SHOWN)
    return [{**s, "choice": json.dumps({name: s[name] for name in ADDRESS_FIELDS}, sort_keys=True)} for s in found]


def chosen_address(text: Any) -> dict[str, str] | None:
    """A radio button's value read back: the address fields as text, or None for anything else."""
    try:
        data = json.loads(text) if isinstance(text, str) and len(text) <= 2000 else None
    except ValueError:
        return None
    if not isinstance(data, Mapping) or set(data) != set(ADDRESS_FIELDS):
        return None
    if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in data.values()):
        return None
    return {name: str(data[name]) for name in ADDRESS_FIELDS}


def fill_address(form: Form, values: Mapping[str, Any], address: Mapping[str, str]) -> dict[str, Any]:
    """`values` (the form's, by field data name) with each address field of the form set from `address`:
    all of them, blanks too, so nothing of a previously typed address is left mixed in."""
    filled = dict(values)
    for spec in form.fields.all():
        name = spec.data_name.lower()
        if name in address:
            filled[spec.data_name] = address[name]
    return filled
