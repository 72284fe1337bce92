"""The CSA pages and the portal refuse placeholders (SPEC 8.4) beside the field, and save nothing."""
from __future__ import annotations

import pytest

from profiles.models import Customer
from tests.profiles.support import db_state
from tests.web.test_pages import portal_edit, valid_edit

pytestmark = pytest.mark.django_db


def test_the_csa_create_page_refuses_a_placeholder_email(csa_client):
    before = db_state()
    response = csa_client.post("/hub/customers/new/", {
        "Contact_Type": "Individual", "First_Name": "Ada", "Last_Name": "Lovelace",
        "Email_Address": "noemail@council.gov.uk", "Preferred_Contact_Method": "3", "action": "submit",
    })
    page = response.content.decode()
    assert response.status_code == 200 and 'href="#id_Email_Address"' in page
    assert "placeholder" in page
    assert db_state() == before


def test_the_csa_edit_page_refuses_a_placeholder_phone(csa_client, customer):
    before = db_state()
    response = csa_client.post(f"/hub/customers/{customer.ucrn}/edit/",
                               valid_edit(customer, phone_number="00000 000000"))
    page = response.content.decode()
    assert response.status_code == 200 and 'href="#id_phone_number"' in page and "placeholder" in page
    assert db_state() == before


def test_the_portal_refuses_a_placeholder_name_and_takes_a_real_one(citizen_client, customer):
    before = db_state()
    response = citizen_client.post("/portal/profile/edit/", portal_edit(customer, last_name="Unknown"))
    page = response.content.decode()
    assert response.status_code == 200 and 'href="#id_last_name"' in page and "placeholder" in page
    assert db_state() == before
    response = citizen_client.post("/portal/profile/edit/", portal_edit(customer, last_name="Unknowles"))
    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).last_name == "Unknowles"
