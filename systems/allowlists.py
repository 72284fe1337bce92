"""The allow-lists of API clients: what a system may read and write, decided here and nowhere else.

A request knows its client through `client_of(request.user)`: the token authentication (`core.api`) binds
it in its one query (`bind_api_client`); any other way in looks it up once per request. Users without a
client (CSAs in the browser, plain users' tokens) are never filtered.

Everything is allow-based: output keeps only the names granted (plus identifiers and bookkeeping such as
`ucrn` and `version`), and a write may name only granted names (plus the options and the read-only
names a write ignores). So a data name added to the hub later is closed until an administrator grants it.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rest_framework import exceptions

from profiles.datanames import (
    INPUT_HELPER_NAMES,
    OPTION_DEFAULTS,
    PERMISSION_NOTE,
    PROFILE_NAMES,
    READ_ONLY_NAMES,
)
from profiles.filters import QUALIFIED_REFERENCE, SEARCH_PARAMETERS
from profiles.models import PERMISSION_CHANNELS
from profiles.selectors.duplicates import REASONS, warning_message
from profiles.selectors.extended import reference_sources
from profiles.services.imports import DEFAULT_MATCHING, EXTENDED, SUBSCRIPTIONS
from systems.models import EXTENDED_PREFIX, ApiClient

# Identifiers and bookkeeping, never personal: in every output.
ALWAYS_VISIBLE = frozenset(
    {"ucrn", "version", "created_at", "updated_at", "warnings", "id", "is_primary", "merged_from", "merged_into"}
)
# Read-only names shown when the name they derive from is readable.
DERIVED = {"country": "country_id", "country_code": "country_id", "preferred_language_code": "preferred_language_id"}
# Keys of a write that are not data names written: options and what a write ignores.
NOT_WRITTEN = frozenset(OPTION_DEFAULTS) | READ_ONLY_NAMES | INPUT_HELPER_NAMES | {PERMISSION_NOTE}
UNBOUND = object()


class FieldNotAllowed(exceptions.PermissionDenied):
    """403 naming each data name the client may not use, in the hub's error shape."""

    default_code = "field_not_allowed"

    def __init__(self, names: Iterable[str], *, verb: str = "write", message: str | None = None) -> None:
        message = message or f"This API client may not {verb} this data name."
        super().__init__({name: [message] for name in sorted(names)}, code="field_not_allowed")


def api_client_state(user: Any) -> dict[str, Any] | None:
    """What the token authentication caches of the user's API client, loaded in its own query by
    `select_related("user__api_client")`: the client's row as a plain dict, or None for no client."""
    client = getattr(user, "api_client", None)  # a missing reverse one-to-one raises an AttributeError
    if client is None:
        return None
    return {f.attname: getattr(client, f.attname) for f in client._meta.concrete_fields}


def bind_api_client(user: Any, state: Any = UNBOUND) -> None:
    """Called by the token authentication with the user and the cached `api_client_state`: remember the
    user's client for this request (no query), refusing an inactive one. Without a state (an entry cached
    before clients existed) nothing is bound, and `client_of` looks the client up."""
    if state is UNBOUND:
        return
    client = None
    if state is not None:
        fields = ApiClient._meta.concrete_fields
        client = ApiClient.from_db("default", [f.attname for f in fields], [state[f.attname] for f in fields])
        ApiClient._meta.get_field("user").set_cached_value(client, user)
        if not client.active:
            raise exceptions.AuthenticationFailed("This API client is inactive.")
    user._hub_api_client = client


class ApiClientOfToken:
    """The token authentication's extra (`settings.API_TOKEN_EXTRAS`, `core.api.TokenExtra`): the user's
    API client, loaded in its query and cached with its roles."""

    key = "api_client"
    related = "user__api_client"
    state = staticmethod(api_client_state)
    bind = staticmethod(bind_api_client)


