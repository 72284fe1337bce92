"""The merge page and the undo button of the record page, through Django's test client."""
from __future__ import annotations

import pytest

from profiles.models import Customer, Merge
from tests.merge.conftest import full_state
from tests.profiles.support import db_state, update
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


def merge_page(ucrn: str) -> str:
    return f"/hub/customers/{ucrn}/merge/"


def test_the_record_page_links_to_the_merge_page(csa, survivor):
    html = signed_in(csa).get(f"/hub/customers/{survivor.ucrn}/").content.decode()
    assert f'href="{merge_page(survivor.ucrn)}"' in html and "Merge another customer into this one" in html


def test_the_comparison_shows_the_fields_that_differ_with_the_defaults_ticked(csa, survivor, duplicate):
    response = signed_in(csa).get(merge_page(survivor.ucrn), {"merge": duplicate.ucrn})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label class="label" for="id_merge">UCRN of the customer to merge into this one</label>' in html
    assert 'id="choice_last_name-survivor" value="survivor" checked' in html  # both have one: this one's
    assert 'id="choice_mobile_number-merged" value="merged" checked' in html  # only theirs has one
    assert 'id="choice_address-survivor" value="survivor" checked' in html
    assert '<label for="choice_last_name-merged">' in html and "Smyth" in html
    assert "choice_first_name" not in html  # the same on both
    assert "choice_custom_3" not in html  # custom fields are never shown on pages (SPEC 1)
    assert "1 address record" in html and "2 cases" in html


@pytest.mark.parametrize(("other", "message"), [
    ("SELF", "A customer cannot be merged into itself."),
    ("123", "123 is not a valid UCRN."),
])
def test_a_wrong_other_ucrn_is_explained_beside_the_field(csa, survivor, other, message):
    other = survivor.ucrn if other == "SELF" else other
    html = signed_in(csa).get(merge_page(survivor.ucrn), {"merge": other}).content.decode()
    assert "There is a problem" in html and message in html and "choice_" not in html


def test_merging_with_a_choice_lands_on_the_survivor_with_a_message(csa, survivor, duplicate):
    client = signed_in(csa)
    response = client.post(merge_page(survivor.ucrn), {
        "merge": duplicate.ucrn, "choice_last_name": "merged", "choice_mobile_number": "survivor",
        "choice_address": "merged",
    }, follow=True)
    assert response.redirect_chain[-1][0] == f"/hub/customers/{survivor.ucrn}/"
    html = response.content.decode()
    assert f"Customer {duplicate.ucrn} was merged into this customer." in html
    kept = Customer.objects.get(pk=survivor.pk)
    assert kept.last_name == "Smyth" and kept.mobile_number == "" and kept.custom_3 == "legacy-42"
    merge = Merge.objects.get()
    assert merge.channel == "hub" and merge.choices["address"] == "merged"
    assert "Undo this merge" in html and f'action="/hub/customers/{survivor.ucrn}/merge/{merge.pk}/undo/"' in html


def test_a_tampered_choice_is_refused_and_nothing_is_merged(csa, survivor, duplicate):
    before = db_state()
    response = signed_in(csa).post(merge_page(survivor.ucrn), {"merge": duplicate.ucrn, "choice_last_name": "both"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert db_state() == before


def test_the_old_ucrn_opens_the_survivor_with_a_notice(csa, survivor, duplicate):
    client = signed_in(csa)
    client.post(merge_page(survivor.ucrn), {"merge": duplicate.ucrn})
    response = client.get(f"/hub/customers/{duplicate.ucrn}/", follow=True)
    assert response.redirect_chain == [(f"/hub/customers/{survivor.ucrn}/", 302)]
    assert f"Customer {duplicate.ucrn} was merged into {survivor.ucrn}" in response.content.decode()
    edit = client.get(f"/hub/customers/{duplicate.ucrn}/edit/")
    assert edit.status_code == 302 and edit["Location"] == f"/hub/customers/{survivor.ucrn}/edit/"


def test_undo_from_the_record_page_restores_both(csa, survivor, duplicate):
    before = full_state(survivor), full_state(duplicate)
    client = signed_in(csa)
    client.post(merge_page(survivor.ucrn), {"merge": duplicate.ucrn, "choice_last_name": "merged"})
    merge = Merge.objects.get()
    response = client.post(f"/hub/customers/{survivor.ucrn}/merge/{merge.pk}/undo/", follow=True)
    html = response.content.decode()
    assert "The merge was undone" in html and "Undo this merge" not in html
    assert (full_state(survivor), full_state(duplicate)) == before


def test_a_refused_undo_is_explained_on_the_record_page(csa, survivor, duplicate):
    client = signed_in(csa)
    client.post(merge_page(survivor.ucrn), {"merge": duplicate.ucrn, "choice_last_name": "merged"})
    update(csa, survivor.ucrn, {"last_name": "Smythe"}, full=False, channel="hub")
    merge = Merge.objects.get()
    response = client.post(f"/hub/customers/{survivor.ucrn}/merge/{merge.pk}/undo/", follow=True)
    html = response.content.decode()
    assert "The merge was not undone." in html and "Last name was changed since the merge" in html
    assert "by csa (Hub page)" in html
    assert Merge.objects.get().undone_at is None


def test_citizens_get_403_and_get_requests_to_undo_do_nothing(citizen, csa, customer, survivor, duplicate):
    client = signed_in(citizen)
    assert client.get(merge_page(customer.ucrn)).status_code == 403
    assert client.post(merge_page(customer.ucrn), {"merge": duplicate.ucrn}).status_code == 403
    signed_in(csa).post(merge_page(survivor.ucrn), {"merge": duplicate.ucrn})
    merge = Merge.objects.get()
    assert client.post(f"/hub/customers/{survivor.ucrn}/merge/{merge.pk}/undo/").status_code == 403
    assert signed_in(csa).get(f"/hub/customers/{survivor.ucrn}/merge/{merge.pk}/undo/").status_code == 405
    assert Merge.objects.get().undone_at is None
