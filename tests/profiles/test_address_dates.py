"""SPEC 4.3 rule 6: an address record never ends before it starts, on every door.

Each door is asked for the same impossible record (start 2024-01-01, end 2023-01-01) and must answer with
`end_before_start` on `end_date`, changing nothing.
"""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from integrations.runner import submit
from profiles.models import Address
from profiles.services.imports import import_records
from tests.factories import AddressFactory, CustomerFactory
from tests.integrations.conftest import build_form

from .support import VALID_CREATE, create, db_state, error_codes, refused, update

START, END = "2024-01-01", "2023-01-01"


@pytest.fixture
def person(db):
    customer = CustomerFactory(address=False)
    AddressFactory(customer=customer, is_primary=True, street="Mill Lane", postcode="BS1 4DJ",
                   start_date=dt.date(2024, 1, 1))
    return customer


@pytest.fixture
def api(csa):
    client = APIClient()
    client.force_authenticate(csa)
    return client


def test_the_service_refuses_a_new_record_that_ends_before_it_starts(csa, person):
    before = db_state()
    codes = refused(update, csa, person.ucrn, {**VALID_CREATE, "street": "New Road", "postcode": "M1 1AE",
                                               "start_date": START, "end_date": END})
    assert codes == {"end_date": ["end_before_start"]}
    assert db_state() == before


def test_the_service_refuses_an_end_date_before_the_primarys_own_start(csa, person):
    before = db_state()
    codes = refused(update, csa, person.ucrn, {"end_date": END, "update_primary_address": 1}, full=False)
    assert codes == {"end_date": ["end_before_start"]}
    assert db_state() == before


def test_the_service_refuses_a_create_whose_address_ends_before_it_starts(csa):
    codes = refused(create, csa, street="New Road", postcode="M1 1AE", start_date=START, end_date=END)
    assert codes == {"end_date": ["end_before_start"]}
    assert not Address.objects.exists()


def test_an_end_date_on_the_start_date_is_allowed(csa, person):
    update(csa, person.ucrn, {"end_date": START, "update_primary_address": 1}, full=False)
    assert person.addresses.get().end_date == dt.date(2024, 1, 1)


def test_the_api_patch_is_400_on_end_date_and_changes_nothing(api, person):
    before = db_state()
    response = api.patch(f"/api/v1/profiles/{person.ucrn}/",
                         {"start_date": START, "end_date": END, "update_primary_address": 1}, format="json")
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["end_date"]] == ["end_before_start"]
    assert db_state() == before


def test_the_api_create_is_400_on_end_date(api):
    response = api.post("/api/v1/profiles/", {**VALID_CREATE, "street": "New Road", "postcode": "M1 1AE",
                                               "start_date": START, "end_date": END}, format="json")
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["end_date"]] == ["end_before_start"]


def test_the_import_refuses_the_record(csa, person):
    before = db_state()
    outcomes = [o.as_dict() for o in import_records(
        records=[{"ucrn": person.ucrn, "end_date": END, "update_primary_address": 1}], matching="ucrn", user=csa,
        channel="api")]
    assert outcomes[0]["status"] == "error"
    assert [e["code"] for e in outcomes[0]["errors"]["end_date"]] == ["end_before_start"]
    assert db_state() == before


def test_the_model_clean_refuses_it_for_the_admin(person):
    record = Address(customer=person, street="Admin Road", start_date=dt.date(2024, 1, 1), end_date=dt.date(2023, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        record.full_clean()
    assert error_codes(excinfo) == {"end_date": ["end_before_start"]}


def test_the_edit_page_shows_the_error_beside_the_end_date(csa, person):
    client = Client()
    client.force_login(csa)
    before = db_state()
    response = client.post(f"/hub/customers/{person.ucrn}/edit/", {
        "contact_type": "Individual", "preferred_contact_method": "3", "address_change": "correct",
        "cur-street": "Mill Lane", "cur-postcode": "BS1 4DJ", "cur-country_id": "826",
        "cur-start_date": START, "cur-end_date": END})
    assert response.status_code == 200
    assert 'id="id_cur-end_date-error"' in response.content.decode()
    assert db_state() == before


def test_a_form_shows_the_error_beside_its_end_date_field(csa, person):
    form = build_form(
        "correct-dates", [("Ucrn", "ucrn_lookup"), ("Contact_Type", "select"), ("Preferred_Contact_Method", "select"),
                          ("Living_Since", "date"), ("Until", "date")],
        [("update", "submission", {"ucrn": "{Ucrn}", "contact_type": "{Contact_Type}",
                                   "preferred_contact_method": "{Preferred_Contact_Method}",
                                   "start_date": "{Living_Since}", "end_date": "{Until}"},
          {"update_primary_address": "1"})])
    before = db_state()
    result = submit(form=form, values={"Ucrn": person.ucrn, "Contact_Type": "Individual",
                                       "Preferred_Contact_Method": "3", "Living_Since": START, "Until": END},
                    user=csa, channel="form")
    assert not result.ok and list(result.errors) == ["Until"]
    assert db_state() == before
