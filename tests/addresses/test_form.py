"""Find address on a form without JavaScript: "Find address" lists the addresses the hub holds, "Use this
address" fills the form's address fields; the helper is never sent to the record."""
from __future__ import annotations

import pytest
from django.test import Client

from integrations.checks import unsent_names
from integrations.models import Case
from profiles.models import Address
from tests.addresses.test_selector import live_at
from tests.integrations.conftest import build_form, page_form

pytestmark = pytest.mark.django_db
URL = "/hub/forms/move/"


@pytest.fixture
def move_form(db):
    """An Update form with the seed's address search helper above the address fields."""
    return build_form(
        "move",
        [("Ucrn", "ucrn_lookup"), ("Contact_Type", "select"), ("Preferred_Contact_Method", "select"),
         ("Search_For_Street_Postcode", "text"), ("Flat", "text"), ("House", "text"), ("Street", "text"),
         ("Town", "text"), ("Postcode", "text")],
        [("get", "lookup", {"ucrn": "{Ucrn}"}, {}),
         ("update", "submission", {"ucrn": "{Ucrn}", "contact_type": "{Contact_Type}",
                                   "preferred_contact_method": "{Preferred_Contact_Method}", "flat": "{Flat}",
                                   "house": "{House}", "street": "{Street}", "town": "{Town}",
                                   "postcode": "{Postcode}"}, {})],
    )


@pytest.fixture
def held(db):
    for _ in range(3):
        live_at("12", "Old Road", "Leeds", "LS1 4AP")
    live_at("14", "Old Road", "Leeds", "LS1 4AP")


def test_find_address_lists_the_addresses_with_counts_and_keeps_what_was_typed(csa_client, move_form, held):
    response = csa_client.post(URL, {"action": "find_address", "Search_For_Street_Postcode": "ls14ap",
                                     "Street": "typed before"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "12 Old Road, Leeds, LS1 4AP: 3 customers" in html and "14 Old Road, Leeds, LS1 4AP: 1 customer<" in html
    values, buttons = page_form(html)
    assert values["Street"] == "typed before" and values["Search_For_Street_Postcode"] == "ls14ap"
    assert ("action", "pick_address") in buttons


def test_use_this_address_fills_the_address_fields(csa_client, move_form, held):
    listed = csa_client.post(URL, {"action": "find_address", "Search_For_Street_Postcode": "LS1 4AP",
                                   "Flat": "Flat 9"})
    values, _ = page_form(listed.content.decode())  # the first address is chosen
    response = csa_client.post(URL, {**values, "action": "pick_address"})
    filled, _ = page_form(response.content.decode())
    assert (filled["Flat"], filled["House"], filled["Street"], filled["Town"], filled["Postcode"]) == (
        "", "12", "Old Road", "Leeds", "LS1 4AP")
    assert "Address filled in: 12 Old Road, Leeds, LS1 4AP" in response.content.decode()


def test_a_bad_search_is_shown_beside_the_box(csa_client, move_form):
    response = csa_client.post(URL, {"action": "find_address", "Search_For_Street_Postcode": "12"})
    assert response.status_code == 200
    assert "This is not an address search" in response.content.decode()


def test_no_choice_asks_for_one(csa_client, move_form, held):
    response = csa_client.post(URL, {"action": "pick_address", "Search_For_Street_Postcode": "LS1 4AP",
                                     "address_choice": '{"not": "an address"}'})
    html = response.content.decode()
    assert "Choose one of the addresses" in html and "12 Old Road, Leeds, LS1 4AP: 3 customers" in html


def test_the_helper_is_never_sent_to_the_record(csa_client, move_form, customer):
    before = Address.objects.filter(customer=customer).count()
    response = csa_client.post(URL, {"action": "submit", "Ucrn": customer.ucrn, "Contact_Type": "Individual",
                                     "Preferred_Contact_Method": "3", "Search_For_Street_Postcode": "LS1 4AP"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Address.objects.filter(customer=customer).count() == before  # no address field given: no record
    assert Case.objects.get().data["Search_For_Street_Postcode"] == "LS1 4AP"


def test_the_admin_does_not_ask_for_the_helper_to_be_sent():
    assert unsent_names(fields={"Search_For_Street_Postcode": False, "Other": False}, templates=["{Other}"],
                        writes=True) == []


def test_citizens_may_not_search_addresses(citizen, move_form, held):
    move_form.audience = "both"
    move_form.save()
    client = Client()
    client.force_login(citizen)
    page = client.get("/portal/forms/move/")
    assert page.status_code == 200 and "Find address" not in page.content.decode()
    assert "Search_For_Street_Postcode" not in page.content.decode()  # nor its box
    response = client.post("/portal/forms/move/", {"action": "find_address", "Search_For_Street_Postcode": "LS1"})
    assert response.status_code == 403
