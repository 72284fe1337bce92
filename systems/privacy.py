"""Events and webhook deliveries in erasure and the subject access export (registered in
`profiles.registry` by `SystemsConfig`).

An event is the subject's when it is about one of their records, or when it found no customer but carries
their email address or phone number (matched by a value the hub did not hold then, say). A delivery is
theirs when it keeps the order of one of their UCRNs.
"""
from __future__ import annotations

from typing import Any

from profiles.jsontree import with_json
from profiles.registry import Subject
from profiles.services.erasure import scrub
from profiles.timestamps import api_datetime
from systems.models import Delivery, Event, EventKind

SECTION = "events"
PAYLOAD_KEPT = frozenset({"type", "ucrn"})  # what kind of event it was, and about which record
ERRORS_KEPT = frozenset({"code"})


def export_events(subject: Subject) -> list[dict[str, Any]]:
    """The export's `events`: each event as received, who sent it and what it did, newest first."""
    events = Event.objects.select_related("client", "customer").order_by("-received_at", "-id")
    return [
        {
            "id": event.pk,
            "type": event.type,
            "ucrn": event.customer.ucrn if event.customer else None,
            "client": event.client.name if event.client else None,
            "received_at": api_datetime(event.received_at),
            "outcome": event.outcome,
            "rules": event.rules,
            "changed": event.changed,
            "errors": event.errors,
            "payload": event.payload,
        }
        for event in subject.rows(events, read=("payload", "errors"), search=("payload",))
    ]


def erase_events(subject: Subject) -> None:
    """Events stay (type, outcome, rules, the data names changed) without their values; the outbox keeps
    no profile of the subject, whether or not anyone is told of the erasure."""
    for event in subject.rows(Event.objects.all(), read=("payload", "errors"), search=("payload",)):
        event.payload = scrub(event.payload, keep=PAYLOAD_KEPT)
        event.errors = scrub(event.errors, keep=ERRORS_KEPT)
        event.save(update_fields=["payload", "errors"])
    deliveries = Delivery.objects.filter(customer_key__in=subject.ucrns).exclude(kind=EventKind.PROFILE_ERASED)
    for delivery in with_json(deliveries, "payload"):
        if "profile" in delivery.payload:
            delivery.payload = {k: v for k, v in delivery.payload.items() if k != "profile"}
            delivery.save(update_fields=["payload"])
