"""In a real browser: axe-core on the form, case, record and start pages at a phone's and a desktop's
width, and "Contact me by" put in order with the keyboard alone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from integrations.demo import install_demo_forms
from integrations.models import Case
from profiles.services import profile_update
from tests.factories import AddressFactory, CustomerFactory
from tests.web.conftest import sign_in_as
from tests.web.test_browser import axe_violations, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [375, 1280]


@pytest.fixture
def forms(server):
    install_demo_forms()


@pytest.fixture
def person(server, csa):
    customer = CustomerFactory(first_name="Rita", last_name="Runner", address=False, notification_preference=[],
                               preferred_contact_method_id=3)
    AddressFactory(customer=customer, is_primary=True, house="7", street="Mill Lane", town="Bristol",
                   postcode="BS1 4DJ")
    profile_update(ucrn=customer.ucrn, data={"house": "9", "street": "Weir Road", "postcode": "BS1 5AA",
                                             "preferred_contact_method": 2},
                   user=csa, channel="hub", full=False)
    return customer


def look_up(page, ucrn: str) -> None:
    page.get_by_label("Customer reference (UCRN)").fill(ucrn)
    page.get_by_role("button", name="Find customer").click()
    page.wait_for_selector("text=the form is filled from their record")


def focused(page) -> str:
    return page.evaluate("document.activeElement.outerHTML")


@pytest.mark.parametrize("width", WIDTHS)
def test_form_case_record_and_start_pages_have_no_axe_violations(page, server, csa, forms, person, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_as(page, server, csa)
    checked = {}
    page.goto("/hub/forms/update-contact-preferences/")
    look_up(page, person.ucrn)
    page.get_by_role("checkbox", name="Email").check()
    page.get_by_role("checkbox", name="Phone").check()
    checked["form"] = axe_violations(page)
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url("**/hub/cases/CAS-*/")
    checked["case, draft"] = axe_violations(page)
    page.get_by_role("link", name="Reopen and edit").click()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/hub/cases/CAS-*/")
    checked["case"] = axe_violations(page)
    page.goto(f"/hub/customers/{person.ucrn}/")
    checked["record"] = axe_violations(page)
    Case.objects.create(form=Case.objects.get().form, customer=person, submitted_by=csa, status=Case.Status.DRAFT)
    page.goto("/hub/")
    assert page.get_by_role("link", name="Rita Runner").count() >= 1
    checked["start"] = axe_violations(page)
    assert {name: report for name, report in checked.items() if report} == {}
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_contact_me_by_is_ordered_with_the_keyboard_alone(page, server, csa, forms, person):
    sign_in_as(page, server, csa)
    page.goto("/hub/forms/update-contact-preferences/")
    tab_to(page, "#id_Ucrn")
    page.keyboard.type(person.ucrn)
    tab_to(page, "button[value=lookup]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=the form is filled from their record")

    # Tick Phone, then Email: ticked items go in the order shown, Phone first.
    tab_to(page, "input[name=Notification_Preference][value='1']")
    page.keyboard.press("Space")
    tab_to(page, "input[name=Notification_Preference][value='3']")
    page.keyboard.press("Space")
    # The order numbers are for browsers without JavaScript: here the buttons replace them.
    assert not page.locator("input[name^='Notification_Preference-order-']").first.is_visible()
    tab_to(page, "button[data-move=up][data-value='3']")
    assert "Move up" in page.evaluate("document.activeElement.innerText")
    page.keyboard.press("Enter")
    status = page.locator("[data-order-status]")
    assert status.get_attribute("role") == "status"
    expect(status).to_have_text("Email is now number 1 of 2.")
    assert 'value="3"' in page.evaluate(
        "document.activeElement.closest('[data-choice]').querySelector('input[type=checkbox]').outerHTML")
    assert 'data-move="up"' in focused(page)  # the focus stays on the button that moved
    order = page.locator("[data-ordered-choices] input[type=checkbox]:checked")
    assert [order.nth(n).get_attribute("value") for n in range(order.count())] == ["3", "1"]
    page.keyboard.press("Enter")  # already first: said, not moved
    expect(status).to_have_text("Email is already first.")

    tab_to(page, "button[value=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hub/cases/CAS-*/")
    person.refresh_from_db()
    assert person.notification_preference == [3, 1]
    assert "Email, Phone" in page.locator("main").inner_text()


def test_ordered_list_without_javascript_uses_order_numbers(browser, server, csa, forms, person):
    context = browser.new_context(java_script_enabled=False, base_url=server.url)
    page = context.new_page()
    try:
        sign_in_as(page, server, csa)
        page.goto("/hub/forms/update-contact-preferences/")
        look_up(page, person.ucrn)
        page.get_by_role("checkbox", name="Phone").check()
        page.get_by_role("checkbox", name="Post").check()
        page.get_by_label("Order of Post").fill("1")
        page.get_by_label("Order of Phone").fill("2")
        assert page.get_by_role("button", name="Move up").count() == 0
        page.get_by_role("button", name="Submit").click()
        page.wait_for_url("**/hub/cases/CAS-*/")
        person.refresh_from_db()
        assert person.notification_preference == [4, 1]
    finally:
        context.close()