def client_of(user: Any) -> ApiClient | None:
    """The API client `user` acts for, or None. One query the first time for users the token
    authentication did not load (sessions); none afterwards."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    client = getattr(user, "_hub_api_client", UNBOUND)
    if client is UNBOUND:
        client = ApiClient.objects.filter(user=user).first()
        user._hub_api_client = client
    if client is not None and not client.active:
        raise exceptions.PermissionDenied("This API client is inactive.")
    return client


def readable(client: ApiClient | None) -> frozenset[str]:
    """The names `client` may read; none at all without a client (webhooks with no client)."""
    if client is None or not client.active:
        return frozenset()
    return frozenset(client.readable)


def writable(client: ApiClient) -> frozenset[str]:
    return frozenset(client.writable) if client.active else frozenset()


def visible(name: str, names: frozenset[str]) -> bool:
    return name in names or name in ALWAYS_VISIBLE or DERIVED.get(name, "") in names


def filter_profile(names: frozenset[str], data: Mapping[str, Any]) -> dict[str, Any]:
    """A profile (or a search result, or an address record) with only what `names` allows."""
    kept = {key: value for key, value in data.items() if visible(key, names)}
    if isinstance(data.get("extended"), Mapping) and any(n.startswith(EXTENDED_PREFIX) for n in names):
        # extended data by source, `extended.<slug>`: only for a client granted some source
        kept["extended"] = {slug: value for slug, value in data["extended"].items()
                            if f"{EXTENDED_PREFIX}{slug}" in names}
    if isinstance(kept.get("warnings"), list):
        kept["warnings"] = [w for w in (_warning(names, w) for w in kept["warnings"]) if w is not None]
    return kept


def _warning(names: frozenset[str], warning: Any) -> Any:
    """A possible-duplicate warning tells of another customer that it shares values with the new one: it
    keeps only the reasons whose compared data names the client may all read (it could have searched by
    them), and is dropped when none is left, so a client that may read nothing learns of nobody. The
    other customer's name stays in the message only for a client reading `name`, with every reason kept."""
    if not isinstance(warning, Mapping) or warning.get("code") != "possible_duplicate":
        return warning
    given = warning.get("reasons") if isinstance(warning.get("reasons"), list) else []
    reasons = [code for code in given if code in REASONS and set(REASONS[code].compares) <= names]
    if not reasons:
        return None
    if reasons == given and "name" in names:
        return dict(warning)
    return {**warning, "reasons": reasons, "message": warning_message(str(warning.get("ucrn")), reasons)}


