"""Case pages and the REST case output speak words (SPEC 5, "Pages speak words"): list values by name,
select options by their label, addresses as lines, phones in the national format, dates as dates, the
form's field labels; never a list id, a data name or an internal structure."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from rest_framework.test import APIClient

from integrations.demo import install_demo_forms
from integrations.models import Case
from profiles import values
from tests.factories import AddressFactory, CustomerFactory


@pytest.fixture
def forms(db):
    install_demo_forms()


@pytest.fixture
def mover(db):
    customer = CustomerFactory(first_name="Mo", last_name="Mover", address=False, preferred_contact_method_id=3)
    AddressFactory(customer=customer, is_primary=True, house="12", street="Old Road", town="Leeds", postcode="LS1 4AP",
                   start_date=dt.date(2019, 5, 1))
    return customer


def summary(page: str) -> dict[str, str]:
    """The page's summary list as {term: description}, tags stripped."""
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", page, re.S)
    return {text(term): text(value) for term, value in pairs}


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(page: str, heading: str) -> str:
    """The text from `heading` to the next h2."""
    start = page.index(f">{heading}</h2>")
    end = page.find("<h2", start)
    return text(page[start:end if end != -1 else None])


def submit_move(client, mover) -> Case:
    response = client.post("/hub/forms/change-of-address/", {
        "action": "submit", "Ucrn": mover.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": "2",
        "Moved": "0", "House": "3", "Street": "Canal Walk", "Town": "Manchester", "Postcode": "m1 1ae",
        "Start_Date": "2026-11-02",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.get()


def test_what_was_entered_shows_list_names_option_labels_and_dates(csa_client, forms, mover):
    case = submit_move(csa_client, mover)
    rows = summary(csa_client.get(f"/hub/cases/{case.reference}/").content.decode())
    assert rows["Preferred contact method"] == "Mobile"
    assert rows["What has happened?"] == "The customer has moved (a new address)"
    assert rows["Contact type"] == "Individual"
    assert rows["Living there since"] == "2 November 2026"
    assert rows["Postcode"] == "m1 1ae"  # as entered: the case keeps what the person typed


def test_the_case_names_its_customer(csa_client, forms, mover, django_assert_max_num_queries):
    case = submit_move(csa_client, mover)
    csa_client.get(f"/hub/cases/{case.reference}/")  # the reference lists, read once into the cache
    # session, user, roles, the case with its form and customer, the form's fields, the addresses named
    with django_assert_max_num_queries(6):
        page = text(csa_client.get(f"/hub/cases/{case.reference}/").content.decode())
    assert f"Customer: Mo Mover, UCRN {mover.ucrn}" in page


def test_titles_phones_and_checkboxes_are_words(csa_client, forms):
    response = csa_client.post("/hub/forms/register/", {
        "action": "submit", "Contact_Type": "Individual", "Prefix_Id": "1", "First_Name": "Tia",
        "Last_Name": "Title", "Phone_Number": "+441174960123", "Preferred_Contact_Method": "1",
    })
    assert response.status_code == 302
    case = Case.objects.get()
    page = csa_client.get(f"/hub/cases/{case.reference}/").content.decode()
    rows = summary(page)
    assert rows["Title"] == "Mr"
    assert rows["Telephone"] == "0117 496 0123"
    assert rows["Preferred contact method"] == "Phone"
    did = section(page, "What the integrations did")
    assert "Title: (blank) → Mr" in did
    assert "Telephone: (blank) → 0117 496 0123" in did
    assert "prefix_id" not in did and "phone_number" not in did and "+44" not in did


def test_what_the_integrations_did_names_fields_and_addresses(csa_client, forms, mover):
    case = submit_move(csa_client, mover)
    page = csa_client.get(f"/hub/cases/{case.reference}/").content.decode()
    did = section(page, "What the integrations did")
    today = values.today()
    assert "Preferred contact method: Email → Mobile" in did
    assert "New address: 3 Canal Walk, Manchester, M1 1AE" in did
    assert f"12 Old Road, Leeds, LS1 4AP: end date (blank) → {today.day} {today:%B %Y}" in did
    for code in ("address.end_date", "preferred_contact_method", "{", "'street'", "None", "2026-"):
        assert code not in did, code


def test_checkbox_lists_show_the_names_in_order(csa_client, forms, mover):
    response = csa_client.post("/hub/forms/update-contact-preferences/", {
        "action": "submit", "Ucrn": mover.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": "3",
        "Notification_Preference": ["4", "3"], "Consent_To_Share": "on",
    })
    assert response.status_code == 302
    case = Case.objects.get()
    page = csa_client.get(f"/hub/cases/{case.reference}/").content.decode()
    rows = summary(page)
    assert rows["Contact me by (in this order)"] == "Post, Email"
    assert rows["I agree to my details being shared with council services"] == "Yes"
    did = section(page, "What the integrations did")
    assert "Contact me by (in this order): Email, Phone → Post, Email" in did


def test_the_rest_submission_keeps_data_names_and_adds_words(db, csa, forms, mover):
    client = APIClient()
    client.force_authenticate(csa)
    response = client.post("/api/v1/forms/change-of-address/submissions/", {
        "Ucrn": mover.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": "2", "Moved": "0",
        "House": "3", "Street": "Canal Walk", "Postcode": "M1 1AE",
    }, format="json")
    assert response.status_code == 201, response.json()
    changes = {c["field"]: c for c in response.json()["outcomes"][0]["changes"]}
    method = changes["preferred_contact_method"]
    assert (method["before"], method["after"]) == (3, 2)  # data stays data
    assert (method["label"], method["before_text"], method["after_text"]) == ("Preferred contact method", "Email",
                                                                              "Mobile")
    assert changes["address"]["after_text"] == "3 Canal Walk, M1 1AE"
    assert changes["address.end_date"]["label"] == "12 Old Road, Leeds, LS1 4AP: end date"
