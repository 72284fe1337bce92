"""Two people editing one customer: the edit pages reconcile a stale submission, and ask per field
when both changed the same one."""
from __future__ import annotations

import json

import pytest

from profiles.models import ChangeRecord, Customer
from profiles.services import profile_update

pytestmark = pytest.mark.django_db


def loaded_page(client, url: str) -> dict:
    """What the page would post back untouched: the values it shows, with its version and snapshot."""
    version_form = client.get(url).context["version_form"]
    data = {k: v for k, v in json.loads(version_form.initial["loaded"]).items() if not k.startswith("cur-")}
    return {**data, "address_change": "none", "version": version_form.initial["version"],
            "loaded": version_form.initial["loaded"]}


def someone_else(csa, customer, **data):
    profile_update(ucrn=customer.ucrn, data=data, user=csa, channel="api", full=False)


def edit_url(customer) -> str:
    return f"/hub/customers/{customer.ucrn}/edit/"


def test_page_carries_its_version(csa_client, customer):
    response = csa_client.get(edit_url(customer))
    assert f'name="version" value="{customer.version}"' in response.content.decode()
    assert 'name="loaded"' in response.content.decode()


def test_up_to_date_submission_saves(csa_client, customer):
    data = loaded_page(csa_client, edit_url(customer))
    response = csa_client.post(edit_url(customer), {**data, "first_name": "Fresh"})
    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).first_name == "Fresh"


def test_other_change_to_different_fields_is_merged_silently(csa_client, csa, customer):
    data = loaded_page(csa_client, edit_url(customer))
    someone_else(csa, customer, last_name="Theirs", twitter="their_handle")
    response = csa_client.post(edit_url(customer), {**data, "first_name": "Mine"})
    assert response.status_code == 302, response.context.get("errors")
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.first_name, stored.last_name, stored.twitter) == ("Mine", "Theirs", "their_handle")
    last = ChangeRecord.objects.filter(customer=customer).order_by("-id").first()
    assert [c["field"] for c in last.changes] == ["first_name"]  # nothing of theirs was rewritten


def test_same_field_shows_both_values_and_saves_nothing_until_chosen(csa_client, csa, customer):
    data = loaded_page(csa_client, edit_url(customer))
    someone_else(csa, customer, first_name="Theirs")
    response = csa_client.post(edit_url(customer), {**data, "first_name": "Mine", "twitter": "mine_too"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="conflicts"' in page
    assert "Keep mine: Mine" in page and "Keep theirs: Theirs" in page
    assert [c.key for c in response.context["version_form"].conflicts] == ["first_name"]
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.first_name, stored.twitter) == ("Theirs", "")

    # The CSA keeps their own value: saved, with their other change.
    response = csa_client.post(edit_url(customer), {**data, "first_name": "Mine", "twitter": "mine_too",
                                                     "keep-first_name": "mine"})
    assert response.status_code == 302
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.first_name, stored.twitter) == ("Mine", "mine_too")


def test_keep_theirs_keeps_their_value_and_my_other_changes(csa_client, csa, customer):
    data = loaded_page(csa_client, edit_url(customer))
    someone_else(csa, customer, first_name="Theirs", region="North")
    response = csa_client.post(edit_url(customer), {**data, "first_name": "Mine", "twitter": "mine_too",
                                                     "keep-first_name": "theirs"})
    assert response.status_code == 302
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.first_name, stored.twitter, stored.region) == ("Theirs", "mine_too", "North")


def test_same_change_by_both_is_no_conflict(csa_client, csa, customer):
    data = loaded_page(csa_client, edit_url(customer))
    someone_else(csa, customer, first_name="Same")
    assert csa_client.post(edit_url(customer), {**data, "first_name": "Same"}).status_code == 302


def test_list_field_conflict(csa_client, csa, customer):
    data = loaded_page(csa_client, edit_url(customer))
    someone_else(csa, customer, notification_preference=[1])
    response = csa_client.post(edit_url(customer), {**data, "notification_preference": ["4", "3"]})
    assert response.status_code == 200
    assert [c.key for c in response.context["version_form"].conflicts] == ["notification_preference"]
    assert Customer.objects.get(pk=customer.pk).notification_preference == [1]


def test_tampered_version_fields_never_fail(csa_client, customer):
    data = loaded_page(csa_client, edit_url(customer))
    for version, loaded in [("x", "{"), ("0", "[]"), ("99999999999", "null"), ("1", '{"first_name": 5}')]:
        response = csa_client.post(edit_url(customer), {**data, "version": version, "loaded": loaded})
        assert response.status_code in (200, 302)


def test_portal_merges_a_citizen_edit_with_a_csa_change(citizen_client, csa, customer):
    data = loaded_page(citizen_client, "/portal/profile/edit/")
    someone_else(csa, customer, last_name="ByCSA")
    response = citizen_client.post("/portal/profile/edit/", {**data, "first_name": "ByCitizen"})
    assert response.status_code == 302
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.first_name, stored.last_name) == ("ByCitizen", "ByCSA")


def test_portal_conflict_asks_the_citizen(citizen_client, csa, customer):
    data = loaded_page(citizen_client, "/portal/profile/edit/")
    someone_else(csa, customer, first_name="ByCSA")
    response = citizen_client.post("/portal/profile/edit/", {**data, "first_name": "ByCitizen"})
    assert response.status_code == 200
    assert 'id="conflicts"' in response.content.decode()
    response = citizen_client.post("/portal/profile/edit/", {**data, "first_name": "ByCitizen",
                                                              "keep-first_name": "mine"})
    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).first_name == "ByCitizen"


@pytest.mark.parametrize("loaded", ["[" * 5000 + "]" * 5000, '{"a": ' * 40 + "1" + "}" * 40, "{bad"],
                         ids=["5000-deep", "40-deep", "not-json"])
def test_a_stale_page_with_a_mangled_snapshot_is_not_a_500(csa_client, csa, customer, loaded):
    """The snapshot is the page's own hidden JSON, but a client can send anything: deep nesting made
    json raise RecursionError. Without a snapshot the submitted values simply stand."""
    data = loaded_page(csa_client, edit_url(customer))
    someone_else(csa, customer, last_name="Theirs")
    response = csa_client.post(edit_url(customer), {**data, "loaded": loaded, "first_name": "Mine"})
    assert response.status_code in (200, 302)
    assert Customer.objects.get(pk=customer.pk).first_name in ("Mine", customer.first_name)
