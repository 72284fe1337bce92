"""Fixtures of the page tests and the browser tests.

Playwright's sync API runs an event loop in the test thread, which makes Django refuse database calls
(SynchronousOnlyOperation) unless this is set before the test database is made.
"""
from __future__ import annotations

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.test import Client

from profiles.models import ChangeRecord, Channel
from tests.factories import AddressFactory, CustomerFactory, UserFactory


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def csa_client(csa) -> Client:
    return signed_in(csa)


@pytest.fixture
def citizen_client(citizen) -> Client:
    return signed_in(citizen)


def customer_with(addresses: int, history: int, **kwargs):
    """A customer with `addresses` address records (the newest primary) and `history` change records."""
    customer = CustomerFactory(address=False, **kwargs)
    for n in range(addresses):
        AddressFactory(
            customer=customer,
            start_date=dt.date(2000, 1, 1) + dt.timedelta(days=30 * n),
            end_date=None if n == addresses - 1 else dt.date(2000, 1, 1) + dt.timedelta(days=30 * n + 29),
            is_primary=n == addresses - 1,
        )
    ChangeRecord.objects.bulk_create(
        ChangeRecord(customer=customer, channel=Channel.API, action=ChangeRecord.Action.UPDATE,
                     changes=[{"field": "first_name", "before": f"A{n}", "after": f"B{n}"}])
        for n in range(history)
    )
    return customer


@pytest.fixture
def other_customer(db):
    return CustomerFactory(last_name="Otherperson")


__all__ = ["UserFactory", "customer_with", "signed_in"]


# --- the browser (Playwright's sync API with Debian's chromium) ------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """One chromium for the whole run: Debian's when installed, else Playwright's own download."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        options = {"executable_path": CHROMIUM} if os.path.exists(CHROMIUM) else {}
        browser = playwright.chromium.launch(args=CHROMIUM_ARGS, **options)
        yield browser
        browser.close()


@pytest.fixture
def server(live_server):
    """The live server, with the data the migrations install (reference lists, the Create customer form).

    Each live-server test ends with a flush that empties them. Django's serialized_rollback cannot put
    them back here: Playwright's event loop gives the test a different connection object from the one
    that was serialized at set-up. Request this before any fixture that makes customers.
    """
    from integrations.models import Form
    from profiles.models import Status

    if not Status.objects.exists():
        import_module("profiles.migrations.0002_reference_lists").install(django_apps, None)
    if not Form.objects.filter(slug="create-customer").exists():
        import_module("integrations.migrations.0002_create_customer_form").install(django_apps, None)
    return live_server


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.url)
    page = context.new_page()
    page.set_default_timeout(5000)
    yield page
    context.close()


def sign_in_as(page, server, user) -> None:
    """Start the browser's session as `user` without typing (the sign-in form has its own test)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}])
