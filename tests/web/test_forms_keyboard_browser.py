"""Each demo form's journey by keyboard alone (Tab, Space, Enter and typing; no mouse): look up, change one
field, submit. The service then says exactly one field changed, in exactly one change record."""
from __future__ import annotations

import pytest
from django.utils import timezone

from integrations.demo import install_demo_forms
from integrations.models import Case, Integration
from profiles.models import Customer
from profiles.selectors import change_history, profile_get
from tests.factories import form_journey_customer
from tests.web.conftest import sign_in_as
from tests.web.test_browser import axe_violations, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOT_CHANGES = {"version", "updated_at"}


@pytest.fixture
def forms(server):
    install_demo_forms()


@pytest.fixture
def rita(server):
    return form_journey_customer()


def type_into(page, selector: str, text: str) -> None:
    """Tab to a box, select what it holds and type over it."""
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def look_up(page, ucrn: str) -> None:
    type_into(page, "#id_Ucrn", ucrn)
    tab_to(page, "button[value=lookup]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=the form is filled from their record")


def press_enter_in(page, selector: str) -> None:
    """Enter in a text box presses the form's default button: Submit."""
    tab_to(page, selector)
    page.keyboard.press("Enter")
    page.wait_for_url("**/hub/cases/CAS-*/")


def only_change(csa, customer, before: dict) -> tuple[list[str], list[str]]:
    """The Get output's names that changed since `before`, and the fields of the one change record the
    history must hold (unpacking fails when there are more)."""
    after = profile_get(ucrn=customer.ucrn, user=csa)
    (record,) = change_history(ucrn=customer.ucrn, user=csa)
    changed = sorted(n for n in after if n not in NOT_CHANGES and after[n] != before[n])
    return changed, [c["field"] for c in record.changes]


def test_contact_preferences_by_keyboard_changes_only_the_mobile(page, server, csa, forms, rita):
    before = profile_get(ucrn=rita.ucrn, user=csa)
    sign_in_as(page, server, csa)
    page.goto("/hub/forms/update-contact-preferences/")
    look_up(page, rita.ucrn)
    assert page.locator("#id_Phone_Number").input_value() == "0117 496 0239"
    assert page.locator("#id_Consent_To_Share").is_checked()
    assert not axe_violations(page), axe_violations(page)
    type_into(page, "#id_Mobile_Number", "07700 900777")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hub/cases/CAS-*/")
    assert only_change(csa, rita, before) == (["mobile_number"], ["mobile_number"])


def test_change_of_address_by_keyboard_corrects_only_the_street(page, server, csa, forms, rita):
    before = profile_get(ucrn=rita.ucrn, user=csa)
    sign_in_as(page, server, csa)
    page.goto("/hub/forms/change-of-address/")
    look_up(page, rita.ucrn)
    tab_to(page, "#id_Moved")
    page.keyboard.type("Cor")  # a select's type-ahead: "Correct the current address"
    assert page.locator("#id_Moved").input_value() == "1"
    type_into(page, "#id_Street", "Mill Road")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hub/cases/CAS-*/")
    assert only_change(csa, rita, before) == (["street"], ["address.street"])


def test_change_of_address_by_keyboard_a_move_with_the_date_left_alone_starts_today(page, server, csa, forms, rita):
    sign_in_as(page, server, csa)
    page.goto("/hub/forms/change-of-address/")
    look_up(page, rita.ucrn)
    assert page.locator("#id_Start_Date").input_value() == "2019-05-01"
    tab_to(page, "#id_Moved")
    page.keyboard.type("The")  # "The customer has moved (a new address)"
    type_into(page, "#id_House", "3")
    type_into(page, "#id_Street", "Canal Walk")
    type_into(page, "#id_Postcode", "m1 1ae")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hub/cases/CAS-*/")
    today = timezone.localdate()
    new = rita.addresses.get(is_primary=True)
    assert (new.street, new.postcode, new.start_date, new.end_date) == ("Canal Walk", "M1 1AE", today, None)
    assert rita.addresses.get(is_primary=False).end_date == today


def test_missed_bin_by_keyboard_raises_a_case_and_changes_no_record(page, server, csa, forms, rita):
    sign_in_as(page, server, csa)
    page.goto("/hub/forms/report-missed-bin/")
    look_up(page, rita.ucrn)
    tab_to(page, "#id_Bin_Type")
    page.keyboard.type("Gar")
    type_into(page, "#id_Details", "Left at the gate")
    press_enter_in(page, "#id_Postcode")
    case = Case.objects.get()
    assert case.customer == rita and case.data["Details"] == "Left at the gate"
    assert change_history(ucrn=rita.ucrn, user=csa) == []


def test_register_by_keyboard_creates_one_customer(page, server, csa, forms):
    sign_in_as(page, server, csa)
    page.goto("/hub/forms/register/")
    tab_to(page, "#id_Contact_Type")
    page.keyboard.type("Ind")
    type_into(page, "#id_First_Name", "Ada")
    type_into(page, "#id_Last_Name", "Keyboard")
    tab_to(page, "#id_Preferred_Contact_Method")
    page.keyboard.type("Pos")
    press_enter_in(page, "#id_Street")
    (customer,) = Customer.objects.all()
    (record,) = change_history(ucrn=customer.ucrn, user=csa)
    assert record.action == "create" and (customer.first_name, customer.last_name) == ("Ada", "Keyboard")


def test_a_draft_saved_twice_by_keyboard_then_submitted_is_one_customer_and_one_case(page, server, csa, forms):
    Integration.objects.filter(form__slug="register", kind="create").update(when="pre_submission")
    sign_in_as(page, server, csa)
    page.goto("/hub/forms/register/")
    tab_to(page, "#id_Contact_Type")
    page.keyboard.type("Ind")
    type_into(page, "#id_First_Name", "Ada")
    type_into(page, "#id_Last_Name", "Draft")
    tab_to(page, "#id_Preferred_Contact_Method")
    page.keyboard.type("Pos")
    tab_to(page, "button[value=save]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hub/cases/CAS-*/")
    tab_to(page, "a[href$='/edit/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/edit/")
    type_into(page, "#id_First_Name", "Adah")
    tab_to(page, "button[value=save]")
    page.keyboard.press("Space")
    page.wait_for_url("**/hub/cases/CAS-*/")
    tab_to(page, "a[href$='/edit/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/edit/")
    press_enter_in(page, "#id_Last_Name")
    (customer,) = Customer.objects.all()
    case = Case.objects.get()
    assert customer.first_name == "Adah" and case.customer == customer and case.status == Case.Status.SUBMITTED


def test_enter_in_the_ucrn_box_looks_up_and_enter_elsewhere_submits(page, server, csa, forms, rita):
    sign_in_as(page, server, csa)
    page.goto("/hub/forms/update-contact-preferences/")
    type_into(page, "#id_Ucrn", rita.ucrn)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=the form is filled from their record")
    assert not Case.objects.exists()
    type_into(page, "#id_Mobile_Number", "07700 900888")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hub/cases/CAS-*/")
    rita.refresh_from_db()
    assert rita.mobile_number == "+447700900888" and rita.consent_to_share == 1
