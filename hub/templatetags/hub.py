"""Template helpers for the shared field partial, the record page and the pages' links."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms, template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from hub.links import link as hub_link

register = template.Library()


@register.simple_tag
def summary_rows(rows: Iterable[tuple[str, Any]]) -> SafeString:
    """Summary rows from (label, value) pairs, a blank value as a dash (as `includes/summary_row.html`):
    written here in one pass, not by a template loop (two variables, a filter and a context push a row)."""
    return mark_safe(format_html_join("", '<div class="summary__row"><dt>{}</dt><dd>{}</dd></div>\n',
                                      ((label, value or "—") for label, value in rows)) + "\n")


@register.simple_tag(name="link")
def link(name: str, argument: object = "") -> str:
    """`{% url name argument %}` for routes of at most one argument, reversed once (`hub.links`)."""
    return hub_link(name, str(argument) if argument is not None else "")


@register.simple_tag
def widget(field: forms.BoundField) -> SafeString:
    """The input, pointing at its hint and its error message so screen readers read them with it."""
    described = [f"{field.auto_id}-hint"] if field.help_text else []
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs = {"aria-describedby": " ".join(described)} if described else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["class"] = f"{field.field.widget.attrs.get('class', '')} input--error".strip()
    return field.as_widget(attrs=attrs)


@register.filter
def is_group(field: forms.BoundField) -> bool:
    """Radios and checkbox lists: rendered in a fieldset with a legend instead of a label."""
    return isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)
