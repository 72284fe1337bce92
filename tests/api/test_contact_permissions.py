"""SPEC 8.1 over REST: contact permissions per channel as data names, with their history and refusals."""
from __future__ import annotations

import pytest

from profiles.changenames import changed_data_names
from profiles.models import ChangeRecord
from tests.api.conftest import codes, url
from tests.factories import CustomerFactory
from tests.profiles.support import VALID_CREATE

pytestmark = pytest.mark.django_db


def patch(client, ucrn: str, data: dict):
    return client.patch(url(ucrn), data, format="json")


def test_the_get_output_carries_every_permission_unknown_by_default(csa_api, customer):
    body = csa_api.get(url(customer.ucrn)).json()
    assert {name: body[name] for name in body if name.startswith("permission_")} == {
        "permission_email": "unknown", "permission_phone": "unknown", "permission_sms": "unknown",
        "permission_post": "unknown"}


def test_a_change_keeps_the_previous_value_in_the_history_with_how_it_was_given(csa_api, customer):
    assert patch(csa_api, customer.ucrn, {"permission_email": "Granted", "permission_note": "phone call"}
                 ).json()["permission_email"] == "granted"
    response = patch(csa_api, customer.ucrn, {"permission_email": "refused"})
    assert response.status_code == 200 and response.json()["permission_email"] == "refused"
    first, second = ChangeRecord.objects.filter(customer=customer).order_by("id")
    assert first.changes == [{"field": "permission_email", "before": "unknown", "after": "granted",
                              "note": "phone call"}]
    assert first.channel == "api" and first.user.username == "csa"
    assert second.changes == [{"field": "permission_email", "before": "granted", "after": "refused"}]
    history = csa_api.get(url(customer.ucrn, "history")).json()
    assert [c["changes"][0]["after"] for c in history] == ["refused", "granted"]


def test_absent_is_untouched_and_blank_follows_ignore_empty_entries(csa_api, customer):
    patch(csa_api, customer.ucrn, {"permission_phone": "granted"})
    assert patch(csa_api, customer.ucrn, {"first_name": "Ann"}).json()["permission_phone"] == "granted"
    assert patch(csa_api, customer.ucrn, {"permission_phone": ""}).json()["permission_phone"] == "granted"
    body = {"contact_type": "Individual", "preferred_contact_method": 3, "permission_phone": None}
    assert csa_api.put(url(customer.ucrn), body, format="json").json()["permission_phone"] == "unknown"


@pytest.mark.parametrize("value", ["yes", 1, True, ["granted"], "grant"])
def test_a_value_that_is_not_a_permission_is_refused(csa_api, customer, value):
    response = patch(csa_api, customer.ucrn, {"permission_sms": value})
    assert response.status_code == 400 and codes(response) == {"permission_sms": ["invalid_choice"]}


@pytest.mark.parametrize(("name", "blank"), [
    ("permission_email", {"email_address": ""}),
    ("permission_sms", {"mobile_number": ""}),
    ("permission_phone", {"phone_number": "", "mobile_number": ""}),
])
def test_granting_a_channel_without_its_contact_is_refused(csa_api, name, blank):
    customer = CustomerFactory(**blank)
    response = patch(csa_api, customer.ucrn, {name: "granted"})
    assert response.status_code == 400 and codes(response) == {name: ["contact_missing"]}
    customer.refresh_from_db()
    assert getattr(customer, name) == "unknown"


def test_post_needs_an_address_and_refusing_needs_nothing(csa_api):
    customer = CustomerFactory(address=False, mobile_number="")
    response = patch(csa_api, customer.ucrn, {"permission_post": "granted"})
    assert response.status_code == 400 and codes(response) == {"permission_post": ["contact_missing"]}
    assert patch(csa_api, customer.ucrn, {"permission_post": "refused", "permission_sms": "refused"}).status_code == 200
    # Given in the same write, the contact counts: a mobile and a first address with their permissions.
    response = patch(csa_api, customer.ucrn, {"mobile_number": "07700 900123", "permission_sms": "granted",
                                              "street": "1 High Street", "postcode": "M1 1AE",
                                              "permission_post": "granted"})
    assert response.status_code == 200, response.json()
    assert (response.json()["permission_sms"], response.json()["permission_post"]) == ("granted", "granted")


def test_a_create_is_refused_a_permission_without_its_contact(csa_api):
    response = csa_api.post(url(), {**VALID_CREATE, "email_address": "", "permission_email": "granted"},
                            format="json")
    assert response.status_code == 400 and codes(response)["permission_email"] == ["contact_missing"]
    response = csa_api.post(url(), {**VALID_CREATE, "mobile_number": "07700 900456", "permission_sms": "granted"},
                            format="json")
    assert response.status_code == 201 and response.json()["permission_sms"] == "granted"


def test_a_citizen_changes_their_own_permissions_only(citizen_api, customer, other_customer):
    assert patch(citizen_api, customer.ucrn, {"permission_email": "refused"}).json()["permission_email"] == "refused"
    assert patch(citizen_api, other_customer.ucrn, {"permission_email": "refused"}).status_code == 403


def test_anonymous_callers_are_refused(anon_api, customer):
    assert patch(anon_api, customer.ucrn, {"permission_email": "granted"}).status_code in (401, 403)


def test_webhooks_and_events_name_the_permission_that_changed():
    entries = [{"field": "permission_sms", "before": "unknown", "after": "granted", "note": "web"},
               {"field": "subscription", "before": None, "after": {"id": 1, "topic": "bins", "channel": "sms"}}]
    assert changed_data_names([entries]) == [["permission_sms"]]
