"""Data protection over REST: `GET .../export/` (subject access) and `POST .../erase/` (erasure)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.idempotency import idempotent
from profiles.api import serializers as s
from profiles.api.views import CHANNEL, UCRN, errors
from profiles.services.erasure import profile_erase
from profiles.services.export import profile_export


class PortalAccountSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.CharField(allow_blank=True)


AddressExportSerializer = type(
    "AddressExport",
    (s.AddressOutputSerializer,),
    {"created_at": serializers.DateTimeField(), "__doc__": "An address record, with when it was recorded."},
)


class CaseExportSerializer(serializers.Serializer):
    """A case about the customer: the form's data as submitted and what its integrations did."""

    reference = serializers.CharField()
    form = serializers.CharField(help_text="The form's name.")
    status = serializers.CharField()
    submitted_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    data = serializers.JSONField(help_text="The form's values by form field data name.")
    results = serializers.JSONField(help_text="What each integration of the submission did.")


class ProfileExportSerializer(serializers.Serializer):
    """Everything the hub holds about one customer (UK GDPR subject access)."""

    ucrn = serializers.CharField()
    exported_at = serializers.DateTimeField()
    erased_at = serializers.DateTimeField(allow_null=True, help_text="Set when the customer has been erased.")
    portal_account = PortalAccountSerializer(allow_null=True, help_text="The linked citizen account, if any.")
    profile = s.ProfileOutputSerializer(help_text="The Get output, custom fields included.")
    addresses = AddressExportSerializer(many=True)
    change_history = s.ChangeRecordOutputSerializer(many=True)
    cases = CaseExportSerializer(many=True)


class ProfileExportView(APIView):
    """Subject access export: CSAs and administrators any customer, a citizen their own; audited."""

    @extend_schema(
        operation_id="profiles_export",
        parameters=[UCRN],
        responses={200: ProfileExportSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, ucrn: str) -> Response:
        return Response(profile_export(ucrn=ucrn, user=request.user, channel=CHANNEL))


class ErasureSerializer(serializers.Serializer):
    ucrn = serializers.CharField()
    erased_at = serializers.DateTimeField()


class ProfileEraseView(APIView):
    """Erasure by an administrator (`profiles.services.erasure`): the UCRN stays, nothing personal does."""

    @idempotent
    @extend_schema(
        operation_id="profiles_erase", parameters=[UCRN], request=None,
        responses={200: ErasureSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, ucrn: str) -> Response:
        customer = profile_erase(ucrn=ucrn, user=request.user, channel=CHANNEL)
        return Response({"ucrn": customer.ucrn, "erased_at": customer.erased_at})
