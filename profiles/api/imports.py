"""`POST /api/v1/profiles/import`: a batch of up to 1,000 records, matched and imported (seed 003)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import AllowListed, IsCSA
from core.idempotency import idempotent
from profiles.api.views import errors
from profiles.models import Channel
from profiles.services.imports import DEFAULT_MATCHING, MATCHING_MODES, MAX_BATCH, import_records


class ImportInputSerializer(serializers.Serializer):
    """A batch of records, each matched by `matching`: by `email_address` when `matching` is omitted (seed 003)."""

    matching = serializers.ChoiceField(
        choices=MATCHING_MODES, required=False, default=DEFAULT_MATCHING,
        help_text=f"Which value of a record finds its customer; when omitted, `{DEFAULT_MATCHING}`.")
    field_name = serializers.CharField(required=False, help_text="With matching `custom`: custom_1 .. custom_28.")
    options = serializers.DictField(required=False, help_text="SPEC 4.2 options for every record of the batch.")
    records = serializers.ListField(child=serializers.DictField(), max_length=MAX_BATCH,
                                    help_text="Objects of data names; a record's own options override the batch's. "
                                              'A record may also carry `"subscriptions": [{"topic": slug, "channel": '
                                              '"email"}]` and `"extended": {"council_tax": {...}}` (each source\'s '
                                              "object replaced whole, with the codes of `PUT .../extended/{source}`, "
                                              "errors keyed `extended.<source>`).")


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
    request=ImportInputSerializer,
                   responses={200: ImportOutputSerializer, **errors(400, 403, 413, 415)})
    def post(self, request: Request) -> Response:
        body = request.data
        if not isinstance(body, dict):
            raise ValidationError({"non_field_errors": ["Send an object with matching and records."]})
        records = body.get("records")
        if not isinstance(records, list):
            raise ValidationError({"records": ["Send a list of records."]})
        options = body.get("options") or {}
        if not isinstance(options, dict):
            raise ValidationError({"options": ["Send an object of options."]})
        outcomes = import_records(records=records, matching=body.get("matching"), field_name=body.get("field_name"),
                                  options=options, user=request.user, channel=Channel.IMPORT)
        counts = {status: 0 for status in ("created", "updated", "unchanged", "error")}
        for outcome in outcomes:
            counts[outcome.status] += 1
        return Response({"counts": counts, "results": [o.as_dict() for o in outcomes]})
