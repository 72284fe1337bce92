"""Template helpers for the shared field partial and the record page."""
from __future__ import annotations

from django import forms, template
from django.conf import settings
from django.template import Context
from django.template.base import Parser, Token
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as url_tag
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString

register = template.Library()


class KeptURLNode(URLNode):
    """`{% url 'name' %}` without arguments, reversed once per URLconf, script prefix and current app, then
    kept for the process: every page's header and menu reverse the same seven URLs (a twentieth of a
    search page's Python). With arguments, or `as`, it is Django's own."""

    kept: dict[tuple[object, ...], str] = {}

    def render(self, context: Context) -> str:
        if self.args or self.kwargs or self.asvar:
            return super().render(context)
        request = getattr(context, "request", None)
        match = getattr(request, "resolver_match", None)
        current_app = getattr(request, "current_app", getattr(match, "namespace", None))
        key = (self.view_name.resolve(context), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(),
               current_app, context.autoescape)
        url = self.kept.get(key)
        if url is None:
            url = self.kept[key] = super().render(context)
        return url


@register.tag
def kept_url(parser: Parser, token: Token) -> KeptURLNode:
    """`{% kept_url 'hub:customer_search' %}`: `{% url %}`, reversed once (`KeptURLNode`)."""
    node = url_tag(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)


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
