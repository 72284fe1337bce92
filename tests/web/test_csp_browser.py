"""The Content-Security-Policy in a real browser: no page of the hub, nor the API docs, breaks
under it. Chromium reports every blocked script, style or frame on the console."""
from __future__ import annotations

import pytest

from tests.factories import CustomerFactory
from tests.web.conftest import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def csp_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def test_hub_pages_run_under_the_strict_policy(page, server, csa):
    customer = CustomerFactory()
    errors = csp_errors(page)
    sign_in_as(page, server, csa)
    for url in ["/hub/", "/hub/customers/?q=a", f"/hub/customers/{customer.ucrn}/",
                f"/hub/customers/{customer.ucrn}/edit/", "/hub/forms/", "/hub/cases/"]:
        response = page.goto(url)
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        assert page.evaluate("getComputedStyle(document.body).margin") is not None
    # The stylesheet applied (a blocked sheet would leave the browser's default 8px body margin).
    assert page.evaluate("getComputedStyle(document.querySelector('.header')).display") != ""
    assert errors == []


def test_api_docs_render_and_work(page, server, csa):
    errors = csp_errors(page)
    sign_in_as(page, server, csa)
    response = page.goto("/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Customer Service Hub API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-summary").first.wait_for()
    assert page.locator(".opblock").count() >= 8
    assert errors == []
