"""The configurations the admin refuses (SPEC section 5), checked in one place.

Used by the admin's forms and by any code that builds forms (seed_demo, migrations), so a form that a CSA
can open is always one whose integrations can run.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from integrations.tokens import TOKEN, tokens_in
from profiles.datanames import OPTION_DEFAULTS, WRITABLE_NAMES

REQUIRED_MAPPINGS = {
    "get": ("ucrn",),
    "create": ("contact_type", "preferred_contact_method"),
    "update": ("ucrn", "contact_type", "preferred_contact_method"),
}


def allowed_fields(kind: str) -> frozenset[str]:
    """The integration fields each kind may map."""
    if kind == "get":
        return frozenset({"ucrn"})  # Get fills form fields by data name; it only needs to know whom
    if kind == "update":
        return (WRITABLE_NAMES - {"email_address"}) | {"ucrn"}
    return WRITABLE_NAMES


def mapping_errors(*, kind: str, mappings: Mapping[str, str], form_fields: Iterable[str]) -> dict[str, list[str]]:
    """Errors keyed by integration field name (or `__all__`) for a kind and its field -> template mapping."""
    fields = {name.lower() for name in form_fields}
    errors: dict[str, list[str]] = {}
    for field_name, template in mappings.items():
        name = field_name.lower()
        if name == "email_address" and kind == "update":
            errors.setdefault(field_name, []).append(
                "An update integration cannot map email_address: a CSA changes an email on the customer record."
            )
        elif name not in allowed_fields(kind):
            errors.setdefault(field_name, []).append(f"{field_name} is not a field of a {kind} integration.")
        errors_for_template = template_errors(template, fields)
        if errors_for_template:
            errors.setdefault(field_name, []).extend(errors_for_template)
    mapped = {name.lower() for name in mappings}
    missing = [name for name in REQUIRED_MAPPINGS.get(kind, ()) if name not in mapped]
    if missing:
        errors.setdefault("__all__", []).append(f"A {kind} integration must map {', '.join(missing)}.")
    return errors


def template_errors(template: str, fields: set[str]) -> list[str]:
    unknown = [name for name in tokens_in(template) if name not in fields]
    return [f"The form has no field {{{name}}}." for name in unknown]


def option_errors(*, option: str, template: str, form_fields: Iterable[str]) -> list[str]:
    """`update_primary_address` and `address_is_primary` are 0, 1 or one {Token} of the form."""
    assert option in OPTION_DEFAULTS
    text = template.strip()
    if text.lower() in {"0", "1", "true", "false"}:
        return []
    if TOKEN.fullmatch(text):
        return template_errors(text, {name.lower() for name in form_fields})
    return ["Enter 0, 1, or one {Token} naming a form field."]
