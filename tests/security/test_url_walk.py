"""Every URL pattern of the project, taken from the URL resolver, with every role.

EXPECTED names the status of a GET for each role; a pattern the resolver has and the table lacks fails the
test, so a new page cannot be forgotten. The admin site's own patterns (generated per registered model)
follow one rule, ADMIN_RULE. Then every write a role is refused (POST, PUT, PATCH, DELETE) is sent and
must be refused without changing anything in the database. The API client also searches by every filter.
"""
from __future__ import annotations

import json
import re

import pytest
from django.apps import apps
from django.contrib.admin import site as admin_site
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from integrations.models import Case, Form
from profiles.filters import CustomerFilterSet
from profiles.models import ChangeRecord, Customer, ExtendedSource
from systems.models import ApiClient
from systems.services.clients import api_client_rotate_token
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "norole", "citizen", "csa", "admin", "client")
LOGIN = "login"  # 302 to the sign-in page: what an anonymous visitor of a page gets
# GET status per role: (anonymous, norole, citizen, csa, admin, client). The citizen is linked to the
# customer in {ucrn}; "norole" is a signed-in user with no role (SPEC 7: nothing but the reference lists);
# "client" is an API client by its token (an allow-listed system reading `first_name` and `town` only),
# which the pages do not know (a token signs nobody in to a page).
EXPECTED: dict[str, tuple] = {
    "": (302, 302, 302, 302, 302, 302),
    "accounts/login/": (200, 302, 302, 302, 302, 200),
    "accounts/logout/": (405, 405, 405, 405, 405, 405),
    "home/": (LOGIN, 403, 302, 302, 302, LOGIN),
    "hub/": (LOGIN, 403, 403, 200, 200, LOGIN),
    "hub/customers/": (LOGIN, 403, 403, 200, 200, LOGIN),
    "hub/customers/new/": (LOGIN, 403, 403, 200, 200, LOGIN),
    "hub/addresses/": (LOGIN, 403, 403, 200, 200, LOGIN),
    "hub/addresses/customers/": (LOGIN, 403, 403, 400, 400, LOGIN),  # without an address
    "hub/customers/<str:ucrn>/": (LOGIN, 403, 403, 200, 200, LOGIN),
    "hub/customers/<str:ucrn>/edit/": (LOGIN, 403, 403, 200, 200, LOGIN),
    "hub/customers/<str:ucrn>/history/": (LOGIN, 403, 403, 200, 200, LOGIN),
    "hub/customers/<str:ucrn>/email/": (LOGIN, 403, 403, 405, 405, LOGIN),
    "hub/customers/<str:ucrn>/export/": (LOGIN, 403, 403, 200, 200, LOGIN),
    "hub/customers/<str:ucrn>/erase/": (LOGIN, 403, 403, 403, 200, LOGIN),
    "hub/customers/<str:ucrn>/not-duplicate/": (LOGIN, 403, 403, 405, 405, LOGIN),
    "hub/customers/<str:ucrn>/merge/": (LOGIN, 403, 403, 200, 200, LOGIN),
    "hub/customers/<str:ucrn>/merge/<int:id>/undo/": (LOGIN, 403, 403, 405, 405, LOGIN),
    "portal/profile/": (LOGIN, 403, 200, 403, 403, LOGIN),
    "portal/profile/edit/": (LOGIN, 403, 200, 403, 403, LOGIN),
    "portal/profile/export/": (LOGIN, 403, 200, 403, 403, LOGIN),
    "hub/forms/": (LOGIN, 403, 403, 200, 200, LOGIN),
    "hub/forms/<slug:slug>/": (LOGIN, 403, 403, 200, 200, LOGIN),
    "hub/cases/": (LOGIN, 403, 403, 200, 200, LOGIN),
    "hub/cases/<str:reference>/": (LOGIN, 403, 403, 200, 200, LOGIN),
    "hub/cases/<str:reference>/edit/": (LOGIN, 403, 403, 200, 200, LOGIN),
    "hub/cases/<str:reference>/link/": (LOGIN, 403, 403, 405, 405, LOGIN),
    "portal/forms/<slug:slug>/": (LOGIN, 403, 200, 403, 403, LOGIN),
    "api/v1/forms/": (401, 403, 200, 200, 200, 403),
    "api/v1/forms/<str:slug>/": (401, 403, 200, 200, 200, 403),
    "api/v1/forms/<str:slug>/submissions/": (401, 403, 405, 405, 405, 403),
    "api/v1/profiles/": (401, 403, 403, 200, 200, 200),
    "api/v1/profiles/import/": (401, 403, 403, 405, 405, 405),
    "api/v1/profiles/duplicates/": (401, 403, 403, 400, 400, 403),  # without ?ucrn=
    "api/v1/addresses/": (401, 403, 403, 400, 400, 400),  # without ?search= (the client: a CSA, allow-listed)
    "api/v1/profiles/<str:ucrn>/not-duplicate/": (401, 403, 403, 405, 405, 403),
    "api/v1/profiles/<str:ucrn>/": (401, 403, 200, 200, 200, 200),
    "api/v1/profiles/<str:ucrn>/addresses/": (401, 403, 200, 200, 200, 200),
    "api/v1/profiles/<str:ucrn>/history/": (401, 403, 200, 200, 200, 200),
    "api/v1/profiles/<str:ucrn>/export/": (401, 403, 200, 200, 200, 403),
    # the client may not read `extended.walk_source`; a citizen reads their own, only CSAs write
    "api/v1/profiles/<str:ucrn>/extended/<str:source>/": (401, 403, 200, 200, 200, 403),
    "api/v1/profiles/<str:ucrn>/erase/": (401, 405, 405, 405, 405, 403),
    "api/v1/profiles/<str:ucrn>/merge/": (401, 405, 405, 405, 405, 403),
    "api/v1/profiles/<str:ucrn>/merge/<str:id>/undo/": (401, 405, 405, 405, 405, 403),
    "api/v1/lists/<str:list_name>/": (401, 200, 200, 200, 200, 200),
    # Subscriptions (SPEC 8.2): the client sees those on channels whose permission it reads (none here).
    "api/v1/profiles/<str:ucrn>/subscriptions/": (401, 403, 200, 200, 200, 200),
    "api/v1/profiles/<str:ucrn>/subscriptions/<str:id>/": (401, 405, 405, 405, 405, 405),  # DELETE only
    "api/v1/topics/<str:slug>/subscribers/": (401, 403, 403, 404, 404, 404),  # the walk's slug is no topic's
    "api/v1/events/": (401, 403, 403, 405, 405, 405),
    "api/v1/profiles/<str:ucrn>/merge/<str:id>/": (401, 403, 403, 404, 404, 403),  # the walk's id is no merge's
    "api/v1/events/<str:id>/": (401, 403, 403, 404, 404, 404),  # only its sender reads an event; the walk sent none
    "api/schema/": (200, 200, 200, 200, 200, 200),
    "api/docs/": (200, 200, 200, 200, 200, 200),
    "^api(?P<rest>/.*)?$": (404, 404, 404, 404, 404, 404),  # any other path under /api/: the JSON 404
}
REFUSED = {401, 403, 405}
# The roles refused a write on the routes that take POST only (their GET is 405 for everyone signed in).
POST_ONLY_REFUSED = {
    "accounts/logout/": (),
    "hub/customers/<str:ucrn>/email/": ("anonymous", "norole", "citizen", "client"),
    "hub/cases/<str:reference>/link/": ("anonymous", "norole", "citizen", "client"),
    "api/v1/forms/<str:slug>/submissions/": ("anonymous", "norole", "client"),
    "api/v1/profiles/import/": ("anonymous", "norole", "citizen"),
    "api/v1/events/": ("anonymous", "norole", "citizen"),
    "hub/customers/<str:ucrn>/not-duplicate/": ("anonymous", "norole", "citizen", "client"),
    "api/v1/profiles/<str:ucrn>/not-duplicate/": ("anonymous", "norole", "citizen", "client"),
    "api/v1/profiles/<str:ucrn>/erase/": ("anonymous", "norole", "citizen", "csa", "client"),
    "hub/customers/<str:ucrn>/merge/<int:id>/undo/": ("anonymous", "norole", "citizen", "client"),
    "api/v1/profiles/<str:ucrn>/merge/": ("anonymous", "norole", "citizen", "client"),
    "api/v1/profiles/<str:ucrn>/merge/<str:id>/undo/": ("anonymous", "norole", "citizen", "client"),
    # Others may DELETE a subscription of the customer: the walk's id is no subscription's (404).
    "api/v1/profiles/<str:ucrn>/subscriptions/<str:id>/": ("anonymous", "norole"),
}
# What the client reads: every search filter reveals more than this, so each is refused (403); paging is not.
CLIENT_READS = ["first_name", "town"]
# The client's status for `GET /api/v1/profiles/?<parameter>=<value>`, for every filter of the FilterSet (a
# filter missing here fails the walk) and the view's own parameters.
CLIENT_SEARCH: dict[str, tuple[str, int]] = {
    "search": ("Wright", 403),
    "last_name": ("Wright", 403),
    "name": ("Wright", 403),
    "postcode": ("M1 1AE", 403),
    "email_address": ("someone@example.org", 403),
    "phone_number": ("0117 496 0123", 403),
    "uprn": ("100000001", 403),
    "status": ("Active", 403),
    "contact_type": ("Individual", 403),
    "page": ("1", 200),
    "page_size": ("10", 200),
}


