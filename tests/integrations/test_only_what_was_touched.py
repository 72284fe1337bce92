"""SPEC 5: a form changes only what the person changed; a draft is one case and one customer.

Through the doors a person uses: the CSA's form page and the portal (Django's client, posting exactly what
the page's form holds, as a browser would), and the REST form submissions.
"""
import datetime as dt
import html

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.demo import install_demo_forms
from integrations.models import Case, Form
from integrations.runner import submit
from profiles.display import END_DATE_HELP
from profiles.models import ChangeRecord, Customer
from tests.factories import CustomerFactory, form_journey_customer

from .conftest import build_form, page_form

PREFS = "/hub/forms/update-contact-preferences/"
MOVE = "/hub/forms/change-of-address/"


@pytest.fixture
def demo(db):
    install_demo_forms()


@pytest.fixture
def rita(db):
    """A customer who consented, with a landline, preferences, and an address since 2019-05-01."""
    return form_journey_customer()


def looked_up(client, url, ucrn, **typed):
    """The page after typing `typed` and pressing "Find customer" for `ucrn`: what its form now holds."""
    values, _ = page_form(client.get(url).content.decode())
    response = client.post(url, {**values, "Ucrn": ucrn, **typed, "action": "lookup"})
    assert response.status_code == 200
    return response


def changed_fields(customer):
    return [[c["field"] for c in record.changes] for record in ChangeRecord.objects.filter(customer=customer)]


# --- only what the person changed ------------------------------------------------------------------------------


def test_typing_only_a_mobile_without_a_lookup_keeps_consent_and_preferences(csa_client, demo, rita):
    response = csa_client.post(PREFS, {"Ucrn": rita.ucrn, "Contact_Type": "Individual",
                                       "Preferred_Contact_Method": "3", "Mobile_Number": "07700 900777",
                                       "action": "submit"})
    assert response.status_code == 302
    rita.refresh_from_db()
    assert rita.mobile_number == "+447700900777"
    assert (rita.consent_to_share, rita.notification_preference, rita.phone_number) == (1, [3, 1], "+441174960239")
    assert changed_fields(rita) == [["mobile_number"]]


def test_a_lookup_then_one_change_sends_only_that_change(csa_client, demo, rita):
    values, _ = page_form(looked_up(csa_client, PREFS, rita.ucrn).content.decode())
    assert values["Phone_Number"] == "0117 496 0239"  # the national format, as the rest of the hub shows it
    assert values["Consent_To_Share"] == "on"
    response = csa_client.post(PREFS, {**values, "Mobile_Number": "07700 900777", "action": "submit"})
    assert response.status_code == 302
    assert changed_fields(rita) == [["mobile_number"]]


def test_unticking_a_looked_up_consent_is_a_change(csa_client, demo, rita):
    values, _ = page_form(looked_up(csa_client, PREFS, rita.ucrn).content.decode())
    del values["Consent_To_Share"]
    csa_client.post(PREFS, {**values, "action": "submit"})
    rita.refresh_from_db()
    assert rita.consent_to_share == 0 and changed_fields(rita) == [["consent_to_share"]]


def test_a_citizens_portal_form_sends_only_what_they_changed(citizen, customer, demo):
    customer.consent_to_share = 1
    customer.save()
    client = Client()
    client.force_login(citizen)
    values, _ = page_form(client.get("/portal/forms/update-contact-preferences/").content.decode())
    response = client.post("/portal/forms/update-contact-preferences/",
                           {**values, "Mobile_Number": "07700 900555", "action": "submit"})
    assert response.status_code == 302
    assert changed_fields(customer) == [["mobile_number"]]


