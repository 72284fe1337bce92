"""drf-spectacular hook: the schema tells of the rate-limit headers every throttled answer carries.

The throttle (`core.throttling`) counts each API call after its credentials and permissions are checked and
`RateLimitHeadersMiddleware` writes `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` on the
answer; a 429 carries `Retry-After` too. One hook documents them on every operation's responses (as
optional headers: a 401 or 403 refused before the throttle counted carries none), instead of each view.
"""
from __future__ import annotations

from typing import Any

HEADERS: dict[str, dict[str, Any]] = {
    "RateLimit-Limit": {
        "description": "The requests this client may make in the current window (the IETF RateLimit draft).",
        "schema": {"type": "integer", "minimum": 1},
    },
    "RateLimit-Remaining": {
        "description": "The requests left in the current window, this one counted.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the current window ends and the count starts again.",
        "schema": {"type": "integer", "minimum": 1},
    },
}
RETRY_AFTER: dict[str, Any] = {
    "description": "Seconds to wait before trying again (RFC 9110).",
    "schema": {"type": "integer", "minimum": 0},
}


def add_rate_limit_headers(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """Every response of every operation gets the `RateLimit-*` headers; a 429 `Retry-After` as well."""
    components = result.setdefault("components", {}).setdefault("headers", {})
    components.update({**HEADERS, "Retry-After": RETRY_AFTER})
    refs = {name: {"$ref": f"#/components/headers/{name}"} for name in HEADERS}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    continue
                headers = response.setdefault("headers", {})
                headers.update(refs)
                if str(status) == "429":
                    headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
    return result
