"""Other systems' references in a real browser (SPEC 8.3): the search box finds a customer by one, and the
record shows it among "Other systems", with no axe-core violations."""
from __future__ import annotations

import pytest

from profiles.models import ExtendedSource
from profiles.services.extended import extended_put
from tests.factories import CustomerFactory
from tests.web.conftest import sign_in_as
from tests.web.test_browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_csa_finds_a_customer_by_a_reference_and_sees_it_on_the_record(page, server, csa):
    ExtendedSource.objects.create(slug="council_tax", name="Council tax", reference_key="account",
                                  reference_unique=True)
    customer = CustomerFactory(first_name="Rita", last_name="Reference")
    extended_put(ucrn=customer.ucrn, source="council_tax", data={"account": "CT-4242", "band": "D"}, user=csa,
                 channel="api")
    sign_in_as(page, server, csa)
    page.goto("/hub/")
    page.get_by_label("Find a customer").fill("council_tax:ct-4242")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=customer.ucrn).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Rita Reference")
    assert page.get_by_role("heading", name="Other systems").is_visible()
    assert "CT-4242" in page.locator("dl[aria-labelledby=references-title]").inner_text()
    assert axe_violations(page) == ""
