"""Change webhooks: an outbox written in the transaction of the change, sent after commit by a worker.

Writing: every profile change reaches `enqueue_profile_changes` through `profiles.signals.profile_changed`
(sent by `record_change`, inside the service's transaction), and every new case `enqueue_case_created`;
each writes one `Delivery` per subscription that wants the kind. A change that rolls back takes its
deliveries with it, so nothing is ever announced that did not happen. Payloads carry only what the
subscription's client may read (`systems.allowlists`); without a client, no personal data at all.

Sending (`deliver_due`, run by `manage.py run_webhooks`): due deliveries are claimed with a lease (with
`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, and a compare-and-set everywhere, so two workers never
send the same one), POSTed with an HMAC-SHA256 signature of the send time and the body (`signature`), and
retried with exponential backoff. For one
subscription and customer, a delivery waits while an earlier one is pending: order per customer is kept.
A subscription failing for a day (`WEBHOOK_PAUSE_AFTER`) is paused and the administrators are told.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import mail_admins
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from core import caching
from profiles.changenames import changed_data_names
from profiles.models import ChangeRecord, Customer
from profiles.selectors import primary_address, profile_data
from profiles.timestamps import api_datetime
from systems import destinations
from systems.allowlists import filter_profile, readable, visible
from systems.models import Delivery, DeliveryAttempt, EventKind, Subscription, new_secret

logger = logging.getLogger(__name__)

KIND_BY_ACTION = {
    ChangeRecord.Action.CREATE: EventKind.PROFILE_CREATED,
    ChangeRecord.Action.UPDATE: EventKind.PROFILE_UPDATED,
    ChangeRecord.Action.EMAIL_CHANGE: EventKind.PROFILE_UPDATED,
    ChangeRecord.Action.MERGE: EventKind.PROFILE_MERGED,
    ChangeRecord.Action.UNMERGE: EventKind.PROFILE_MERGED,
    ChangeRecord.Action.ERASE: EventKind.PROFILE_ERASED,
}  # exports change nothing: no webhook
SIGNATURE_HEADER = "X-Hub-Signature-256"
DELIVERY_HEADER = "X-Hub-Delivery"
TIMESTAMP_HEADER = "X-Hub-Timestamp"
EVENT_HEADER = "X-Hub-Event"
RESPONSE_READ_MAX = 64 * 1024


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def timeout() -> float:
    return _setting("WEBHOOK_TIMEOUT", 5)  # seconds, connect and read


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, ... at most an hour."""
    base, most = _setting("WEBHOOK_BACKOFF_BASE", 30), _setting("WEBHOOK_BACKOFF_MAX", 3600)
    return dt.timedelta(seconds=min(most, base * 2 ** max(0, attempts - 1)))


def pause_after() -> dt.timedelta:
    return dt.timedelta(seconds=_setting("WEBHOOK_PAUSE_AFTER", 86400))


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=timeout() * 4 + 30)  # longer than any send can take


# --- writing the outbox ------------------------------------------------------------------------------


SUBSCRIPTIONS_KEY = f"{caching.PREFIX}:subscriptions"
SUBSCRIPTIONS_GENERATION = f"{caching.PREFIX}:gen:subscriptions"


def subscriptions_for(kind: str) -> list[Subscription]:
    """The active subscriptions wanting `kind` (paused ones too: theirs wait until resumed).

    Every write asks, so the list is cached (shared cache, with a copy per process checked against the
    generation) and renewed whenever a subscription or an API client is saved or deleted.
    """
    active = caching.cached_locally(
        SUBSCRIPTIONS_KEY, SUBSCRIPTIONS_GENERATION,
        lambda: list(Subscription.objects.filter(active=True).select_related("client")), timeout=3600,
    )
    return [s for s in active if kind in s.kinds]


def subscriptions_changed(**kwargs: Any) -> None:
    caching.bump(SUBSCRIPTIONS_GENERATION)


def enqueue_profile_changes(records: list[ChangeRecord]) -> list[Delivery]:
    """The deliveries announcing these change records, in their transaction (the subscriptions read once)."""
    wanted: dict[str, list[Subscription]] = {}
    announced = []
    for record in records:
        kind = KIND_BY_ACTION.get(record.action)
        if kind is None:
            continue
        if kind not in wanted:
            wanted[kind] = subscriptions_for(kind)
        if wanted[kind]:
            announced.append((record, kind))
    names = changed_data_names([record.changes for record, _ in announced])
    deliveries = [delivery for (record, kind), changed in zip(announced, names, strict=True)
                  for delivery in _deliveries_for(record, kind, wanted[kind], changed)]
    return Delivery.objects.bulk_create(deliveries) if deliveries else []


