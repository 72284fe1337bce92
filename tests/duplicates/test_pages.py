"""The pages: the Create customer page (and any form with a Create) stops at likely duplicates until the CSA
says they are different people; the record page's "Possible duplicates" panel and its button."""
from __future__ import annotations

import pytest
from django.db.models import Q

from integrations.models import Case
from profiles.models import Customer, NotSamePerson
from profiles.ucrn import new_ucrn_candidate
from tests.api.conftest import token_client
from tests.duplicates.conftest import BIRTH, person
from tests.factories import UserFactory
from tests.integrations.conftest import register  # noqa: F401 - a fixture: a form with a Create integration
from tests.web.conftest import customer_with, signed_in
from tests.web.test_record_page import record_queries

pytestmark = pytest.mark.django_db
NEW = "/hub/customers/new/"
CONFIRM = "confirm_different_people"
FORM = {"action": "submit", "Contact_Type": "Individual", "Preferred_Contact_Method": "1", "First_Name": "Jane",
        "Last_Name": "Doubleday", "Birth_Date": "1970-05-17", "Postcode": "bs1 4dj", "House": "12",
        "Street": "Queen Square", "Country_Id": "826"}


def new_customers() -> int:
    return Customer.objects.filter(Q(last_name__iexact="Doubleday") | Q(last_name__iexact="Newperson")).count()


# --- the Create customer page --------------------------------------------------------------------------


def test_likely_duplicates_are_shown_and_nothing_is_saved(csa_client, jane):
    before = new_customers()
    response = csa_client.post(NEW, FORM)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This may be someone already in the hub" in page and "Nothing has been saved" in page
    assert f'href="/hub/customers/{jane.ucrn}/"' in page and "Jane Doubleday" in page
    assert f"12 {jane.addresses.get().street}" in page and "BS1 4DJ" in page  # the candidate's current address
    assert "Same name and date of birth; same name and postcode; similar name at the same address" in page
    assert f'name="{CONFIRM}"' in page and "These are different people: create anyway" in page
    assert 'value="Queen Square"' in page and 'value="Doubleday"' in page  # what was entered is kept
    assert new_customers() == before and not Case.objects.exists()


def test_confirming_creates_and_records_the_pairs_as_different_people(csa_client, jane):
    response = csa_client.post(NEW, {**FORM, CONFIRM: "1"})
    assert response.status_code == 302
    created = Customer.objects.exclude(pk=jane.pk).get(last_name="Doubleday")
    assert response["Location"] == f"/hub/customers/{created.ucrn}/"
    assert NotSamePerson.objects.filter(first=jane, second=created).exists()
    page = csa_client.get(response["Location"]).content.decode()
    assert "Possible duplicates" not in page  # the CSA said so: not suggested again
    assert "Possible duplicate of" not in page  # nor repeated as a warning


def test_without_likely_duplicates_the_customer_is_created_at_once(csa_client, jane):
    response = csa_client.post(NEW, {**FORM, "First_Name": "Arthur", "Last_Name": "Newperson"})
    assert response.status_code == 302 and new_customers() == 2
    assert not NotSamePerson.objects.exists()


def test_errors_come_before_duplicates(csa_client, jane):
    response = csa_client.post(NEW, {**FORM, "Email_Address": "JANE.DOUBLEDAY@example.org"})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "Another customer already has this email address" in page
    assert "This may be someone already in the hub" not in page and CONFIRM not in page
    assert new_customers() == 1


def test_an_unticked_box_shows_the_duplicates_again(csa_client, jane):
    response = csa_client.post(NEW, {**FORM, CONFIRM: ""})
    assert response.status_code == 200 and "This may be someone already in the hub" in response.content.decode()
    assert new_customers() == 1


def test_any_form_with_a_create_integration_checks_for_a_csa(csa_client, jane, register):  # noqa: F811
    data = {"action": "submit", "Contact_Type": "Individual", "Preferred_Contact_Method": "3", "First_Name": "jane",
            "Last_Name": "DOUBLEDAY", "Postcode": "BS14DJ", "Street": "Somewhere"}
    page = csa_client.post("/hub/forms/register/", data).content.decode()
    assert "This may be someone already in the hub" in page and jane.ucrn in page
    assert "Same name and postcode" in page and new_customers() == 1
    response = csa_client.post("/hub/forms/register/", {**data, CONFIRM: "1"})
    assert response.status_code == 302 and new_customers() == 2


