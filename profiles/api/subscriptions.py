"""Subscriptions over REST (SPEC 8.2): a customer's subscriptions, and a topic's subscribers for a mailing.

The rules are `profiles.services.subscriptions`'; API clients' allow-lists apply by channel (`systems.access`):
a subscription on a channel is read with `permission_<channel>` readable and made or ended with it writable.
"""
from __future__ import annotations

import io
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import AllowListed
from core.idempotency import idempotent
from profiles.api.views import CHANNEL, UCRN, errors
from profiles.models import PERMISSION_CHANNELS
from profiles.selectors.subscriptions import subscription_data, subscriptions_list, topic_subscribers
from profiles.services.subscriptions import subscribe, unsubscribe
from profiles.spreadsheets import write_rows

SUBSCRIBER_COLUMNS = ["ucrn", "channel", "address"]


class SubscriptionSerializer(serializers.Serializer):
    """A current subscription: topic and channel, with the address used when subscribing."""

    id = serializers.IntegerField()
    topic = serializers.CharField(help_text="The topic's slug.")
    topic_name = serializers.CharField()
    channel = serializers.ChoiceField(choices=PERMISSION_CHANNELS)
    address = serializers.CharField(allow_blank=True, help_text="The email or mobile (or phone, or postal "
                                    "address) it was subscribed with.")
    created_at = serializers.CharField()
    ended_at = serializers.CharField(allow_null=True)


class SubscribeInputSerializer(serializers.Serializer):
    """Subscribe to a topic on one of its channels."""

    topic = serializers.CharField(help_text="The topic's slug (400 `unknown_topic`).")
    channel = serializers.ChoiceField(choices=PERMISSION_CHANNELS,
                                      help_text="One of the topic's channels (400 `channel_not_offered`).")


class SubscriberSerializer(serializers.Serializer):
    """A current subscriber of a topic."""

    ucrn = serializers.CharField()
    channel = serializers.ChoiceField(choices=PERMISSION_CHANNELS)
    address = serializers.CharField(allow_blank=True)


class CsvRenderer(BaseRenderer):
    """A list of rows as CSV (formula-safe cells); anything else (an error) as `field,message` rows."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        handle = io.StringIO()
        if isinstance(data, list):
            write_rows(handle, SUBSCRIBER_COLUMNS, ([row.get(c, "") for c in SUBSCRIBER_COLUMNS] for row in data))
        elif isinstance(data, dict):
            write_rows(handle, ["field", "message"], ([key, str(value)] for key, value in data.items()))
        return handle.getvalue().encode(self.charset)


SUBSCRIPTION_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The subscription's id.")
TOPIC_SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The topic's slug.")


class SubscriptionListView(AllowListed, APIView):
    """A customer's current subscriptions; subscribing them to a topic."""

    allow_list = "subscriptions"  # systems.access: by channel, as permission_<channel>

    @extend_schema(
        operation_id="subscriptions_list", tags=["subscriptions"], summary="A customer's subscriptions",
        parameters=[UCRN], responses={200: SubscriptionSerializer(many=True), **errors(403, 404)},
        description="The customer's current subscriptions (CSAs any customer, a citizen their own), by topic "
        "name. An API client sees those on the channels whose `permission_<channel>` it may read.",
    )
    def get(self, request: Request, ucrn: str) -> Response:
        return Response([subscription_data(s) for s in subscriptions_list(ucrn=ucrn, user=request.user)])

    @idempotent
    @extend_schema(
        operation_id="subscriptions_create", tags=["subscriptions"], summary="Subscribe a customer to a topic",
        parameters=[UCRN], request=SubscribeInputSerializer,
        responses={201: SubscriptionSerializer, 200: SubscriptionSerializer, **errors(400, 403, 404, 413, 415)},
        description="Subscribe the customer to `topic` on `channel`, with their email or mobile as it is now. "
        "Needs the channel's permission: `unknown` is granted by subscribing (the change record says so); "
        "`refused` is 400 `permission_refused` on `permission_<channel>`; without the contact the channel "
        "needs, 400 `contact_missing`. An unknown topic is 400 `unknown_topic`, a channel the topic does not "
        "use 400 `channel_not_offered`. Already subscribed: 200 with the current subscription, nothing "
        "written. An API client needs `permission_<channel>` writable.",
        examples=[OpenApiExample("Bin reminders by email", value={"topic": "bin-reminders", "channel": "email"},
                                 request_only=True)],
    )
    def post(self, request: Request, ucrn: str) -> Response:
        body = request.data if isinstance(request.data, dict) else {}
        result = subscribe(ucrn=ucrn, topic=body.get("topic"), channel=body.get("channel"), user=request.user,
                           door=CHANNEL)
        return Response(subscription_data(result.subscription),
                        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class SubscriptionDetailView(AllowListed, APIView):
    """One subscription of a customer: ending it."""

    allow_list = "subscriptions"

    @extend_schema(
        operation_id="subscriptions_delete", tags=["subscriptions"], summary="End a subscription",
        parameters=[UCRN, SUBSCRIPTION_ID],
        responses={204: OpenApiResponse(description="Ended: it is kept, with when it ended, in the change "
                                        "record."), **errors(403, 404, 415)},
        description="End the customer's current subscription `{id}` (CSAs any customer, a citizen their "
        "own). The channel's permission is unchanged. An API client needs `permission_<channel>` writable.",
    )
    def delete(self, request: Request, ucrn: str, id: str) -> Response:
        request.data  # noqa: B018 - a body, if any, must be JSON (415 otherwise), as on every other write
        unsubscribe(ucrn=ucrn, subscription_id=id, user=request.user, door=CHANNEL)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TopicSubscribersView(AllowListed, APIView):
    """A topic's current subscribers, for a mailing: JSON, or CSV with `Accept: text/csv`."""

    allow_list = "subscriptions"
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        operation_id="topics_subscribers", tags=["subscriptions"], summary="A topic's subscribers",
        parameters=[TOPIC_SLUG],
        responses={(200, "application/json"): SubscriberSerializer(many=True),
                   (200, "text/csv"): OpenApiTypes.STR, **errors(403, 404)},
        description="Every current subscriber of the topic (CSAs): UCRN, channel and the address subscribed "
        "with, by UCRN; erased customers are left out. `Accept: text/csv` gives the same as CSV (a header "
        "row `ucrn,channel,address`; cells that a spreadsheet would read as a formula are made plain text). "
        "An API client sees the channels whose `permission_<channel>` it may read.",
    )
    def get(self, request: Request, slug: str) -> Response:
        return Response(topic_subscribers(slug=slug, user=request.user))
