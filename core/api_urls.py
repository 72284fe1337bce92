"""The API's URL rules, in one place: every path under `/api/` answers the same with and without its
trailing slash, and an unknown path under `/api/` is the API's JSON 404 (SPEC section 6).

Why not Django's APPEND_SLASH: it redirects (301) a path without its slash, and a client follows a 301 as a
GET, so a `PATCH /api/v1/profiles/{ucrn}` would silently lose its update (with DEBUG on it is a 500).
Instead each API route is written once, in its slash form, with `api_path()`; its pattern also matches the
path without the slash. The route (what `reverse()` builds) keeps the slash; the OpenAPI schema writes each
path once, without it (`profiles.api.schema`: Spectral's `path-keys-no-trailing-slash`). `location()` is the
`Location` header of a 201, by URL name.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, re_path, reverse
from django.urls.resolvers import RoutePattern
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter


class SlashOptionalRoute(RoutePattern):
    """A `path()` route ending in `/` that also matches its path without that slash."""

    def match(self, path: str):
        found = super().match(path)
        if found is None and self._is_endpoint and not path.endswith("/") and str(self._route).endswith("/"):
            found = super().match(path + "/")
        return found


def api_path(route: str, view: Callable, kwargs: dict[str, Any] | None = None, name: str | None = None) -> URLPattern:
    """`django.urls.path()` for an API endpoint: `route` in its slash form, matched with or without it."""
    if not route.endswith("/"):
        raise ValueError(f"Write the API route {route!r} with its trailing slash: it then matches both ways.")
    return URLPattern(SlashOptionalRoute(route, name=name, is_endpoint=True), view, kwargs or {}, name)


@csrf_exempt  # nothing to protect: it only answers 404, and a POST must get the JSON 404, not the CSRF page
def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any path under `/api/` that no API route matched, whatever the method: a 404 in the API's error shape."""
    message = f"There is no API path {request.path}: see /api/schema/ for the paths."
    return JsonResponse({"detail": [{"message": message, "code": "not_found"}]}, status=404)


# Joined last in the root URLconf, after every API route: whatever else begins with `api`.
api_fallback = re_path(r"^api(?P<rest>/.*)?$", api_not_found, name="api-not-found")


def location(request: HttpRequest, viewname: str, *args: Any, query: str = "") -> dict[str, str]:
    """The `Location` header of a 201: the absolute URL of what the request created."""
    return {"Location": request.build_absolute_uri(reverse(viewname, args=args) + (f"?{query}" if query else ""))}


def location_header(what: str) -> OpenApiParameter:
    """The documented `Location` header of an operation's 201."""
    return OpenApiParameter("Location", OpenApiTypes.URI, OpenApiParameter.HEADER, response=[201], description=what)
