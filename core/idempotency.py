"""`Idempotency-Key` on the API's POSTs (SPEC section 6): a client that did not hear the answer to a write
can send it again, with the same key, without doing it twice.

Put `@idempotent` on a view's `post` (above its `@extend_schema`):

- no header: nothing changes;
- a key this caller has not used in the last 24 hours: the request runs, and its answer (status, JSON body,
  Location / ETag / Content-Location) is kept with the key;
- the same key with the same method, path and body (as JSON, whatever its spacing): the kept answer again,
  with `Idempotent-Replayed: true`, and nothing is done;
- the same key with another body or path: 409 `idempotency_key_reused`, nothing done.

Which answers are kept: every answer but a 5xx, 409 and 429 (as Stripe does). An error the server caused, a
conflict or a throttle may clear on a retry, so the key stays free for it; a 400 is kept, since the same body
would be refused again. A request refused before it reached the view (401, 403, 429 of the throttles) keeps
nothing either.

Concurrency: the key's row is inserted, then the view runs and its answer is stored in one transaction. A
second request with the same key (another worker, another server: the row is in the shared database) waits
at its own insert on the unique (user, key) constraint until the first commits, then answers the kept
answer (on PostgreSQL; SQLite lets one writer at a time in anyway). A 5xx rolls back the view's work and the
key together. Keys are scoped to the signed-in user, so a citizen's and an API client's keys never collide;
`manage.py purge_expired` deletes keys older than a day.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder

from core.models import IdempotencyKey

HEADER = "Idempotency-Key"
LIFETIME = timedelta(hours=24)
KEY_FORMAT = re.compile(r"^[!-~]{1,255}$")  # visible ASCII, no spaces: what a UUID or any token is made of
KEPT_HEADERS = ("Location", "ETag", "Content-Location")
NOT_KEPT = {status.HTTP_409_CONFLICT, status.HTTP_429_TOO_MANY_REQUESTS}

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False, pattern=KEY_FORMAT.pattern,
    description="Any unique text (a UUID): sent again with the same body within 24 hours, the first answer is "
    "returned again (with `Idempotent-Replayed: true`) and nothing is done twice. The same key with another "
    "body is 409 `idempotency_key_reused`. Answers 5xx, 409 and 429 are not kept: retry them with the same key.",
)
CONFLICT_TEXT = "The Idempotency-Key was used in the last 24 hours with another body (`idempotency_key_reused`)."


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = ("This Idempotency-Key was already used with another request (another body or path) in the "
                      "last 24 hours: use a new key for a new request.")
    default_code = "idempotency_key_reused"


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Make a DRF view's `post` honour `Idempotency-Key` (see the module's docstring), and say so in the
    OpenAPI schema (the header, and the 409). Goes above `@extend_schema`."""

    @functools.wraps(handler)
    def post(view, request: Request, *args: Any, **kwargs: Any) -> Response:
        raw = request.headers.get(HEADER)
        if raw is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        key = raw.strip()
        if not KEY_FORMAT.match(key):
            raise exceptions.ValidationError({HEADER: [exceptions.ErrorDetail(
                "Give 1 to 255 visible ASCII characters, such as a UUID.", code="invalid")]})
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            kept = _claim(request.user, key, fingerprint)
            if kept is not None:
                return _replay(kept)
            try:
                response = handler(view, request, *args, **kwargs)
            except Exception as exc:  # the view's error answer, as DRF would give it; a 5xx propagates
                response = view.handle_exception(exc)
            _keep(request.user, key, fingerprint, response)
        return response

    post.idempotent = True
    base = getattr(handler, "kwargs", {}).get("schema") or api_settings.DEFAULT_SCHEMA_CLASS

    class IdempotentSchema(base):
        def get_override_parameters(self) -> list:
            return [*super().get_override_parameters(), IDEMPOTENCY_KEY]

        def get_response_serializers(self) -> Any:
            return _with_conflict(super().get_response_serializers())

    post.kwargs = {**getattr(handler, "kwargs", {}), "schema": IdempotentSchema}
    return post


def _with_conflict(responses: Any) -> Any:
    """The operation's documented answers, plus the 409 (in the shape of its documented 400, or added to the
    operation's own 409)."""
    if not isinstance(responses, dict) or 400 not in responses:
        return responses
    own = responses.get(409)
    if isinstance(own, OpenApiResponse):
        return {**responses, 409: OpenApiResponse(own.response, description=f"{own.description} Or: {CONFLICT_TEXT}")}
    if own is None:
        error = responses[400]
        serializer = error.response if isinstance(error, OpenApiResponse) else error
        return {**responses, 409: OpenApiResponse(serializer, description=CONFLICT_TEXT)}
    return responses


def _fingerprint(request: Request) -> str:
    """What makes two requests the same: the method, the path (with or without its slash) and the body as
    JSON with sorted keys. Read from the parsed body, so a bad body is its usual 400 before any key is taken."""
    body = json.dumps(request.data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    text = f"{request.method} {request.path.rstrip('/')}\n{body}"
    return hashlib.sha256(text.encode()).hexdigest()


def _claim(user, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Take the key for this request (None: go on and run it), or return its kept answer. Inside the caller's
    transaction: the inserted row is locked until the answer is stored with it."""
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint, status_code=0)
        return None
    except IntegrityError:  # used before, or being used now: wait for that request's transaction to end
        pass
    kept = IdempotencyKey.objects.select_for_update().filter(user=user, key=key).first()
    if kept is None or kept.created_at < timezone.now() - LIFETIME:  # purged meanwhile, or expired
        IdempotencyKey.objects.update_or_create(
            user=user, key=key, defaults={"fingerprint": fingerprint, "status_code": 0, "created_at": timezone.now(),
                                          "headers": {}, "body": ""})
        return None
    if kept.fingerprint != fingerprint:
        raise KeyReused()
    return kept


def _keep(user, key: str, fingerprint: str, response: Response) -> None:
    """Store the answer with the key, or free the key when the answer is not one to keep."""
    rows = IdempotencyKey.objects.filter(user=user, key=key, fingerprint=fingerprint)
    code = response.status_code
    if code >= 500 or code in NOT_KEPT or not hasattr(response, "data"):
        rows.delete()
        return
    rows.update(
        status_code=code,
        headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
        body=json.dumps(response.data, cls=JSONEncoder),  # \u-escaped: a NUL or a lone surrogate stores too
    )


def _replay(kept: IdempotencyKey) -> Response:
    return Response(json.loads(kept.body) if kept.body else None, status=kept.status_code,
                    headers={**kept.headers, "Idempotent-Replayed": "true"})


def idempotency_purge(*, dry_run: bool = False) -> int:
    """Delete the keys older than their 24 hours (`manage.py purge_expired`); how many there were."""
    expired = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - LIFETIME)
    if dry_run:
        return expired.count()
    deleted, _ = expired.delete()
    return deleted
