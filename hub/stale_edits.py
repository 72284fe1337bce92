"""Two people editing one customer at once: the edit pages reconcile a stale submission with the record.

(Not a merge of two customers: that is `profiles.services.merge`, on `hub.merge_pages`.)

An edit page carries, in hidden fields, the version of the record it loaded and the values it showed. When
it is submitted after someone else changed the record (the version moved on), the submission is reconciled
with the record as it is now, before any form is validated:

- a field this person did not change (their value is the one they loaded) takes the current value, so
  the other person's change is kept;
- a field only this person changed keeps their value;
- a field both changed, to different values, is a **conflict**: the page shows both values and a
  "keep mine / keep theirs" choice per field, and saves only when every conflict has a choice.

The reconciled data then goes to `profile_update` with `expected_version` = the current version, under the
row lock, so a third change slipping in between is refused (`VersionConflict`) instead of overwritten.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from core.jsonlimits import load_json

MINE, THEIRS = "mine", "theirs"


class VersionForm(forms.Form):
    """The version the page loaded and the values it showed, carried through the submission."""

    # Text, parsed here: a tampered value is treated as "no version", never as a form error nobody can see.
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    loaded = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current_version: int | None = self.initial.get("version")
        self.conflicts: list[Conflict] = []

    @property
    def given_version(self) -> int | None:
        """The version the page loaded, or None (no version, or not a number)."""
        raw = self.data.get(self.add_prefix("version"), "") if self.is_bound else ""
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None

    @property
    def unresolved(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.choice is None]


@dataclass
class Conflict:
    """A field both people changed: their value and mine, as the page shows them, and the choice made."""

    key: str  # the field's name in the page's data (with its form's prefix)
    label: str
    mine: str
    theirs: str
    choice: str | None

    @property
    def choice_name(self) -> str:
        return f"keep-{self.key}"


def _multiple(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.CheckboxSelectMultiple)


def _norm(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return "" if value is None else str(value).strip()


def _raw(data: QueryDict, key: str, field: forms.Field) -> Any:
    """The submitted value; a list in the order given (an ordered list's order numbers applied)."""
    return _norm(field.widget.value_from_datadict(data, {}, key)) if _multiple(field) else _norm(data.get(key, ""))


def _show(field: forms.Field, value: Any) -> str:
    """A value as the person chose it: a list item's name rather than its id."""
    choices = {str(k): str(v) for k, v in getattr(field.widget, "choices", [])}
    if isinstance(value, list):
        return ", ".join(choices.get(v, v) for v in value) or "(blank)"
    return choices.get(value, value) if value else "(blank)"


def loaded_values(forms_: Sequence[forms.Form]) -> str:
    """The JSON of the values the page shows (the forms' initial values), keyed by input name."""
    return json.dumps(
        {form.add_prefix(name): _norm(form.initial.get(name)) for form in forms_ for name in form.fields}
    )


def reconcile_stale(data: QueryDict, version_form: VersionForm, forms_: Sequence[forms.Form]) -> QueryDict:
    """`data` reconciled with the current record (the forms' initial values) when the page's version is stale.

    Records the conflicts on `version_form`. Returns `data` unchanged when the page is up to date or
    carries no version (a client that never loaded the page).
    """
    if version_form.given_version is None or version_form.given_version == version_form.current_version:
        return data
    try:  # the page's own hidden JSON, but a client may send anything (nesting deep enough to crash json)
        loaded = load_json(data.get(version_form.add_prefix("loaded")) or "{}")
    except ValidationError:
        loaded = {}
    if not isinstance(loaded, dict):
        loaded = {}
    reconciled = data.copy()
    for form in forms_:
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            current = _norm(form.initial.get(name))
            if key not in loaded:
                continue  # not shown when the page loaded: the submitted value stands
            mine, before = _raw(data, key, field), _norm(loaded[key])
            if mine == before or mine == current:
                choice = THEIRS
            elif current == before:
                continue  # only I changed it
            else:
                choice = data.get(f"keep-{key}")
                choice = choice if choice in (MINE, THEIRS) else None
                version_form.conflicts.append(
                    Conflict(key=key, label=str(field.label), mine=_show(field, mine), theirs=_show(field, current),
                             choice=choice)
                )
                if choice != THEIRS:
                    continue
            if _multiple(field):
                reconciled.setlist(key, current)
                for number in [k for k in reconciled if k.startswith(f"{key}-order-")]:
                    del reconciled[number]  # their list keeps its own order, not the numbers typed for mine
            else:
                reconciled[key] = current
    return reconciled