def admin_rule(route: str, name: str | None, role: str, admin_user) -> set:
    """The Django admin: staff only. Others are sent to its sign-in page; its sign-in page itself shows.
    An administrator sees every page, except what the model admin itself refuses (customers are never
    deleted, change records never added): 403 exactly where its has_add/has_delete_permission says no."""
    if name == "login":
        return {200, 302}
    if name == "logout" and role != "admin":
        return {302}  # away from the admin, signed-in or not
    if role != "admin":
        return {LOGIN}
    if name == "logout":
        return {405}  # POST only
    if name == "autocomplete":
        return {403}  # without the admin's own query parameters
    if name == "view_on_site" or route.endswith("(?P<url>.*)$"):  # no page on the site; the catch-all
        return {404}
    for model, model_admin in admin_site._registry.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if name and name.startswith(prefix):
            request = RequestFactory().get("/admin/")
            request.user = admin_user
            action = name.removeprefix(prefix)
            if action == "add" and not model_admin.has_add_permission(request):
                return {403}
            if action == "delete" and not model_admin.has_delete_permission(request, model.objects.first()):
                return {403}
    return {200, 302}


def patterns(resolvers=None, prefix: str = "", admin: bool = False):
    """(route, name, is_admin, pattern) for every pattern, routes as the resolver spells them."""
    for item in get_resolver().url_patterns if resolvers is None else resolvers:
        if isinstance(item, URLResolver):
            yield from patterns(item.url_patterns, prefix + str(item.pattern),
                                admin or getattr(item, "app_name", None) == "admin")
        elif isinstance(item, URLPattern):
            yield prefix + str(item.pattern), item.name, admin


