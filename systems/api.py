"""`POST /api/v1/events/`: profile events from other systems (seed 000)."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import AllowListed, IsCSA
from core.api_urls import location, location_header
from core.idempotency import idempotent
from profiles.api.views import errors
from profiles.timestamps import api_datetime
from systems.allowlists import client_of
from systems.models import Event
from systems.services.events import MATCH_KEYS, TYPE_MAX, event_read, event_receive


class EventInputSerializer(serializers.Serializer):
    type = serializers.CharField(max_length=TYPE_MAX, help_text="The event's type: rules are written per type.")
    ucrn = serializers.CharField(required=False, help_text="The customer's UCRN; or give `matching`.")
    matching = serializers.DictField(
        required=False,
        help_text=f"One of {', '.join(MATCH_KEYS[:3])} or custom_1..custom_28 with its value, as the import "
        'matches: `{"email_address": "jane@example.org"}`.',
    )
    properties = serializers.DictField(required=False, help_text="What the rules copy from (any JSON).")


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
        request=EventInputSerializer,
        responses={201: EventOutputSerializer, **errors(400, 403, 404, 413, 415)},
        description="Stored with its outcome whatever happens. 400 when the result fails validation (then "
        "nothing of the event is applied); 403 `field_not_allowed` when a matching rule writes a data name "
        "this client may not; 404 when no customer has the UCRN or matching value.",
    )
    def post(self, request: Request) -> Response:
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
