"""Merge over REST: `POST .../profiles/{ucrn}/merge` and `POST .../merge/{id}/undo`.

Thin, as the other views: the rules, checks and audit are `profiles.services.merge`. `{ucrn}` is the
survivor; the body names the customer merged into it and the per-field choices.
"""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_urls import location, location_header
from core.bodies import AsSentCharField, AsSentDictField, RequestSerializer
from core.idempotency import idempotent
from profiles.api import serializers as s
from profiles.api.views import CHANNEL, UCRN, errors, etag
from profiles.models import Customer, Merge
from profiles.selectors import primary_address, profile_data
from profiles.services.merge import (
    CHOICE_VALUES,
    UndoConflict,
    check_may_merge,
    merge_read,
    merge_undo,
    profile_merge,
    read_choices,
)
from profiles.timestamps import api_datetime

MERGE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The merge's id.")


class MergeRequestSerializer(RequestSerializer):
    """Merge the customer `merge` into the customer addressed (the survivor)."""

    # The body's shape is read here; the UCRN and the chosen data names are the merge service's rules.

    not_an_object = 'Send an object: {"merge": "<UCRN>", "choices": {...}}.'
    unknown_name = "{name} is not a name of a merge: send merge and choices."
    first_error_only = True

    merge = AsSentCharField(max_length=9, help_text="The UCRN of the customer merged into the one "
                            "addressed. It gets status Merged and its UCRN then resolves to the survivor.")
    choices = AsSentDictField(
        child=serializers.ChoiceField(choices=list(CHOICE_VALUES)), required=False,
        help_text='Per data name, whose value the survivor keeps: "survivor" or "merged"; `address` chooses '
        "the primary address. Not given: the survivor's value where it has one, else the merged one's. "
        "Every address record of the merged customer, its cases and history move to the survivor.",
    )

    class Meta:
        ref_name = "MergeInput"  # the schema's name for this body, which clients are generated with

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The choices as the merge service reads them (before it looks either customer up)."""
        attrs["choices"] = read_choices(attrs.get("choices"))
        return attrs


class MergeResultSerializer(serializers.Serializer):
    """The merge done: its id (for the undo), both UCRNs, the choices applied and the survivor after it."""

    id = serializers.IntegerField()
    survivor = serializers.CharField(help_text="The survivor's UCRN.")
    merged = serializers.CharField(help_text="The merged customer's UCRN: it now resolves to the survivor.")
    created_at = serializers.DateTimeField()
    choices = serializers.DictField(
        child=serializers.ChoiceField(choices=list(CHOICE_VALUES)),
        help_text="The choice applied for every data name whose values differed (and every one given).")
    profile = s.ProfileOutputSerializer(help_text="The survivor's profile after the merge.")
    undo = serializers.CharField(help_text="The URL that undoes this merge (POST).")


class MergeRecordSerializer(serializers.Serializer):
    """A merge as recorded: who was merged into whom, the choices applied, and whether it was undone."""

    id = serializers.IntegerField()
    survivor = serializers.CharField(help_text="The survivor's UCRN.")
    merged = serializers.CharField(help_text="The merged customer's UCRN.")
    created_at = serializers.DateTimeField()
    choices = serializers.DictField(child=serializers.ChoiceField(choices=list(CHOICE_VALUES)))
    undone_at = serializers.DateTimeField(allow_null=True, help_text="When the merge was undone; null if it stands.")
    undo = serializers.CharField(help_text="The URL that undoes this merge (POST).")


class UndoResultSerializer(serializers.Serializer):
    """The merge undone: both customers as they were before it."""

    id = serializers.IntegerField()
    survivor = serializers.CharField()
    merged = serializers.CharField()
    undone_at = serializers.DateTimeField()
    survivor_profile = s.ProfileOutputSerializer()
    merged_profile = s.ProfileOutputSerializer()


def _profile(customer: Customer) -> dict[str, Any]:
    customer = Customer.objects.select_related("prefix", "suffix").get(pk=customer.pk)
    return profile_data(customer, primary_address(customer))


class MergeView(APIView):
    """Merge another customer into this one (CSAs): per-field choices; undoable."""

    @idempotent
    @extend_schema(
        operation_id="profiles_merge", tags=["duplicates"], summary='Merge a customer into another',
        parameters=[UCRN, location_header("The merge: `/api/v1/profiles/{ucrn}/merge/{id}/`.")],
        request=MergeRequestSerializer,
        responses={201: MergeResultSerializer, **errors(400, 403, 404, 413, 415)},
        description="Merge the customer `merge` into `{ucrn}` (the survivor). Refused with 400: a customer "
        "into itself (`merge_self`), an unknown `merge` (`not_found`), an already merged (`already_merged`) "
        "or erased (`erased`) customer, a survivor itself merged (`merge_chain`), a bad choice (keyed by "
        "its data name: `unknown_field`, `read_only`, `invalid_choice`, `email_already_exists`).",
        examples=[OpenApiExample("Keep the merged record's phone number",
                                 value={"merge": "123456789", "choices": {"phone_number": "merged"}},
                                 request_only=True)],
    )
    def post(self, request: Request, ucrn: str) -> Response:
        check_may_merge(request.user)  # a citizen learns nothing, not even what a good body is
        body = MergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        merge = profile_merge(survivor_ucrn=ucrn, merged_ucrn=body.validated_data.get("merge"),
                              choices=body.validated_data["choices"], user=request.user, channel=CHANNEL)
        profile = _profile(merge.survivor)
        body = {
            "id": merge.pk,
            "survivor": merge.survivor.ucrn,
            "merged": merge.merged.ucrn,
            "created_at": api_datetime(merge.created_at),
            "choices": merge.choices,
            "profile": profile,
            "undo": request.build_absolute_uri(reverse("api:profile-merge-undo", args=[merge.survivor.ucrn, merge.pk])),
        }
        headers = {"ETag": etag(profile["version"]),
                   **location(request, "api:profile-merge-detail", merge.survivor.ucrn, merge.pk)}
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)


class MergeDetailView(APIView):
    """One merge (CSAs): the URL a merge's 201 names in its Location."""

    @extend_schema(
        operation_id="profiles_merge_get", tags=["duplicates"], summary='A merge',
        parameters=[UCRN, MERGE_ID],
        responses={200: MergeRecordSerializer, **errors(403, 404)},
        description="The merge `{id}`; `{ucrn}` is either customer's UCRN.",
    )
    def get(self, request: Request, ucrn: str, id: str) -> Response:
        merge = merge_read(merge_id=id, ucrn=ucrn, user=request.user)
        undo = reverse("api:profile-merge-undo", args=[merge.survivor.ucrn, merge.pk])
        return Response({
            "id": merge.pk,
            "survivor": merge.survivor.ucrn,
            "merged": merge.merged.ucrn,
            "created_at": api_datetime(merge.created_at),
            "choices": merge.choices,
            "undone_at": api_datetime(merge.undone_at),
            "undo": request.build_absolute_uri(undo),
        })