def test_a_citizen_creating_their_own_profile_is_not_shown_anyone(jane, register):  # noqa: F811
    client = signed_in(UserFactory(username="newcomer", role="citizen"))
    data = {"action": "submit", "Contact_Type": "Individual", "Preferred_Contact_Method": "3", "First_Name": "Jane",
            "Last_Name": "Doubleday", "Postcode": "BS1 4DJ", "Street": "Somewhere"}
    response = client.post("/portal/forms/register/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert new_customers() == 2 and not NotSamePerson.objects.exists()
    assert jane.ucrn not in str(Case.objects.get().results)


def test_the_rest_submission_creates_and_warns(csa, jane, register):  # noqa: F811
    body = {"Contact_Type": "Individual", "Preferred_Contact_Method": "3", "First_Name": "Jane",
            "Last_Name": "Doubleday", "Postcode": "BS1 4DJ", "Street": "Somewhere"}
    response = token_client(csa).post("/api/v1/forms/register/submissions/", body, format="json")
    assert response.status_code == 201, response.content
    [outcome] = response.json()["outcomes"]
    [warning] = [w for w in outcome["warnings"] if w["code"] == "possible_duplicate"]
    assert warning["ucrn"] == jane.ucrn and warning["reasons"] == ["same_name_postcode"]


# --- the record page -----------------------------------------------------------------------------------


@pytest.fixture
def twin(jane) -> Customer:
    return person("Janet", "Doubleday", birth_date=BIRTH, phone_number="+441632960123")


def test_the_record_shows_possible_duplicates_with_a_button_each(csa_client, jane, twin):
    page = csa_client.get(f"/hub/customers/{jane.ucrn}/").content.decode()
    assert "Possible duplicates" in page and f'href="/hub/customers/{twin.ucrn}/"' in page
    assert "Janet Doubleday" in page and "Same phone number" in page and "No current address" in page
    assert f'action="/hub/customers/{jane.ucrn}/not-duplicate/"' in page
    assert f'name="other" value="{twin.ucrn}"' in page and "csrfmiddlewaretoken" in page
    assert page.count(">Not the same person<") == 1
    # ...and a way to merge the other record into this one, with the pair already chosen.
    assert f'href="/hub/customers/{jane.ucrn}/merge/?merge={twin.ucrn}"' in page


def test_the_merge_link_opens_the_comparison_of_the_pair(csa_client, jane, twin):
    page = csa_client.get(f"/hub/customers/{jane.ucrn}/merge/", {"merge": twin.ucrn}).content.decode()
    assert twin.ucrn in page and "Janet Doubleday" in page


def test_a_record_without_candidates_has_no_panel(csa_client, jane):
    assert "Possible duplicates" not in csa_client.get(f"/hub/customers/{jane.ucrn}/").content.decode()


def test_not_the_same_person_button(csa_client, jane, twin):
    response = csa_client.post(f"/hub/customers/{jane.ucrn}/not-duplicate/", {"other": twin.ucrn}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(f"/hub/customers/{jane.ucrn}/", 302)]
    assert "recorded as different people" in page and "Possible duplicates" not in page
    assert NotSamePerson.objects.filter(first=jane, second=twin).exists()
    again = csa_client.post(f"/hub/customers/{jane.ucrn}/not-duplicate/", {"other": twin.ucrn}, follow=True)
    assert "already recorded" in again.content.decode() and NotSamePerson.objects.count() == 1
    assert "Possible duplicates" not in csa_client.get(f"/hub/customers/{twin.ucrn}/").content.decode()


@pytest.mark.parametrize("other, text", [("self", "always the same person"), ("unknown", "No customer has this UCRN"),
                                         ("", "Give the UCRN")])
def test_the_button_with_bad_input_says_why_and_saves_nothing(csa_client, jane, other, text):
    other = {"self": jane.ucrn, "unknown": new_ucrn_candidate()}.get(other, other)
    response = csa_client.post(f"/hub/customers/{jane.ucrn}/not-duplicate/", {"other": other}, follow=True)
    assert response.status_code == 200 and text in response.content.decode()
    assert not NotSamePerson.objects.exists()


def test_the_button_is_for_csas_only(client, citizen, customer, jane):
    url = f"/hub/customers/{customer.ucrn}/not-duplicate/"
    assert signed_in(citizen).post(url, {"other": jane.ucrn}).status_code == 403
    anonymous = client.post(url, {"other": jane.ucrn})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert not NotSamePerson.objects.exists()


def test_the_button_is_post_only_and_needs_the_csrf_token(csa, jane, twin):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(csa)
    url = f"/hub/customers/{jane.ucrn}/not-duplicate/"
    assert client.get(url).status_code == 405
    assert client.post(url, {"other": twin.ucrn}).status_code == 403
    assert not NotSamePerson.objects.exists()


def test_the_record_page_budget_grows_by_two_queries_at_most(csa_client, django_assert_max_num_queries):
    customer = customer_with(addresses=5, history=5, first_name="Jane", last_name="Doubleday", birth_date=BIRTH)
    for _ in range(15):
        person("Jane", "Doubleday", birth_date=BIRTH, postcode="BS1 4DJ")
    csa_client.get(f"/hub/customers/{customer.ucrn}/")  # the reference lists and sources, read into the cache
    # tests/web/test_record_page.py's number (the UNION counted in it) + the candidates
    with django_assert_max_num_queries(record_queries(5) + 1):
        response = csa_client.get(f"/hub/customers/{customer.ucrn}/")
    assert response.content.decode().count(">Not the same person<") == 10
