"""The API's JSON, described for the OpenAPI schema.

The services parse and validate every data name (`profiles.datanames`), so the input serializers only
**document** the request bodies: the views pass `request.data` to the service as it came. The output
serializers describe what the selectors return; the fields are built from the data-name table, so the
schema cannot drift from what the hub accepts and returns.
"""
from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from profiles.datanames import (
    ADDRESS_NAMES,
    INPUT_HELPER_NAMES,
    OPTION_DEFAULTS,
    PATCH_OPTION_DEFAULTS,
    PERMISSION_NAMES,
    PERMISSION_NOTE,
    PROFILE_NAMES,
    READ_ONLY_NAMES,
)
from profiles.models import CUSTOM_MAX, TEXT_MAX, Permission
from profiles.selectors import SEARCH_RESULT_NAMES, address_data
from profiles.timestamps import api_datetime

INT_NAMES = {
    "prefix_id", "suffix_id", "location", "preferred_contact_method", "consent_to_share",
    "preferred_language_id", "country_id",
}
DATE_NAMES = {"birth_date", "start_date", "end_date"}
MAX_LENGTHS = {"email_address": 254, "alternative_email": 254, "phone_number": 40, "mobile_number": 40,
               "twitter": 16, "contact_type": 30, "status": 30, "uprn": 12}
DATE_HELP = "YYYY-MM-DD (MM/DD/YYYY text is also accepted)."
EMAIL_HELP = {
    "create": "Must not belong to another customer (400 `email_already_exists`); compared case-insensitively.",
    "update": "Not changeable by an Update: the stored value (any case) is accepted and ignored; any other value "
    "is refused with 400 `email_not_updatable` and nothing is changed. A CSA changes an email on the customer "
    "record page.",
}
OPTION_HELP = {
    "ignore_empty_entries": "Ticked: a name given blank (\"\" or null) keeps the stored value; unticked: it "
    "clears it.",
    "update_primary_address": "1: the address fields change the primary address in place; 0: they make a new "
    "address record.",
    "keep_empty_end_dates": "With a new primary address: an older record without an end date keeps it blank "
    "(ticked) or ends today (unticked).",
    "address_is_primary": "With update_primary_address 0: whether the new address record becomes the primary one.",
}


class UtcDateTimeField(serializers.DateTimeField):
    """DRF's date-time field, written in the API's one style (`profiles.timestamps`); DRF's own writes the
    current time zone's offset."""

    def to_representation(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return api_datetime(value)


def _field(name: str, *, output: bool, required: bool = False, email_help: str = "") -> serializers.Field:
    """The serializer field documenting one data name, for a request body or a response."""
    common: dict[str, Any] = {"allow_null": True} if output else {"required": required, "allow_null": not required}
    if name == "email_address" and email_help:
        common["help_text"] = email_help
    if name in INT_NAMES:
        return serializers.IntegerField(**common)
    if name in DATE_NAMES:
        return serializers.DateField(**common, help_text="" if output else DATE_HELP)
    if name in ("lat", "lng"):
        return serializers.FloatField(**common)
    if name in PERMISSION_NAMES:  # SPEC 8.1
        return serializers.ChoiceField(
            choices=Permission.choices, **common, help_text=f"Contact permission for {PERMISSION_NAMES[name]}: "
            "granted (refused with 400 `contact_missing` without the contact it needs), refused (ends the "
            "channel's subscriptions) or unknown, the default.")
    if name == "notification_preference":
        return serializers.ListField(child=serializers.IntegerField(), **common,
                                     help_text="Contact methods in order of preference, such as [3, 1].")
    max_length = MAX_LENGTHS.get(name, CUSTOM_MAX if name.startswith("custom_") else TEXT_MAX)
    return serializers.CharField(**common, allow_blank=not required, max_length=max_length)


def _serializer(class_name: str, fields: dict[str, serializers.Field], doc: str) -> type[serializers.Serializer]:
    return type(class_name, (serializers.Serializer,), {**fields, "__doc__": doc})


DATA_NAMES = [*PROFILE_NAMES, *ADDRESS_NAMES]
READ_ONLY_INPUT = {
    "ucrn": serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=9,
                                  help_text="Ignored if it is the UCRN addressed; refused if it differs."),
    **{name: serializers.JSONField(required=False, help_text="Read-only: ignored, so GET, edit, PUT works.")
       for name in sorted(READ_ONLY_NAMES - {"ucrn"})},
    **{name: serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                   help_text="A form's address-search helper: ignored.")
       for name in sorted(INPUT_HELPER_NAMES)},
}
PERMISSION_NOTE_INPUT = {
    PERMISSION_NOTE: serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=TEXT_MAX,
        help_text='How the permissions this write changes were given ("phone call", an enrolment channel): '
        "kept in their change entries, beside the door and the user."),
}