@pytest.fixture
def world(db):
    users = {
        "norole": UserFactory(username="walk-norole"),
        "citizen": UserFactory(username="walk-citizen", role="citizen"),
        "csa": UserFactory(username="walk-csa", role="csa"),
        "admin": UserFactory(username="walk-admin", role="admin"),
    }
    customer = CustomerFactory(portal_user=users["citizen"])
    form = Form.objects.create(name="Walk form", slug="walk-form", audience=Form.Audience.BOTH)
    case = Case.objects.create(form=form, customer=customer, data={"x": "1"}, submitted_by=users["csa"])
    system = ApiClient.objects.create(name="walk-system", user=UserFactory(username="walk-system", role="csa"),
                                      readable=CLIENT_READS)
    source = ExtendedSource.objects.create(slug="walk_source", reference_key="account")
    return {"users": users, "customer": customer, "form": form, "case": case, "source": source,
            "client_key": api_client_rotate_token(client=system)}


def client_for(world, role: str) -> Client:
    if role == "client":
        return Client(headers={"Authorization": f"Token {world['client_key']}"})
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def fill(route: str, world) -> str:
    """A real URL for a route: the customer's UCRN, the case's reference, the form's slug, a list name, an
    admin object of the pattern's model."""
    values = {
        "ucrn": world["customer"].ucrn,
        "reference": world["case"].reference,
        "slug": world["form"].slug,
        "list_name": "titles",
        "source": world["source"].slug,
        "url": "no-such-page/",
        "rest": "/no-such-path/",
        "app_label": "profiles",
        "content_type_id": str(ContentType.objects.get_for_model(Customer).pk),
    }
    route = route.replace("^", "").replace("?$", "").replace("$", "")

    def value(match: re.Match) -> str:
        name = match.group("name") or match.group("group")
        if name in ("object_id", "id", "pk"):
            return str(world["object_pk"])
        return values[name]

    return "/" + re.sub(r"\(\?P<(?P<group>\w+)>[^)]*\)|<(?:\w+:)?(?P<name>\w+)>", value, route)


