"""Deeply nested JSON already stored (before the doors limited depth) never makes a customer un-erasable.

The rows are written with SQL, as an old release or a restore could have left them: Python's own `json`
cannot even write a few thousand levels.
"""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from profiles.services.audit import jsonable
from profiles.services.erasure import ERASED, scrub
from systems.models import Event
from tests.api.conftest import token_client
from tests.privacy.conftest import api_client

SECRET = "Zqdeepsecret"


def deep_text(depth: int, leaf: str = f'"{SECRET}"') -> str:
    return '{"a": ' * depth + leaf + "}" * depth


def store_event(customer, depth: int) -> Event:
    """An event about `customer` whose properties nest `depth` levels, written as SQL."""
    event = Event.objects.create(type="deep", customer=customer, payload={}, outcome=Event.Outcome.UNMATCHED)
    text = f'{{"type": "deep", "ucrn": "{customer.ucrn}", "properties": {deep_text(depth)}}}'
    value = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {connection.ops.quote_name(Event._meta.db_table)} SET payload = {value} "
                       "WHERE id = %s", [text, event.pk])
    return event


def stored_text(event: Event) -> str:
    return Event.objects.filter(pk=event.pk).values_list(Cast("payload", TextField()), flat=True).get()


def depth_of(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def deepest_storable() -> int:
    """3000 levels; SQLite's JSON check refuses more than 1000 or 2000 (by version): as deep as it takes."""
    if connection.vendor == "postgresql":
        return 3000
    with connection.cursor() as cursor:
        for depth in (3000, 1990, 990):
            cursor.execute("SELECT JSON_VALID(%s)", [deep_text(depth + 2)])
            if cursor.fetchone()[0]:
                return depth
    raise AssertionError("SQLite stores no deep JSON at all")


@pytest.mark.parametrize("depth", [470, "deepest"])
def test_a_customer_with_a_deeply_nested_event_can_be_erased(customer, superuser, depth):
    event = store_event(customer, deepest_storable() if depth == "deepest" else depth)
    assert SECRET in stored_text(event)

    response = api_client(superuser).post(f"/api/v1/profiles/{customer.ucrn}/erase/")

    assert response.status_code == 200
    text = stored_text(event)
    assert SECRET not in text and ERASED in text
    assert Event.objects.get(pk=event.pk).payload["type"] == "deep"  # readable again, and still says what it was


@pytest.mark.parametrize("depth", [470, "deepest"])
def test_a_customer_with_a_deeply_nested_event_can_be_exported(customer, csa, depth):
    event = store_event(customer, deepest_storable() if depth == "deepest" else depth)

    response = token_client(csa).get(f"/api/v1/profiles/{customer.ucrn}/export/")

    assert response.status_code == 200
    [exported] = [e for e in response.json()["events"] if e["id"] == event.pk]
    assert SECRET in str(exported["payload"])  # everything held, the deepest part as its JSON text


def test_scrub_and_jsonable_take_any_depth():
    deep: dict = {"a": SECRET}
    for _ in range(5000):
        deep = {"a": deep, "b": [1, "x"]}
    copied = jsonable(deep)
    assert depth_of(copied) == depth_of(deep)
    scrubbed = scrub(deep)
    assert SECRET not in repr_flat(scrubbed) and depth_of(scrubbed) < 100


def repr_flat(value) -> str:
    """The leaves of `value`, without `repr`'s recursion."""
    leaves, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            leaves.append(str(item))
    return " ".join(leaves)