def _deliveries_for(record: ChangeRecord, kind: str, subscriptions: list[Subscription],
                    changed: list[str]) -> list[Delivery]:
    """One delivery per subscription; `changed`: the data names the record changed, of which each
    subscription is told those its client may read."""
    customer = Customer.objects.select_related("prefix", "suffix").get(pk=record.customer_id)
    links = {entry["field"]: entry.get("after") for entry in record.changes
             if entry.get("field") in ("merged_into", "merged_from")}
    profile: dict[str, Any] | None = None
    deliveries = []
    for subscription in subscriptions:
        names = readable(subscription.client)
        payload: dict[str, Any] = {"kind": kind, "ucrn": customer.ucrn, "action": record.action,
                                   "channel": record.channel, "occurred_at": api_datetime(record.created_at),
                                   "version": customer.version}
        if kind != EventKind.PROFILE_ERASED:
            payload["changed"] = [name for name in changed if visible(name, names)]
            if names:
                profile = profile or profile_data(customer, primary_address(customer))
                payload["profile"] = filter_profile(names, profile)
        payload.update({k: v for k, v in links.items() if isinstance(v, str)})
        deliveries.append(_delivery(subscription, kind, customer.ucrn, payload))
    return deliveries


def enqueue_case_created(case: Any) -> list[Delivery]:
    """The deliveries announcing a new case (`integrations.models.Case`): its reference, form and customer,
    never the form's data."""
    subscriptions = subscriptions_for(EventKind.CASE_CREATED)
    if not subscriptions:
        return []
    ucrn = case.customer.ucrn if case.customer_id else None
    payload = {"kind": EventKind.CASE_CREATED.value, "reference": case.reference, "form": case.form.slug,
               "status": case.status, "ucrn": ucrn, "occurred_at": api_datetime(case.created_at)}
    return Delivery.objects.bulk_create(
        [_delivery(s, EventKind.CASE_CREATED, ucrn or f"case:{case.reference}", dict(payload)) for s in subscriptions]
    )


def _delivery(subscription: Subscription, kind: str, key: str, payload: dict[str, Any]) -> Delivery:
    delivery = Delivery(subscription=subscription, kind=kind, customer_key=key, next_attempt_at=timezone.now())
    delivery.payload = {"id": str(delivery.delivery_id), **payload}
    return delivery


# --- sending -----------------------------------------------------------------------------------------


@dataclass
class Report:
    sent: int = 0
    failed: int = 0


def deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> Report:
    """Send what is due, in order, until nothing is or `limit` attempts were made. `now` moves the
    clock (tests); by default each round and each send reads the time."""
    report = Report()
    while report.sent + report.failed < limit:
        batch = claim(now=now or timezone.now(), size=min(50, limit - report.sent - report.failed))
        if not batch:
            break
        send_batch(batch, now=now, report=report)
    return report


def send_batch(batch: list[Delivery], *, now: dt.datetime | None = None, report: Report | None = None) -> Report:
    """Send the claimed `batch`, each delivery only while its lease is still this worker's."""
    report = report or Report()
    for delivery in batch:
        # Each send reads the clock again: its signed timestamp is when it leaves, however long the
        # sends before it in the batch took (a receiver refuses one more than 5 minutes old).
        moment = now or timezone.now()
        if not renew(delivery, now=moment):
            continue  # the slow sends before it outlasted its lease, and another worker has claimed it
        if send(delivery, now=moment):
            report.sent += 1
        else:
            report.failed += 1
    return report


def renew(delivery: Delivery, *, now: dt.datetime) -> bool:
    """Extend the lease this worker holds on `delivery` from `now`; False if it is no longer this
    worker's. Compare-and-set on the lease's end, the worker's own mark since `claim` wrote it."""
    until = now + lease()
    held = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING, locked_until=delivery.locked_until)
    if not held.update(locked_until=until):
        return False
    delivery.locked_until = until
    return True


