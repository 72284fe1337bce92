"""Other systems' data over REST (SPEC 8.3): `GET`/`PUT /api/v1/profiles/{ucrn}/extended/{source}/`.

The rules (sources, limits, keys unique across sources, references, the change record) are the service's
(`profiles.services.extended`); API clients are allowed by source, `extended.<source>` (`systems.access`).
"""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import AllowListed
from profiles.api.views import CHANNEL, ETAG, IF_MATCH, UCRN, errors, etag, expected_version
from profiles.selectors.extended import extended_get
from profiles.services.extended import extended_put

SOURCE = OpenApiParameter("source", OpenApiTypes.STR, OpenApiParameter.PATH,
                          description="A registered source's slug (`council_tax`); `internal` is reserved.")
EXTENDED_OBJECT = OpenApiResponse(
    OpenApiTypes.OBJECT, description="The customer's object from this source (`{}` when none is held).")


class ExtendedDataView(AllowListed, APIView):
    """A customer's extended data from one source: read it, or replace it whole."""

    allow_list = "extended"  # API clients: `extended.<source>` readable (GET) or writable (PUT)

    @extend_schema(
        operation_id="profiles_extended_get", tags=["profiles"], summary="A customer's data from one source",
        description="The JSON object the source holds about the customer (`{}` when none). 400 `unknown_source` "
                    "for a source not registered, `reserved_source` for `internal`. CSAs, or a citizen for their "
                    "own UCRN; API clients need `extended.<source>` readable.",
        parameters=[UCRN, SOURCE],
        responses={200: EXTENDED_OBJECT, **errors(400, 403, 404)},
    )
    def get(self, request: Request, ucrn: str, source: str) -> Response:
        return Response(extended_get(ucrn=ucrn, source=source, user=request.user))

    @extend_schema(
        operation_id="profiles_extended_put", tags=["profiles"], summary="Replace a customer's data from one source",
        description="Replaces the source's object whole (send all of it; `{}` removes it; other sources are left "
                    "as they are). 400 with a code: `unknown_source`, `reserved_source`, `extended_too_large` (the "
                    "size in bytes in the message), `extended_too_many_keys`, `extended_key_in_other_source` (a "
                    "top-level key another source of the customer holds, named), `extended_reference_taken` (a "
                    "unique reference another customer holds), `too_deep`, `invalid_text`. Written with a change "
                    "record naming `extended.<source>`. CSAs; API clients need `extended.<source>` writable.",
        parameters=[UCRN, SOURCE, IF_MATCH, ETAG],
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: EXTENDED_OBJECT, **errors(400, 403, 404, 412, 413, 415)},
    )
    def put(self, request: Request, ucrn: str, source: str) -> Response:
        result = extended_put(ucrn=ucrn, source=source, data=request.data, user=request.user, channel=CHANNEL,
                              expected_version=expected_version(request))
        return Response(result.data, headers={"ETag": etag(result.customer.version)})
