"""`POST /api/v1/events/`: profile events from other systems (seed 000)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.fields import get_error_detail
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import AllowListed, IsCSA
from core.api_urls import location, location_header
from core.bodies import AsSentCharField, AsSentDictField, ObjectField, OneAnswer, RequestSerializer
from core.idempotency import idempotent
from core.jsonlimits import INVALID_TEXT, UNSTORABLE_MESSAGE, check_stored_json, is_storable_text, printable
from profiles.api.views import errors
from profiles.timestamps import api_datetime
from systems.allowlists import client_of
from systems.models import Event
from systems.services.events import MATCH_KEYS, TYPE_MAX, event_read, event_receive


class EventTypeField(OneAnswer, serializers.CharField):
    """The type, as text with something in it, trimmed. What text may hold is the stored JSON's rule
    (`invalid_text`), checked with the body's other limits, so DRF's own text validators are left out."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if isinstance(v, MaxLengthValidator)]

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class EventRequestSerializer(RequestSerializer):
    """An event: its type, the customer (by `ucrn` or by one `matching` value) and its properties."""

    # Every refusal is answered at once. The body is kept as the event's payload, so each part is held to
    # the limits of stored JSON (`core.jsonlimits`) under its own name.

    not_an_object = "Send an object with type, ucrn or matching, and properties."

    type = EventTypeField(message="Give the event's type.", code="required", max_length=TYPE_MAX,
                          error_messages={"max_length": "At most {max_length} characters."},
                          help_text="The event's type: rules are written per type.")
    ucrn = AsSentCharField(required=False, help_text="The customer's UCRN; or give `matching`.")
    matching = AsSentDictField(
        required=False,
        help_text=f"One of {', '.join(MATCH_KEYS[:3])} or custom_1..custom_28 with its value, as the import "
        'matches: `{"email_address": "jane@example.org"}`.',
    )
    properties = ObjectField(message="Give an object of properties.", required=False, default=dict,
                             help_text="What the rules copy from (any JSON).")

    class Meta:
        ref_name = "EventInput"  # the schema's name for this body, which clients are generated with

    def refused_names(self, data: Mapping[str, Any]) -> dict[str, list[ErrorDetail]]:
        """Names that are no text (NUL, a lone surrogate), names not of an event, and parts too deep, too
        large or holding such text."""
        refused: dict[str, list[ErrorDetail]] = {}
        for key, value in data.items():
            name = printable(str(key))
            if not isinstance(key, str) or not is_storable_text(key):
                refused[name] = [ErrorDetail(UNSTORABLE_MESSAGE, code=INVALID_TEXT)]
            elif key not in self.fields:
                refused[name] = [ErrorDetail(f"{name} is not part of an event.", code="unknown_field")]
            else:
                try:
                    check_stored_json(value, name=key)
                except DjangoValidationError as error:
                    refused.update(get_error_detail(error))
        return refused

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, Mapping):
            self.refuse_body()
        value, errors = None, {}
        try:
            value = super().to_internal_value(data)
        except ValidationError as error:
            errors = dict(error.detail)
        errors.update(_customer_refusal(data))
        if errors:
            raise ValidationError(errors)
        return value


def _customer_refusal(data: Mapping[str, Any]) -> dict[str, list[ErrorDetail]]:
    """The customer is named by `ucrn` or by one `matching` value, one of them only."""
    if ("ucrn" in data) == ("matching" in data):
        return {"ucrn": [ErrorDetail("Give either ucrn or matching.", code="required")]}
    if "ucrn" in data and not isinstance(data["ucrn"], str):
        return {"ucrn": [ErrorDetail("Give the UCRN as text.", code="invalid")]}
    if "matching" in data and not _one_match(data["matching"]):
        return {"matching": [ErrorDetail(
            "Give one of ucrn, email_address, phone_number or custom_1..custom_28 with its value, such as "
            '{"email_address": "jane@example.org"}.', code="invalid")]}
    return {}


