"""The REST API of SPEC section 6: each view parses the request, calls a service or selector, renders.

No rule lives here: who may do what, validation, defaults and the address rules are the services'
(`profiles.services`); the errors they raise become 400/403/404 in `core.errors.exception_handler`.
"""
from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import AllowListed, SearchPagination
from core.api_urls import location, location_header
from core.idempotency import idempotent
from profiles.api import serializers as s
from profiles.datanames import PATCH_OPTION_DEFAULTS
from profiles.filters import CustomerFilterSet
from profiles.models import Customer
from profiles.selectors import (
    REFERENCE_LISTS,
    address_history,
    change_history,
    list_items,
    profile_get,
    profile_search,
    profile_summary,
)
from profiles.services import ProfileResult, profile_create, profile_update

CHANNEL = "api"
ERROR_TEXT = {
    400: "Invalid input: the offending data names, each with a message and a code.",
    401: "No valid credentials.",
    403: "Not allowed (for a citizen: any customer but their own, whether or not it exists).",
    404: "No such customer, list or page.",
    412: "If-Match names a version the record no longer has (someone changed it since): get it again, retry.",
    413: "The body is larger than the server accepts (DATA_UPLOAD_MAX_MEMORY_SIZE).",
    415: "The body is not JSON.",
    429: "Too many requests: retry after the Retry-After header's seconds.",
}
UCRN = OpenApiParameter("ucrn", OpenApiTypes.STR, OpenApiParameter.PATH, description="The customer's UCRN.")
# Optimistic concurrency (RFC 9110 section 13): the ETag is the customer's version, `"v<version>"`.
ETAG = OpenApiParameter("ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200],
                        description='The record\'s version, `"v<version>"`: send it back in If-Match or If-None-Match.')
CONTENT_LOCATION = OpenApiParameter(
    "Content-Location", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200],
    description="Only when the UCRN asked for is a merged customer's: the URL of the survivor's profile, "
    "which is the one returned (its body also carries `merged_from`, the UCRN asked for).")
IF_MATCH = OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
                            description='Update only if the record is still at this version (`"v3"`); else 412.')
IF_NONE_MATCH = OpenApiParameter("If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
                                 description="304 (no body) if the record is still at this version.")
ENTITY_TAG = re.compile(r'^(W/)?"v([0-9]{1,9})"$')
NEVER_MATCHES = 0  # versions start at 1


def etag(version: int) -> str:
    return f'"v{version}"'


def _entity_tags(header: str) -> list[tuple[bool, int | None]]:
    """`(weak, version)` of each entity tag of a list; version None for a tag that is not one of ours."""
    tags = []
    for part in header.split(","):
        match = ENTITY_TAG.match(part.strip())
        tags.append((bool(match.group(1)), int(match.group(2))) if match else (False, None))
    return tags


def expected_version(request: Request) -> int | None:
    """The version If-Match requires, or None (no If-Match, or `*`). If-Match compares strongly: a weak or
    foreign tag can never match, so it makes the update fail with 412 (after the access checks)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    versions = {version for weak, version in _entity_tags(header) if version is not None and not weak}
    if len(versions) > 1:
        raise ParseError("Give one ETag in If-Match.")
    return versions.pop() if versions else NEVER_MATCHES


def not_modified(request: Request, version: int) -> bool:
    """If-None-Match (weak comparison): does the client already have this version?"""
    header = request.headers.get("If-None-Match")
    if header is None:
        return False
    return header.strip() == "*" or any(v == version for _, v in _entity_tags(header))


# A list's items: integer ids, or (contact types, statuses) the value itself as the id.
LIST_ITEMS = PolymorphicProxySerializer(
    component_name="ReferenceListItem", serializers=[s.ListItemSerializer, s.ValueListItemSerializer],
    resource_type_field_name=None, many=True,
)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses of an operation, all in the one error shape."""
    return {code: OpenApiResponse(s.ErrorSerializer, description=ERROR_TEXT[code]) for code in (*codes, 401, 429)}


