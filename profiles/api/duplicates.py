"""Likely duplicates over REST: ask who may be the same person; mark a pair as two people.

`GET /api/v1/profiles/duplicates?ucrn=...` and `POST /api/v1/profiles/{ucrn}/not-duplicate`, CSAs only.
The rules are `profiles.selectors.duplicates` (finding) and `profiles.services.duplicates` (marking); a Create's
`possible_duplicate` warnings are added in `profiles.api.views` with the same read.
"""
from __future__ import annotations

from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.api import IsCSA
from core.api_urls import location, location_header
from core.idempotency import idempotent
from profiles.api import serializers as s
from profiles.api.views import UCRN, errors
from profiles.selectors.duplicates import REASONS, duplicates_for
from profiles.services.duplicates import mark_not_same_person
from profiles.timestamps import api_datetime


class ReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(REASONS))
    message = serializers.CharField()


DuplicateSerializer = type(
    "Duplicate",
    (s.ProfileSummarySerializer,),
    {
        "score": serializers.IntegerField(help_text="The sum of the reasons' weights: the list is ranked by it."),
        "reasons": ReasonSerializer(many=True),
        "__doc__": "A customer who may be the same person (a search result's fields) and why.",
    },
)


class DuplicatesOutputSerializer(serializers.Serializer):
    ucrn = serializers.CharField(help_text="The customer asked about.")
    results = DuplicateSerializer(many=True, help_text="Best first; at most 10.")


class NotDuplicateInputSerializer(serializers.Serializer):
    ucrn = serializers.CharField(help_text="The other customer: a different person from the one in the path.")


# The project's defaults (signed in; API clients only on views that apply their allow-lists, which these do
# not: they show other customers), then CSAs only, refused before the input is read.
PERMISSIONS = [*api_settings.DEFAULT_PERMISSION_CLASSES, IsCSA]


class NotDuplicateOutputSerializer(serializers.Serializer):
    ucrn = serializers.CharField()
    not_same_as = serializers.CharField()
    created = serializers.BooleanField(help_text="False when the pair was already marked (nothing changed).")
    marked_at = serializers.DateTimeField()


class DuplicatesView(APIView):
    """Customers who may be the same person as `ucrn`, with the reasons, best first."""

    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="profiles_duplicates", tags=["duplicates"], summary='Likely duplicates of a customer',
        parameters=[OpenApiParameter("ucrn", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True,
                                     description="The customer to find likely duplicates of.")],
        responses={200: DuplicatesOutputSerializer, **errors(400, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        customer, duplicates = duplicates_for(ucrn=request.query_params.get("ucrn"), user=request.user)
        return Response({"ucrn": customer.ucrn, "results": [d.as_dict() for d in duplicates]})


class NotDuplicateView(APIView):
    """Mark two customers as different people: the pair is never suggested again. Idempotent."""

    permission_classes = PERMISSIONS

    @idempotent
    @extend_schema(
        operation_id="profiles_not_duplicate", tags=["duplicates"], summary='Mark two customers as different people',
        parameters=[UCRN, location_header("The customer's likely duplicates, which no longer list the other: "
                                          "`/api/v1/profiles/duplicates/?ucrn={ucrn}`.")],
        request=NotDuplicateInputSerializer,
        responses={
            201: NotDuplicateOutputSerializer,
            200: OpenApiResponse(NotDuplicateOutputSerializer, description="The pair was already marked."),
            **errors(400, 403, 404, 413, 415),
        },
    )
    def post(self, request: Request, ucrn: str) -> Response:
        body = request.data
        if not isinstance(body, dict):
            raise ValidationError({"non_field_errors": ["Send an object with the other customer's ucrn."]})
        other = body.get("ucrn")
        if other is not None and not isinstance(other, str):
            raise ValidationError({"ucrn": ["Give the other customer's UCRN as text."]})
        mark, created = mark_not_same_person(ucrn_a=ucrn, ucrn_b=other, user=request.user)
        return Response(
            {"ucrn": ucrn, "not_same_as": other, "created": created, "marked_at": api_datetime(mark.created_at)},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers=location(request, "api:profiles-duplicates", query=urlencode({"ucrn": ucrn})) if created else None,
        )