def claim(*, now: dt.datetime, size: int) -> list[Delivery]:
    """Take a lease on up to `size` due deliveries, each the earliest pending one of its customer."""
    free = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    earlier = Delivery.objects.filter(subscription=OuterRef("subscription"), customer_key=OuterRef("customer_key"),
                                      status=Delivery.Status.PENDING, pk__lt=OuterRef("pk"))
    with transaction.atomic():
        due = (Delivery.objects.filter(free, status=Delivery.Status.PENDING, next_attempt_at__lte=now,
                                       subscription__active=True, subscription__paused_at__isnull=True)
               .exclude(Exists(earlier)).order_by("pk"))
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("pk", flat=True)[:size])
        until = now + lease()
        # Compare-and-set: where rows cannot be locked (SQLite), the first worker to write the lease wins.
        claimed = [pk for pk in ids if Delivery.objects.filter(free, pk=pk).update(locked_until=until)]
    return list(Delivery.objects.filter(pk__in=claimed).select_related("subscription").order_by("pk"))


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(delivery.payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256, keyed with the subscription's secret, of `<timestamp>.<raw body>`.

    The timestamp (Unix seconds, sent as `X-Hub-Timestamp`) is signed with the body, so a receiver that
    refuses old timestamps (the README: five minutes) cannot be fooled by a captured delivery replayed
    later, and its time cannot be changed without breaking the signature."""
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure: the body is never re-sent somewhere the administrator did not choose."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _Pinned:
    """An `http.client` connection that connects only to addresses `systems.destinations` checked for
    its host name (the TLS handshake still names and verifies that host), never resolving it again."""

    addresses: list[tuple[socket.AddressFamily, destinations.IPAddress]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = self._connect_checked

    def _connect_checked(self, address: tuple[str, int], timeout: Any = None,
                         source_address: tuple[str, int] | None = None) -> socket.socket:
        seconds = timeout if isinstance(timeout, int | float) else None
        return destinations.connect(self.addresses, address[1], seconds, source_address)


def _opener(addresses: list[tuple[socket.AddressFamily, destinations.IPAddress]]) -> urllib.request.OpenerDirector:
    """An opener whose connections go to `addresses` only: no redirects, and no proxy from the environment
    (a proxy would resolve the name itself, past the check)."""
    pinned_http = type("PinnedHTTPConnection", (_Pinned, http.client.HTTPConnection), {"addresses": addresses})
    pinned_https = type("PinnedHTTPSConnection", (_Pinned, http.client.HTTPSConnection), {"addresses": addresses})

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(pinned_http, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(pinned_https, req, context=self._context)

    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect, HTTPHandler, HTTPSHandler)


def send(delivery: Delivery, *, now: dt.datetime) -> bool:
    """POST one delivery and record the attempt; True when the subscriber answered 2xx.

    The URL's host is resolved and every address checked first (`systems.destinations`); a destination
    refused there is an attempt that failed with the reason, retried like any other failure, so an
    administrator who allows the network (or a name that points back to a public address) sees it sent.
    """
    subscription = delivery.subscription
    body = body_of(delivery)
    timestamp = str(int(now.timestamp()))
    request = urllib.request.Request(subscription.url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "User-Agent": "CustomerServiceHub-Webhooks/1",
        EVENT_HEADER: delivery.kind,
        DELIVERY_HEADER: str(delivery.delivery_id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(subscription.secret, timestamp, body),
    })
    started = time.monotonic()
    status, error = None, ""
    try:
        host, port = destinations.host_of(subscription.url)
        opener = _opener(destinations.resolve(host, port))
        with opener.open(request, timeout=timeout()) as response:
            status = response.status
            response.read(RESPONSE_READ_MAX)
    except destinations.DestinationRefused as refusal:
        error = f"Refused, not sent: {refusal}"
        logger.warning("Webhook %s to %r refused: %s", delivery.delivery_id, subscription.name, refusal)
    except urllib.error.HTTPError as failure:
        status, error = failure.code, f"HTTP {failure.code}"
    except urllib.error.URLError as failure:
        error = str(failure.reason)
    except (OSError, ValueError, http.client.HTTPException) as failure:
        error = f"{type(failure).__name__}: {failure}"
    ok = status is not None and 200 <= status < 300
    _record(delivery, now=now, ok=ok, status=status, error=error[:1000],
            duration_ms=int((time.monotonic() - started) * 1000))
    return ok


def _record(delivery: Delivery, *, now: dt.datetime, ok: bool, status: int | None, error: str,
            duration_ms: int) -> None:
    with transaction.atomic():
        DeliveryAttempt.objects.create(delivery=delivery, at=now, status_code=status, error=error,
                                       duration_ms=duration_ms)
        common = {"attempts": F("attempts") + 1, "locked_until": None, "last_status": status, "last_error": error}
        if ok:
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, sent_at=now, **common)
            Subscription.objects.filter(pk=delivery.subscription_id, failing_since__isnull=False).update(
                failing_since=None)
            return
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + backoff(delivery.attempts + 1), **common)
        subscription = Subscription.objects.select_for_update().get(pk=delivery.subscription_id)
        if subscription.failing_since is None:
            subscription.failing_since = now
            subscription.save(update_fields=["failing_since"])
        elif subscription.paused_at is None and now - subscription.failing_since >= pause_after():
            subscription.paused_at = now
            subscription.save(update_fields=["paused_at"])
            transaction.on_commit(lambda: _tell_admins(subscription, error or f"HTTP {status}"))


def _tell_admins(subscription: Subscription, error: str) -> None:
    message = (f"The webhook subscription {subscription.name!r} ({subscription.url}) has failed since "
               f"{subscription.failing_since:%Y-%m-%d %H:%M %Z} (last: {error}). It is paused: nothing more is "
               "sent to it until an administrator resumes it in the admin (Subscriptions, action Resume); its "
               "deliveries are kept, in order.")
    logger.error(message)
    mail_admins(f"Webhook paused: {subscription.name}", message, fail_silently=True)


def subscription_new_secret(*, subscription: Subscription) -> str:
    """Give the subscription a newly generated secret and return it (to be shown once): deliveries signed
    from now on use it."""
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret"])  # and the cached subscriptions are renewed (systems.apps)
    return subscription.secret


def subscription_resume(*, subscription: Subscription, now: dt.datetime | None = None) -> int:
    """Resume a paused subscription: its pending deliveries are due at once. Returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription.pk).update(paused_at=None, failing_since=None)
        return Delivery.objects.filter(subscription=subscription, status=Delivery.Status.PENDING).update(
            next_attempt_at=now)
