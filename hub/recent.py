"""The customers a CSA opened recently (the start page): written once per opening, read with the names."""
from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection
from django.utils import timezone

from hub.models import RECENT_COUNT, RecentCustomer

# What `Customer.display_name` reads: the start page needs no more of the customer.
NAME_FIELDS = ("ucrn", "contact_type_id", "organisation_name", "first_name", "last_name", "prefix__name",
               "suffix__name")


def recent_customer_opened(*, user: Any, ucrn: str) -> None:
    """Record that `user` opened customer `ucrn` now: one statement (an upsert), whatever was there before.
    Its SQL is made once (the record page writes it on every view; `bulk_create(update_conflicts=True)`
    built and compiled it each time); `ON CONFLICT ... DO UPDATE` is PostgreSQL's and SQLite's alike."""
    opened_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [user.pk, ucrn, opened_at])


@cache
def _upsert_sql() -> str:
    qn, meta = connection.ops.quote_name, RecentCustomer._meta
    user, customer, opened = (qn(meta.get_field(name).column) for name in ("user", "customer", "opened_at"))
    return (f"INSERT INTO {qn(meta.db_table)} ({user}, {customer}, {opened}) VALUES (%s, %s, %s)"
            f" ON CONFLICT ({user}, {customer}) DO UPDATE SET {opened} = EXCLUDED.{opened}")


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
