"""The REST API's kernel, shared by every app: one error shape, the JSON parser, pagination, permissions,
and a token authentication that loads the user's roles in the same query and caches them (shared cache,
invalidated on change).

Parsing: `JSONParser` is DRF's, refusing what no endpoint can take (nesting past
`core.jsonlimits.REQUEST_MAX_DEPTH`, text holding NUL or a lone surrogate) with a 400 naming the top-level
key that holds it, before any view runs.

Errors: one shape for every error response (`core.errors`, DRF's `EXCEPTION_HANDLER`).

Hooks: this layer knows no customer and no API client. What a higher app adds to every API view is named in
settings, as DRF's own classes are: `API_TOKEN_EXTRAS` (what the token cache keeps of a user besides its
roles), `API_ALLOW_LIST_PERMISSIONS` and `API_RESPONSE_FILTERS` (run by `AllowListed` views).
"""
from __future__ import annotations

import hashlib
import re
from typing import Any, Protocol

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils.module_loading import import_string
from rest_framework import exceptions, parsers, permissions
from rest_framework.authentication import TokenAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from core.apitokens import token_expired
from core.caching import PREFIX, bump, cached
from core.jsonlimits import REQUEST_MAX_DEPTH, json_problem, printable, too_deep
from core.pagination import CappedPaginator, count_cap
from core.roles import GROUP_ROLES, is_csa
from core.sessionauth import forget_signed_in

NON_FIELD = "non_field_errors"


