"""Find by address over REST: `GET /api/v1/addresses/?search=LS1 4AP` (CSAs; API clients by their allow-lists).

The addresses the hub holds (current addresses) that match a postcode or a street, each with its number of
customers: `profiles.selectors.address_search` decides what matches and how; this view only parses and renders.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.api import AllowListed, IsCSA
from profiles.api.views import errors
from profiles.selectors.address_search import (
    ADDRESS_SEARCH_PARAMETERS,
    HELP,
    LIMIT_DEFAULT,
    LIMIT_MAX,
    SEARCH_TEXT_MAX,
    address_suggestions,
)


class AddressSearchInputSerializer(serializers.Serializer):
    search = serializers.CharField(max_length=SEARCH_TEXT_MAX, help_text=HELP)
    limit = serializers.IntegerField(min_value=1, max_value=LIMIT_MAX, default=LIMIT_DEFAULT, required=False,
                                     help_text=f"At most this many addresses, 1 to {LIMIT_MAX}.")


class AddressSuggestionSerializer(serializers.Serializer):
    """An address the hub holds, as the fields a form fills, and how many customers live there."""

    flat = serializers.CharField()
    house = serializers.CharField()
    street = serializers.CharField()
    town = serializers.CharField()
    post_town = serializers.CharField()
    postcode = serializers.CharField()
    country_id = serializers.IntegerField()
    country_code = serializers.CharField(allow_null=True, help_text="ISO 3166-1 alpha-2, from `country_id`.")
    label = serializers.CharField(help_text="One line: `12 Old Road, Leeds, LS1 4AP`.")
    customers = serializers.IntegerField(help_text="Customers whose current address this is.")


class AddressSearchOutputSerializer(serializers.Serializer):
    results = AddressSuggestionSerializer(many=True, help_text="In postcode order (a postcode search) or street "
                                          "order (a street search), at most `limit`.")
    more = serializers.BooleanField(help_text="True when more addresses match than `limit`: type more.")


class AddressSearchView(AllowListed, APIView):
    """The addresses the hub holds that match the text, with their customer counts."""

    # Signed in, then CSAs only (API clients with the CSA role): a count of customers at an address is theirs.
    permission_classes = [*api_settings.DEFAULT_PERMISSION_CLASSES, IsCSA]
    allow_list = "address_search"  # an API client may search only if it may read every address name shown
    searches = True
    search_parameters = ADDRESS_SEARCH_PARAMETERS

    @extend_schema(
        operation_id="addresses_search", tags=["search"], summary="Find by address",
        description="The addresses the hub holds (customers' current addresses) matching a postcode (`LS1 4AP` in "
                    "any case and spacing, an outward code `LS1` or a sector `LS1 4`) or a street (the start of its "
                    "name, any case, after an optional house number), narrowed by further comma-separated parts: a "
                    "town (the start of the town or post town) or a postcode. Each with the number of customers "
                    "living there. CSAs; an API client that may read every address name. Bad text is 400 on "
                    "`search` (`required`, `max_length`, `invalid`); `limit` outside 1 to "
                    f"{LIMIT_MAX} is 400 (`min_value`, `max_value`, `invalid`).",
        parameters=[
            OpenApiParameter("search", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True, description=HELP),
            OpenApiParameter("limit", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False,
                             description=f"At most this many addresses, 1 to {LIMIT_MAX} (default {LIMIT_DEFAULT})."),
        ],
        responses={200: AddressSearchOutputSerializer, **errors(400, 403)},
    )
    def get(self, request: Request) -> Response:
        given = AddressSearchInputSerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        limit = given.validated_data["limit"]
        try:
            found = address_suggestions(text=given.validated_data["search"], user=request.user, limit=limit + 1)
        except DjangoValidationError as error:
            raise ValidationError({"search": [serializers.ErrorDetail(error.messages[0], code=error.code)]}) \
                from error
        return Response({"results": found[:limit], "more": len(found) > limit})
