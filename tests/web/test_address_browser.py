"""Find by address in a real browser, by keyboard alone: on a form, a CSA types a postcode, picks one of the
addresses the hub holds and sees the address fields filled; on the Find by address page, on a phone."""
from __future__ import annotations

import datetime as dt

import pytest

from integrations.demo import install_demo_forms
from tests.factories import AddressFactory, CustomerFactory
from tests.web.conftest import sign_in_as
from tests.web.test_browser import axe_violations, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def held(server):
    """Two customers at 12 Old Road, one at 14; and Rita, who is moving there."""
    for house in ("12", "12", "14"):
        customer = CustomerFactory(address=False)
        AddressFactory(customer=customer, is_primary=True, house=house, street="Old Road", town="Leeds",
                       postcode="LS1 4AP", flat="")
    rita = CustomerFactory(first_name="Rita", last_name="Runner", address=False)
    AddressFactory(customer=rita, is_primary=True, flat="Flat 2", house="7", street="Mill Lane", town="Bristol",
                   postcode="BS1 4DJ", start_date=dt.date(2019, 5, 1))
    return rita


def value(page, selector: str) -> str:
    return page.eval_on_selector(selector, "e => e.value")


def test_a_csa_types_a_postcode_on_a_form_and_picks_an_address(page, server, csa, held):
    install_demo_forms()
    sign_in_as(page, server, csa)
    page.goto("/hub/forms/change-of-address/")
    tab_to(page, "#id_Ucrn")
    page.keyboard.type(held.ucrn)
    tab_to(page, "button[value=lookup]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=the form is filled from their record")
    assert value(page, "#id_Street") == "Mill Lane"

    tab_to(page, "#id_Search_For_Street_Postcode")
    page.keyboard.type("ls14ap")
    page.keyboard.press("Enter")  # presses "Find address", not Submit
    page.wait_for_selector("[data-address-choices]")
    assert page.get_by_text("12 Old Road, Leeds, LS1 4AP: 2 customers").is_visible()
    assert page.evaluate("document.activeElement.id") == "address-choice-1"  # focus on the first address
    assert value(page, "#id_Search_For_Street_Postcode") == "ls14ap"  # what was typed is kept
    assert axe_violations(page) == ""

    page.keyboard.press("ArrowDown")  # the second: 14 Old Road
    page.keyboard.press("Enter")  # presses "Use this address"
    page.wait_for_selector("text=Address filled in: 14 Old Road, Leeds, LS1 4AP")
    assert [value(page, f"#id_{n}") for n in ("Flat", "House", "Street", "Town", "Postcode")] == [
        "", "14", "Old Road", "Leeds", "LS1 4AP"]
    assert value(page, "#id_First_Name") == "Rita"  # the lookup's values are still there


def test_the_find_by_address_page_on_a_phone(browser, server, csa, held):
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=server.url)
    page = context.new_page()
    page.set_default_timeout(5000)
    try:
        sign_in_as(page, server, csa)
        page.goto("/hub/addresses/")
        tab_to(page, "#id_q")
        page.keyboard.type("old road, leeds")
        page.keyboard.press("Enter")
        page.wait_for_selector("#addresses-title")
        assert page.get_by_text("2 addresses found").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
        assert axe_violations(page) == ""
        tab_to(page, ".address-list a[href*='house=12']")
        page.keyboard.press("Enter")
        page.wait_for_selector("text=2 customers")
        assert page.locator("tbody tr").count() == 2
    finally:
        context.close()
