"""The one-row writes of every Update (`profiles.services.bulk.update_row`, `insert_row`): what `save` would
write, by SQL made once per model and fields, on both databases."""
from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from profiles.models import ChangeRecord, Customer
from profiles.services.bulk import insert_row, update_row
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_update_row_writes_the_fields_named_and_stamps_updated_at():
    customer = CustomerFactory(first_name="Ann", twitter="before")
    written_before = customer.updated_at
    customer.first_name, customer.twitter, customer.last_name = "Anna", "after", "Not written"
    update_row(customer, ["first_name", "twitter", "updated_at"])
    row = Customer.objects.get(pk=customer.pk)
    assert (row.first_name, row.twitter) == ("Anna", "after")
    assert row.last_name != "Not written"
    assert row.updated_at == customer.updated_at > written_before  # auto_now, as `save` sets it


def test_update_row_converts_a_foreign_key_and_a_date():
    customer = CustomerFactory()
    customer.status_id, customer.birth_date = "Inactive", timezone.localdate().replace(year=1970)
    update_row(customer, ["status", "birth_date"])
    row = Customer.objects.get(pk=customer.pk)
    assert (row.status_id, row.birth_date) == ("Inactive", customer.birth_date)


def test_update_row_keeps_a_creation_time_it_is_given():
    """`auto_now_add` stamps an insert only: an update writes the value in hand, as `save` does."""
    customer = CustomerFactory()
    created = Customer.objects.get(pk=customer.pk).created_at
    update_row(customer, ["created_at", "first_name"])
    assert Customer.objects.get(pk=customer.pk).created_at == created


def test_update_row_of_a_missing_row_is_an_error():
    customer = CustomerFactory.build(pk=2**40)  # never saved
    with pytest.raises(DatabaseError), transaction.atomic():
        update_row(customer, ["first_name"])


def test_insert_row_sets_the_id_and_the_creation_time():
    customer = CustomerFactory()
    record = ChangeRecord(customer=customer, user=None, channel="api", action=ChangeRecord.Action.UPDATE,
                          changes=[{"field": "first_name", "before": "A", "after": "B"}])
    insert_row(record)
    assert record.pk is not None and not record._state.adding
    row = ChangeRecord.objects.get(pk=record.pk)
    assert (row.customer_id, row.channel, row.changes) == (customer.pk, "api", record.changes)
    assert row.created_at == record.created_at is not None
    second = ChangeRecord(customer=customer, channel="api", action=ChangeRecord.Action.UPDATE, changes=[])
    insert_row(second)
    assert second.pk > record.pk
