"""Hostile JSON at the API's door: bodies nested a thousand levels deep and text that is not Unicode (a lone
surrogate, `"\\ud800"`) are a 400 with a code on every JSON endpoint, never a 500, and change nothing.

The parser (`core.api.JSONParser`, the one every DRF view uses) refuses them before any view runs, naming
the top-level key that holds them; the profile service refuses the same text for doors that are not JSON.
"""
from __future__ import annotations

import json

import pytest
from drf_spectacular.generators import SchemaGenerator

from integrations.models import Case
from profiles.models import Address, ChangeRecord, Customer
from systems.models import Event
from tests.api.conftest import codes, url
from tests.integrations.conftest import ADDRESS_FIELDS, UPDATE_MAPPING, build_form

pytestmark = pytest.mark.django_db

DEEP = 1000  # about where Python's json module gives up with RecursionError


def deep_array(levels: int = DEEP) -> str:
    return "[" * levels + "]" * levels


def deep_object(levels: int = DEEP) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


def json_writes() -> list[tuple[str, str]]:
    """(method, path) of every operation of the OpenAPI schema that takes a request body."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(method, path) for path, operations in schema["paths"].items() for method, operation in operations.items()
            if method in ("post", "put", "patch") and "requestBody" in operation]


@pytest.fixture
def form(db):
    return build_form("change-of-address", ADDRESS_FIELDS,
                      [("update", "submission", UPDATE_MAPPING, {"update_primary_address": "1"})])


def stored() -> tuple:
    return (Customer.objects.count(), Address.objects.count(), ChangeRecord.objects.count(), Event.objects.count(),
            Case.objects.count())


def fill(path: str, customer, form) -> str:
    return path.replace("{ucrn}", customer.ucrn).replace("{slug}", form.slug).replace("{id}", "1")


def test_the_list_of_json_writes_is_the_schema_s():
    """The tests below walk the schema: a new endpoint with a body is covered without editing them."""
    assert ("post", "/api/v1/profiles") in json_writes() and len(json_writes()) >= 8


@pytest.mark.parametrize("body", [deep_array(), deep_object(), '{"first_name": ' + deep_array() + "}"],
                         ids=["array", "object", "in-a-field"])
def test_deeply_nested_json_is_400_on_every_json_endpoint(admin_api, customer, form, settings, body):
    settings.DEBUG = True  # the 500 was Django's full traceback page
    before = stored()
    for method, path in json_writes():
        response = getattr(admin_api, method)(fill(path, customer, form), body, content_type="application/json")
        assert response.status_code == 400, (method, path, response.content[:300])
        assert "too_deep" in {code for found in codes(response).values() for code in found}, (method, path)
    assert stored() == before


def test_the_error_names_the_field_that_holds_the_nesting(csa_api, customer):
    raw = '{"first_name": "Ann", "custom_1": ' + deep_array(50) + "}"
    response = csa_api.patch(url(customer.ucrn), raw, content_type="application/json")
    assert response.status_code == 400
    assert codes(response) == {"custom_1": ["too_deep"]}


def test_a_body_nested_within_the_limit_reaches_the_service(csa_api, customer):
    """Ordinary nesting is the service's to judge: a list where text is expected is its `invalid`."""
    raw = '{"custom_1": ' + deep_array(5) + "}"
    response = csa_api.patch(url(customer.ucrn), raw, content_type="application/json")
    assert response.status_code == 400 and codes(response) == {"custom_1": ["invalid"]}


SURROGATE_BODIES = {
    "value": '{"first_name": "lone \\ud800 surrogate"}',
    "key": '{"first_\\udc00name": "Ann"}',
    "list": '{"notification_preference": ["\\udfff"]}',
    "choice": '{"contact_type": "\\ud800"}',
}


@pytest.mark.parametrize("where", list(SURROGATE_BODIES))
def test_a_lone_surrogate_in_a_profile_write_is_400(csa_api, customer, where):
    before = stored()
    raw = SURROGATE_BODIES[where]
    for method, path in (("post", url()), ("patch", url(customer.ucrn)), ("put", url(customer.ucrn))):
        response = getattr(csa_api, method)(path, raw, content_type="application/json")
        assert response.status_code == 400, (method, response.content)
        found = codes(response)
        assert ["invalid_text"] in found.values(), found
        json.dumps(response.json(), ensure_ascii=False).encode()  # the answer itself is Unicode
    assert stored() == before


def test_a_properly_paired_surrogate_is_an_ordinary_character(csa_api, customer):
    response = csa_api.patch(url(customer.ucrn), '{"custom_1": "smile \\ud83d\\ude00"}',
                             content_type="application/json")
    assert response.status_code == 200 and response.json()["custom_1"] == "smile \U0001F600"


def test_a_lone_surrogate_in_the_import_is_400_and_writes_nothing(csa_api, customer):
    records = [{"email_address": customer.email_address, "first_name": "Changed"},
               {"email_address": customer.email_address, "first_name": "\ud800"}]
    raw = json.dumps({"matching": "email_address", "records": records})  # ensure_ascii: "\\ud800"
    response = csa_api.post("/api/v1/profiles/import", raw, content_type="application/json")
    assert response.status_code == 400 and codes(response) == {"records": ["invalid_text"]}
    customer.refresh_from_db()
    assert customer.first_name != "Changed"


def test_a_lone_surrogate_in_a_form_submission_is_400(csa_api, customer, form):
    """On PostgreSQL the case's `jsonb` could not hold it; on SQLite the driver could not encode it."""
    body = {"Ucrn": customer.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": "3",
            "First_Name": "\ud800", "Street": "Elm Road", "Moved": "1"}
    response = csa_api.post(f"/api/v1/forms/{form.slug}/submissions/", json.dumps(body),
                            content_type="application/json")
    assert response.status_code == 400 and codes(response) == {"First_Name": ["invalid_text"]}
    assert not Case.objects.exists()


def test_a_lone_surrogate_in_an_event_is_400(csa_api, customer):
    raw = json.dumps({"type": "x", "ucrn": customer.ucrn, "properties": {"a": ["\udfff"]}})
    response = csa_api.post("/api/v1/events/", raw, content_type="application/json")
    assert response.status_code == 400 and codes(response) == {"properties": ["invalid_text"]}
    assert not Event.objects.exists()