def _options(defaults: dict[str, bool]) -> dict[str, serializers.Field]:
    """The Update options (SPEC 4.2), each with the default this call applies."""
    return {
        name: serializers.BooleanField(required=False, allow_null=True, default=default,
                                       help_text=f"{OPTION_HELP[name]} Default {str(default).lower()}; also "
                                       "1/0, or those as strings.")
        for name, default in defaults.items()
    }


def _input(class_name: str, *, required: bool, options: dict[str, bool] | None, doc: str
           ) -> type[serializers.Serializer]:
    mandatory = {name for name, spec in PROFILE_NAMES.items() if spec.mandatory and required}
    email_help = EMAIL_HELP["update" if options is not None else "create"]
    fields = {name: _field(name, output=False, required=name in mandatory, email_help=email_help)
              for name in DATA_NAMES}
    extra = {**READ_ONLY_INPUT, **_options(options)} if options is not None else {}
    extra.update(PERMISSION_NOTE_INPUT)
    return _serializer(class_name, {**fields, **extra}, doc)


ProfileCreateInputSerializer = _input(
    "ProfileCreateInput", required=True, options=None,
    doc="A new customer: contact_type and preferred_contact_method are required; address fields, if any "
    "non-date one is given, make the first (primary) address.",
)
ProfileUpdateInputSerializer = _input(
    "ProfileUpdateInput", required=True, options=OPTION_DEFAULTS,
    doc="A full Update: names absent are untouched; names given blank are cleared unless "
    "ignore_empty_entries; contact_type and preferred_contact_method are required; email_address is never "
    "changed.",
)
ProfilePatchInputSerializer = _input(
    "ProfilePatchInput", required=False, options={**OPTION_DEFAULTS, **PATCH_OPTION_DEFAULTS},
    doc="A partial Update: ignore_empty_entries defaults to true, so a blank value keeps the stored one; "
    "email_address is never changed.",
)

ADDRESS_OUTPUT = {name: _field(name, output=True) for name in ADDRESS_NAMES} | {
    "country": serializers.CharField(help_text="The name of country_id's country."),
    "country_code": serializers.CharField(
        read_only=True, allow_null=True, min_length=2, max_length=2,
        help_text="country_id's ISO 3166-1 alpha-2 code (`GB`); null without an address. Read-only."),
}
ProfileOutputSerializer = _serializer(
    "Profile",
    {
        "ucrn": serializers.CharField(),
        **{name: _field(name, output=True) for name in PROFILE_NAMES},
        "preferred_language_code": serializers.CharField(
            read_only=True, allow_null=True, min_length=2, max_length=2,
            help_text="preferred_language_id's ISO 639-1 code (`cy`); null without one. Read-only."),
        "name": serializers.CharField(),
        "sort_name": serializers.CharField(),
        **ADDRESS_OUTPUT,
        "created_at": UtcDateTimeField(),
        "updated_at": UtcDateTimeField(),
        "version": serializers.IntegerField(help_text="Bumped by every change; the ETag is `\"v<version>\"`."),
        "merged_from": serializers.CharField(
            required=False, help_text="Only when the UCRN asked for is a merged customer's: that UCRN. The "
            "profile is then the survivor's (its `ucrn`), the customer it was merged into."),
        "extended": serializers.DictField(
            child=serializers.DictField(), required=False,
            help_text="Other systems' data (extended data): `{source: {...}}`, the sources the caller may read "
            "(`extended.<source>` in an API client's readable list). In the Get output, not a write's. Read-only."),
    },
    "The Get output: every data name, with the primary address flattened in.",
)


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    # Only on `possible_duplicate` (a Create's likely duplicates): who, and the reason codes.
    ucrn = serializers.CharField(required=False, help_text="`possible_duplicate`: the other customer's UCRN.")
    reasons = serializers.ListField(child=serializers.CharField(), required=False,
                                    help_text="`possible_duplicate`: why it may be the same person.")


