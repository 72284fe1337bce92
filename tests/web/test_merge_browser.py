"""The merge journey in a real browser: merge a duplicate with a per-field choice, by keyboard, then undo."""
from __future__ import annotations

import pytest

from profiles.models import Customer, Merge
from tests.factories import AddressFactory, CustomerFactory
from tests.web.conftest import sign_in_as
from tests.web.test_browser import axe_violations, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pair(server):
    keep = CustomerFactory(first_name="Mo", last_name="Merger", address=False, mobile_number="")
    AddressFactory(customer=keep, is_primary=True, house="4", street="Old Street", town="Leeds", postcode="LS1 4AP")
    other = CustomerFactory(first_name="Mo", last_name="Mergar", address=False, mobile_number="+447700900456")
    AddressFactory(customer=other, is_primary=True, house="8", street="Dock Road", town="Hull", postcode="HU1 1AA")
    return keep, other


def test_csa_merges_a_duplicate_choosing_a_field_then_undoes_it(page, server, csa, pair):
    keep, other = pair
    sign_in_as(page, server, csa)
    page.goto(f"/hub/customers/{keep.ucrn}/")
    page.get_by_role("link", name="Merge another customer into this one").click()
    page.get_by_label("UCRN of the customer to merge into this one").fill(other.ucrn)
    page.get_by_role("button", name="Compare the two customers").click()

    # Defaults: this customer's last name; the other's mobile (this one has none).
    assert page.locator("#choice_last_name-survivor").is_checked()
    assert page.locator("#choice_mobile_number-merged").is_checked()
    assert axe_violations(page) == ""
    # Take the other customer's last name, with the keyboard: Tab to the radio group, arrow to the other one.
    tab_to(page, "#choice_last_name-survivor")
    page.keyboard.press("ArrowRight")
    assert page.locator("#choice_last_name-merged").is_checked()
    page.get_by_role("button", name=f"Merge customer {other.ucrn} into this customer").click()

    page.wait_for_url(f"**/hub/customers/{keep.ucrn}/")
    assert f"Customer {other.ucrn} was merged into this customer" in page.locator(".messages").inner_text()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Mo Mergar")
    assert page.locator(".timeline__item").count() == 2
    kept = Customer.objects.get(pk=keep.pk)
    assert (kept.last_name, kept.mobile_number) == ("Mergar", "+447700900456")

    # The old UCRN opens the survivor, saying so.
    page.goto(f"/hub/customers/{other.ucrn}/")
    page.wait_for_url(f"**/hub/customers/{keep.ucrn}/")
    assert f"Customer {other.ucrn} was merged into {keep.ucrn}" in page.locator(".messages").inner_text()

    page.get_by_role("button", name=f"Undo this merge of customer {other.ucrn}").click()
    page.wait_for_url(f"**/hub/customers/{keep.ucrn}/")
    assert "The merge was undone" in page.locator(".messages").inner_text()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Mo Merger")
    assert page.locator(".timeline__item").count() == 1
    assert Merge.objects.get().undone_at is not None
    assert Customer.objects.get(pk=other.pk).status_id == "Active"
