"""The configurations the admin refuses (SPEC section 5), checked in one place.

Used by the admin's forms and by any code that builds forms (seed_demo, migrations), so a form that a CSA
can open is always one whose integrations can run.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from integrations.tokens import TOKEN, tokens_in
from profiles.datanames import INPUT_HELPER_NAMES, OPTION_DEFAULTS, WRITABLE_NAMES

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


def mapping_errors(
    *, kind: str, mappings: Mapping[str, str], form_fields: Iterable[str], display_only: Iterable[str] = (),
) -> dict[str, list[str]]:
    """Errors keyed by integration field name (or `__all__`) for a kind and its field -> template mapping.

    `display_only` names the form's fields that are shown and never sent: no mapping may use them."""
    fields = {name.lower() for name in form_fields}
    shown_only = {name.lower() for name in display_only}
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
        for token in tokens_in(template):
            if token in shown_only:
                errors.setdefault(field_name, []).append(
                    f"{{{token}}} is a display only field: it is never sent. Untick its \"display only\" box first."
                )
    mapped = {name.lower() for name in mappings}
    missing = [name for name in REQUIRED_MAPPINGS.get(kind, ()) if name not in mapped]
    if missing:
        errors.setdefault("__all__", []).append(f"A {kind} integration must map {', '.join(missing)}.")
    return errors


def template_errors(template: str, fields: set[str]) -> list[str]:
    unknown = [name for name in tokens_in(template) if name not in fields]
    return [f"The form has no field {{{name}}}." for name in unknown]


def option_errors(
    *, option: str, template: str, form_fields: Iterable[str], display_only: Iterable[str] = (),
) -> list[str]:
    """`update_primary_address` and `address_is_primary` are 0, 1 or one {Token} of the form (not display only)."""
    assert option in OPTION_DEFAULTS
    text = template.strip()
    if text.lower() in {"0", "1", "true", "false"}:
        return []
    if TOKEN.fullmatch(text):
        shown_only = [t for t in tokens_in(text) if t in {name.lower() for name in display_only}]
        return template_errors(text, {name.lower() for name in form_fields}) + [
            f"{{{token}}} is a display only field: it is never sent. Untick its \"display only\" box first."
            for token in shown_only
        ]
    return ["Enter 0, 1, or one {Token} naming a form field."]


WRITING_KINDS = ("create", "update")


def unsent_names(*, fields: Mapping[str, bool], templates: Iterable[str], writes: bool) -> list[str]:
    """The fields (data name -> display only) that a form which `writes` the customer shows but never sends.

    `templates` are every mapping and option template of the form's integrations. A person's edit of such a
    field would be lost silently (SPEC 5), so the admin refuses it unless it is marked display only. A form
    without a Create or Update integration sends nothing: its fields are the case's data. The input helper
    (`search_for_street_postcode`, the "Find address" box) is never meant to be sent: it fills the others."""
    if not writes:
        return []
    used = {token for template in templates for token in tokens_in(template)} | INPUT_HELPER_NAMES
    return [name for name, display_only in fields.items() if not display_only and name.lower() not in used]


def integration_templates(integration) -> list[str]:
    """An integration's mapping templates and option templates (the tokens it sends)."""
    return [*(m.template for m in integration.mappings.all()), integration.update_primary_address,
            integration.address_is_primary]


def unsent_fields(form) -> list[str]:
    """`unsent_names` of a saved form (integrations.models.Form)."""
    integrations = list(form.integrations.all())
    return unsent_names(
        fields={f.data_name: f.display_only for f in form.fields.all()},
        templates=[t for i in integrations for t in integration_templates(i)],
        writes=any(i.kind in WRITING_KINDS for i in integrations),
    )


def unsent_message(names: Iterable[str], labels: Mapping[str, str]) -> str:
    shown = ", ".join(f"{labels.get(n, n)} ({n})" for n in names)
    return (f"No integration sends these fields: {shown}. A change made there would be lost: map each field "
            "in a Create or Update integration, or tick its \"display only\" box.")
