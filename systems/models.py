"""Other systems as clients of the hub: API clients with allow-lists, profile events and the
rules that apply them, and change webhooks written to an outbox.

Rules live in `systems.services`; these models hold configuration (clients, rules, subscriptions) and
logs (events, deliveries and their attempts).
"""
from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator, URLValidator
from django.db import models

from profiles.datanames import ADDRESS_NAMES, PROFILE_NAMES
from profiles.models import Customer, ExtendedSource
from systems.destinations import DestinationRefused, check_url

# The data names an API client may be granted (the admin's multi-selects). `name` and `sort_name` are
# granted on their own: they are personal data, derived from several names.
READ_CHOICES: tuple[str, ...] = (*PROFILE_NAMES, "name", "sort_name", *ADDRESS_NAMES)
WRITE_CHOICES: tuple[str, ...] = (*PROFILE_NAMES, *ADDRESS_NAMES)
# Extended data (SPEC 8.3) is granted by source, `extended.<slug>`, to read (its object in the Get output's
# `extended`, and `GET .../extended/{source}/`) and to write (`PUT .../extended/{source}/`): the names of the
# sources registered now, added to the lists above where they are offered and checked.
EXTENDED_PREFIX = "extended."


def extended_choices() -> tuple[str, ...]:
    """`extended.<slug>` for each registered source (one query)."""
    return tuple(f"{EXTENDED_PREFIX}{slug}" for slug in ExtendedSource.objects.values_list("slug", flat=True))


LIST_NAMES = frozenset({"notification_preference"})  # the data names whose value is a list


class ApiClient(models.Model):
    """A system calling the API as `user` (CSA role or narrower), limited to the data names it is granted.

    Allow-lists are allow-lists: a name in neither list is closed to the client, so a data name added to
    the hub later is closed to every client until an administrator grants it.
    """

    name = models.CharField(max_length=100, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client",
        help_text="The user the system acts as: its role (CSA or narrower) and its token. A user of its own.",
    )
    readable = models.JSONField(default=list, blank=True, help_text="Data names the client may read.")
    writable = models.JSONField(default=list, blank=True, help_text="Data names the client may write.")
    active = models.BooleanField(default=True, help_text="Untick to refuse its token at once.")
    notes = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        sources = extended_choices()
        for field, known in (("readable", (*READ_CHOICES, *sources)), ("writable", (*WRITE_CHOICES, *sources))):
            names = getattr(self, field)
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                errors[field] = "Give a list of data names."
            elif unknown := sorted(set(names) - set(known)):
                errors[field] = f"Not data names: {', '.join(unknown)}."
        if self.user_id is not None and (self.user.is_superuser or self.user.is_staff):
            errors["user"] = "An API client acts as a CSA or a narrower role, never an administrator."
        if errors:
            raise ValidationError(errors)


# --- Events and rules ----------------------------------------------------------------------------------


class Rule(models.Model):
    """When an event of `event_type` (from `client`, or from anyone) meets every condition, copy
    properties of the event onto the customer's profile (seed 000's rules)."""

    name = models.CharField(max_length=100)
    event_type = models.CharField(max_length=100, db_index=True)
    client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, null=True, blank=True, related_name="rules",
        help_text="Only this client's events; blank: events from any sender.",
    )
    active = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0, help_text="Rules run in this order (then by id).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.event_type})"


class RuleCondition(models.Model):
    class Operator(models.TextChoices):
        EQUALS = "equals", "equals"
        PRESENT = "present", "is present"

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="conditions")
    property = models.CharField(max_length=200, help_text="An event property; `a.b` for a nested one.")
    operator = models.CharField(max_length=10, choices=Operator.choices, default=Operator.EQUALS)
    value = models.CharField(max_length=255, blank=True, default="", help_text="For equals: compared as text.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.property} {self.operator} {self.value}".strip()


class RuleAction(models.Model):
    class Strategy(models.TextChoices):
        ALWAYS_SET = "always_set", "always set"
        SET_IF_MISSING = "set_if_missing", "set if missing"
        ADD_TO_LIST = "add_to_list", "add to list"

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="actions")
    property = models.CharField(max_length=200, help_text="The event property to copy; `a.b` for a nested one.")
    data_name = models.CharField(max_length=50, help_text="The profile's data name it is copied to.")
    strategy = models.CharField(max_length=20, choices=Strategy.choices, default=Strategy.ALWAYS_SET)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"copy {self.property} to {self.data_name} ({self.strategy})"

    def clean(self) -> None:
        check_action(data_name=self.data_name, strategy=self.strategy, client=None)


