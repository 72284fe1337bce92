"""The form runner in a real browser: lookup, submit, errors, drafts, the citizen's form, axe-core."""
from __future__ import annotations

import pytest

from integrations.demo import install_demo_forms
from integrations.models import Case
from tests.factories import AddressFactory, CustomerFactory
from tests.web.conftest import sign_in_as
from tests.web.test_browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def forms(server):
    install_demo_forms()


@pytest.fixture
def person(server):
    customer = CustomerFactory(first_name="Rita", last_name="Runner", address=False)
    AddressFactory(customer=customer, is_primary=True, house="7", street="Mill Lane", postcode="BS1 4DJ")
    return customer


def look_up(page, ucrn: str) -> None:
    page.get_by_label("Customer reference (UCRN)").fill(ucrn)
    page.get_by_role("button", name="Find customer").click()
    page.wait_for_selector("text=the form is filled from their record")


def test_lookup_fills_and_ignore_empty_entries_keeps_a_blank_postcode(page, server, csa, forms, person):
    sign_in_as(page, server, csa)
    page.goto("/hub/forms/update-contact-preferences/")
    look_up(page, person.ucrn)
    assert page.get_by_role("textbox", name="Telephone").input_value() != ""
    page.get_by_role("textbox", name="Telephone").fill("")  # blank, with Ignore Empty Entries ticked: kept
    page.get_by_role("textbox", name="Mobile").fill("07700 900777")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/hub/cases/CAS-*/")
    person.refresh_from_db()
    assert person.mobile_number == "+447700900777" and person.phone_number
    assert not axe_violations(page), axe_violations(page)


def test_moved_adds_an_address_and_end_dates_the_old(page, server, csa, forms, person):
    sign_in_as(page, server, csa)
    page.goto("/hub/forms/change-of-address/")
    look_up(page, person.ucrn)
    assert page.get_by_label("Postcode (required)").input_value() == "BS1 4DJ"
    page.get_by_label("What has happened? (required)").select_option("0")
    page.get_by_label("House name or number").fill("3")
    page.get_by_label("Street (required)").fill("Canal Walk")
    page.get_by_label("Postcode (required)").fill("m1 1ae")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/hub/cases/CAS-*/")
    assert person.addresses.count() == 2
    assert person.addresses.get(is_primary=True).postcode == "M1 1AE"
    assert person.addresses.get(is_primary=False).end_date is not None


def test_an_invalid_value_is_shown_beside_the_field_and_nothing_is_saved(page, server, csa, forms, person):
    sign_in_as(page, server, csa)
    page.goto("/hub/forms/change-of-address/")
    look_up(page, person.ucrn)
    page.get_by_label("What has happened? (required)").select_option("1")
    page.get_by_label("Postcode (required)").fill("XYZ")
    page.get_by_role("button", name="Submit").click()
    assert "not a valid UK postcode" in page.locator("#id_Postcode-error").inner_text()
    assert page.evaluate("document.activeElement.matches('[data-error-summary]')")
    assert not Case.objects.exists() and person.addresses.count() == 1
    assert not axe_violations(page), axe_violations(page)


def test_reopening_a_case_shows_the_changed_values(page, server, csa, forms, person):
    sign_in_as(page, server, csa)
    page.goto("/hub/forms/change-of-address/")
    look_up(page, person.ucrn)
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("What has happened? (required)").select_option("1")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url("**/hub/cases/CAS-*/")
    assert not axe_violations(page), axe_violations(page)
    page.get_by_role("link", name="Reopen and edit").click()
    assert page.get_by_label("First name").input_value() == "Rosa"
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/hub/cases/CAS-*/")
    assert Case.objects.get().status == Case.Status.SUBMITTED


def test_a_citizens_form_is_prefilled_and_cannot_look_up_another(page, server, citizen, customer, forms):
    other = CustomerFactory()
    sign_in_as(page, server, citizen)
    page.goto("/portal/forms/update-contact-preferences/")
    assert page.get_by_label("Customer reference (UCRN)").input_value() == customer.ucrn
    assert not axe_violations(page), axe_violations(page)
    page.get_by_label("Customer reference (UCRN)").fill(other.ucrn)
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name="Find customer").click()
    assert response.value.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "You cannot see this page"
    assert other.last_name not in page.content()


def test_runner_list_and_case_list_have_no_axe_violations(page, server, csa, forms):
    sign_in_as(page, server, csa)
    for path in ["/hub/forms/", "/hub/cases/", "/hub/forms/report-missed-bin/"]:
        page.goto(path)
        assert not axe_violations(page), f"{path}\n{axe_violations(page)}"


def test_ignore_empty_entries_keeps_the_postcode_left_blank(page, server, csa, person):
    """Seed 004: with Ignore Empty Entries ticked, updating only the street does not blank the postcode."""
    from tests.integrations.conftest import ADDRESS_FIELDS, UPDATE_MAPPING, build_form

    build_form("correct-street", ADDRESS_FIELDS,
               [("get", "lookup", {"ucrn": "{Ucrn}"}, {}),
                ("update", "submission", UPDATE_MAPPING,
                 {"update_primary_address": "1", "ignore_empty_entries": True})])
    sign_in_as(page, server, csa)
    page.goto("/hub/forms/correct-street/")
    page.get_by_label("Ucrn").fill(person.ucrn)
    page.get_by_role("button", name="Find customer").click()
    page.get_by_label("Street").fill("Mill Road")
    page.get_by_label("Postcode").fill("")
    page.get_by_label("Moved").select_option(index=0)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/hub/cases/CAS-*/")
    address = person.addresses.get()
    assert (address.street, address.postcode) == ("Mill Road", "BS1 4DJ")
