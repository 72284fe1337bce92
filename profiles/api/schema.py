"""What the OpenAPI schema says beyond what drf-spectacular infers, so a client can trust it alone.

- The token scheme: `Authorization: Token <key>` (an API key in a header: OpenAPI 3.0's `http` schemes
  know only registered prefixes such as `Bearer`, and ours is `Token`).
- `complete_schema`, a postprocessing hook: the answers every operation can give whatever its view says
  (401, 405, 406, 429; 413 and 415 on every write: a POST's `Idempotency-Key` reads the body too), the
  search's `status` and `contact_type` as enums of their value lists, paths without their trailing slash
  (every path answers both ways; Spectral's `path-keys-no-trailing-slash`), and nullable references in a
  form OpenAPI 3.0 validators accept.

The tags (the areas operations are grouped by, each view naming its own), `servers` and the contact are
settings: `SPECTACULAR_SETTINGS` in `hub/settings.py`.
"""
from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from profiles.models import CONTACT_TYPES, STATUSES

WRITES = ("post", "put", "patch")
ERROR_REF = {"$ref": "#/components/schemas/Error"}
# Answers any operation may give, whatever it does: the request's credentials, method, Accept header and
# rate; and, on a write, its body's size and type.
EVERY_OPERATION = {
    "401": "No valid credentials: no `Authorization: Token <key>` or session, or an unknown or expired token.",
    "405": "A method this path does not take: the `Allow` header lists the ones it does (code `method_not_allowed`).",
    "406": "The `Accept` header allows no JSON: every answer is `application/json` (code `not_acceptable`).",
    "429": "Too many requests: retry after the `Retry-After` header's seconds (code `throttled`).",
}
EVERY_WRITE = {
    "413": "The body is larger than the server accepts (code `too_large`).",
    "415": "The body is not `application/json` (code `unsupported_media_type`).",
}
# The search filters whose values are the ids of a value list.
LIST_FILTERS = {"status": ("statuses", STATUSES), "contact_type": ("contact_types", CONTACT_TYPES)}


class TokenScheme(OpenApiAuthenticationExtension):
    """The hub's token authentication (a subclass of DRF's) as the security scheme `tokenAuth`."""

    target_class = "rest_framework.authentication.TokenAuthentication"
    match_subclasses = True
    priority = 1  # before drf-spectacular's own description of DRF's token
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        keyword = getattr(self.target, "keyword", "Token")
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": f"`Authorization: {keyword} <key>`: the prefix `{keyword}`, one space, then the key "
            "(`manage.py apitoken USERNAME` prints it). Not `Bearer`.",
        }


def complete_schema(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: see the module's docstring."""
    paths = {}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method in ("get", "put", "patch", "post", "delete", "head", "options"):
                _complete_operation(method, operation)
        paths[path.rstrip("/") if path != "/" else path] = operations
    result["paths"] = paths
    for schema in result.get("components", {}).get("schemas", {}).values():
        for name, prop in (schema.get("properties") or {}).items():
            schema["properties"][name] = nullable_reference(prop)
    return result


def _complete_operation(method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    answers = {**EVERY_OPERATION, **(EVERY_WRITE if method in WRITES else {})}
    for code, description in answers.items():
        responses.setdefault(code, {"description": description,
                                    "content": {"application/json": {"schema": ERROR_REF}}})
    for parameter in operation.get("parameters", []):
        found = LIST_FILTERS.get(parameter.get("name")) if parameter.get("in") == "query" else None
        if found is not None:
            list_name, values = found
            parameter["schema"] = {"type": "string", "enum": list(values)}
            parameter["description"] = f"Exact: an id of `GET /api/v1/lists/{list_name}` (another value is 400)."


def nullable_reference(prop: dict[str, Any]) -> dict[str, Any]:
    """`{"allOf": [ref], "nullable": true}` (drf-spectacular's nullable reference) as an `anyOf` of the
    reference and null: OpenAPI 3.0 validators ignore `nullable` beside an `allOf` without a `type`, so they
    refuse the null the API sends."""
    if not (prop.get("nullable") and isinstance(prop.get("allOf"), list) and len(prop["allOf"]) == 1):
        return prop
    rest = {key: value for key, value in prop.items() if key not in ("allOf", "nullable")}
    return {**rest, "anyOf": [prop["allOf"][0], {"type": "object", "nullable": True, "enum": [None]}]}
