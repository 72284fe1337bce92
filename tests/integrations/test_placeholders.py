"""A configured form refuses placeholders (SPEC 8.4) as the profile service does: keyed by its form field."""
import pytest
from rest_framework.test import APIClient

from integrations.models import Case
from profiles.models import Customer
from tests.profiles.support import db_state

SUBMIT = "/api/v1/forms/register/submissions/"


@pytest.fixture
def api(csa):
    client = APIClient()
    client.force_authenticate(csa)
    return client


def register_body(**changes) -> dict:
    body = {"Contact_Type": "Individual", "Preferred_Contact_Method": 3, "First_Name": "Nadia",
            "Last_Name": "Khan", "Email": "nadia@test.company.org", "Postcode": "", "Street": ""}
    body.update(changes)
    return body


def test_a_create_form_refuses_a_placeholder_email_and_name(api, register):
    before = db_state()
    response = api.post(SUBMIT, register_body(Email="test@test.com", Last_Name="Unknown"), format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert [e["code"] for e in body["Email"]] == ["placeholder_value"]
    assert [e["code"] for e in body["Last_Name"]] == ["placeholder_value"]
    assert db_state() == before and not Case.objects.exists()


def test_an_update_form_refuses_a_placeholder_name(api, change_of_address, customer):
    body = {"Ucrn": customer.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": 3,
            "First_Name": "N/A", "Street": "", "Postcode": "", "Moved": "1"}
    response = api.post("/api/v1/forms/change-of-address/submissions/", body, format="json")
    assert response.status_code == 400 and [e["code"] for e in response.json()["First_Name"]] == ["placeholder_value"]
    customer.refresh_from_db()
    assert customer.first_name != "N/A"


def test_real_values_next_to_placeholders_pass(api, register):
    response = api.post(SUBMIT, register_body(Last_Name="Unknowles"), format="json")
    assert response.status_code == 201, response.json()
    assert Customer.objects.get().email_address == "nadia@test.company.org"
