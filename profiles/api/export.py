"""Data protection over REST: `GET .../export/` (subject access) and `POST .../erase/` (erasure)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.idempotency import idempotent
from profiles.api import serializers as s
from profiles.api.subscriptions import SubscriptionSerializer
from profiles.api.views import CHANNEL, UCRN, errors
from profiles.services.erasure import profile_erase
from profiles.services.export import profile_export
from profiles.timestamps import api_datetime


class PortalAccountSerializer(serializers.Serializer):
    """The linked login (never its password)."""

    username = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    last_login = serializers.DateTimeField(allow_null=True)
    date_joined = serializers.DateTimeField()
    is_active = serializers.BooleanField()


AddressExportSerializer = type(
    "AddressExport",
    (s.AddressOutputSerializer,),
    {"created_at": serializers.DateTimeField(), "__doc__": "An address record, with when it was recorded."},
)


class CaseExportSerializer(serializers.Serializer):
    """A case about the customer (or anonymous, carrying their email or phone): the form's data as submitted
    and what its integrations did."""

    reference = serializers.CharField()
    form = serializers.CharField(help_text="The form's name.")
    status = serializers.CharField()
    submitted_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    data = serializers.JSONField(help_text="The form's values by form field data name.")
    results = serializers.JSONField(help_text="What each integration of the submission did.")


class EventExportSerializer(serializers.Serializer):
    """An event about the customer, or one that found no customer but carries their email or phone."""

    id = serializers.IntegerField()
    type = serializers.CharField()
    ucrn = serializers.CharField(allow_null=True, help_text="The customer it was applied to, if any.")
    client = serializers.CharField(allow_null=True, help_text="The API client that sent it.")
    received_at = serializers.DateTimeField()
    outcome = serializers.CharField()
    rules = serializers.JSONField(help_text="The names of the rules that matched.")
    changed = serializers.JSONField(help_text="The data names it changed.")
    errors = serializers.JSONField()
    payload = serializers.JSONField(help_text="The event as received (beyond 64 levels, as JSON text).")


class MergeExportSerializer(serializers.Serializer):
    """A merge of the customer's records, with the snapshots that are the customer's."""

    id = serializers.IntegerField()
    survivor = serializers.CharField(allow_null=True, help_text="Null: another person's UCRN (citizens).")
    merged = serializers.CharField(allow_null=True, help_text="Null: another person's UCRN (citizens).")
    created_at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)
    channel = serializers.CharField()
    choices = serializers.JSONField()
    undone_at = serializers.DateTimeField(allow_null=True)
    undone_by = serializers.CharField(allow_null=True)
    survivor_before = serializers.JSONField(allow_null=True, help_text="The survivor as it was, if the customer's.")
    merged_before = serializers.JSONField(allow_null=True, help_text="The merged record as it was, if the customer's.")
    moved = serializers.JSONField(allow_null=True, help_text="What moved from the merged record, if the customer's.")
    survivor_history = s.ChangeRecordOutputSerializer(
        many=True, allow_null=True,
        help_text="A merge undone, where the merged record is the customer's: the other person's change records "
                  "of it, which hold what it took from the customer.")


class MergedRecordExportSerializer(serializers.Serializer):
    """A record merged into the customer (its UCRN resolves to the customer), as it is now."""

    ucrn = serializers.CharField()
    merged_into = serializers.CharField()
    erased_at = serializers.DateTimeField(allow_null=True)
    portal_account = PortalAccountSerializer(allow_null=True)
    profile = s.ProfileOutputSerializer()
    addresses = AddressExportSerializer(many=True)
    change_history = s.ChangeRecordOutputSerializer(many=True)


class NotSamePersonExportSerializer(serializers.Serializer):
    """A customer a CSA said is a different person."""

    ucrn = serializers.CharField(allow_null=True, help_text="The other customer (null for citizens).")
    marked_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class ExtendedExportSerializer(serializers.Serializer):
    """A source's extended data about the customer (or a record merged into it)."""

    ucrn = serializers.CharField()
    source = serializers.CharField(help_text="The source's slug.")
    data = serializers.JSONField(help_text="The object as the source last sent it.")
    updated_at = serializers.DateTimeField()


class PermissionExportSerializer(serializers.Serializer):
    """A channel's contact permission (SPEC 8.1), with its last change: when, through which door (`source`),
    the free text given with it (`note`) and by whom. Earlier values are in the change history."""

    channel = serializers.CharField()
    status = serializers.CharField()
    changed_at = serializers.CharField(allow_null=True)
    source = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    by = serializers.CharField(allow_blank=True)


class ProfileExportSerializer(serializers.Serializer):
    """Everything the hub holds about one customer (UK GDPR subject access)."""

    ucrn = serializers.CharField()
    exported_at = serializers.DateTimeField()
    erased_at = serializers.DateTimeField(allow_null=True, help_text="Set when the customer has been erased.")
    portal_account = PortalAccountSerializer(allow_null=True, help_text="The linked citizen account, if any.")
    profile = s.ProfileOutputSerializer(help_text="The Get output, custom fields included.")
    addresses = AddressExportSerializer(many=True)
    change_history = s.ChangeRecordOutputSerializer(many=True)
    contact_permissions = PermissionExportSerializer(many=True)
    subscriptions = SubscriptionSerializer(many=True, help_text="Current and ended.")
    cases = CaseExportSerializer(many=True)
    events = EventExportSerializer(many=True)
    merges = MergeExportSerializer(many=True)
    merged_records = MergedRecordExportSerializer(many=True)
    not_same_person = NotSamePersonExportSerializer(many=True)
    extended = ExtendedExportSerializer(many=True)


class ProfileExportView(APIView):
    """Subject access export: CSAs and administrators any customer, a citizen their own; audited."""

    @extend_schema(
        operation_id="profiles_export", tags=["profiles"], summary="Export everything held about a customer",
        description="Subject access (UK GDPR article 15): the profile, every address and change record, cases, "
                    "events, merges, merged records and \"not the same person\" marks. CSAs any customer, a citizen "
                    "their own; each export is recorded in the change history.",
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
        operation_id="profiles_erase", tags=["profiles"], summary="Erase a customer's personal data",
        description="Administrators. The UCRN and an empty record stay; everything personal, in every app, is "
                    "blanked, and later writes are refused (400 `erased`).",
        parameters=[UCRN], request=None,
        responses={200: ErasureSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, ucrn: str) -> Response:
        customer = profile_erase(ucrn=ucrn, user=request.user, channel=CHANNEL)
        return Response({"ucrn": customer.ucrn, "erased_at": api_datetime(customer.erased_at)})