def written(result: ProfileResult, status_code: int = status.HTTP_200_OK, headers: dict[str, str] | None = None
            ) -> Response:
    return Response({**result.profile, "warnings": result.warnings}, status=status_code,
                    headers={"ETag": etag(result.profile["version"]), **(headers or {})})


class ProfileListCreateView(AllowListed, GenericAPIView):
    """Search customers (CSAs) and create one (CSAs, or a citizen making their own profile)."""

    allow_list = "profile"  # an API client's allow-lists (systems.access): writes checked, output filtered
    searches = True  # and each search parameter checked against what the client may read
    filter_backends = [DjangoFilterBackend]
    filterset_class = CustomerFilterSet
    pagination_class = SearchPagination
    serializer_class = s.ProfileCreateInputSerializer  # what an OPTIONS request describes (the POST body)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user to check
            return Customer.objects.none()
        return profile_search(user=self.request.user)

    @extend_schema(
        operation_id="profiles_search", tags=["search"], summary="Search customers",
        description="CSAs only. Each filter given narrows the result; a page of search results (`page`, `page_size` "
                    "up to 100: above it is 400 `max_value`), in surname order, or most similar first with `name`. "
                    "`count` stops at 1,000: with more matches it is 1,000 and `count_capped` is true; `next` still "
                    "pages on through every result.",
        responses={200: s.ProfileSummarySerializer(many=True), **errors(400, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([profile_summary(customer) for customer in page])

    @idempotent
    @extend_schema(
        operation_id="profiles_create", tags=["profiles"], summary="Create a customer",
        description="Create (SPEC 4.1): `contact_type` and `preferred_contact_method` are required; a new UCRN is "
                    "issued. Likely duplicates come back as `possible_duplicate` warnings. CSAs, or a citizen making "
                    "their own profile.",
        parameters=[location_header("The new customer's profile: `/api/v1/profiles/{ucrn}/`.")],
        request=s.ProfileCreateInputSerializer,
        responses={201: s.ProfileWriteOutputSerializer, **errors(400, 403, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        result = profile_create(data=request.data, user=request.user, channel=CHANNEL)  # warns of duplicates
        return written(result, status.HTTP_201_CREATED, location(request, "api:profile", result.profile["ucrn"]))


class ProfileDetailView(AllowListed, APIView):
    """Get, full Update (PUT) and partial Update (PATCH) of one customer."""

    allow_list = "profile"

    @extend_schema(
        operation_id="profiles_get", tags=["profiles"], summary="Get a customer's profile",
        parameters=[UCRN, IF_NONE_MATCH, ETAG, CONTENT_LOCATION],
        description="The profile. A merged customer's UCRN returns the survivor's profile, with `merged_from` "
        "and a Content-Location header naming the survivor; writes to a merged UCRN are refused (400 `merged`).",
        responses={
            200: s.ProfileOutputSerializer,
            304: OpenApiResponse(description="Not modified: If-None-Match named the current version. No body."),
            **errors(403, 404),
        },
    )
    def get(self, request: Request, ucrn: str) -> Response:
        # The lean, cached read (one query on a miss, none on a hit; `profiles.selectors.profile_get`);
        # a 304 is answered from the cached version without rendering anything.
        profile = profile_get(ucrn=ucrn, user=request.user)
        headers = {"ETag": etag(profile["version"])}
        if "merged_from" in profile:  # the survivor's profile: say where it lives
            headers["Content-Location"] = reverse("api:profile", args=[profile["ucrn"]])
        if not_modified(request, profile["version"]):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(profile, headers=headers)

    @extend_schema(
        operation_id="profiles_update", tags=["profiles"], summary="Update a customer (full)",
        description="Full Update (SPEC 4.2, 4.3): names absent are untouched; a name given blank is cleared unless "
                    "`ignore_empty_entries` (default false); `contact_type` and `preferred_contact_method` are "
                    "required. `email_address` is never changed (another value: 400 `email_not_updatable`). "
                    "Read-only names of the Get output are ignored, so GET, edit, PUT works.",
        parameters=[UCRN, IF_MATCH, ETAG],
        request=s.ProfileUpdateInputSerializer,
        responses={200: s.ProfileWriteOutputSerializer, **errors(400, 403, 404, 412, 413, 415)},
    )
    def put(self, request: Request, ucrn: str) -> Response:
        return written(profile_update(ucrn=ucrn, data=request.data, user=request.user, channel=CHANNEL, full=True,
                                      expected_version=expected_version(request)))

    @extend_schema(
        operation_id="profiles_partial_update", tags=["profiles"], summary="Update a customer (partial)",
        description="Partial Update (SPEC 4.2, 4.3): as PUT, but nothing is required and `ignore_empty_entries` "
                    "defaults to true, so a blank value keeps the stored one. `email_address` is never changed "
                    "(another value: 400 `email_not_updatable`).",
        parameters=[UCRN, IF_MATCH, ETAG],
        request=s.ProfilePatchInputSerializer,
        responses={200: s.ProfileWriteOutputSerializer, **errors(400, 403, 404, 412, 413, 415)},
    )
    def patch(self, request: Request, ucrn: str) -> Response:
        result = profile_update(
            ucrn=ucrn,
            data=request.data,
            user=request.user,
            channel=CHANNEL,
            full=False,
            option_defaults=PATCH_OPTION_DEFAULTS,
            expected_version=expected_version(request),
        )
        return written(result)


class AddressHistoryView(AllowListed, APIView):
    """Every address record of a customer, newest first."""

    allow_list = "addresses"

    @extend_schema(
        operation_id="profiles_addresses", tags=["profiles"], summary="A customer's address history",
        description="Every address record of the customer, newest first; `is_primary` marks the current one. CSAs, "
                    "or a citizen for their own UCRN.",
        parameters=[UCRN],
        responses={200: s.AddressOutputSerializer(many=True), **errors(403, 404)},
    )
    def get(self, request: Request, ucrn: str) -> Response:
        records = address_history(ucrn=ucrn, user=request.user)
        return Response(s.AddressOutputSerializer(records, many=True).data)


class ChangeHistoryView(AllowListed, APIView):
    """The change records of a customer, newest first."""

    allow_list = "history"

    @extend_schema(
        operation_id="profiles_history", tags=["profiles"], summary="A customer's change history",
        description="The change records of the customer, newest first: who, through which door, when, and each "
                    "field's before and after. CSAs, or a citizen for their own UCRN.",
        parameters=[UCRN],
        responses={200: s.ChangeRecordOutputSerializer(many=True), **errors(403, 404)},
    )
    def get(self, request: Request, ucrn: str) -> Response:
        records = change_history(ucrn=ucrn, user=request.user)
        return Response(s.ChangeRecordOutputSerializer(records, many=True).data)


class ReferenceListView(AllowListed, APIView):
    """A reference list, for any signed-in user."""

    allow_list = "open"  # nothing personal

    @extend_schema(
        operation_id="lists_get", tags=["lists"], summary="A reference list",
        description="A reference list for forms and integrations, in its order: `[{\"id\", \"name\"}]`. Ids are "
                    "integers (countries: the ISO 3166-1 numeric code, with `code` its alpha-2; languages with "
                    "`code` their ISO 639-1), except `contact_types` and `statuses`, whose id is the value "
                    "itself. Any signed-in user.",
        parameters=[OpenApiParameter("list_name", str, OpenApiParameter.PATH, enum=list(REFERENCE_LISTS))],
        responses={200: LIST_ITEMS, **errors(404)},
    )
    def get(self, request: Request, list_name: str) -> Response:
        if list_name not in REFERENCE_LISTS:
            raise NotFound(f"There is no list {list_name!r}: the lists are {', '.join(REFERENCE_LISTS)}.")
        items: list[dict[str, Any]] = list_items(list_name)
        return Response(items)