def admin_object_pk(name: str, world):
    """The pk of an object of the model an admin pattern is about (`profiles_customer_change`)."""
    for model in apps.get_models():
        if name.startswith(f"{model._meta.app_label}_{model._meta.model_name}_"):
            obj = model.objects.order_by("pk").first()
            return obj.pk if obj is not None else 1
    return world["customer"].pk


def check(response, expected, role: str) -> bool:
    code = response.status_code
    if LOGIN in expected and code == 302 and "login" in response["Location"]:
        return True
    return code in expected


def snapshot():
    counts = {m._meta.label: m.objects.count() for m in apps.get_models()
              if m._meta.app_label in ("profiles", "integrations", "auth", "authtoken") and m._meta.managed}
    return counts, list(Customer.objects.order_by("pk").values_list("pk", "version", "first_name", "email_address")), \
        list(ChangeRecord.objects.order_by("pk").values_list("pk", "changes"))


def test_every_url_with_every_role(world):
    found = list(patterns())
    routes = {route for route, _, admin in found if not admin}
    missing = routes - set(EXPECTED)
    assert not missing, f"URL patterns with no expectation in EXPECTED: {sorted(missing)}"
    assert set(POST_ONLY_REFUSED) <= set(EXPECTED)
    assert not set(EXPECTED) - routes, f"EXPECTED names patterns that no longer exist: {set(EXPECTED) - routes}"

    clients = {role: client_for(world, role) for role in ROLES}
    failures, refused = [], []
    for route, name, admin in found:
        world["object_pk"] = admin_object_pk(name or "", world)
        url = fill(route, world)
        for n, role in enumerate(ROLES):
            expected = admin_rule(route, name, role, world["users"]["admin"]) if admin else {EXPECTED[route][n]}
            response = clients[role].get(url)
            if not check(response, expected, role):
                failures.append(f"{role} GET {url} ({route}): {response.status_code}, expected {expected}")
            if admin or route not in POST_ONLY_REFUSED:
                if expected & (REFUSED | {LOGIN}) and not (expected & {200}):
                    refused.append((role, url, admin))
            elif role in POST_ONLY_REFUSED[route]:
                refused.append((role, url, admin))
    assert not failures, "\n".join(failures)

    # Every write a role may not make is refused, and changes nothing.
    before = snapshot()
    body = {"first_name": "Intruder", "contact_type": "Individual", "preferred_contact_method": 3,
            "email_address": "intruder@example.org", "post": "yes", "action": "submit"}
    for role, url, _admin in refused:
        client = clients[role]
        for method in ("post", "put", "patch", "delete"):
            if method != "post" and not url.startswith("/api/"):
                continue
            kwargs = {"content_type": "application/json"} if url.startswith("/api/") else {}
            data = json.dumps(body) if kwargs else body
            response = getattr(client, method)(url, data, **kwargs)
            ok = response.status_code in REFUSED or (response.status_code == 302 and "login" in response["Location"])
            if not ok:
                failures.append(f"{role} {method.upper()} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert snapshot() == before


def test_the_client_searches_by_every_filter_only_as_its_allow_list_allows(world):
    filters = set(CustomerFilterSet.base_filters)
    missing = filters - set(CLIENT_SEARCH)
    assert not missing, f"filters with no expectation in CLIENT_SEARCH: {missing}"
    client = client_for(world, "client")
    failures = []
    for parameter, (value, expected) in CLIENT_SEARCH.items():
        response = client.get("/api/v1/profiles/", {parameter: value})
        if response.status_code != expected:
            failures.append(f"client GET ?{parameter}={value}: {response.status_code}, expected {expected}")
        elif expected == 200:
            assert all(set(r) <= {"ucrn", "version", "created_at", "updated_at", *CLIENT_READS}
                       for r in response.json()["results"])
    assert not failures, "\n".join(failures)
