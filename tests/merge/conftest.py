"""Two customers about to be merged: each with addresses, a case and history, through the services."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from integrations.models import Case, Form
from profiles.models import Address, ChangeRecord, Customer
from profiles.services.merge import snapshot
from tests.profiles.support import create


@pytest.fixture
def form(db):
    return Form.objects.create(name="Merge form", slug="merge-form", audience=Form.Audience.BOTH)


@pytest.fixture
def survivor(csa, form):
    """Jane Smith: a current address and an older ended one, a case, no second email."""
    result = create(csa, first_name="Jane", last_name="Smith", email_address="jane@example.org",
                    phone_number="01174960001", house="1", street="High Street", postcode="BS1 4DJ",
                    start_date="2019-01-01", notification_preference=[3, 1])
    customer = result.customer
    Address.objects.create(customer=customer, house="9", street="Old Road", postcode="BS2 0AA",
                           start_date=dt.date(2010, 1, 1), end_date=dt.date(2018, 12, 31))
    Case.objects.create(form=form, customer=customer, data={"x": "survivor"})
    return customer


@pytest.fixture
def duplicate(csa, form):
    """Jane Smyth: a mobile number, a birth date, a different email and address, two cases."""
    result = create(csa, first_name="Jane", last_name="Smyth", email_address="j.smyth@example.org",
                    mobile_number="07700900123", birth_date="1980-05-17", custom_3="legacy-42",
                    house="22", street="Park Lane", postcode="M1 1AE", start_date="2021-06-01",
                    lat="53.4808", lng="-2.2426")
    customer = result.customer
    Case.objects.create(form=form, customer=customer, data={"x": "dup 1"})
    Case.objects.create(form=form, customer=customer, data={"x": "dup 2"})
    return customer


def full_state(customer: Customer) -> dict[str, Any]:
    """A customer EXACTLY as stored, except its version and update time (an undo moves them on): the row,
    every address record (ids, dates and primary flags included), its cases and its change records."""
    customer = Customer.objects.get(pk=customer.pk)
    state = snapshot(customer)
    for name in ("version", "updated_at"):
        state["row"].pop(name)
    state["cases"] = sorted(Case.objects.filter(customer=customer).values_list("pk", "updated_at"))
    state["records"] = sorted(ChangeRecord.objects.filter(customer=customer).exclude(
        action__in=["merge", "unmerge"]).values_list("pk", flat=True))
    return state
