"""Allow-lists on the API's views, and the scope of API clients.

`AllowListed` is the one place a view applies its client's allow-lists: it checks a write (and a
search's filters) before the view runs, and filters a successful response's body after. Views without
it are closed to API clients (`ApiClientScope`, a default permission): an endpoint added later is not
open to systems until it applies their allow-lists.
"""
from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response

from systems.allowlists import (
    check_import,
    check_search,
    check_write,
    client_of,
    filter_output,
    written_names,
)

WRITES = ("POST", "PUT", "PATCH")


class AllowListed:
    """Mixin for API views: `allow_list` names what the view does with data names.

    "profile": writes are data names (POST, PUT, PATCH), GET returns a profile or a page of search results;
    "addresses" / "history": GET returns address records / change records; "import": a batch of records;
    "open": nothing personal (reference lists), or checked by the view itself (events).
    """

    allow_list: str = "open"
    # A search (a "profile" GET that reads query parameters): each parameter is checked against the client's
    # readable names (`check_search`). Other views read no query parameter.
    searches: bool = False

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        client = client_of(request.user)
        if client is None:
            return
        if self.allow_list == "import" and request.method == "POST":
            check_import(client, request.data)
        elif self.allow_list == "profile" and request.method in WRITES:
            check_write(client, written_names(request.data))
        elif self.allow_list == "profile" and request.method == "GET" and self.searches:
            check_search(client, request.query_params)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        client = getattr(request.user, "_hub_api_client", None)  # bound by `initial`, when it got that far
        if client is not None and 200 <= response.status_code < 300 and getattr(response, "data", None) is not None:
            response.data = filter_output(client, self.allow_list, response.data)
        return response


class ApiClientScope(permissions.BasePermission):
    """API clients may call only the views that apply their allow-lists (`AllowListed`)."""

    message = "API clients may use only the endpoints that apply their allow-lists."

    def has_permission(self, request: Request, view: Any) -> bool:
        return client_of(request.user) is None or isinstance(view, AllowListed)
