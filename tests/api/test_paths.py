"""Every API path answers the same with and without its trailing slash, for every method, and never with a
redirect; any other path under /api/ is the API's JSON 404 (SPEC section 6).

The paths come from the URL resolver, so a path added later is tried too, and one written with plain
`path()` (which Django would redirect) fails `test_every_api_route_is_slash_optional`.
"""
from __future__ import annotations

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from core.api_urls import SlashOptionalRoute, api_not_found
from integrations.models import Form
from tests.api.conftest import token_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

METHODS = ("get", "head", "options", "post", "put", "patch", "delete")


def api_routes(resolvers=None, prefix: str = ""):
    """(route, pattern) of every endpoint whose route starts with `api`, as the resolver spells it."""
    for item in get_resolver().url_patterns if resolvers is None else resolvers:
        if isinstance(item, URLResolver):
            yield from api_routes(item.url_patterns, prefix + str(item.pattern))
        elif isinstance(item, URLPattern) and (prefix + str(item.pattern)).lstrip("^").startswith("api"):
            yield prefix + str(item.pattern), item


def endpoints() -> list[str]:
    return [route for route, pattern in api_routes() if pattern.callback is not api_not_found]


@pytest.fixture
def world(db):
    customer = CustomerFactory()
    Form.objects.create(name="Path form", slug="path-form", audience=Form.Audience.BOTH)
    return {"ucrn": customer.ucrn, "slug": "path-form", "list_name": "titles", "id": "1", "source": "council_tax"}


def fill(route: str, values: dict[str, str]) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)


def test_the_walk_finds_the_api():
    routes = endpoints()
    assert {"api/v1/profiles/", "api/v1/profiles/<str:ucrn>/", "api/v1/events/", "api/v1/forms/<str:slug>/submissions/",
            "api/schema/"} <= set(routes)


def test_every_api_route_is_slash_optional():
    written_otherwise = [route for route, pattern in api_routes() if pattern.callback is not api_not_found
                         and not isinstance(pattern.pattern, SlashOptionalRoute)]
    assert not written_otherwise, f"Write these with core.api_urls.api_path: {written_otherwise}"


@pytest.mark.parametrize("route", endpoints())
def test_each_method_answers_the_same_with_and_without_the_slash(route, world, csa):
    api = token_client(csa)
    with_slash = fill(route, world)
    assert with_slash.endswith("/")
    without = with_slash.rstrip("/")
    assert resolve(without).func is resolve(with_slash).func
    failures = []
    for method in METHODS:
        writes = method in ("post", "put", "patch")
        kwargs = {"data": json.dumps({}), "content_type": "application/json"} if writes else {}
        first = getattr(api, method)(without, **kwargs)
        second = getattr(api, method)(with_slash, **kwargs)
        if 300 <= first.status_code < 400 or first.status_code != second.status_code:
            failures.append(f"{method.upper()} {without}: {first.status_code}, {with_slash}: {second.status_code}")
    assert not failures, "\n".join(failures)


def test_patch_without_the_slash_updates(csa, customer):
    response = token_client(csa).patch(f"/api/v1/profiles/{customer.ucrn}", {"first_name": "Slashless"}, format="json")
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.first_name == "Slashless"


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/v1", "/api/v1/", "/api/v1/nothing", "/api/v2/profiles/",
                                  "/api/v1/profiles/123456789/nothing/", "/api/v1/profiles//", "/api/schema/x"])
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_an_unknown_api_path_is_the_json_404(path, method, csa):
    response = getattr(token_client(csa), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": [{"message": f"There is no API path {path}: see /api/schema/ for the paths.",
                                           "code": "not_found"}]}


def test_an_unknown_api_path_is_404_for_anyone(client):
    response = client.post("/api/v1/nothing")  # no session, no CSRF token: still the JSON 404, not a 403 page
    assert response.status_code == 404 and response.json()["detail"][0]["code"] == "not_found"
