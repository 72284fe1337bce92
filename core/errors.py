"""The API's one error shape: DRF's `EXCEPTION_HANDLER`.

Every error response is `{"name": [{"message": ..., "code": ...}]}`, keyed by data name for a 400 and by
`detail` for the others, whether the error came from a service (Django's `ValidationError`) or from DRF
itself (bad JSON, no credentials, throttled), so a client parses one shape.

DRF imports the classes its settings name while it loads `rest_framework.views`, which this module needs:
so nothing imports this module but DRF, when the first error is handled.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.api import NON_FIELD, VersionConflict
from core.throttling import AttemptRefused


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, after turning the services' Django exceptions into DRF's, with one error shape."""
    if isinstance(exc, AttemptRefused):
        exc = exceptions.Throttled(wait=exc.wait)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_details(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, VersionConflict):
        exc = PreconditionFailed(f"{exc} Get it again (its ETag is \"v{exc.current_version}\") and retry.")
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        response.data = _shape(exc.get_full_details())
    return response


class PreconditionFailed(exceptions.APIException):
    """If-Match named a version the record no longer has: someone else changed it (RFC 9110 13.1.1)."""

    status_code = 412
    default_detail = "The record has changed since you read it."
    default_code = "precondition_failed"


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "too_large"


def _django_details(error: DjangoValidationError) -> dict[str, list[exceptions.ErrorDetail]]:
    """A service's ValidationError as DRF details: messages by data name, each with its code."""
    errors = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD: error.error_list}
    return {
        name: [exceptions.ErrorDetail(" ".join(e.messages), code=e.code or "invalid") for e in items]
        for name, items in errors.items()
    }


def _shape(details: Any) -> dict[str, list[dict[str, Any]]]:
    """`{"name": [{"message", "code"}]}` whatever DRF's details looked like."""
    if isinstance(details, dict) and set(details) == {"message", "code"}:
        return {"detail": [details]}
    if isinstance(details, list):
        return {NON_FIELD: _flat(details)}
    return {str(name): _flat(value) for name, value in details.items()}


def _flat(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict) and set(value) == {"message", "code"}:
        return [value]
    if isinstance(value, dict):  # a nested serializer's errors: not used by the hub, kept flat anyway
        return [item for inner in value.values() for item in _flat(inner)]
    return [item for inner in value for item in _flat(inner)]
