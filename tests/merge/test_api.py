"""Merge over REST: `POST /api/v1/profiles/{ucrn}/merge`, `POST .../merge/{id}/undo`, and the old UCRN."""
from __future__ import annotations

import json

import pytest

from profiles.models import ChangeRecord, Customer, Merge
from tests.api.conftest import codes, token_client
from tests.factories import CustomerFactory, UserFactory
from tests.merge.conftest import full_state
from tests.profiles.support import db_state, update

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(csa):
    return token_client(csa)


def merge_url(ucrn: str, slash: str = "") -> str:
    return f"/api/v1/profiles/{ucrn}/merge{slash}"


def undo_url(ucrn: str, merge_id: int, slash: str = "") -> str:
    return f"/api/v1/profiles/{ucrn}/merge/{merge_id}/undo{slash}"


def post(client, url, body=None):
    return client.post(url, json.dumps(body) if body is not None else "", content_type="application/json")


def test_merge_answers_201_with_the_id_the_survivor_and_the_choices(api, csa, survivor, duplicate):
    response = post(api, merge_url(survivor.ucrn), {"merge": duplicate.ucrn, "choices": {"last_name": "merged"}})
    assert response.status_code == 201, response.json()
    body = response.json()
    merge = Merge.objects.get()
    assert body["id"] == merge.pk and (body["survivor"], body["merged"]) == (survivor.ucrn, duplicate.ucrn)
    assert body["choices"]["last_name"] == "merged" and body["choices"]["mobile_number"] == "merged"
    assert body["profile"]["ucrn"] == survivor.ucrn and body["profile"]["last_name"] == "Smyth"
    assert body["undo"].endswith(undo_url(survivor.ucrn, merge.pk, "/"))
    assert response["ETag"] == f'"v{body["profile"]["version"]}"'
    assert ChangeRecord.objects.filter(action="merge", channel="api", user=csa).count() == 2


def test_the_paths_take_a_trailing_slash_too(api, survivor, duplicate):
    response = post(api, merge_url(survivor.ucrn, "/"), {"merge": duplicate.ucrn})
    assert response.status_code == 201
    assert post(api, undo_url(survivor.ucrn, response.json()["id"], "/")).status_code == 200


def test_a_get_of_the_old_ucrn_returns_the_survivor_and_says_so(api, survivor, duplicate):
    post(api, merge_url(survivor.ucrn), {"merge": duplicate.ucrn})
    response = api.get(f"/api/v1/profiles/{duplicate.ucrn}/")
    assert response.status_code == 200
    body = response.json()
    assert body["ucrn"] == survivor.ucrn and body["merged_from"] == duplicate.ucrn
    assert response["Content-Location"] == f"/api/v1/profiles/{survivor.ucrn}/"
    direct = api.get(f"/api/v1/profiles/{survivor.ucrn}/")
    assert "merged_from" not in direct.json() and not direct.has_header("Content-Location")
    assert response["ETag"] == direct["ETag"]
    # A GET, edit, PUT round trip of that body works on the survivor (merged_from is read-only) ...
    body["first_name"] = "Janet"
    assert api.put(f"/api/v1/profiles/{survivor.ucrn}/", body, format="json").status_code == 200
    # ... while a write to the old UCRN is refused, naming the survivor.
    refused = api.patch(f"/api/v1/profiles/{duplicate.ucrn}/", {"first_name": "X"}, format="json")
    assert refused.status_code == 400 and codes(refused) == {"ucrn": ["merged"]}
    assert survivor.ucrn in refused.json()["ucrn"][0]["message"]


def test_undo_answers_200_with_both_records_as_they_were(api, survivor, duplicate):
    before = full_state(survivor), full_state(duplicate)
    merge_id = post(api, merge_url(survivor.ucrn), {"merge": duplicate.ucrn,
                                                     "choices": {"email_address": "merged"}}).json()["id"]
    response = post(api, undo_url(survivor.ucrn, merge_id))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["survivor_profile"]["email_address"] == "jane@example.org"
    assert body["merged_profile"]["email_address"] == "j.smyth@example.org"
    assert body["merged_profile"]["status"] == "Active" and body["undone_at"]
    assert (full_state(survivor), full_state(duplicate)) == before
    again = post(api, undo_url(survivor.ucrn, merge_id))
    assert again.status_code == 400 and codes(again) == {"merge": ["already_undone"]}


