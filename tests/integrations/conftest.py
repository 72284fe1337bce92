"""Forms built as an administrator would build them, and a reader of what a page's form would post."""
from html.parser import HTMLParser

import pytest

from integrations.models import Form, FormField, Integration, Mapping


def build_form(slug, fields, integrations, **form_kwargs):
    form = Form.objects.create(name=slug.replace("-", " ").title(), slug=slug, **form_kwargs)
    for n, (data_name, type_) in enumerate(fields):
        FormField.objects.create(form=form, data_name=data_name, label=data_name.replace("_", " "), type=type_,
                                 sort_order=n)
    for kind, when, mappings, options in integrations:
        integration = Integration.objects.create(form=form, kind=kind, when=when, **options)
        for field_name, template in mappings.items():
            Mapping.objects.create(integration=integration, field_name=field_name, template=template)
    return form


ADDRESS_FIELDS = [("Ucrn", "ucrn_lookup"), ("Contact_Type", "select"), ("Preferred_Contact_Method", "select"),
                  ("First_Name", "text"), ("House", "text"), ("Street", "text"), ("Postcode", "text"),
                  ("Moved", "select")]
UPDATE_MAPPING = {"ucrn": "{Ucrn}", "contact_type": "{Contact_Type}",
                  "preferred_contact_method": "{Preferred_Contact_Method}", "first_name": "{First_Name}",
                  "house": "{House}", "street": "{Street}", "postcode": "{Postcode}"}


@pytest.fixture
def change_of_address(db):
    """Update on submission, with the moved / correct choice as a token (0 moved, 1 correct)."""
    return build_form(
        "change-of-address",
        ADDRESS_FIELDS,
        [("get", "lookup", {"ucrn": "{Ucrn}"}, {}),
         ("update", "submission", UPDATE_MAPPING, {"update_primary_address": "{Moved}", "ignore_empty_entries": True})],
    )


@pytest.fixture
def register(db):
    return build_form(
        "register",
        [("Contact_Type", "select"), ("Preferred_Contact_Method", "select"), ("First_Name", "text"),
         ("Last_Name", "text"), ("Email", "email"), ("Postcode", "text"), ("Street", "text")],
        [("create", "submission", {"contact_type": "{Contact_Type}",
                                   "preferred_contact_method": "{Preferred_Contact_Method}",
                                   "first_name": "{First_Name}", "last_name": "{Last_Name}", "email_address": "{Email}",
                                   "postcode": "{Postcode}", "street": "{Street}"}, {})],
        audience="both",
    )


class _FormReader(HTMLParser):
    """The values a browser would post from a page's own `<form method="post">` (one that posts back to the
    page), before any button is pressed."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self.buttons: list[tuple[str, str]] = []  # submit buttons (name, value) in DOM order
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post" and "action" not in a:  # not the sign-out form
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value") or "on"))
            elif kind == "submit":
                self.buttons.append((a.get("name") or "", a.get("value") or ""))
            elif a.get("name"):
                self.pairs.append((a["name"], a.get("value") or ""))
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            self.buttons.append((a.get("name") or "", a.get("value") or ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.pairs.append((self._select, a.get("value") or ""))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.pairs.append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.pairs.pop()
            self.pairs.append((name, value + data))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def page_form(html: str) -> tuple[dict[str, str | list[str]], list[tuple[str, str]]]:
    """What a browser would post from the page's form (a name given twice is a list), and its submit buttons."""
    reader = _FormReader()
    reader.feed(html)
    values: dict[str, str | list[str]] = {}
    for name, value in reader.pairs:
        if name in values:
            previous = values[name]
            values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[name] = value
    return values, reader.buttons