class VersionConflict(Exception):
    """The record changed since the version the caller expected (HTTP 412): nothing was written."""

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser (strict: no NaN), refusing with a 400 what would otherwise be a 500 further on.

    Python's `json` raises `RecursionError` on about a thousand levels of nesting, which DRF does not catch;
    lower nesting still reaches code that walks values recursively; text holding a lone surrogate (JSON's
    `"\\ud800"`) cannot be encoded as UTF-8, so neither stored nor even echoed in an error message, and NUL
    cannot be stored by PostgreSQL. Each problem is reported under the top-level key that holds it.
    """

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_details({NON_FIELD: too_deep(REQUEST_MAX_DEPTH)})) from None
        problems = {}
        if isinstance(data, dict):
            for key, value in data.items():
                problem = json_problem(key, max_depth=0) or json_problem(value, max_depth=REQUEST_MAX_DEPTH - 1)
                if problem is not None:
                    problems[printable(key)] = problem
        elif (problem := json_problem(data, max_depth=REQUEST_MAX_DEPTH)) is not None:
            problems[NON_FIELD] = problem
        if problems:
            raise exceptions.ParseError(_details(problems))
        return data


def _details(problems: dict[str, DjangoValidationError]) -> dict[str, list[exceptions.ErrorDetail]]:
    return {name: [exceptions.ErrorDetail(error.message, code=error.code)] for name, error in problems.items()}


class Pagination(PageNumberPagination):
    """`{"count", "next", "previous", "results"}`, 25 a page unless `page_size` asks for 1 to 100.

    A `page_size` outside that is a 400 naming it (`max_value`, `min_value`, `invalid`), not DRF's silent
    cap or fallback: a client asking for 500 must not believe it got everything on one page.
    """

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request) -> int:
        text = request.query_params.get(self.page_size_query_param)
        if text is None or text == "":
            return self.page_size
        if not PAGE_SIZE.match(text):
            raise _page_size_error(f"Give page_size as a whole number from 1 to {self.max_page_size}.", "invalid")
        size = int(text)
        if size > self.max_page_size:
            raise _page_size_error(f"page_size is at most {self.max_page_size}.", "max_value")
        if size < 1:
            raise _page_size_error("page_size is at least 1.", "min_value")
        return size

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size,
                                       "default": self.page_size}
                parameter["description"] = (f"Results per page, 1 to {self.max_page_size} (default {self.page_size}); "
                                            "outside that: 400.")
        return parameters


class SearchPagination(Pagination):
    """The search's pages: the count stops at `SEARCH_COUNT_CAP` (`core.pagination.CappedPaginator`).

    `count` is exact up to the cap; with more matches it is the cap and `count_capped` is true (always
    present), and `next` still leads through every result in order.
    """

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data) -> Response:
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.capped
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        cap = count_cap()
        paginated["required"] = ["count", "count_capped", "next", "previous", "results"]
        paginated["properties"]["count"]["description"] = (
            f"The number of matches, exact up to {cap:,}; with more, {cap:,} and `count_capped` is true.")
        paginated["properties"]["count_capped"] = {
            "type": "boolean", "example": False,
            "description": f"True when more than {cap:,} customers match (`count` is then {cap:,}): narrow the "
                           "search (a first name, a postcode). `next` still leads through every result in order.",
        }
        return paginated


PAGE_SIZE = re.compile(r"^[0-9]{1,12}$")


def _page_size_error(message: str, code: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({"page_size": [exceptions.ErrorDetail(message, code=code)]})


class IsCSA(permissions.BasePermission):
    """CSAs and administrators (and API clients with the CSA role)."""

    message = "Only customer service agents may do this."

    def has_permission(self, request, view) -> bool:
        return is_csa(request.user)


class AllowListed:
    """Mixin for API views that read or write data names: `allow_list` says how, for the allow-lists of the
    caller (an API client's, kept by a higher app and named in settings).

    "profile": writes are data names (POST, PUT, PATCH), GET returns a profile or a page of search results;
    "addresses" / "history": GET returns address records / change records; "import": a batch of records;
    "open": nothing personal (reference lists), or checked by the view itself (events). After the
    authentication, permissions and throttles, each of `settings.API_ALLOW_LIST_PERMISSIONS` (DRF permission
    classes) judges the request; each of `settings.API_RESPONSE_FILTERS` (`filter(request, view, response)`)
    may narrow a response before it is rendered.
    """

    allow_list: str = "open"
    # A search (a GET that reads query parameters, each checked against what the caller may read by the
    # view's `search_parameters`: the table of the data names each parameter reveals; the customer search's
    # by default); other views read no query parameter.
    searches: bool = False

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        for permission in (import_string(path)() for path in getattr(settings, "API_ALLOW_LIST_PERMISSIONS", ())):
            if not permission.has_permission(request, self):
                self.permission_denied(request, message=getattr(permission, "message", None),
                                       code=getattr(permission, "code", None))

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        for response_filter in (import_string(path) for path in getattr(settings, "API_RESPONSE_FILTERS", ())):
            response = response_filter(request, self, response)
        return response


class HubTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, with the token's user and roles cached in the shared cache.

    A miss costs one query (the token, its user and the user's roles, as `Exists` annotations); a hit
    none: the user is rebuilt from the cached row (every field but the password, which stays deferred) with
    the roles `core.roles` reads, so a Get by an API client costs only its own query, or none.

    Staleness: an entry lives at most `TOKEN_CACHE_TTL` seconds, and is tagged with the token's generation
    (`core.caching`), bumped whenever the token is saved or deleted (revoked), the user is saved
    (deactivated, made or unmade superuser) or their groups change (a role given or taken, a group
    deleted): `connect_signals`. A request that read the token just before its revocation committed stores
    an entry tagged with the old generation, which is never served. A change made behind the ORM's back (a
    queryset `update()`, raw SQL) is picked up within the TTL.
    """

    def authenticate_credentials(self, key: str):
        model = self.get_model()
        entry = cached(token_cache_key(key), [token_generation(key)], lambda: self._entry(model, key),
                       timeout=TOKEN_CACHE_TTL)
        if token_expired(entry["created"]):
            raise exceptions.AuthenticationFailed("Token has expired: ask for a new one.")
        user_model = get_user_model()
        fields = _user_fields(user_model)
        user = user_model.from_db("default", [f.attname for f in fields], [entry["user"][f.attname] for f in fields])
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        # The cache `core.roles` reads: the roles this user's groups give.
        user._hub_group_names = set(entry["roles"])
        for extra in token_extras():
            if extra.key in entry:  # an entry cached before the extra existed: the extra looks it up itself
                extra.bind(user, entry[extra.key])
        token = model.from_db("default", ["key", "user_id", "created"], [key, user.pk, entry["created"]])
        model.user.field.set_cached_value(token, user)
        return user, token

    @classmethod
    def _entry(cls, model, key: str) -> dict[str, Any]:
        """What the cache keeps of a token: its user (every field but the password), roles, date and extras."""
        token = cls._load(model, key)
        return {
            "user": {f.attname: getattr(token.user, f.attname) for f in _user_fields(token.user)},
            "roles": sorted(token.user._hub_group_names),
            "created": token.created,
            **{extra.key: extra.state(token.user) for extra in token_extras()},
        }

    @staticmethod
    def _load(model, key: str):
        roles = {
            f"_role_{role.value}": Exists(Group.objects.filter(user=OuterRef("user_id"), name=role.value))
            for role in GROUP_ROLES
        }
        try:
            related = ["user", *(extra.related for extra in token_extras())]
            token = model.objects.select_related(*related).annotate(**roles).get(key=key)
        except (model.DoesNotExist, ValueError):
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token.user._hub_group_names = {role.value for role in GROUP_ROLES if getattr(token, f"_role_{role.value}")}
        return token


TOKEN_CACHE_TTL = 60  # seconds: the bound on a change the signals below cannot see


class TokenExtra(Protocol):
    """What a higher app keeps of a token's user in the token cache (`settings.API_TOKEN_EXTRAS`): loaded in
    the authentication's one query (`related`, a `select_related` path from the token), cached under `key` as
    `state(user)`, and given back to the user on each request with `bind(user, state)`."""

    key: str
    related: str

    def state(self, user: Any) -> Any: ...

    def bind(self, user: Any, state: Any) -> None: ...


def token_extras() -> list[TokenExtra]:
    return [import_string(path) for path in getattr(settings, "API_TOKEN_EXTRAS", ())]


def token_cache_key(key: str) -> str:
    # A digest, not the key: a cache dump must not hand out working tokens.
    return f"{PREFIX}:token:" + hashlib.sha256(key.encode()).hexdigest()


def token_generation(key: str) -> str:
    return f"{PREFIX}:gen:token:" + hashlib.sha256(key.encode()).hexdigest()


def _user_fields(user_or_model) -> list:
    return [f for f in user_or_model._meta.concrete_fields if f.attname != "password"]


def forget_tokens_of(user_ids: list[int]) -> None:
    """Make the cached authentication of these users' tokens stale (`core.caching.bump`: now, and on commit)."""
    token_model = apps.get_model("authtoken", "Token")
    keys = token_model.objects.filter(user_id__in=user_ids).values_list("key", flat=True)
    generations = [token_generation(k) for k in keys]
    if generations:
        bump(*generations)


def _token_changed(sender, instance, **kwargs) -> None:
    bump(token_generation(instance.key))


def forget_users(user_ids: list[int]) -> None:
    """Drop everything cached about these users: their tokens' authentication and their signed-in user."""
    forget_tokens_of(user_ids)
    forget_signed_in(user_ids)


def _user_changed(sender, instance, **kwargs) -> None:
    forget_users([instance.pk])


def _groups_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:  # user.groups.add(...), .remove(...), .clear()
        forget_users([instance.pk])
    elif action == "pre_clear":  # group.user_set.clear(): its users, while they are still in it
        forget_users(list(instance.user_set.values_list("pk", flat=True)))
    else:  # group.user_set.add(...) / .remove(...): the users are in pk_set
        forget_users(list(pk_set or ()))


def _group_deleted(sender, instance, **kwargs) -> None:
    # Before the delete: its users lose the role with it (the cascade sends no m2m signal).
    forget_users(list(instance.user_set.values_list("pk", flat=True)))


def connect_signals() -> None:
    """Connected once, by `CoreConfig.ready`: whatever door changes a token, a user or their roles."""
    user_model, token_model = get_user_model(), apps.get_model("authtoken", "Token")
    post_save.connect(_token_changed, sender=token_model, dispatch_uid="hub-token-save")
    post_delete.connect(_token_changed, sender=token_model, dispatch_uid="hub-token-delete")
    post_save.connect(_user_changed, sender=user_model, dispatch_uid="hub-user-save")
    post_delete.connect(_user_changed, sender=user_model, dispatch_uid="hub-user-delete")
    m2m_changed.connect(_groups_changed, sender=user_model.groups.through, dispatch_uid="hub-user-groups")
    pre_delete.connect(_group_deleted, sender=Group, dispatch_uid="hub-group-delete")
