"""Forms of the CSA pages and the portal: they collect data names; the profile service judges them.

No rule of SPEC sections 3-4 lives here. Every field accepts any text, the view hands the data names to
`profile_create` / `profile_update`, and the service's `ValidationError` (keyed by data name) is put back
beside the field of the same name by `show_errors`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from profiles.datanames import PROFILE_NAMES
from profiles.display import END_DATE_HELP, LABELS, show_phone
from profiles.models import UK_COUNTRY_ID
from profiles.selectors import list_items

UK = str(UK_COUNTRY_ID)  # the country select's default
NOT_CHOSEN = ("", "Not given")


def list_choices(list_name: str, *, blank: str | None = "Not given") -> list[tuple[str, str]]:
    """A reference list as select options (`profiles.selectors.list_items`), blank first."""
    choices = [("", blank)] if blank is not None else []
    return choices + [(str(item["id"]), item["name"]) for item in list_items(list_name)]


class PlainTextInput(forms.TextInput):
    """A text input made in Python, as Django's `input.html` and `attrs.html` templates make it: Django
    renders the two templates for every input (a thirtieth of a search page's Python, for its one box).
    With another form renderer or template (whose HTML may differ), Django's own rendering."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        renderer = renderer or get_default_renderer()
        if type(renderer) is not DjangoTemplates or self.template_name != forms.TextInput.template_name:
            return super().render(name, value, attrs, renderer)
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"']
        if widget["value"] is not None:
            html.append(f' value="{conditional_escape(str(widget["value"]))}"')
        for attr, attr_value in widget["attrs"].items():
            if attr_value is True:
                html.append(f" {conditional_escape(attr)}")
            elif attr_value is not False:
                html.append(f' {conditional_escape(attr)}="{conditional_escape(str(attr_value))}"')
        return mark_safe("".join(html) + ">")  # every text in it escaped above


class Text(forms.CharField):
    """Free text: the service parses and limits it, so the form checks nothing."""

    def __init__(self, *, width: int | None = None, input_type: str = "text", **kwargs: Any) -> None:
        attrs = {"class": f"input input--w{width}" if width else "input", "spellcheck": "false"}
        widget = PlainTextInput(attrs=attrs)
        widget.input_type = input_type
        super().__init__(required=False, widget=widget, **kwargs)


# Rendered selects kept by `KeptSelect`; emptied when full (reference lists rarely change, so it rarely is).
_rendered_selects: dict[tuple[Any, ...], SafeString] = {}
RENDERED_SELECTS_MAX = 1000


class KeptSelect(forms.Select):
    """A select whose HTML is rendered once per process for the same options, choice and attributes.

    Django renders a select through a template per option (and one per option's attributes): the status
    and contact type filters of every search page, and the lists of the edit pages, render the same few
    options again and again. The key holds everything the HTML is made of, so a changed reference list
    (its new options), another choice or an error's attributes render afresh: never a stale select.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        try:
            choices = tuple(self.choices)
            offered = {"" if option is None else str(option) for option, _ in choices}
            chosen = tuple(v for v in self.format_value(value) if v in offered)
            key = (type(self), tuple(self.attrs.items()), choices, name, chosen, tuple((attrs or {}).items()),
                   renderer)
            html = _rendered_selects.get(key)
        except (TypeError, ValueError):  # grouped options or an unhashable attribute: rendered every time
            return super().render(name, value, attrs, renderer)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if len(_rendered_selects) >= RENDERED_SELECTS_MAX:
                _rendered_selects.clear()
            _rendered_selects[key] = html
        return html


class Choice(forms.CharField):
    """A select filled from a reference list when the form is made; any submitted value reaches the service."""

    def __init__(self, list_name: str | None = None, *, choices: Sequence[tuple[str, str]] = (), **kwargs: Any):
        self.list_name = list_name
        super().__init__(required=False, widget=KeptSelect(choices=choices, attrs={"class": "select"}), **kwargs)


# Lists whose order means something: "contact me by these, in this order" (SPEC 1).
ORDERED_LISTS = frozenset({"notification_preference"})
ORDER_DIGITS = 4  # an order number longer than this is not one (and int() of a huge text is slow)


class OrderedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose ticked values come in the order the person gives.

    Each item has an order number box, so the order can be given without JavaScript; `hub.js` hides the
    boxes and offers "Move up" / "Move down" buttons instead, which move the items themselves (the boxes
    are then disabled, and the order of the ticked checkboxes on the page is the order sent).
    """

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        ticked = super().value_from_datadict(data, files, name) or []

        def position(item: tuple[int, str]) -> tuple[int, int, int]:
            index, value = item
            number = str(data.get(f"{name}-order-{value}", "") or "").strip()
            if number.isdigit() and len(number) <= ORDER_DIGITS:
                return (0, int(number), index)
            return (1, 0, index)  # no number: after the numbered ones, in the order sent

        return [value for _, value in sorted(enumerate(ticked), key=position)]

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        chosen = [str(v) for v in value or []]
        final = self.build_attrs(self.attrs, attrs)
        base = final.pop("id", None) or f"id_{name}"
        items = [
            format_html(
                '<div class="ordered__item" data-choice data-value="{value}"><div class="ordered__tick">'
                '<input type="checkbox" name="{name}" value="{value}" id="{box}"{checked}{attrs}>'
                '<label for="{box}">{label}</label></div><div class="ordered__number">'
                '<label for="{number}">Order<span class="visually-hidden"> of {label}</span></label>'
                '<input class="input input--number" type="text" inputmode="numeric" name="{name}-order-{value}" '
                'id="{number}" value="{position}" autocomplete="off"></div></div>',
                value=str(option), name=name, box=f"{base}_{index}", label=text, number=f"{base}-order-{option}",
                checked=mark_safe(" checked") if str(option) in chosen else "", attrs=flatatt(final),
                position=chosen.index(str(option)) + 1 if str(option) in chosen else "",
            )
            for index, (option, text) in enumerate(self.choices)
        ]
        return format_html(
            '<div class="ordered" data-ordered-choices><p class="hint" data-order-hint>To choose the order, number '
            'the ticked ones: 1 first.</p>{}<p class="visually-hidden" role="status" data-order-status></p></div>',
            mark_safe("".join(items)),
        )


class CheckboxList(forms.Field):
    """Ticked values in the order given (an ordered list) or shown: the service checks them."""

    def __init__(self, list_name: str, *, ordered: bool = False, **kwargs: Any) -> None:
        self.list_name = list_name
        widget = OrderedCheckboxes if ordered else forms.CheckboxSelectMultiple
        super().__init__(required=False, widget=widget, **kwargs)

    def to_python(self, value: Any) -> list[str]:
        return list(value or [])


class Flag(forms.BooleanField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)


# A contact permission (SPEC 8.1); no blank: "Unknown" is what a blank would store.
PERMISSION_CHOICES = [("unknown", "Unknown"), ("granted", "Granted"), ("refused", "Refused")]


def permission_consequences(form: forms.Form, counts: dict[str, int], *, own: bool = False) -> None:
    """Say under each permission field what refusing it ends (SPEC 8.2): "Refusing email ends 2
    subscriptions". `counts`: current subscriptions by channel."""
    for channel, count in counts.items():
        field = form.fields.get(f"permission_{channel}")
        if field is not None and count:
            whose = "your" if own else "the customer's"
            field.help_text = (f"Refusing {channel} ends {count} subscription{'s' if count > 1 else ''} "
                               f"({whose} subscriptions by {channel}).")


class DataNameForm(forms.Form):
    """A form whose field names are data names; labels come from `profiles.display.LABELS`."""

    required_names: frozenset[str] = frozenset(n for n, spec in PROFILE_NAMES.items() if spec.mandatory)
    # (legend, names) for the template; names the form does not have are skipped.
    fieldsets: Sequence[tuple[str, Sequence[str]]] = ()
    autocomplete: dict[str, str] = {}
    own_help: dict[str, str] = {}  # hints worded for citizens editing their own profile

    def __init__(self, *args: Any, keep: Iterable[str] | None = None, own: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if keep is not None:
            kept = set(keep)
            for name in [n for n in self.fields if n not in kept]:
                del self.fields[name]
        for name, field in self.fields.items():
            if field.label is None:
                field.label = LABELS.get(name, name)
            if name in self.required_names:
                field.label += " (required)"
            list_name = getattr(field, "list_name", None)
            if isinstance(field, Choice) and list_name:
                field.widget.choices = list_choices(list_name)
            elif isinstance(field, CheckboxList):
                field.widget.choices = self._in_order(name, list_choices(list_name, blank=None))
            if own and name in self.autocomplete:
                field.widget.attrs["autocomplete"] = self.autocomplete[name]
            if own and name in self.own_help:
                field.help_text = self.own_help[name]

    def _in_order(self, name: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Ticked items first, in their order, so the order of a preference survives a round trip."""
        widget = self.fields[name].widget
        chosen = (widget.value_from_datadict(self.data, self.files, self.add_prefix(name)) if self.is_bound
                  else self.initial.get(name) or [])
        chosen = [str(c) for c in chosen]
        by_id = dict(choices)
        return [(c, by_id[c]) for c in chosen if c in by_id] + [c for c in choices if c[0] not in chosen]

    def bound_fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        groups = [(legend, [self[n] for n in names if n in self.fields]) for legend, names in self.fieldsets]
        return [(legend, fields) for legend, fields in groups if fields]

    def data_names(self) -> dict[str, Any]:
        """The submitted values keyed by data name, for the service (call after `is_valid()`)."""
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class ProfileForm(DataNameForm):
    """The profile's own fields (not the address, never the custom fields)."""

    contact_type = Choice("contact_types")
    prefix_id = Choice("titles")
    first_name = Text(width=20)
    last_name = Text(width=20)
    suffix_id = Choice("suffixes")
    organisation_name = Text(width=30, help_text="For an organisation.")
    birth_date = Text(input_type="date")
    status = Choice("statuses")
    location = Choice("locations")
    email_address = Text(width=30, input_type="email")
    alternative_email = Text(width=30, input_type="email")
    phone_number = Text(width=20, input_type="tel")
    mobile_number = Text(width=20, input_type="tel")
    twitter = Text(width=10, help_text="Up to 15 letters, digits or underscores, with or without the @.")
    preferred_contact_method = Choice("contact_methods")
    notification_preference = CheckboxList(
        "contact_methods", ordered=True, help_text="Tick the ways to contact them, then put them in order."
    )
    consent_to_share = Choice(choices=[NOT_CHOSEN, ("1", "Yes"), ("0", "No")])
    preferred_language_id = Choice("languages")
    data_location = Text(width=30)
    region = Text(width=30)
    permission_email = Choice(choices=PERMISSION_CHOICES)
    permission_phone = Choice(choices=PERMISSION_CHOICES)
    permission_sms = Choice(choices=PERMISSION_CHOICES)
    permission_post = Choice(choices=PERMISSION_CHOICES)

    fieldsets = (
        ("Name", ("contact_type", "prefix_id", "first_name", "last_name", "suffix_id", "organisation_name")),
        ("About the customer", ("birth_date", "status", "location")),
        ("Contact details", ("email_address", "alternative_email", "phone_number", "mobile_number", "twitter")),
        (
            "Contact preferences",
            ("preferred_contact_method", "notification_preference", "consent_to_share", "preferred_language_id"),
        ),
        ("Contact permissions", ("permission_email", "permission_phone", "permission_sms", "permission_post")),
        ("Connected Index", ("data_location", "region")),
    )
    own_help = {"notification_preference": "Tick the ways we may contact you, then put them in the order to use."}
    autocomplete = {
        "prefix_id": "honorific-prefix",
        "first_name": "given-name",
        "last_name": "family-name",
        "suffix_id": "honorific-suffix",
        "birth_date": "bday",
        "email_address": "email",
        "alternative_email": "email",
        "phone_number": "tel",
        "mobile_number": "tel",
    }


class AddressForm(DataNameForm):
    """An address's fields; used with a prefix (`cur`, `new`) so that two can share a page."""

    flat = Text(width=10)
    house = Text(width=20)
    street = Text(width=30)
    locality = Text(width=30)
    town = Text(width=20)
    post_town = Text(width=20)
    county = Text(width=20)
    postcode = Text(width=10)
    uprn = Text(width=20, help_text="Unique Property Reference Number, up to 12 digits.")
    ward = Text(width=20)
    country_id = Choice("countries")
    start_date = Text(input_type="date")
    end_date = Text(input_type="date", help_text=END_DATE_HELP)

    autocomplete = {
        "house": "address-line1",
        "street": "address-line2",
        "town": "address-level2",
        "postcode": "postal-code",
        "country_id": "country",
    }


class AddressChangeForm(forms.Form):
    """Whether and how the address changes: the Update integration's options in plain words (SPEC 4.2)."""

    NONE, CORRECT, MOVED = "none", "correct", "moved"
    address_change = forms.ChoiceField(
        label="Address",
        choices=[
            (NONE, "No change to the address"),
            (CORRECT, "Correct the current address"),
            (MOVED, "The customer has moved"),
        ],
        initial=NONE,
        widget=forms.RadioSelect,
    )
    address_is_primary = Flag(label="The new address is the current (primary) address", initial=True)
    keep_empty_end_dates = Flag(label="Keep the old address's end date empty")

    def __init__(self, *args: Any, citizen: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if citizen:
            self.fields["address_change"].label = "Your address"
            self.fields["address_change"].choices = [
                (self.NONE, "No change to my address"),
                (self.CORRECT, "Correct my address"),
                (self.MOVED, "I have moved"),
            ]
            del self.fields["address_is_primary"], self.fields["keep_empty_end_dates"]

    def options(self) -> dict[str, Any]:
        """The Update options of the chosen change, as data names (absent options keep their defaults)."""
        change = self.cleaned_data.get("address_change")
        if change == self.CORRECT:
            return {"update_primary_address": True}
        if change == self.MOVED:
            names = [n for n in ("address_is_primary", "keep_empty_end_dates") if n in self.fields]
            return {"update_primary_address": False, **{n: self.cleaned_data[n] for n in names}}
        return {}

    def address_form(self, current: AddressForm, new: AddressForm) -> AddressForm | None:
        """The address form whose fields this change sends, or None when the address is not touched."""
        return {self.CORRECT: current, self.MOVED: new}.get(self.cleaned_data.get("address_change"))


class SearchForm(DataNameForm):
    """The search page's box and filters; `profiles.filters.CustomerFilterSet` does the searching."""

    required_names = frozenset()
    q = Text(width=30, label="Name, UCRN, postcode, email, phone or UPRN")
    status = Choice()
    contact_type = Choice(label="Contact type")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.choices = list_choices("statuses", blank="Any status")
        self.fields["contact_type"].widget.choices = list_choices("contact_types", blank="Any type")
        self.fields["q"].widget.input_type = "search"

    def filter_data(self) -> dict[str, str]:
        """The FilterSet's data: the page's box is the API's `search` filter."""
        data = self.cleaned_data
        return {"search": data["q"], "status": data["status"], "contact_type": data["contact_type"]}


class EmailForm(forms.Form):
    email_address = Text(width=30, input_type="email", label="New email address")


def profile_initial(profile: dict[str, Any]) -> dict[str, Any]:
    """Form values from the Get output: ids as text, phone numbers as people write them."""
    initial: dict[str, Any] = {}
    for name, value in profile.items():
        if value is None:
            value = ""
        elif isinstance(value, list):
            value = [str(v) for v in value]
        elif name in ("phone_number", "mobile_number"):
            value = show_phone(value)
        elif not isinstance(value, str):
            value = str(value)
        initial[name] = value
    return initial


def show_errors(error: ValidationError, forms_: Sequence[forms.Form]) -> None:
    """Put each message of a service's ValidationError beside the field with the same data name.

    A name that none of the forms shows goes to the first form's non-field errors, named, so that no
    message is ever lost.
    """
    items = error.error_dict.items() if hasattr(error, "error_dict") else [(None, error.error_list)]
    for name, errors in items:
        target = next((f for f in forms_ if name in f.fields), None)
        if target is not None:
            target.add_error(name, errors)
        else:
            prefix = f"{LABELS.get(name, name)}: " if name and name != "non_field_errors" else ""
            forms_[0].add_error(None, [ValidationError(prefix + m) for e in errors for m in e.messages])


def error_items(*forms_: forms.Form | None) -> list[dict[str, str]]:
    """The error summary: every message, each linking to its field's id (GOV.UK pattern)."""
    items = []
    for form in forms_:
        if form is None:
            continue
        first = next(iter(form), None)
        for message in form.non_field_errors():
            items.append({"href": f"#{_anchor(first)}" if first else "#main-content", "text": message})
        for field in form:
            for message in field.errors:
                items.append({"href": f"#{_anchor(field)}", "text": message})
    return items


def _anchor(field: forms.BoundField) -> str:
    """The id a summary link points at: a group's first input, else the input itself."""
    if isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{field.auto_id}_0"
    return field.auto_id
