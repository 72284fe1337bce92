"""Two people saving one customer at the same moment, through the API, on SQLite as on PostgreSQL.

SQLite (`make run`) has one write lock for the whole file. A transaction that begins DEFERRED reads under
a shared lock and asks for the write lock at its first write; when another transaction already holds it,
SQLite answers "database is locked" at once (waiting could deadlock), and the save was a 500, about half of
the time in review. With `transaction_mode: IMMEDIATE` (hub/settings.py) every transaction takes the write
lock when it begins, waiting up to the busy `timeout`, so the saves queue up as PostgreSQL's row locks
queue them.

Real concurrency needs a database file: the test database of an SQLite run is in memory (and its shared
cache locks tables, not the file), so on SQLite the test copies it to a file with SQLite's backup API, as
Django's own parallel test runner does, and points every thread's connection at that file, with the
DATABASES settings under test. The rest of the suite keeps its fast in-memory database.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.db.utils import load_backend
from rest_framework.test import APIClient

from profiles.models import ChangeRecord, Customer
from tests.concurrency.test_concurrent_updates import reference_lists, run_threads  # noqa: F401 (a fixture)
from tests.factories import CustomerFactory, UserFactory

ROUNDS = 25  # each round: two saves at once (50 saves, as in review)


@pytest.fixture
def database_file(reference_lists, tmp_path) -> Iterator[None]:  # noqa: F811
    """On SQLite, every connection (this thread's and each worker thread's) on a file copy of the test
    database; on PostgreSQL, the test database as it is."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "concurrent.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    settings_dict = {**connection.settings_dict, "NAME": str(path)}
    backend = load_backend(settings_dict["ENGINE"])
    in_memory = connections["default"]

    def open_file() -> None:
        connections["default"] = backend.DatabaseWrapper(settings_dict, "default")

    open_file()
    _thread_setup.append(open_file)
    try:
        yield
    finally:
        _thread_setup.clear()
        connections["default"].close()
        connections["default"] = in_memory


_thread_setup: list = []  # what each worker thread does first (on SQLite: open the file copy)


def in_thread(target):
    def run():
        for setup in _thread_setup:
            setup()
        target()
    return run


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's options: this run is on PostgreSQL")
def test_the_sqlite_settings_queue_writers():
    """The settings `make run` uses: write transactions take the lock at once and wait for it."""
    options = connection.settings_dict["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 10


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_one_customer_both_apply(database_file):
    csa = UserFactory(username="csa-simultaneous", role="csa")
    customer = CustomerFactory()
    ucrn, version = customer.ucrn, customer.version
    statuses: list[int] = []

    def save(name: str, value: str):
        def run():
            client = APIClient()
            client.force_authenticate(csa)
            response = client.patch(f"/api/v1/profiles/{ucrn}/", {name: value}, format="json")
            statuses.append(response.status_code)
        return in_thread(run)

    for round_ in range(ROUNDS):
        assert run_threads([save("custom_1", f"a{round_}"), save("custom_2", f"b{round_}")]) == []
    assert statuses == [200] * (2 * ROUNDS)
    stored = Customer.objects.get(ucrn=ucrn)
    assert (stored.custom_1, stored.custom_2) == (f"a{ROUNDS - 1}", f"b{ROUNDS - 1}")
    assert stored.version == version + 2 * ROUNDS
    assert ChangeRecord.objects.filter(customer=stored, action=ChangeRecord.Action.UPDATE).count() == 2 * ROUNDS
