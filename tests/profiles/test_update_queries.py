"""An Update reads the customer once, under its lock, and builds its answer from what it has:
no re-read after the write, no country query for a new address; still one transaction, one change record."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.models import ChangeRecord, Customer
from profiles.selectors import profile_get
from profiles.services import profile_update
from profiles.timestamps import api_datetime
from tests.factories import CustomerFactory
from tests.profiles.support import as_written

pytestmark = pytest.mark.django_db


def run_update(csa, ucrn, data):
    with CaptureQueriesContext(connection) as captured:
        result = profile_update(ucrn=ucrn, data=data, user=csa, channel="api", full=False,
                                option_defaults={"ignore_empty_entries": True})
    return result, [q["sql"] for q in captured.captured_queries]


def after_the_write(sqls: list[str]) -> list[str]:
    first_write = next(i for i, sql in enumerate(sqls) if sql.startswith(("UPDATE", "INSERT")))
    return sqls[first_write:]


def test_two_fields_read_the_customer_once(csa):
    customer = CustomerFactory(prefix_id=6, suffix_id=1)
    result, sqls = run_update(csa, customer.ucrn, {"first_name": "Alex", "twitter": "alex"})
    assert [s for s in after_the_write(sqls) if s.startswith("SELECT") and "profiles_customer" in s] == []
    assert len([s for s in sqls if s.startswith("SELECT") and 'FROM "profiles_customer"' in s]) == 1
    stored = Customer.objects.get(pk=customer.pk)
    assert result.profile == as_written(profile_get(ucrn=customer.ucrn, user=csa))  # the answer is what a Get says
    assert result.profile["version"] == stored.version == customer.version + 1
    assert result.profile["updated_at"] == api_datetime(stored.updated_at)
    assert result.profile["name"].startswith("Dr Alex ") and result.profile["name"].endswith(" Jr")
    assert ChangeRecord.objects.filter(customer=customer).count() == 1


def test_a_new_primary_address_reads_no_country(csa):
    customer = CustomerFactory()
    body = {"house": "1", "street": "New Street", "postcode": "M1 1AE", "update_primary_address": 0}
    result, sqls = run_update(csa, customer.ucrn, body)
    assert [s for s in after_the_write(sqls) if s.startswith("SELECT") and "profiles_" in s] == []
    assert result.profile["street"] == "New Street" and result.profile["country"] == "United Kingdom"
    assert result.profile == as_written(profile_get(ucrn=customer.ucrn, user=csa))


def test_a_changed_title_shows_in_the_answer(csa):
    customer = CustomerFactory(prefix_id=6)
    result, _ = run_update(csa, customer.ucrn, {"prefix_id": 1})
    assert result.profile == as_written(profile_get(ucrn=customer.ucrn, user=csa))
    assert result.profile["prefix_id"] == 1
