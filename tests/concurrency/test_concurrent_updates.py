"""Real concurrency on PostgreSQL: threads, each with its own database connection, updating one
customer at once. The row lock (`select_for_update` in profile_update) queues them up, and each update
applies only the names it carries, so no update is lost, one address stays primary, and every applied
change has exactly one change record.

SQLite has no row locks (it locks the whole database file, and Django's SQLite backend cannot run these
threads' write transactions side by side), so this test runs only on PostgreSQL: CI's second pass.
"""
from __future__ import annotations

import threading
from collections import Counter
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections

from profiles.models import Address, ChangeRecord, Customer
from profiles.services import profile_update
from tests.factories import CustomerFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks: PostgreSQL only (SQLite has none)"),
]

FIELD_THREADS = 6  # each updates its own custom field, UPDATES times
UPDATES = 40
MOVERS = 2  # each adds MOVES new primary addresses ("the customer has moved")
MOVES = 10


@pytest.fixture
def reference_lists(db):
    """The lists the migrations install: a transactional test's flush may have emptied them before."""
    from profiles.models import Status

    if not Status.objects.exists():
        import_module("profiles.migrations.0002_reference_lists").install(django_apps, None)


def run_threads(targets) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(targets))

    def wrapped(target):
        try:
            start.wait()
            target()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=wrapped, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def test_hundreds_of_concurrent_updates_lose_nothing(reference_lists):
    csa = UserFactory(username="csa-concurrent", role="csa")
    customer = CustomerFactory()  # with one primary address
    ucrn, version = customer.ucrn, customer.version

    def field_updates(n: int):
        def run():
            for k in range(UPDATES):
                profile_update(ucrn=ucrn, data={f"custom_{n}": f"t{n}-{k}"}, user=csa, channel="api", full=False)
        return run

    def moves(n: int):
        def run():
            for k in range(MOVES):
                data = {"house": str(k + 1), "street": f"Mover {n} Street", "postcode": "M1 1AE",
                        "update_primary_address": False, "address_is_primary": True}
                profile_update(ucrn=ucrn, data=data, user=csa, channel="api", full=False)
        return run

    targets = [field_updates(n) for n in range(1, FIELD_THREADS + 1)] + [moves(n) for n in range(1, MOVERS + 1)]
    errors = run_threads(targets)
    assert errors == []

    total = FIELD_THREADS * UPDATES + MOVERS * MOVES
    stored = Customer.objects.get(ucrn=ucrn)
    # Zero updates lost: every field holds its thread's last value, and every update bumped the version.
    for n in range(1, FIELD_THREADS + 1):
        assert getattr(stored, f"custom_{n}") == f"t{n}-{UPDATES - 1}"
    assert stored.version == version + total

    # One audit record per applied change, and each field's history is its thread's values, in order.
    records = list(ChangeRecord.objects.filter(customer=stored, action=ChangeRecord.Action.UPDATE).order_by("id"))
    assert len(records) == total
    for n in range(1, FIELD_THREADS + 1):
        afters = [c["after"] for r in records for c in r.changes if c["field"] == f"custom_{n}"]
        assert afters == [f"t{n}-{k}" for k in range(UPDATES)]
        befores = [c["before"] for r in records for c in r.changes if c["field"] == f"custom_{n}"]
        assert befores == ["", *afters[:-1]]  # each update saw the one before it: none was overwritten

    # Addresses: every move made one record; exactly one primary, the last move; every older record ended.
    addresses = list(Address.objects.filter(customer=stored).order_by("id"))
    assert len(addresses) == 1 + MOVERS * MOVES
    primaries = [a for a in addresses if a.is_primary]
    assert len(primaries) == 1
    assert primaries[0].pk == addresses[-1].pk
    assert all(a.end_date is not None for a in addresses if not a.is_primary)
    assert Counter(a.street for a in addresses[1:]) == {f"Mover {n} Street": MOVES for n in range(1, MOVERS + 1)}


def test_two_simultaneous_moves_leave_one_primary(reference_lists):
    """The same "moved" update from two CSAs at once: serialised by the lock, one primary, a clean history."""
    csa = UserFactory(username="csa-moves", role="csa")
    customer = CustomerFactory()
    ucrn = customer.ucrn
    for round_ in range(5):
        def move(street):
            return lambda: profile_update(
                ucrn=ucrn, data={"house": "1", "street": street, "postcode": "M1 1AE", "update_primary_address": 0},
                user=csa, channel="hub", full=False,
            )
        assert run_threads([move(f"North {round_}"), move(f"South {round_}")]) == []
    addresses = list(Address.objects.filter(customer=customer))
    assert len(addresses) == 1 + 10
    assert sum(a.is_primary for a in addresses) == 1
    assert all(a.end_date is not None for a in addresses if not a.is_primary)
    moves = ChangeRecord.objects.filter(customer=customer, action=ChangeRecord.Action.UPDATE).count()
    assert moves == 10
