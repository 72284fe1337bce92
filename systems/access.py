"""Allow-lists on the API's views, and the scope of API clients.

Every view that declares what it does with data names (`core.api.AllowListed`) runs `AllowListPermission`
(settings: `API_ALLOW_LIST_PERMISSIONS`) after its throttles: it checks a write (and a search's filters)
before the view runs; `filter_response` (settings: `API_RESPONSE_FILTERS`) filters a successful response's
body after. Other views are closed to API clients (`ApiClientScope`, a default permission): an endpoint
added later is not open to systems until it applies their allow-lists.
"""
from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import AllowListed
from profiles.filters import SEARCH_PARAMETERS
from profiles.models import Subscription
from systems.allowlists import (
    check_extended,
    check_import,
    check_search,
    check_write,
    client_of,
    filter_output,
    subscription_names,
    written_names,
)

WRITES = ("POST", "PUT", "PATCH")


class AllowListPermission(permissions.BasePermission):
    """A client's request names only what its allow-lists grant: 403 `field_not_allowed` naming the rest."""

    def has_permission(self, request: Request, view: Any) -> bool:
        client = client_of(request.user)
        if client is None:
            return True
        allow_list = getattr(view, "allow_list", "open")
        if allow_list == "import" and request.method == "POST":
            check_import(client, request.data)
        elif allow_list == "profile" and request.method in WRITES:
            check_write(client, written_names(request.data))
        elif allow_list == "extended":  # by source: `extended.<source>` readable (GET) or writable (PUT)
            check_extended(client, request.method, view.kwargs.get("source", ""))
        elif request.method == "GET" and getattr(view, "searches", False):  # each view's table of parameters
            check_search(client, request.query_params, getattr(view, "search_parameters", SEARCH_PARAMETERS))
        elif allow_list == "subscriptions" and request.method == "POST":
            check_write(client, subscription_names(request.data))  # no channel: the service's 400
        elif allow_list == "subscriptions" and request.method == "DELETE":
            check_write(client, {f"permission_{channel}" for channel in _subscription_channel(view)})
        return True


def _subscription_channel(view: Any) -> list[str]:
    """The channel of the subscription a DELETE names (none for an id that is not one: the view's 404)."""
    ident = str(view.kwargs.get("id", ""))
    if not ident.isdigit() or len(ident) > 18:
        return []
    return list(Subscription.objects.filter(pk=int(ident)).values_list("channel", flat=True))


def filter_response(request: Request, view: Any, response: Response) -> Response:
    """A successful response's body as the client may see it (`filter_output`)."""
    client = getattr(request.user, "_hub_api_client", None)  # bound by the permission, when it got that far
    if client is not None and 200 <= response.status_code < 300 and getattr(response, "data", None) is not None:
        response.data = filter_output(client, getattr(view, "allow_list", "open"), response.data)
    return response


class ApiClientScope(permissions.BasePermission):
    """API clients may call only the views that apply their allow-lists (`core.api.AllowListed`)."""

    message = "API clients may use only the endpoints that apply their allow-lists."

    def has_permission(self, request: Request, view: Any) -> bool:
        return client_of(request.user) is None or isinstance(view, AllowListed)
