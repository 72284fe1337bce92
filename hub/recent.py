"""The customers a CSA opened recently (the start page): written once per opening, read with the names."""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from hub.models import RECENT_COUNT, RecentCustomer

# What `Customer.display_name` reads: the start page needs no more of the customer.
NAME_FIELDS = ("ucrn", "contact_type_id", "organisation_name", "first_name", "last_name", "prefix__name",
               "suffix__name")


def recent_customer_opened(*, user: Any, ucrn: str) -> None:
    """Record that `user` opened customer `ucrn` now: one statement (an upsert), whatever was there before."""
    RecentCustomer.objects.bulk_create(
        [RecentCustomer(user=user, customer_id=ucrn, opened_at=timezone.now())],
        update_conflicts=True, unique_fields=["user", "customer"], update_fields=["opened_at"],
    )


def recent_customers(*, user: Any) -> list[RecentCustomer]:
    """The user's last RECENT_COUNT openings, newest first, with each customer's name in the same query.

    Older rows are deleted on the way (one statement, only once there are RECENT_COUNT), so the table
    keeps at most RECENT_COUNT rows per CSA and no longer record of who looked at whom than it needs.
    """
    rows = list(
        RecentCustomer.objects.filter(user=user).select_related("customer__prefix", "customer__suffix")
        .only("opened_at", "customer_id", *(f"customer__{name}" for name in NAME_FIELDS))
        .order_by("-opened_at", "-id")[:RECENT_COUNT]
    )
    if len(rows) == RECENT_COUNT:
        RecentCustomer.objects.filter(user=user, opened_at__lt=rows[-1].opened_at).delete()
    return rows