def filter_changes(names: frozenset[str], changes: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Change entries (`{"field", "before", "after"}`) about readable names only; a whole new address
    record (`field` "address") keeps only its readable fields."""
    kept = []
    for entry in changes:
        field = str(entry.get("field", ""))
        if field == "address":
            kept.append({**entry, **{side: filter_profile(names, entry[side])
                                     for side in ("before", "after") if isinstance(entry.get(side), Mapping)}})
        elif visible(field.removeprefix("address."), names):
            kept.append(dict(entry))
    return kept


def subscription_names(items: Any) -> set[str]:
    """The data names subscriptions on these channels need (`permission_<channel>`); a channel that is not
    one names nothing here (the service refuses it)."""
    items = items if isinstance(items, list) else [items]
    return {f"permission_{item.get('channel')}" for item in items
            if isinstance(item, Mapping) and item.get("channel") in PERMISSION_CHANNELS}


def filter_output(client: ApiClient, shape: str, data: Any) -> Any:
    """The body of a successful response as `client` may see it. `shape`: "profile" (a profile, or a page
    of search results), "addresses" (a list of address records), "history" (a list of change records)."""
    names = readable(client)
    if shape == "profile" and isinstance(data, Mapping) and isinstance(data.get("results"), list):
        return {**data, "results": [filter_profile(names, item) for item in data["results"]]}
    if shape == "profile" and isinstance(data, Mapping):
        return filter_profile(names, data)
    if shape == "addresses" and isinstance(data, list):
        return [filter_profile(names, item) for item in data]
    if shape == "subscriptions" and isinstance(data, list):
        return [item for item in data if not isinstance(item, Mapping)
                or f"permission_{item.get('channel')}" in names]
    if shape == "subscriptions" and isinstance(data, Mapping):
        return data if f"permission_{data.get('channel')}" in names else {"id": data.get("id")}
    if shape == "history" and isinstance(data, list):
        return [{**item, "changes": filter_changes(names, item.get("changes", []))} for item in data]
    return data


def written_names(data: Any) -> set[str]:
    """The data names a write body names (lower-cased as the services read them): every key but the
    options and the names a write ignores. Keys that are not data names count too: allow-based."""
    if not isinstance(data, Mapping):
        return set()
    return {str(key).lower() for key in data} - NOT_WRITTEN


def check_write(client: ApiClient, names: Iterable[str]) -> None:
    """Refuse (403, nothing changed) a write naming anything outside the client's writable list."""
    refused = set(names) - writable(client)
    if refused:
        raise FieldNotAllowed(refused)


def check_read(client: ApiClient, names: Iterable[str]) -> None:
    """Refuse (403) a lookup by names the client may not read: matching or filtering by them reveals them."""
    refused = set(names) - readable(client)
    if refused:
        raise FieldNotAllowed(refused, verb="read")


def check_extended(client: ApiClient, method: str, source: Any) -> None:
    """Extended data is allowed by source: reading `GET .../extended/{source}/` needs `extended.<source>`
    readable, replacing it (`PUT`) writable."""
    name = f"{EXTENDED_PREFIX}{source}"
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        check_write(client, [name])
    else:
        check_read(client, [name])


def check_search(client: ApiClient, params: Mapping[str, Any],
                 parameters: Mapping[str, tuple[str, ...]] = SEARCH_PARAMETERS) -> None:
    """A search may match only by what the client may read: each parameter given needs every data name it
    reveals (`profiles.filters.SEARCH_PARAMETERS`, the one table of them). A parameter the table does not
    know is refused, whatever its value: allow-based, like the lists, so a filter added later without an
    entry is closed to clients instead of open to them."""
    unknown = set(params) - set(parameters)
    if unknown:
        raise FieldNotAllowed(unknown, message="API clients may not search by this parameter.")
    names = {name for param in params if params.get(param) for name in parameters[param]}
    check_read(client, names | searched_sources(params.get("search")))


def searched_sources(text: Any) -> set[str]:
    """`extended.<source>` for a search box's `source:value` naming a source with a reference: a client that
    may not read the source is refused (403) rather than shown nothing, as for any name it may not read."""
    qualified = QUALIFIED_REFERENCE.match(text.strip()) if isinstance(text, str) else None
    if qualified is None or qualified.group(1).lower() not in reference_sources():
        return set()
    return {f"{EXTENDED_PREFIX}{qualified.group(1).lower()}"}


def readable_sources(user: Any) -> frozenset[str] | None:
    """The extended data sources `user`'s API client may read (`extended.<slug>` readable), or None for a
    user without a client (every source): the search by reference matches only in these
    (`profiles.registry.register_source_reader`, from `SystemsConfig.ready`)."""
    client = client_of(user)
    if client is None:
        return None
    return frozenset(name.removeprefix(EXTENDED_PREFIX) for name in readable(client)
                     if name.startswith(EXTENDED_PREFIX))


def check_import(client: ApiClient, body: Any) -> None:
    """Every name of every record of an import (and of its options) must be writable; the matching key
    readable. Checked before any record is imported."""
    if not isinstance(body, Mapping):
        return
    names: set[str] = written_names(body.get("options"))
    records = body.get("records")
    for record in records if isinstance(records, list) else []:
        names |= written_names(record)
        if isinstance(record, Mapping) and SUBSCRIPTIONS in record:  # by channel, as permission_<channel>
            names.discard(SUBSCRIPTIONS)
            names |= subscription_names(record[SUBSCRIPTIONS])
        if isinstance(record, Mapping) and isinstance(record.get(EXTENDED), Mapping):  # by source
            names.discard(EXTENDED)
            names |= {f"{EXTENDED_PREFIX}{slug}" for slug in record[EXTENDED]}
    check_write(client, names)
    mode = body.get("matching") if body.get("matching") is not None else DEFAULT_MATCHING
    matching = body.get("field_name") if mode == "custom" else mode
    if isinstance(matching, str) and matching in PROFILE_NAMES:
        check_read(client, [matching])

