"""Subscriptions (SPEC 8.2): a customer subscribed to an administrator's topic on a channel.

Subscribing needs the channel's contact permission `granted` (`profiles.services.permissions`): when it is
`unknown`, subscribing grants it and the change record says so (the permission's entry carries the note
"subscribed to <topic>"); when it is `refused`, the subscription is refused (`permission_refused`).
Refusing a channel's permission ends every current subscription on it, in the write that refuses it
(`end_refused`, called by the profile service). Each subscribe and unsubscribe is one transaction on the
locked customer, with its change record (`subscription` entries): the customer's version moves on.
Reading them is `profiles.selectors.subscriptions`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from core.roles import UserLike
from profiles.access import customer_for
from profiles.models import PERMISSION_CHANNELS, ChangeRecord, Customer, Permission, Subscription, Topic
from profiles.selectors import primary_address
from profiles.services.audit import change, write_customer
from profiles.services.permissions import CONTACT_MISSING, contact_missing_message, has_contact

SUBSCRIPTION = "subscription"  # the field of a subscription's change entries


@dataclass
class SubscribeResult:
    subscription: Subscription
    created: bool
    granted: bool  # the channel's permission was unknown and subscribing granted it


def _entry(subscription: Subscription, *, ended: bool) -> dict[str, Any]:
    value = {"id": subscription.pk, "topic": subscription.topic.slug, "channel": subscription.channel,
             "address": subscription.address}
    return change(SUBSCRIPTION, value if ended else None, None if ended else value)


def _error(name: str, message: str, code: str) -> ValidationError:
    return ValidationError({name: ValidationError(message, code=code)})


def _address_for(customer: Customer, channel: str) -> str:
    """The address a subscription on `channel` uses now: the email, the mobile, a phone, the postal address."""
    if channel == "email":
        return customer.email_address
    if channel == "sms":
        return customer.mobile_number
    if channel == "phone":
        return customer.phone_number or customer.mobile_number
    primary = primary_address(customer)
    return str(primary) if primary is not None else ""


def _topic_and_channel(topic: Any, channel: Any) -> tuple[Topic, str]:
    errors: dict[str, ValidationError] = {}
    found = Topic.objects.filter(slug=topic).first() if isinstance(topic, str) and topic else None
    if found is None:
        errors["topic"] = ValidationError("There is no topic with this slug.", code="unknown_topic")
    if not isinstance(channel, str) or channel not in PERMISSION_CHANNELS:
        errors["channel"] = ValidationError(f"Choose a channel among {', '.join(PERMISSION_CHANNELS)}.",
                                            code="invalid_choice")
    elif found is not None and channel not in (found.channels or []):
        errors["channel"] = ValidationError(
            f"The topic {found.slug} is not sent by {channel} (only by {', '.join(found.channels or [])}).",
            code="channel_not_offered")
    if errors:
        raise ValidationError(errors)
    return found, channel


def subscribe_locked(customer: Customer, *, topic: Any, channel: Any) -> tuple[SubscribeResult, list[dict[str, Any]]]:
    """Subscribe a customer the caller has locked, writing the row but not the change record: the result and
    the change entries (the permission granted, if it was unknown; the subscription). Raises a
    ValidationError keyed `topic`, `channel` or `permission_<channel>` before writing anything."""
    found, channel = _topic_and_channel(topic, channel)
    name = f"permission_{channel}"
    permission = getattr(customer, name)
    if permission == Permission.REFUSED:
        raise _error(name, f"The customer refused contact by {channel}: they cannot be subscribed on it.",
                     "permission_refused")
    existing = customer.subscriptions.filter(topic=found, channel=channel, ended_at__isnull=True).first()
    if existing is not None:
        return SubscribeResult(existing, created=False, granted=False), []
    if channel == "post":
        has = primary_address(customer) is not None
    else:
        has = has_contact(customer, channel, has_address=False)
    if not has:
        raise _error(name, contact_missing_message(channel), CONTACT_MISSING)
    entries: list[dict[str, Any]] = []
    granted = permission == Permission.UNKNOWN
    if granted:
        entry = change(name, permission, Permission.GRANTED.value)
        entry["note"] = f"granted by subscribing to {found.slug}"
        entries.append(entry)
        setattr(customer, name, Permission.GRANTED.value)
    subscription = Subscription.objects.create(customer=customer, topic=found, channel=channel,
                                               address=_address_for(customer, channel))
    entries.append(_entry(subscription, ended=False))
    return SubscribeResult(subscription, created=True, granted=granted), entries


def subscribe(*, ucrn: Any, topic: Any, channel: Any, user: UserLike, door: str) -> SubscribeResult:
    """Subscribe the customer `ucrn` to `topic` on `channel` (one transaction); already subscribed: the
    current subscription, nothing written."""
    with transaction.atomic():
        customer = customer_for(user, ucrn, lock=True)
        result, entries = subscribe_locked(customer, topic=topic, channel=channel)
        if entries:
            fields = [f"permission_{result.subscription.channel}"] if result.granted else []
            write_customer(customer=customer, fields=fields, user=user, channel=door,
                           action=ChangeRecord.Action.UPDATE, changes=entries)
    return result


def subscribe_many(customer: Customer, items: Sequence[Any], *, user: UserLike, door: str) -> list[SubscribeResult]:
    """Several subscriptions of a locked customer (an import record's `subscriptions`), in the caller's
    transaction: every error at once, keyed `subscriptions`, before the change record is written."""
    if not isinstance(items, list | tuple):
        raise _error("subscriptions", 'Send a list of {"topic": ..., "channel": ...}.', "invalid")
    results, entries, problems = [], [], []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            problems.append(ValidationError(f"Subscription {index + 1}: send an object with topic and channel.",
                                            code="invalid"))
            continue
        try:
            result, more = subscribe_locked(customer, topic=item.get("topic"), channel=item.get("channel"))
        except ValidationError as error:
            for name, errors in error.error_dict.items():
                problems += [ValidationError(f"Subscription {index + 1} ({name}): {' '.join(e.messages)}",
                                             code=e.code) for e in errors]
            continue
        results.append(result)
        entries += more
    if problems:
        raise ValidationError({"subscriptions": problems})
    if entries:
        granted = [f"permission_{r.subscription.channel}" for r in results if r.granted]
        write_customer(customer=customer, fields=granted, user=user, channel=door,
                       action=ChangeRecord.Action.UPDATE, changes=entries)
    return results


def unsubscribe(*, ucrn: Any, subscription_id: Any, user: UserLike, door: str) -> Subscription:
    """End the customer's current subscription `subscription_id` (404 if it is not one of theirs)."""
    with transaction.atomic():
        customer = customer_for(user, ucrn, lock=True)
        try:
            pk = int(subscription_id)
        except (TypeError, ValueError):
            raise Http404("No such subscription.") from None
        subscription = customer.subscriptions.select_related("topic").filter(pk=pk, ended_at__isnull=True).first()
        if subscription is None:
            raise Http404("This customer has no current subscription with this id.")
        subscription.ended_at = timezone.now()
        subscription.save(update_fields=["ended_at"])
        write_customer(customer=customer, fields=[], user=user, channel=door,
                       action=ChangeRecord.Action.UPDATE, changes=[_entry(subscription, ended=True)])
    return subscription


def end_refused(customer: Customer, channels: Iterable[str]) -> list[dict[str, Any]]:
    """End every current subscription of the customer on the channels just refused, in the caller's
    transaction: the change entries saying so, for the change record of the write that refused them."""
    channels = list(channels)
    if not channels or customer.pk is None:
        return []
    ending = list(customer.subscriptions.select_related("topic").filter(channel__in=channels, ended_at__isnull=True))
    if not ending:
        return []
    now = timezone.now()
    Subscription.objects.filter(pk__in=[s.pk for s in ending]).update(ended_at=now)
    for subscription in ending:
        subscription.ended_at = now
    return [_entry(s, ended=True) for s in ending]