class Event(models.Model):
    """An event as received, who sent it, and what it did."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        UNCHANGED = "unchanged", "Matched, nothing to change"
        UNMATCHED = "unmatched", "No rule matched"
        REFUSED = "refused", "Refused (allow-list)"
        NOT_FOUND = "not_found", "No such customer"
        ERROR = "error", "Error (rolled back)"

    type = models.CharField(max_length=100, db_index=True)
    client = models.ForeignKey(ApiClient, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    payload = models.JSONField(help_text="The event as received.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    rules = models.JSONField(default=list, blank=True, help_text="The names of the rules that matched.")
    changed = models.JSONField(default=list, blank=True, help_text="The data names changed.")
    errors = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}: {self.outcome}"


# --- Webhooks ------------------------------------------------------------------------------------------


class EventKind(models.TextChoices):
    PROFILE_CREATED = "profile.created"
    PROFILE_UPDATED = "profile.updated"
    PROFILE_MERGED = "profile.merged"
    PROFILE_ERASED = "profile.erased"
    CASE_CREATED = "case.created"


SECRET_MIN_LENGTH = 32  # characters of a webhook secret typed in; a generated one has 43


def new_secret() -> str:
    """A webhook secret: 32 random bytes, URL-safe text."""
    return secrets.token_urlsafe(32)


def validate_webhook_url(value: str) -> None:
    """An http(s) URL whose host is not an internal address (`systems.destinations`; checked again at
    every send, on what the name then resolves to)."""
    URLValidator(schemes=["http", "https"])(value)
    try:
        check_url(value)
    except DestinationRefused as refusal:
        raise ValidationError(str(refusal), code="webhook_destination_refused") from None


class Subscription(models.Model):
    """A URL told of changes, signed with `secret`; `client`'s read allow-list limits what it is sent."""

    name = models.CharField(max_length=100)
    url = models.CharField("URL", max_length=500, validators=[validate_webhook_url])
    secret = models.CharField(max_length=200, default=new_secret, validators=[MinLengthValidator(SECRET_MIN_LENGTH)],
                              help_text="Shared with the subscriber: it signs every body (HMAC-SHA256).")
    kinds = models.JSONField(default=list, help_text="The kinds of change it hears about.")
    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, null=True, blank=True, related_name="subscriptions",
        help_text="Its payloads carry only what this client may read; blank: no personal data at all.",
    )
    active = models.BooleanField(default=True, help_text="Untick to stop writing deliveries for it.")
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    paused_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when it failed for a day: nothing is sent until it is resumed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.kinds, list) or not set(self.kinds) <= set(EventKind.values):
            raise ValidationError({"kinds": f"Choose among {', '.join(EventKind.values)}."})


class Delivery(models.Model):
    """One message of the outbox: written in the transaction of the change, sent after it by the worker.

    Ordered by id: for one subscription and customer (`customer_key`), a delivery is sent only once every
    earlier one has been.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"

    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    customer_key = models.CharField(max_length=40, help_text="The UCRN (or case) whose order it keeps.")
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True, help_text="A worker is sending it until then.")
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["subscription", "customer_key", "status"], name="delivery_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.customer_key} to {self.subscription}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error[:40]}"


def check_action(*, data_name: str, strategy: str, client: ApiClient | None) -> None:
    """Why a rule may not have this action (the admin refuses it), or nothing."""
    if data_name == "email_address":
        message, code = "A rule cannot change the email address: a CSA changes it.", "email_not_updatable"
    elif data_name not in WRITE_CHOICES and not (data_name.startswith(EXTENDED_PREFIX)
                                                 and data_name in extended_choices()):
        message, code = f"{data_name!r} is not a data name a rule can write.", "unknown_field"
    elif strategy == RuleAction.Strategy.ADD_TO_LIST and data_name not in LIST_NAMES:
        message, code = f"Add to list works on list data names only ({', '.join(sorted(LIST_NAMES))}).", "invalid"
    elif client is not None and data_name not in client.writable:
        message, code = f"The rule's client, {client}, may not write {data_name}.", "field_not_allowed"
    else:
        return
    raise ValidationError({"data_name": ValidationError(message, code=code)})