class MergeUndoView(APIView):
    """Undo a merge (CSAs), unless the survivor changed since where the merge changed it."""

    @idempotent
    @extend_schema(
        operation_id="profiles_merge_undo", tags=["duplicates"], summary='Undo a merge',
        parameters=[UCRN, MERGE_ID],
        request=None,
        responses={
            200: UndoResultSerializer,
            409: OpenApiResponse(s.ErrorSerializer, description="The survivor changed since the merge where "
                                 "the merge changed it: each such data name (`address` for a moved address) "
                                 "with when and by whom (code `merge_conflict`). Nothing was undone."),
            **errors(400, 403, 404),
        },
        description="Restore both customers as they were before the merge `{id}`. `{ucrn}` is either "
        "customer's UCRN. Refused with 400: already undone (`already_undone`), an erased customer "
        "(`erased`), a survivor merged since into another (`survivor_merged`).",
    )
    def post(self, request: Request, ucrn: str, id: str) -> Response:
        try:
            merge: Merge = merge_undo(merge_id=id, ucrn=ucrn, user=request.user, channel=CHANNEL)
        except UndoConflict as conflict:
            body = {name: [{"message": " ".join(e.messages), "code": e.code or "merge_conflict"} for e in items]
                    for name, items in conflict.error_dict.items()}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response({
            "id": merge.pk,
            "survivor": merge.survivor.ucrn,
            "merged": merge.merged.ucrn,
            "undone_at": api_datetime(merge.undone_at),
            "survivor_profile": _profile(merge.survivor),
            "merged_profile": _profile(merge.merged),
        })
