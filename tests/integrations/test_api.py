"""/api/v1/forms/: other systems submit configured forms with the browser's outcome."""
import pytest
from rest_framework.test import APIClient

from integrations.models import Case
from tests.api.conftest import token_client
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def api(csa):
    client = APIClient()
    client.force_authenticate(csa)
    return client


def test_forms_are_listed_and_described(api, change_of_address):
    assert "change-of-address" in [f["slug"] for f in api.get("/api/v1/forms/").json()]
    detail = api.get("/api/v1/forms/change-of-address/").json()
    assert [f["data_name"] for f in detail["fields"]][:3] == ["Ucrn", "Contact_Type", "Preferred_Contact_Method"]
    contact_types = next(f for f in detail["fields"] if f["data_name"] == "Contact_Type")
    assert contact_types["options"] == []  # typed-in options: none configured in this test form
    assert {"kind": "update", "when": "submission"} in detail["integrations"]


def test_a_submission_runs_the_integrations_like_the_browser(api, change_of_address, customer):
    body = {"Ucrn": customer.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": 3,
            "First_Name": "Api", "Street": "Elm Road", "Postcode": "", "Moved": "1"}
    response = api.post("/api/v1/forms/change-of-address/submissions/", body, format="json")
    assert response.status_code == 201, response.json()
    case = Case.objects.get(reference=response.json()["case"])
    assert case.customer == customer and response.json()["customer"] == customer.ucrn
    customer.refresh_from_db()
    assert customer.first_name == "Api" and customer.addresses.get().street == "Elm Road"


def test_errors_are_keyed_by_form_field_and_nothing_is_saved(api, change_of_address, customer):
    body = {"Ucrn": customer.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": 3,
            "Street": "A", "Postcode": "XYZ", "Moved": "0"}
    response = api.post("/api/v1/forms/change-of-address/submissions/", body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["Postcode"]
    assert not Case.objects.exists()


@pytest.mark.parametrize("body", [{"Nope": "x"}, {"First_Name": {"a": 1}}, ["x"], {"First_Name": [[1]]}])
def test_bad_bodies_are_400(api, change_of_address, body):
    response = api.post("/api/v1/forms/change-of-address/submissions/", body, format="json")
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_citizen_cannot_use_a_csa_form_or_another_customer(citizen, change_of_address, register, db):
    client = APIClient()
    client.force_authenticate(citizen)
    assert client.get("/api/v1/forms/change-of-address/").status_code == 403
    assert "change-of-address" not in [f["slug"] for f in client.get("/api/v1/forms/").json()]
    other = CustomerFactory()
    change_of_address.audience = "both"
    change_of_address.save()
    response = client.post("/api/v1/forms/change-of-address/submissions/",
                           {"Ucrn": other.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": 3,
                            "Street": "A", "Postcode": "M1 1AE", "Moved": "1"}, format="json")
    assert response.status_code == 403 and not Case.objects.exists()


def test_anonymous_callers_are_refused(change_of_address):
    assert APIClient().get("/api/v1/forms/").status_code in (401, 403)


def test_the_api_and_the_browser_give_the_same_outcome_for_the_same_values(api, csa, change_of_address):
    """Two identical customers, the same values: one through the page, one through the API."""
    from django.test import Client

    twins = [CustomerFactory(first_name="Twin", last_name="Same", email_address=f"twin{n}@example.org")
             for n in range(2)]
    values = {"Contact_Type": "Individual", "Preferred_Contact_Method": "2", "First_Name": "Changed",
              "House": "5", "Street": "Elm Road", "Postcode": "m11ae", "Moved": "0"}
    browser = Client()
    browser.force_login(csa)
    browser.post("/hub/forms/change-of-address/", {**values, "Ucrn": twins[0].ucrn, "action": "submit"})
    api.post("/api/v1/forms/change-of-address/submissions/", {**values, "Ucrn": twins[1].ucrn}, format="json")

    def outcome(customer):
        case = Case.objects.get(customer=customer)
        return [{k: v for k, v in change.items() if k != "address_id"}
                for result in case.results for change in result["changes"]]

    assert outcome(twins[0]) == outcome(twins[1]) != []


def test_a_user_with_no_role_may_neither_list_forms_nor_raise_cases(register):
    nobody = token_client(UserFactory(username="no-role"))
    assert nobody.get("/api/v1/forms/").status_code == 403
    assert nobody.get("/api/v1/forms/register/").status_code == 403
    body = {"Contact_Type": "Individual", "Preferred_Contact_Method": "3", "First_Name": "Nobody"}
    assert nobody.post("/api/v1/forms/register/submissions/", body, format="json").status_code == 403
    assert not Case.objects.exists()
