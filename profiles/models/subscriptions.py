"""Topics and the customers' subscriptions to them (SPEC 8.2)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from profiles.models.customer import PERMISSION_CHANNELS, Customer
from profiles.models.lists import TEXT_MAX

# --- Subscriptions (SPEC 8.2) ----------------------------------------------------------------------


def _default_topic_channels() -> list[str]:
    return ["email"]


class Topic(models.Model):
    """What a customer may subscribe to ("Bin collection reminders"), on the channels it may use."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=TEXT_MAX)
    channels = models.JSONField(
        default=_default_topic_channels,
        help_text=f"The channels it may use, among {', '.join(PERMISSION_CHANNELS)}: such as [\"email\", \"sms\"].",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        channels = self.channels if isinstance(self.channels, list) else None
        if not channels or any(c not in PERMISSION_CHANNELS for c in channels) or len(set(channels)) != len(channels):
            raise ValidationError({"channels": ValidationError(
                f"Give a list of channels among {', '.join(PERMISSION_CHANNELS)}, each once.", code="invalid")})


class Subscription(models.Model):
    """A customer subscribed to a topic on a channel, with the address used then (email or mobile).

    Ending one keeps the row (`ended_at`): the history of who was sent what; a current subscription has
    none, and there is at most one current subscription per customer, topic and channel."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="subscriptions")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="subscriptions")
    channel = models.CharField(max_length=8, choices=[(c, c) for c in PERMISSION_CHANNELS])
    address = models.CharField(max_length=254, blank=True, default="",
                               help_text="The email address or mobile number used when subscribing.")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "topic", "channel"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_subscription",
            ),
        ]
        indexes = [models.Index(fields=["topic", "channel"], name="subscription_topic_idx",
                                condition=models.Q(ended_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.customer.ucrn} {self.topic.slug} by {self.channel}"