ProfileWriteOutputSerializer = type(
    "ProfileWriteResult",
    (ProfileOutputSerializer,),
    {"warnings": WarningSerializer(many=True), "__doc__": "The profile after the write, and its warnings."},
)

ProfileSummarySerializer = _serializer(
    "ProfileSummary",
    {name: ProfileOutputSerializer._declared_fields[name] for name in SEARCH_RESULT_NAMES} | ADDRESS_OUTPUT,
    "A search result: the customer and their primary address.",
)


class _AddressRecord(serializers.Serializer):
    def to_representation(self, instance) -> dict[str, Any]:
        return {"id": instance.pk, "is_primary": instance.is_primary, **address_data(instance)}


AddressOutputSerializer = type(
    "AddressRecord",
    (_AddressRecord,),
    {
        "id": serializers.IntegerField(),
        "is_primary": serializers.BooleanField(),
        **ADDRESS_OUTPUT,
        "__doc__": "An address record of the history: its data names, id and whether it is the primary one.",
    },
)


class ChangeOutputSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="A data name; address fields are `address.<name>`.")
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    address_id = serializers.IntegerField(required=False, help_text="The address record changed, if any.")


class ChangeRecordOutputSerializer(serializers.Serializer):
    """Who changed the customer, through which door, when, and each field's before and after."""

    who = serializers.CharField(source="user.username", allow_null=True, default=None)
    channel = serializers.CharField()
    action = serializers.CharField()
    when = UtcDateTimeField(source="created_at")
    changes = ChangeOutputSerializer(many=True)


class ListItemSerializer(serializers.Serializer):
    """An item of a list whose ids are integers (all but contact types and statuses)."""

    id = serializers.IntegerField(help_text="Countries: the ISO 3166-1 numeric code (826, shown as 0826).")
    name = serializers.CharField()
    code = serializers.CharField(required=False, help_text="Countries: the ISO 3166-1 alpha-2 code; languages: "
                                 "the ISO 639-1 code. Read-only: a write names the item by its id.")


class ValueListItemSerializer(serializers.Serializer):
    """An item of contact types or statuses, whose id is the value itself (`"Individual"`, `"Active"`)."""

    id = serializers.CharField()
    name = serializers.CharField()


# `{"name": [{"message", "code"}]}`: the one error shape of core.errors.exception_handler.
ERROR_SCHEMA = {
    "type": "object",
    "description": "Errors by data name (`detail` or `non_field_errors` when not about one name).",
    "additionalProperties": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"message": {"type": "string"}, "code": {"type": "string"}},
            "required": ["message", "code"],
        },
    },
}


class ErrorSerializer(serializers.Serializer):
    """Documentation only: the error responses are built by core.errors.exception_handler."""


class ErrorSchema(OpenApiSerializerExtension):
    """`ErrorSerializer` as the schema component `Error`: a mapping DRF serializers cannot express."""

    target_class = ErrorSerializer

    def map_serializer(self, auto_schema, direction):
        return ERROR_SCHEMA


# The bodies whose unknown names are refused (400 `unknown_field`): the profile writes, a merge, an event.
INPUT_COMPONENTS = ("ProfileCreateInput", "ProfileUpdateInput", "ProfilePatchInput", "MergeInput", "EventInput")


def close_input_schemas(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: these writes refuse names they do not know (400 `unknown_field`), so say so."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in INPUT_COMPONENTS:
        for variant in (name, f"Patched{name}"):
            if variant in schemas:
                schemas[variant]["additionalProperties"] = False
    return result