def _one_match(matching: Any) -> bool:
    """One matching name with a value that is text or a number."""
    if not (isinstance(matching, Mapping) and len(matching) == 1):
        return False
    [(key, value)] = matching.items()
    return key in MATCH_KEYS and isinstance(value, (str, int)) and not isinstance(value, bool)


class EventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    ucrn = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["applied", "unchanged", "unmatched"])
    rules = serializers.ListField(child=serializers.CharField(), help_text="The rules that matched.")
    changed = serializers.ListField(child=serializers.CharField(), help_text="The data names changed.")
    message = serializers.CharField()


class EventRecordSerializer(EventOutputSerializer):
    """An event as stored, whatever its outcome (a refused or failed one too: then `errors` says why)."""

    ucrn = serializers.CharField(allow_null=True, help_text="Null when no customer matched.")
    outcome = serializers.ChoiceField(choices=list(Event.Outcome.values))
    errors = serializers.JSONField(help_text="Why it was refused or rolled back (empty otherwise).")
    received_at = serializers.DateTimeField()


MESSAGES = {
    Event.Outcome.APPLIED: "The matching rules were applied.",
    Event.Outcome.UNCHANGED: "Rules matched, but the profile already had these values: nothing changed.",
    Event.Outcome.UNMATCHED: "No rule matched this event: nothing changed.",
    Event.Outcome.REFUSED: "A matching rule writes a data name this client may not: nothing changed.",
    Event.Outcome.NOT_FOUND: "No customer has this UCRN or matching value: nothing changed.",
    Event.Outcome.ERROR: "The result failed validation: nothing of the event was applied.",
}
EVENT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The event's id.")


def _answer(event: Event) -> dict:
    return {"id": event.pk, "type": event.type, "ucrn": event.customer.ucrn if event.customer else None,
            "outcome": event.outcome, "rules": event.rules, "changed": event.changed,
            "message": MESSAGES[event.outcome]}


class EventView(AllowListed, APIView):
    """Receive a profile event; the rules an administrator wrote decide what, if anything, it changes."""

    permission_classes = [permissions.IsAuthenticated, IsCSA]
    allow_list = "open"  # the rules' targets are checked against the client's writable list

    @idempotent
    @extend_schema(
        operation_id="events_create", tags=["events"], summary='Send a profile event',
        parameters=[location_header("The event as stored: `/api/v1/events/{id}/`.")],
        request=EventRequestSerializer,
        responses={201: EventOutputSerializer, **errors(400, 403, 404, 413, 415)},
        description="Stored with its outcome whatever happens. 400 when the result fails validation (then "
        "nothing of the event is applied); 403 `field_not_allowed` when a matching rule writes a data name "
        "this client may not; 404 when no customer has the UCRN or matching value.",
    )
    def post(self, request: Request) -> Response:
        EventRequestSerializer(data=request.data).is_valid(raise_exception=True)
        # The body read, the service gets it as it came: it is the event's payload.
        event = event_receive(body=request.data, user=request.user, client=client_of(request.user))
        return Response(_answer(event), status=status.HTTP_201_CREATED,
                        headers=location(request, "systems:event", event.pk))


class EventDetailView(AllowListed, APIView):
    """An event the caller sent, with its outcome: the URL an event's 201 names in its Location."""

    permission_classes = [permissions.IsAuthenticated, IsCSA]
    allow_list = "open"  # the caller's own event: its own payload's outcome

    @extend_schema(operation_id="events_get", tags=["events"], summary='An event you sent', parameters=[EVENT_ID],
                   responses={200: EventRecordSerializer, **errors(403, 404)})
    def get(self, request: Request, id: str) -> Response:
        event = event_read(event_id=id, user=request.user)
        return Response({**_answer(event), "errors": event.errors, "received_at": api_datetime(event.received_at)})
