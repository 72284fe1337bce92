"""Reads of subscriptions (SPEC 8.2): a customer's current ones, a topic's subscribers, how they show.

Subscribing and unsubscribing are `profiles.services.subscriptions`.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from core.prepared import Prepared
from core.roles import UserLike, is_csa
from profiles.access import check_may_access, customer_for
from profiles.models import PERMISSION_CHANNELS, Customer, Subscription, Topic
from profiles.selectors import of_customer


def subscription_data(subscription: Subscription) -> dict[str, Any]:
    """A subscription as the API and the change log show it."""
    return {
        "id": subscription.pk,
        "topic": subscription.topic.slug,
        "topic_name": subscription.topic.name,
        "channel": subscription.channel,
        "address": subscription.address,
        "created_at": subscription.created_at.isoformat() if subscription.created_at else None,
        "ended_at": subscription.ended_at.isoformat() if subscription.ended_at else None,
    }


def current_subscriptions(customer: Customer) -> QuerySet[Subscription]:
    """The customer's current subscriptions, by topic name."""
    current = customer.subscriptions.filter(ended_at__isnull=True).select_related("topic")
    return current.order_by("topic__name", "channel")


def subscriptions_list(*, ucrn: Any, user: UserLike) -> list[Subscription]:
    """The customer's current subscriptions: CSAs any customer, a citizen their own."""
    customer = customer_for(user, ucrn)
    return list(current_subscriptions(customer))


def page_subscriptions(*, ucrn: Any, user: UserLike, customer_id: int | None = None) -> list[Subscription]:
    """The current subscriptions of the customer a page shows, in one query (the page's Get has found the
    customer; the access rule is checked again here, without reading the customer); by `customer_id` when
    the page has it (`profile_get_with_id`)."""
    check_may_access(user, ucrn)
    return _page_subscriptions(ucrn if customer_id is None else customer_id)


_page_subscriptions = Prepared(  # compiled once (`core.prepared`): the record page reads it every time
    lambda key: Subscription.objects.filter(**of_customer(key), ended_at__isnull=True).select_related("topic")
    .order_by("topic__name", "channel")
)


def subscription_counts(subscriptions: Iterable[Subscription]) -> dict[str, int]:
    """How many of these subscriptions each channel has: what refusing its permission would end."""
    counts = dict.fromkeys(PERMISSION_CHANNELS, 0)
    for subscription in subscriptions:
        counts[subscription.channel] += 1
    return counts


def topic_subscribers(*, slug: Any, user: UserLike) -> list[dict[str, Any]]:
    """The current subscribers of a topic for a mailing (CSAs and API clients with the CSA role)."""
    if not is_csa(user):
        raise PermissionDenied("Only customer service agents may list a topic's subscribers.")
    topic = Topic.objects.filter(slug=slug).first() if isinstance(slug, str) else None
    if topic is None:
        raise Http404("There is no topic with this slug.")
    # Erased customers have no address left; a merged record's UCRN is its survivor's now.
    rows = (Subscription.objects.filter(topic=topic, ended_at__isnull=True, customer__erased_at__isnull=True,
                                        customer__merged_into__isnull=True)
            .order_by("customer__ucrn", "channel").values_list("customer__ucrn", "channel", "address"))
    return [{"ucrn": ucrn, "channel": channel, "address": address} for ucrn, channel, address in rows]