def test_a_rest_submission_sends_the_names_it_gives_and_no_others(csa, demo, rita):
    api = APIClient()
    api.force_authenticate(csa)
    url = "/api/v1/forms/update-contact-preferences/submissions/"
    base = {"Ucrn": rita.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": 3}
    assert api.post(url, {**base, "Mobile_Number": "07700 900777"}, format="json").status_code == 201
    rita.refresh_from_db()
    assert (rita.consent_to_share, rita.notification_preference) == (1, [3, 1])
    assert api.post(url, {**base, "Consent_To_Share": False}, format="json").status_code == 201
    rita.refresh_from_db()
    assert rita.consent_to_share == 0  # given, so sent: a caller that says "no" means it


def test_the_form_page_explains_the_rule(csa_client, demo):
    assert "Only what you change is sent" in csa_client.get(PREFS).content.decode()


# --- moves --------------------------------------------------------------------------------------------------------


def test_a_move_with_the_looked_up_start_date_left_alone_starts_today(csa_client, demo, rita):
    values, _ = page_form(looked_up(csa_client, MOVE, rita.ucrn).content.decode())
    assert values["Start_Date"] == "2019-05-01"
    response = csa_client.post(MOVE, {**values, "Moved": "0", "House": "3", "Street": "Canal Walk",
                                      "Postcode": "M1 1AE", "action": "submit"})
    assert response.status_code == 302
    today = timezone.localdate()
    new = rita.addresses.get(is_primary=True)
    old = rita.addresses.get(is_primary=False)
    assert (new.street, new.town, new.start_date, new.end_date) == ("Canal Walk", "Bristol", today, None)
    assert (old.start_date, old.end_date) == (dt.date(2019, 5, 1), today)


def test_a_move_with_a_start_date_typed_keeps_it(csa_client, demo, rita):
    values, _ = page_form(looked_up(csa_client, MOVE, rita.ucrn).content.decode())
    csa_client.post(MOVE, {**values, "Moved": "0", "Street": "Canal Walk", "Postcode": "M1 1AE",
                           "Start_Date": "2026-01-05", "action": "submit"})
    assert rita.addresses.get(is_primary=True).start_date == dt.date(2026, 1, 5)


def test_a_name_typed_on_the_change_of_address_form_is_sent(csa_client, demo, rita):
    values, _ = page_form(looked_up(csa_client, MOVE, rita.ucrn).content.decode())
    response = csa_client.post(MOVE, {**values, "Moved": "1", "First_Name": "Rosa", "action": "submit"})
    assert response.status_code == 302
    rita.refresh_from_db()
    assert rita.first_name == "Rosa" and changed_fields(rita) == [["first_name"]]


# --- the lookup ---------------------------------------------------------------------------------------------------


def test_a_lookup_keeps_what_was_typed_where_the_record_is_blank_and_says_what_it_replaced(csa_client, demo, rita):
    response = looked_up(csa_client, MOVE, rita.ucrn, Flat="Flat 2", Street="Typed Street", Postcode="M1 1AE")
    values, _ = page_form(response.content.decode())
    assert (values["Flat"], values["Street"], values["Postcode"]) == ("Flat 2", "Mill Lane", "BS1 4DJ")
    assert "Replaced from the record: Street, Postcode" in response.content.decode()


def test_a_second_lookup_replaces_what_the_first_filled(csa_client, demo, rita):
    other = CustomerFactory(phone_number="", address=False)
    values, _ = page_form(looked_up(csa_client, PREFS, rita.ucrn).content.decode())
    response = csa_client.post(PREFS, {**values, "Ucrn": other.ucrn, "action": "lookup"})
    values, _ = page_form(response.content.decode())
    assert values["Phone_Number"] == ""  # Rita's number was the record's, not typed: it goes with her
    assert "Replaced from the record" not in response.content.decode()


def test_submit_is_the_forms_default_button(csa_client, demo):
    """Enter in a box presses the form's first submit button: it must submit, not look up again."""
    for url in (PREFS, MOVE):
        _, buttons = page_form(csa_client.get(url).content.decode())
        assert buttons[0] == ("action", "submit"), buttons


def test_an_ended_primary_address_is_noted_on_lookup_whatever_the_field_is_called(csa_client, rita):
    rita.addresses.update(end_date=dt.date(2020, 1, 1))
    build_form("ended", [("Ucrn", "ucrn_lookup"), ("end_date", "date")], [("get", "lookup", {"ucrn": "{Ucrn}"}, {})])
    response = looked_up(csa_client, "/hub/forms/ended/", rita.ucrn)
    assert "The primary address has ended" in response.content.decode()


def test_end_date_fields_of_the_demo_forms_carry_the_seeds_help_text(demo):
    fields = [f for form in Form.objects.all() for f in form.fields.all() if f.data_name.lower() == "end_date"]
    assert fields and all(f.help_text == END_DATE_HELP for f in fields)
    assert "an end date in the past marks the address as ended" in END_DATE_HELP


def test_every_end_date_field_shows_the_seeds_help_text(csa_client, customer):
    """A form field named End_Date that an administrator gave no help text, and the CSA edit page's end date."""
    build_form("ends", [("Ucrn", "ucrn_lookup"), ("End_Date", "date")], [("get", "lookup", {"ucrn": "{Ucrn}"}, {})])
    for url in ("/hub/forms/ends/", f"/hub/customers/{customer.ucrn}/edit/"):
        page = html.unescape(csa_client.get(url).content.decode())
        assert "an end date in the past marks the address as ended" in page, url


# --- one case, one customer ---------------------------------------------------------------------------------------


@pytest.fixture
def register_draft(db):
    return build_form(
        "register-draft",
        [("Contact_Type", "select"), ("Preferred_Contact_Method", "select"), ("First_Name", "text"),
         ("Street", "text"), ("Postcode", "text")],
        [("create", "pre_submission", {"contact_type": "{Contact_Type}",
                                       "preferred_contact_method": "{Preferred_Contact_Method}",
                                       "first_name": "{First_Name}", "street": "{Street}", "postcode": "{Postcode}"},
          {})],
    )


def test_a_draft_saved_twice_then_submitted_makes_one_customer(register_draft, csa):
    values = {"Contact_Type": "Individual", "Preferred_Contact_Method": "3", "First_Name": "Ada",
              "Street": "Dock Road", "Postcode": "L1 8JQ"}
    first = submit(form=register_draft, values=values, user=csa, channel="form", final=False)
    assert first.ok, first.errors
    second = submit(form=register_draft, values={**values, "First_Name": "Adah"}, user=csa, channel="form",
                    final=False, case=first.case)
    assert second.ok, second.errors
    final = submit(form=register_draft, values={**values, "First_Name": "Adah"}, user=csa, channel="form",
                   case=second.case)
    assert final.ok, final.errors
    (customer,) = Customer.objects.all()
    assert customer.first_name == "Adah" and customer.addresses.count() == 1
    assert Case.objects.get().customer == customer
    assert [o["kind"] for o in second.outcomes] == ["update"]


def test_a_draft_whose_customer_was_merged_since_updates_the_survivor(register_draft, csa):
    from profiles.services.merge import profile_merge

    values = {"Contact_Type": "Individual", "Preferred_Contact_Method": "3", "First_Name": "Ada",
              "Street": "Dock Road", "Postcode": "L1 8JQ"}
    draft = submit(form=register_draft, values=values, user=csa, channel="form", final=False)
    made = draft.case.created_customer
    survivor = CustomerFactory()
    profile_merge(survivor_ucrn=survivor.ucrn, merged_ucrn=made.ucrn, choices={}, user=csa, channel="hub")
    again = submit(form=register_draft, values={**values, "First_Name": "Adah"}, user=csa, channel="form",
                   final=False, case=draft.case)
    assert again.ok, again.errors
    survivor.refresh_from_db()
    assert survivor.first_name == "Adah" and Customer.objects.filter(merged_into=None).count() == 1
