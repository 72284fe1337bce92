"""A case keeps a form's values as they came (its JSON `data`): they are held to the limits of any JSON the
hub stores as it came (`core.jsonlimits`), on the page and through the API, draft or submission."""
from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from integrations.models import Case
from tests.integrations.conftest import ADDRESS_FIELDS, UPDATE_MAPPING, build_form

pytestmark = pytest.mark.django_db

HUGE = "x" * (64 * 1024 + 1)


@pytest.fixture
def form(db):
    """Change of address with notes boxes no integration sends: the case keeps them."""
    return build_form("notes-form", [*ADDRESS_FIELDS, ("Notes", "textarea"), ("Details", "textarea")],
                      [("update", "submission", UPDATE_MAPPING, {"update_primary_address": "1"})])


def values(customer, **extra) -> dict:
    return {"Ucrn": customer.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": "3",
            "Street": "Elm Road", "Moved": "1", **extra}


def test_a_submission_over_64_kb_is_400_naming_the_field(csa, customer, form):
    api = APIClient()
    api.force_authenticate(csa)
    response = api.post(f"/api/v1/forms/{form.slug}/submissions/", values(customer, Notes=HUGE), format="json")
    assert response.status_code == 400 and list(response.json()) == ["Notes"]
    assert not Case.objects.exists()
    customer.refresh_from_db()
    assert not customer.addresses.filter(street="Elm Road").exists()  # nothing of the submission applied
    ok = api.post(f"/api/v1/forms/{form.slug}/submissions/", values(customer, Notes="x" * 60_000), format="json")
    assert ok.status_code == 201, ok.json()


def test_values_together_over_64_kb_name_the_largest(csa, customer, form):
    api = APIClient()
    api.force_authenticate(csa)
    body = values(customer, Notes="n" * 40_000, Details="d" * 30_000)
    response = api.post(f"/api/v1/forms/{form.slug}/submissions/", body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["Notes"]
    assert not Case.objects.exists()


def test_a_draft_over_64_kb_is_not_saved(csa, customer, form):
    client = Client()
    client.force_login(csa)
    response = client.post(f"/hub/forms/{form.slug}/", {"action": "save", **values(customer, Notes=HUGE)})
    assert response.status_code == 200
    assert "At most 64 KB" in response.content.decode()
    assert not Case.objects.exists()
