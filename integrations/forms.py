"""A configured form (integrations.models.Form) as a Django form, built from its fields at request time.

The fields collect values by their data names, as typed; the integrations and the profile service judge
them. The only check made here is the form's own: a field marked required must be filled.
"""
from __future__ import annotations

from typing import Any

from django import forms

from core.jsonlimits import check_stored_json
from integrations.models import Form, FormField
from profiles.datanames import INPUT_HELPER_NAMES
from profiles.display import END_DATE_HELP
from profiles.forms import ORDERED_LISTS, CheckboxList, Choice, DataNameForm, Flag, Text, list_choices

NON_FIELD = "__all__"
DISPLAY_ONLY_HELP = "Shown for reference: a change here is not sent to the customer's record."
INPUT_TYPES = {
    FormField.Type.EMAIL: "email",
    FormField.Type.PHONE: "tel",
    FormField.Type.DATE: "date",
    FormField.Type.NUMBER: "text",
}


def _field(spec: FormField) -> forms.Field:
    if spec.type == FormField.Type.CHECKBOX:
        field: forms.Field = Flag()
    elif spec.type == FormField.Type.CHECKBOX_LIST and spec.hub_list:
        # DataNameForm fills it, ticked items first in their order; "contact me by" takes an order (SPEC 1).
        field = CheckboxList(spec.hub_list, ordered=spec.data_name.lower() in ORDERED_LISTS)
    elif spec.type == FormField.Type.CHECKBOX_LIST:
        field = forms.MultipleChoiceField(
            required=False, choices=spec.typed_options(), widget=forms.CheckboxSelectMultiple
        )
    elif spec.type == FormField.Type.SELECT:
        choices = list_choices(spec.hub_list) if spec.hub_list else [("", "Choose"), *spec.typed_options()]
        field = Choice(choices=choices)
    elif spec.type == FormField.Type.TEXTAREA:
        field = forms.CharField(required=False, widget=forms.Textarea(attrs={"class": "textarea", "rows": 4}))
    else:
        width = 10 if spec.type == FormField.Type.UCRN_LOOKUP else None
        field = Text(input_type=INPUT_TYPES.get(spec.type, "text"), width=width)
        if spec.type == FormField.Type.UCRN_LOOKUP:
            field.widget.attrs["data-lookup"] = ""  # static/runner.js: Enter here presses "Find customer"
        if spec.data_name.lower() in INPUT_HELPER_NAMES:  # the "Find address" box: Enter here presses it
            field.widget.attrs.update({"data-address-search": "", "autocomplete": "off"})
        if spec.type == FormField.Type.NUMBER:
            field.widget.attrs["inputmode"] = "numeric"
    field.required = spec.required
    field.label = spec.label + (" (required)" if spec.required else "")
    field.help_text = spec.help_text or (END_DATE_HELP if spec.data_name.lower() == "end_date" else "")
    if spec.display_only:
        field.help_text = " ".join(filter(None, [spec.help_text, DISPLAY_ONLY_HELP]))
    return field


class RunnerForm(DataNameForm):
    """The fields of one configured form, named by their data names."""

    required_names = frozenset()

    def __init__(self, form: Form, *args: Any, initial: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self.configured = form
        self.base_fields = {f.data_name: _field(f) for f in form.fields.all()}
        if initial:  # form values ("1"/"0" for a checkbox, as `values` gives them) -> what each widget shows
            flags = {f.data_name for f in form.fields.all() if f.type == FormField.Type.CHECKBOX}
            initial = {k: (v in (True, 1, "1", "on") if k in flags else v) for k, v in initial.items()}
        super().__init__(*args, initial=initial, **kwargs)

    @property
    def lookup_field(self) -> str | None:
        return next((f.data_name for f in self.configured.fields.all() if f.type == FormField.Type.UCRN_LOOKUP), None)

    def clean(self) -> dict[str, Any]:
        """A case keeps these values as they came (its JSON data), so they are held to the limits of any
        JSON stored so: each field's value, then all of them together, named by the largest field."""
        cleaned = super().clean()
        values = self.values()
        for name, value in values.items():
            try:
                check_stored_json(value, name=name)
            except forms.ValidationError as error:
                self.add_error(name, error.error_dict[name])
        if not self.errors:
            try:
                check_stored_json(values, name=NON_FIELD)
            except forms.ValidationError as error:
                largest = max(values, key=lambda name: len(str(values[name])))
                self.add_error(largest, error.error_dict[NON_FIELD])
        return cleaned

    def values(self) -> dict[str, Any]:
        """What was entered, by data name: text as typed, a checkbox as 1/0, a checkbox list as a list."""
        return {name: _form_value(value) for name, value in self.cleaned_data.items()}

    def values_as_typed(self) -> dict[str, Any]:
        """`values` of a form that need not be valid (a lookup does not require the required fields)."""
        self.is_valid()
        return {
            name: _form_value(self.cleaned_data[name] if name in self.cleaned_data
                              else field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name)))
            for name, field in self.fields.items()
        }


def _form_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else value
