"""Request bodies read by DRF serializers, in one style (the bodies of the import, a merge and an event).

A body's serializer (`<Thing>RequestSerializer`, beside its view) reads the envelope: that the body is an
object, which names it may carry, the shape of each part. What a part *means* (a UCRN, a data name, a
profile field) stays the rule of its service, which the serializer calls or leaves to the service. The view
calls `is_valid(raise_exception=True)` and the API's exception handler (`core.errors`) gives the 400 in the
one error shape, with the codes the hub has always answered with: a part of the wrong shape is one message
with one code (`OneAnswer`), never DRF's generic wording.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.fields import SkipField, empty

from core.api import NON_FIELD


class AsSent:
    """A part that its service reads and checks (its rule and its message): the field describes it in the
    schema and passes it on as it came; left out, it is left out."""

    def run_validation(self, data: Any = empty) -> Any:
        if data is empty:
            raise SkipField()
        return data


class AsSentCharField(AsSent, serializers.CharField):
    """Text its service checks."""


class AsSentChoiceField(AsSent, serializers.ChoiceField):
    """One of some choices, which its service checks with its own message."""


class AsSentDictField(AsSent, serializers.DictField):
    """An object its service checks, names and values."""


class OneAnswer:
    """A part missing, null or of another shape gets one message and one code, whatever DRF would say."""

    def __init__(self, *, message: str, code: str = "invalid", **kwargs: Any) -> None:
        self.one_message, self.one_code = message, code
        super().__init__(**kwargs)

    def fail(self, key: str, **kwargs: Any) -> None:
        raise ValidationError(self.one_message, code=self.one_code)


class ObjectField(OneAnswer, serializers.DictField):
    """A JSON object, passed on as it came: its names and values are its service's to read."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, Mapping):
            self.fail("not_a_dict")
        return data


class ArrayField(OneAnswer, serializers.ListField):
    """A JSON array, passed on as it came: its items are its service's to read."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, list):
            self.fail("not_a_list")
        return data


class RequestSerializer(serializers.Serializer):
    """A JSON body: an object (anything else, null included, is one `non_field_errors` with code `invalid`
    saying what to send), then its parts by their fields, then `validate` for what spans parts.

    `unknown_name` (a message with `{name}`) refuses names that are not fields, each with `unknown_field`
    (`refused_names` may refuse more); left None, other names are ignored. `first_error_only` answers with
    the first refusal only, in the order: refused names, the fields as declared, `validate`; so a body is
    told what to fix first.
    """

    not_an_object = "Send an object."
    unknown_name: str | None = None
    first_error_only = False

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data is None:
            self.refuse_body()
        return super().validate_empty_values(data)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, Mapping):
            self.refuse_body()
        refused = self.refused_names(data)
        if refused and self.first_error_only:
            raise ValidationError(refused)
        try:
            value = super().to_internal_value(data)
        except ValidationError as error:
            if self.first_error_only and isinstance(error.detail, dict):
                name = next(iter(error.detail))
                raise ValidationError({name: error.detail[name]}) from None
            raise ValidationError({**refused, **error.detail}) from None  # a field's refusal says more
        if refused:
            raise ValidationError(refused)
        return value

    def refuse_body(self) -> None:
        raise ValidationError({NON_FIELD: [ErrorDetail(self.not_an_object, code="invalid")]})

    def refused_names(self, data: Mapping[str, Any]) -> dict[str, list[ErrorDetail]]:
        """The body's names refused whatever their fields say: by default the unknown ones."""
        if self.unknown_name is None:
            return {}
        return {str(key): [ErrorDetail(self.unknown_name.format(name=key), code="unknown_field")]
                for key in data if key not in self.fields}
