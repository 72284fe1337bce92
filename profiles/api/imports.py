"""`POST /api/v1/profiles/import`: a batch of up to 1,000 records, matched and imported (seed 003)."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import AllowListed, IsCSA
from core.bodies import ArrayField, AsSentCharField, AsSentChoiceField, ObjectField, RequestSerializer
from core.idempotency import idempotent
from profiles.api.views import errors
from profiles.models import Channel
from profiles.services.imports import (
    DEFAULT_MATCHING,
    MATCHING_MODES,
    MAX_BATCH,
    check_batch_size,
    check_matching,
    import_records,
)


@extend_schema_field({"type": "array", "items": {"type": "object", "additionalProperties": {}}, "maxItems": MAX_BATCH})
class RecordsField(ArrayField):
    """The records, passed on as they came: each is profile data, read by the profile service (a record that
    is not an object is that record's error, not the batch's). Their number is checked with the matching."""


class OptionsField(ObjectField):
    """The batch's options; left empty (null, false, an empty list) they are no options."""

    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(data) if data else {}


class ImportRequestSerializer(RequestSerializer):
    """A batch of records, each matched by `matching`: by `email_address` when `matching` is omitted (seed 003)."""

    not_an_object = "Send an object with matching and records."
    first_error_only = True

    records = RecordsField(message="Send a list of records.",
                           help_text="Objects of data names; a record's own options override the batch's. "
                                     'A record may also carry `"subscriptions": [{"topic": slug, "channel": '
                                     '"email"}]` and `"extended": {"council_tax": {...}}` (each source\'s '
                                     "object replaced whole, with the codes of `PUT .../extended/{source}`, "
                                     "errors keyed `extended.<source>`).")
    options = OptionsField(message="Send an object of options.", required=False, allow_null=True,
                           help_text="SPEC 4.2 options for every record of the batch.")
    matching = AsSentChoiceField(
        choices=MATCHING_MODES, required=False, default=DEFAULT_MATCHING,
        help_text=f"Which value of a record finds its customer; when omitted, `{DEFAULT_MATCHING}`.")
    field_name = AsSentCharField(required=False, help_text="With matching `custom`: custom_1 .. custom_28.")

    class Meta:
        ref_name = "ImportInput"  # the schema's name for this body, which clients are generated with

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The import service's own checks of the batch, in its order: the matching, then the size."""
        check_matching(attrs.get("matching"), attrs.get("field_name"))
        check_batch_size(attrs["records"])
        return attrs


class RecordOutcomeSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error"])
    ucrn = serializers.CharField(allow_null=True)
    errors = serializers.DictField()


class ImportOutputSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    results = RecordOutcomeSerializer(many=True)


class ImportView(AllowListed, APIView):
    """Each record applies completely or not at all: one bad record does not stop the others."""

    allow_list = "import"  # an API client's writable list covers every record, checked before any import

    permission_classes = [IsAuthenticated, IsCSA]  # refuse citizens before reading the body (the service checks too)

    @idempotent
    @extend_schema(operation_id="profiles_import", tags=["import"], summary="Import a batch of records",
    description="Up to 1,000 records, each matched by `matching` (`ucrn`, `email_address`, `phone_number` or "
                "`custom` with `field_name`; when `matching` is omitted, `email_address`): Update when one "
                "customer matches, Create when none, an error when several. Each record applies completely or "
                "not at all; the others go on. CSAs.",
    request=ImportRequestSerializer,
                   responses={200: ImportOutputSerializer, **errors(400, 403, 413, 415)})
    def post(self, request: Request) -> Response:
        body = ImportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        batch = body.validated_data
        outcomes = import_records(records=batch["records"], matching=batch.get("matching"),
                                  field_name=batch.get("field_name"), options=batch.get("options") or {},
                                  user=request.user, channel=Channel.IMPORT)
        counts = {status: 0 for status in ("created", "updated", "unchanged", "error")}
        for outcome in outcomes:
            counts[outcome.status] += 1
        return Response({"counts": counts, "results": [o.as_dict() for o in outcomes]})