def test_undo_after_a_conflicting_change_is_409_with_the_explanation(api, csa, survivor, duplicate):
    merge_id = post(api, merge_url(survivor.ucrn), {"merge": duplicate.ucrn}).json()["id"]
    update(csa, survivor.ucrn, {"mobile_number": "07700900999"}, full=False)
    before = db_state()
    response = post(api, undo_url(duplicate.ucrn, merge_id))
    assert response.status_code == 409
    assert codes(response) == {"merge": ["merge_conflict"], "mobile_number": ["merge_conflict"]}
    assert "Mobile number was changed since the merge" in response.json()["mobile_number"][0]["message"]
    assert "by csa (API)" in response.json()["mobile_number"][0]["message"]
    assert db_state() == before


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, {"merge": ["required"]}),
        ({"merge": 123456789}, {"merge": ["invalid"]}),
        ({"merge": "12345678"}, {"merge": ["invalid"]}),
        ({"merge": "SELF"}, {"merge": ["merge_self"]}),
        ({"merge": "DUP", "choices": {"ucrn": "merged"}}, {"ucrn": ["read_only"]}),
        ({"merge": "DUP", "choices": {"colour": "merged"}}, {"colour": ["unknown_field"]}),
        ({"merge": "DUP", "choices": {"last_name": 1}}, {"last_name": ["invalid_choice"]}),
        ({"merge": "DUP", "choices": "all merged"}, {"choices": ["invalid"]}),
        ({"merge": "DUP", "survivor": "x"}, {"survivor": ["unknown_field"]}),
        (["DUP"], {"non_field_errors": ["invalid"]}),
    ],
)
def test_bad_bodies_are_400_with_codes_and_change_nothing(api, survivor, duplicate, body, expected):
    text = json.dumps(body).replace("SELF", survivor.ucrn).replace("DUP", duplicate.ucrn)
    before = db_state()
    response = api.post(merge_url(survivor.ucrn), text, content_type="application/json")
    assert response.status_code == 400 and codes(response) == expected
    assert db_state() == before


def test_unknown_survivor_or_merge_is_404(api, survivor, duplicate):
    unknown = CustomerFactory.build().ucrn
    assert post(api, merge_url(unknown), {"merge": duplicate.ucrn}).status_code == 404
    assert post(api, merge_url("nonsense"), {"merge": duplicate.ucrn}).status_code == 404
    assert post(api, undo_url(survivor.ucrn, 999999)).status_code == 404
    merge_id = post(api, merge_url(survivor.ucrn), {"merge": duplicate.ucrn}).json()["id"]
    assert post(api, undo_url(CustomerFactory().ucrn, merge_id)).status_code == 404


def test_citizens_and_anonymous_callers_are_refused_and_learn_nothing(citizen, customer, survivor, duplicate, api):
    citizen_api = token_client(citizen)
    before = db_state()
    for client, code in ((citizen_api, 403), (token_client(UserFactory()), 403)):
        for ucrn, other in ((customer.ucrn, duplicate.ucrn), (survivor.ucrn, duplicate.ucrn)):
            assert post(client, merge_url(ucrn), {"merge": other}).status_code == code
            assert post(client, merge_url(ucrn), {"merge": other, "junk": 1}).status_code == code  # not a 400
    from rest_framework.test import APIClient

    assert post(APIClient(), merge_url(survivor.ucrn), {"merge": duplicate.ucrn}).status_code == 401
    assert db_state() == before
    merge_id = post(api, merge_url(customer.ucrn), {"merge": duplicate.ucrn}).json()["id"]
    assert post(citizen_api, undo_url(customer.ucrn, merge_id)).status_code == 403
    # The citizen's own record survived: a Get of the old UCRN is still not theirs.
    assert citizen_api.get(f"/api/v1/profiles/{duplicate.ucrn}/").status_code == 403
    assert citizen_api.get(f"/api/v1/profiles/{customer.ucrn}/").json()["ucrn"] == customer.ucrn


def test_a_citizen_whose_record_was_merged_into_someone_with_an_account_sees_only_their_own(api, survivor, duplicate):
    own, other = UserFactory(role="citizen"), UserFactory(role="citizen")
    Customer.objects.filter(pk=survivor.pk).update(portal_user=own)
    Customer.objects.filter(pk=duplicate.pk).update(portal_user=other)
    post(api, merge_url(survivor.ucrn), {"merge": duplicate.ucrn})
    response = token_client(other).get(f"/api/v1/profiles/{duplicate.ucrn}/")
    assert response.status_code == 200
    assert response.json()["ucrn"] == duplicate.ucrn and "merged_from" not in response.json()
    assert survivor.ucrn not in response.content.decode()
