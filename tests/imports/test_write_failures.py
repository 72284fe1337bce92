"""A record the database will not write is that record's `error`; the others are written and the counts
are true. Never a 500, never a write the answer does not report (the batch's waves commit one by one, so
an exception escaping a later wave used to leave the earlier waves written behind a 500).

Two real refusals: text the driver cannot encode (a lone surrogate, which the service now refuses as
`invalid_text` before writing), and a database trigger vetoing one row, standing for anything the database
refuses that the rules let through (a constraint, a disk full). Run on SQLite and on PostgreSQL.
"""
from __future__ import annotations

import json

import pytest
from django.db import connection
from rest_framework.test import APIClient

from profiles.models import ChangeRecord, Customer
from profiles.services.imports import import_records
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NEW = {"contact_type": "Individual", "preferred_contact_method": 3}


def statuses(outcomes) -> list[str]:
    return [o.status for o in outcomes]


@pytest.fixture
def veto():
    """The database refuses any customer row whose first name is "Vetoed" (insert or update)."""
    table = connection.ops.quote_name(Customer._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE FUNCTION test_veto() RETURNS trigger AS $$ BEGIN IF NEW.first_name = 'Vetoed' "
                           "THEN RAISE EXCEPTION 'vetoed'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql")
            cursor.execute(f"CREATE TRIGGER test_veto BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW "
                           "EXECUTE FUNCTION test_veto()")
        else:
            for event in ("INSERT", "UPDATE"):
                cursor.execute(f"CREATE TRIGGER test_veto_{event} BEFORE {event} ON {table} "
                               "WHEN NEW.first_name = 'Vetoed' BEGIN SELECT RAISE(ABORT, 'vetoed'); END")


@pytest.mark.parametrize("bulk", [True, False])
def test_a_lone_surrogate_in_a_later_wave_is_that_record_s_error(csa, bulk):
    customer = CustomerFactory(first_name="Before")
    records = [{"email_address": customer.email_address, "first_name": "One"},  # wave 0
               {"email_address": customer.email_address, "first_name": "Two \ud800"},  # wave 1: the same customer
               {"email_address": customer.email_address, "last_name": "Three"}]  # wave 2
    outcomes = import_records(records=records, matching="email_address", user=csa, channel="api", bulk=bulk)
    assert statuses(outcomes) == ["updated", "error", "updated"]
    assert outcomes[1].errors == {"first_name": [{"message": outcomes[1].errors["first_name"][0]["message"],
                                                  "code": "invalid_text"}]}
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name) == ("One", "Three")
    assert ChangeRecord.objects.filter(customer=customer, action="update").count() == 2


@pytest.mark.parametrize("matching, key", [("email_address", "email_address"), ("ucrn", "ucrn"),
                                            ("custom", "custom_2")])
def test_a_lone_surrogate_in_the_matching_value_is_that_record_s_error(csa, matching, key):
    records = [{**NEW, "email_address": "ok@example.org", "custom_2": "OK"},
               {**NEW, key: "x\ud800@example.org"}]
    outcomes = import_records(records=records, matching=matching, user=csa, channel="api",
                              field_name="custom_2" if matching == "custom" else None)
    assert statuses(outcomes) == ["created", "error"]
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("bulk", [True, False])
def test_a_row_the_database_refuses_is_that_record_s_error(csa, veto, bulk):
    first, second = CustomerFactory(first_name="A"), CustomerFactory(first_name="B")
    records = [{"email_address": first.email_address, "first_name": "One"},  # wave 0
               {"email_address": second.email_address, "first_name": "Vetoed"},  # wave 0: refused
               {**NEW, "email_address": "new@example.org", "first_name": "Vetoed"},  # wave 0: refused
               {**NEW, "email_address": "fine@example.org", "first_name": "Fine"},  # wave 0
               {"email_address": first.email_address, "last_name": "Two"}]  # wave 1
    outcomes = import_records(records=records, matching="email_address", user=csa, channel="api", bulk=bulk)
    assert statuses(outcomes) == ["updated", "error", "error", "created", "updated"]
    assert outcomes[1].errors == outcomes[2].errors == {"non_field_errors": [
        {"message": "The database refused to write this record: nothing of it was written.", "code": "write_failed"}]}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.first_name, first.last_name, second.first_name) == ("One", "Two", "B")
    assert set(Customer.objects.values_list("first_name", flat=True)) == {"One", "B", "Fine"}
    assert ChangeRecord.objects.filter(customer=second).count() == 0


def test_the_api_answers_with_true_counts(csa, veto):
    first, second = CustomerFactory(first_name="A"), CustomerFactory(first_name="B")
    api = APIClient()
    api.force_authenticate(csa)
    body = {"matching": "email_address", "records": [
        {"email_address": first.email_address, "first_name": "One"},
        {"email_address": second.email_address, "first_name": "Vetoed"},
        {"email_address": first.email_address, "last_name": "Two"}]}
    response = api.post("/api/v1/profiles/import", json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["counts"] == {"created": 0, "updated": 2, "unchanged": 0, "error": 1}
    first.refresh_from_db()
    assert (first.first_name, first.last_name) == ("One", "Two")
