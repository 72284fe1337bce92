"""Journeys in a real browser (Playwright + chromium) against the live server, with axe-core checks."""
from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from profiles.models import Customer, Topic
from profiles.services.subscriptions import subscribe
from tests.factories import AddressFactory, CustomerFactory, UserFactory
from tests.web.conftest import customer_with, sign_in_as
from tests.web.test_record_page import with_cases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journey_customer(db):
    customer = CustomerFactory(first_name="Jo", last_name="Journey", address=False, phone_number="+441174960555")
    AddressFactory(customer=customer, is_primary=True, house="4", street="Old Street", town="Leeds", postcode="LS1 4AP")
    return customer


def axe_violations(page) -> str:
    """axe-core's report of the page's violations; "" when there are none."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return results.generate_report() if results.violations_count else ""


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches `selector`: the keyboard alone, no clicks."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_csa_records_a_move(page, server, csa, journey_customer):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("csa")
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/hub/")

    page.get_by_label("Find a customer").fill("ls1 4ap")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=journey_customer.ucrn).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Jo Journey")

    page.get_by_role("link", name="Edit customer").click()
    page.get_by_label("The customer has moved").check()
    page.locator("#id_new-house").fill("22")
    page.locator("#id_new-street").fill("New Street")
    page.locator("#id_new-town").fill("Manchester")
    page.locator("#id_new-postcode").fill("m1 1ae")
    page.get_by_role("button", name="Save changes").click()

    page.wait_for_url(f"**/hub/customers/{journey_customer.ucrn}/")
    items = page.locator(".timeline__item")
    assert items.count() == 2
    assert "22 New Street, Manchester, M1 1AE" in items.nth(0).inner_text()
    assert "Current (primary)" in items.nth(0).inner_text()
    today = timezone.localdate()
    assert f"to {today.day} {today:%B %Y}" in items.nth(1).inner_text()
    assert "Current (primary)" not in items.nth(1).inner_text()
    history = page.locator(".table--history").inner_text()
    assert "New address" in history and "22 New Street" in history and "csa" in history
    assert "Saved" in page.locator(".messages").inner_text()


def test_csa_corrects_the_current_address(page, server, csa, journey_customer):
    sign_in_as(page, server, csa)
    page.goto(f"/hub/customers/{journey_customer.ucrn}/edit/")
    page.get_by_label("Correct the current address").check()
    assert page.locator("#id_cur-street").input_value() == "Old Street"
    assert not page.locator("#id_new-street").is_visible()  # the move's fields stay hidden
    page.locator("#id_cur-street").fill("Correct Street")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/hub/customers/{journey_customer.ucrn}/")
    assert page.locator(".timeline__item").count() == 1
    assert "4 Correct Street, Leeds, LS1 4AP" in page.locator(".timeline").inner_text()


def test_citizen_edits_own_profile(page, server, citizen, customer):
    sign_in_as(page, server, citizen)
    page.goto("/portal/profile/")
    page.get_by_role("link", name="Change your details").click()
    page.get_by_label("First name").fill("Citizenname")
    page.get_by_role("checkbox", name="Post").check()
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url("**/portal/profile/")
    assert "Citizenname" in page.locator(".summary").first.inner_text()
    customer.refresh_from_db()
    assert customer.first_name == "Citizenname" and customer.notification_preference == [3, 1, 4]


def test_citizen_refuses_email_and_is_told_what_it_ends(page, server, citizen, customer):
    Topic.objects.create(slug="bin-reminders", name="Bin collection reminders", channels=["email"])
    subscribe(ucrn=customer.ucrn, topic="bin-reminders", channel="email", user=citizen, door="portal")
    sign_in_as(page, server, citizen)
    page.goto("/portal/profile/edit/")
    email = page.get_by_label("Permission to email")
    expect(page.get_by_text("Refusing email ends 1 subscription")).to_be_visible()
    email.select_option("refused")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url("**/portal/profile/")
    expect(page.get_by_text("No subscriptions.")).to_be_visible()
    customer.refresh_from_db()
    assert customer.permission_email == "refused"


def test_citizen_cannot_open_the_hub(page, server, citizen, other_customer):
    sign_in_as(page, server, citizen)
    for url in ["/hub/", f"/hub/customers/{other_customer.ucrn}/", "/hub/customers/?q=a"]:
        response = page.goto(url)
        assert response.status == 403, url
        assert "You cannot see this page" in page.content()


def test_error_summary_takes_focus_and_links_to_fields(page, server, csa):
    sign_in_as(page, server, csa)
    page.goto("/hub/customers/new/")
    page.get_by_label("Contact type (required)").select_option("Individual")
    page.get_by_label("Preferred contact method (required)").select_option("1")
    page.get_by_label("Telephone", exact=True).fill("not a number")
    page.get_by_role("button", name="Create customer").click()
    summary = page.locator("[data-error-summary]")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.matches('[data-error-summary]')")
    summary.get_by_role("link").filter(has_text="phone number").first.click()
    assert page.evaluate("document.activeElement.id") == "id_Phone_Number"
    assert Customer.objects.count() == 0


def test_no_axe_violations_on_any_page(page, server, csa, citizen, customer):
    checked = {}
    page.goto("/accounts/login/")
    checked["login"] = axe_violations(page)
    sign_in_as(page, server, csa)
    for name, url in [
        ("dashboard", "/hub/"),
        ("search", f"/hub/customers/?q={customer.last_name}"),
        ("record", f"/hub/customers/{customer.ucrn}/"),
        ("create", "/hub/customers/new/"),
        ("edit", f"/hub/customers/{customer.ucrn}/edit/"),
    ]:
        page.goto(url)
        checked[name] = axe_violations(page)
    page.get_by_label("The customer has moved").check()
    checked["edit, moving"] = axe_violations(page)
    page.locator("#id_new-postcode").fill("XYZ")
    page.locator("#id_new-house").fill("1")
    page.get_by_label("Preferred contact method (required)").select_option("")
    page.get_by_role("button", name="Save changes").click()
    page.locator("[data-error-summary]").wait_for()
    checked["edit, errors"] = axe_violations(page)

    page.context.clear_cookies()
    sign_in_as(page, server, citizen)
    for name, url in [("portal profile", "/portal/profile/"), ("portal edit", "/portal/profile/edit/")]:
        page.goto(url)
        checked[name] = axe_violations(page)
    page.goto("/hub/")
    checked["403"] = axe_violations(page)
    assert {name: report for name, report in checked.items() if report} == {}


def test_portal_create_page_has_no_axe_violations(page, server, db):
    sign_in_as(page, server, UserFactory(username="fresh", role="citizen"))
    page.goto("/portal/profile/")
    assert page.get_by_role("heading", name="Create your profile").is_visible()
    assert axe_violations(page) == ""


def test_keyboard_alone_completes_the_edit_journey(page, server, csa, journey_customer):
    sign_in_as(page, server, csa)
    page.goto(f"/hub/customers/{journey_customer.ucrn}/")
    tab_to(page, "a[href$='/edit/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/edit/")

    tab_to(page, "#id_first_name")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # focus visible
    page.keyboard.press("Control+A")
    page.keyboard.type("Joanna")
    tab_to(page, "input[name=address_change]")
    page.keyboard.press("ArrowDown")  # Correct the current address
    page.keyboard.press("ArrowDown")  # The customer has moved
    tab_to(page, "#id_new-house")
    page.keyboard.type("8")
    page.keyboard.press("Tab")
    page.keyboard.type("Keyboard Lane")
    tab_to(page, "#id_new-postcode")
    page.keyboard.type("BS1 4DJ")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url(f"**/hub/customers/{journey_customer.ucrn}/")
    journey_customer.refresh_from_db()
    assert journey_customer.first_name == "Joanna"
    primary = journey_customer.addresses.get(is_primary=True)
    assert (primary.house, primary.street, primary.postcode) == ("8", "Keyboard Lane", "BS1 4DJ")


@pytest.mark.parametrize("path", ["record", "edit"])
def test_pages_fit_a_375px_screen(page, server, csa, journey_customer, path):
    sign_in_as(page, server, csa)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/hub/customers/{journey_customer.ucrn}/" + ("edit/" if path == "edit" else ""))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_record_links_to_the_whole_history_and_every_case(page, server, csa):
    customer = customer_with(addresses=2, history=25)
    with_cases(customer, 12, csa)
    sign_in_as(page, server, csa)
    page.goto(f"/hub/customers/{customer.ucrn}/")
    assert page.locator('td[data-label="When"]').count() == 20
    page.get_by_role("link", name="The whole change history").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change history of")
    assert page.locator('td[data-label="When"]').count() == 20
    assert axe_violations(page) == ""
    page.get_by_role("link", name="Older changes").click()
    assert page.locator('td[data-label="When"]').count() == 5
    page.get_by_role("link", name="Back to the record").click()
    page.get_by_role("link", name="All cases of").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Cases of customer {customer.ucrn}")
    assert page.locator("tbody tr").count() == 12
    assert axe_violations(page) == ""
