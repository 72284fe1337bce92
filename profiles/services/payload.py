"""Reading a write (Create or Update): data names and options in, parsed values and errors out.

Absent, blank and given are kept apart, because the Update rules of SPEC 4.2 treat them differently:
a name absent from the call is never touched; a name given blank is cleared or ignored by option.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from core import jsonlimits
from core.jsonlimits import REQUEST_MAX_DEPTH, json_problem, printable
from profiles import placeholders, values
from profiles.datanames import (
    ADDRESS_NAMES,
    INPUT_HELPER_NAMES,
    OPTION_DEFAULTS,
    PERMISSION_NOTE,
    PROFILE_NAMES,
    READ_ONLY_NAMES,
)
from profiles.models import TEXT_MAX

Errors = dict[str, list[ValidationError]]


@dataclass
class Payload:
    profile: dict[str, Any] = field(default_factory=dict)  # given (non-blank) profile values, parsed
    address: dict[str, Any] = field(default_factory=dict)  # given (non-blank) address values, parsed
    blank: set[str] = field(default_factory=set)  # data names given blank
    options: dict[str, bool] = field(default_factory=dict)
    ucrn: str | None = None  # a read-only `ucrn` in the body, to compare with the one addressed
    permission_note: str = ""  # how the permissions changed were given (SPEC 8.1), for their change entries
    errors: Errors = field(default_factory=dict)

    def present(self, name: str) -> bool:
        return name in self.profile or name in self.address or name in self.blank

    def add_error(self, name: str, message: str, code: str) -> None:
        self.errors.setdefault(name, []).append(ValidationError(message, code=code))


def read_payload(data: Any, *, option_defaults: Mapping[str, bool] | None = None) -> Payload:
    """Parse every name of `data`; collect every error rather than stopping at the first."""
    with placeholders.rules_memo():  # the placeholder list looked up once for the whole write
        return _read_payload(data, option_defaults=option_defaults)


def _read_payload(data: Any, *, option_defaults: Mapping[str, bool] | None) -> Payload:
    if not isinstance(data, Mapping):
        raise ValidationError(
            {"non_field_errors": ValidationError("Send an object of data names and values.", code="invalid")}
        )
    payload = Payload(options={**OPTION_DEFAULTS, **(option_defaults or {})})
    seen: dict[str, str] = {}
    for key, raw in data.items():
        if isinstance(key, str) and not jsonlimits.is_storable_text(key):
            payload.add_error(printable(key), jsonlimits.UNSTORABLE_MESSAGE, jsonlimits.INVALID_TEXT)
            continue
        name = key.lower() if isinstance(key, str) else key
        if not isinstance(name, str):
            payload.add_error(str(key), "Data names are text.", "unknown_field")
            continue
        if name in seen:
            payload.add_error(key, f"{key} is given twice (as {seen[name]}).", "duplicate_field")
            continue
        seen[name] = key
        _read_one(payload, key, name, raw)
    return payload


def _read_one(payload: Payload, key: str, name: str, raw: Any) -> None:
    # Whatever the door (the API's parser refuses these first): text no database stores, or nesting no
    # data name takes, is refused before any parser sees it.
    problem = json_problem(raw, max_depth=REQUEST_MAX_DEPTH)
    if problem is not None:
        payload.errors.setdefault(name, []).append(problem)
        return
    if name in OPTION_DEFAULTS:
        if not values.is_blank(raw):
            try:
                payload.options[name] = values.parse_bool(raw)
            except ValidationError as error:
                payload.errors.setdefault(key, []).append(error)
        return
    if name == "ucrn":
        payload.ucrn = None if values.is_blank(raw) else str(raw).strip()
        return
    if name == PERMISSION_NOTE:
        if not values.is_blank(raw):
            try:
                payload.permission_note = values.parse_text(raw, max_length=TEXT_MAX)
            except ValidationError as error:
                payload.errors.setdefault(name, []).extend(error.error_list)
        return
    if name in READ_ONLY_NAMES or name in INPUT_HELPER_NAMES:
        return
    spec = PROFILE_NAMES.get(name) or ADDRESS_NAMES.get(name)
    if spec is None:
        payload.add_error(key, f"{key} is not a data name of the customer profile.", "unknown_field")
        return
    if values.is_blank(raw):
        payload.blank.add(name)
        return
    try:
        parsed = spec.clean(raw)
    except ValidationError as error:
        payload.errors.setdefault(name, []).extend(error.error_list)
        return
    (payload.profile if name in PROFILE_NAMES else payload.address)[name] = parsed
