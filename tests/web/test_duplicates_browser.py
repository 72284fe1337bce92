"""Likely duplicates in a real browser: the Create customer page stops, shows them, keeps what
was typed, and creates on "These are different people: create anyway"; the record page's panel and its
"Not the same person" button. axe-core on both."""
from __future__ import annotations

import datetime as dt

import pytest

from profiles.models import Customer, NotSamePerson
from tests.factories import AddressFactory, CustomerFactory
from tests.web.conftest import sign_in_as
from tests.web.test_browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def existing(server):
    customer = CustomerFactory(first_name="Dora", last_name="Duplicate", birth_date=dt.date(1980, 2, 29),
                               address=False)
    AddressFactory(customer=customer, is_primary=True, house="4", street="Harbour Way", postcode="BS1 4DJ")
    return customer


def test_create_page_shows_likely_duplicates_then_creates_on_confirmation(page, server, csa, existing):
    sign_in_as(page, server, csa)
    page.goto("/hub/customers/new/")
    page.get_by_label("Contact type (required)").select_option("Individual")
    page.get_by_label("Preferred contact method (required)").select_option("1")
    page.get_by_label("First name").fill("Dora")
    page.get_by_label("Last name").fill("Duplicate")
    page.get_by_label("Date of birth").fill("1980-02-29")
    page.get_by_role("button", name="Create customer").click()

    warning = page.locator("[data-duplicates-warning]")
    warning.wait_for()
    assert warning.get_attribute("role") == "alert"
    table = page.locator("[data-duplicates]")
    assert existing.ucrn in table.inner_text() and "4 Harbour Way" in table.inner_text()
    assert "Same name and date of birth" in table.inner_text()
    assert page.get_by_label("Last name").input_value() == "Duplicate"  # what was typed is kept
    assert Customer.objects.count() == 1
    assert not axe_violations(page), axe_violations(page)

    page.get_by_label("These are different people: create anyway").check()
    page.get_by_role("button", name="Create customer").click()
    page.wait_for_url("**/hub/customers/*/")
    created = Customer.objects.exclude(pk=existing.pk).get()
    assert page.url.endswith(f"/hub/customers/{created.ucrn}/")
    assert NotSamePerson.objects.filter(first=existing, second=created).exists()


def test_record_page_panel_and_not_the_same_person_button(page, server, csa, existing):
    other = CustomerFactory(first_name="Dora", last_name="Duplicate", birth_date=dt.date(1980, 2, 29))
    sign_in_as(page, server, csa)
    page.goto(f"/hub/customers/{existing.ucrn}/")
    panel = page.get_by_role("region", name="Possible duplicates")
    assert other.ucrn in panel.inner_text()
    assert not axe_violations(page), axe_violations(page)
    page.get_by_role("button", name=f"Not the same person as customer {other.ucrn}").click()
    page.get_by_text("recorded as different people").wait_for()
    assert page.get_by_role("heading", name="Possible duplicates").count() == 0
    assert NotSamePerson.objects.filter(first=existing, second=other).exists()
