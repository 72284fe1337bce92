"""A citizen with no profile may create one, but cannot use that to test whose an email address is: a
taken email is answered without confirming that another customer has it, and the attempts are throttled
per user on every door (API, portal page, portal forms). CSAs and API clients keep `email_already_exists`."""
from __future__ import annotations

import pytest
from django.test import Client, override_settings

from integrations.models import Case
from profiles.models import Customer
from tests.api.conftest import codes, token_client, url
from tests.factories import CustomerFactory, UserFactory
from tests.integrations.conftest import build_form

pytestmark = pytest.mark.django_db

REQUIRED = {"contact_type": "Individual", "preferred_contact_method": 3}


@pytest.fixture
def taken(db) -> Customer:
    return CustomerFactory(email_address="taken@example.org")


@pytest.fixture
def newcomer(db):
    return UserFactory(username="newcomer", role="citizen", email="newcomer@example.org")


def test_a_citizen_is_not_told_that_another_customer_has_the_email(newcomer, taken):
    before = Customer.objects.count()
    response = token_client(newcomer).post(url(), {**REQUIRED, "email_address": "TAKEN@example.org"}, format="json")
    assert response.status_code == 400
    assert codes(response) == {"email_address": ["contact_council"]}
    text = response.content.decode().lower()
    assert "another customer" not in text and "already" not in text and taken.ucrn not in text
    assert Customer.objects.count() == before


def test_csas_still_get_email_already_exists(csa, taken):
    response = token_client(csa).post(url(), {**REQUIRED, "email_address": "taken@example.org"}, format="json")
    assert response.status_code == 400 and codes(response) == {"email_address": ["email_already_exists"]}


def test_the_portal_page_answers_the_same(newcomer, taken):
    client = Client()
    client.force_login(newcomer)
    response = client.post("/portal/profile/", {
        "first_name": "New", "last_name": "Citizen", "email_address": "taken@example.org",
        "preferred_contact_method": "3", "address-country_id": "826"})
    page = response.content.decode()
    assert response.status_code == 200 and "contact the council" in page
    assert "Another customer already has this email address" not in page
    assert not Customer.objects.filter(portal_user=newcomer).exists()


@override_settings(CITIZEN_CREATE_RATE="3/hour")
def test_citizen_create_attempts_are_throttled_per_user(newcomer, taken, csa):
    api = token_client(newcomer)
    for _ in range(3):
        response = api.post(url(), {**REQUIRED, "email_address": "taken@example.org"}, format="json")
        assert response.status_code == 400
    # The fourth attempt is refused before the email is looked at, even with an email nobody has.
    response = api.post(url(), {**REQUIRED, "email_address": "free@example.org"}, format="json")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert codes(response) == {"detail": ["throttled"]}
    assert not Customer.objects.filter(portal_user=newcomer).exists()
    # The portal page counts with the API: still refused, with a message beside nothing saved.
    client = Client()
    client.force_login(newcomer)
    page = client.post("/portal/profile/", {"first_name": "New", "preferred_contact_method": "3",
                                             "email_address": "free@example.org", "address-country_id": "826"})
    assert page.status_code == 200 and "Too many attempts" in page.content.decode()
    assert not Customer.objects.filter(portal_user=newcomer).exists()
    # Another citizen, and CSAs, are not affected.
    other = UserFactory(username="other-newcomer", role="citizen")
    assert token_client(other).post(url(), REQUIRED, format="json").status_code == 201
    for _ in range(4):
        assert token_client(csa).post(url(), REQUIRED, format="json").status_code == 201


@override_settings(CITIZEN_CREATE_RATE="2/hour")
def test_a_portal_form_with_a_create_integration_is_throttled_and_discreet_too(newcomer, taken):
    form = build_form(
        "sign-up",
        [("Contact_Type", "select"), ("Preferred_Contact_Method", "select"), ("Email", "email")],
        [("create", "submission", {"contact_type": "{Contact_Type}",
                                   "preferred_contact_method": "{Preferred_Contact_Method}",
                                   "email_address": "{Email}"}, {})],
        audience="citizen",
    )
    client = Client()
    client.force_login(newcomer)
    data = {"action": "submit", "Contact_Type": "Individual", "Preferred_Contact_Method": "3",
            "Email": "taken@example.org"}
    first = client.post(f"/portal/forms/{form.slug}/", data).content.decode()
    assert "contact the council" in first and "already" not in first
    client.post(f"/portal/forms/{form.slug}/", data)
    third = client.post(f"/portal/forms/{form.slug}/", {**data, "Email": "free@example.org"}).content.decode()
    assert "Too many attempts" in third
    assert not Customer.objects.filter(portal_user=newcomer).exists() and not Case.objects.exists()
