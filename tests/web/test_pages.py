"""The CSA pages and the portal through Django's test client: roles, flows, errors, audit, query budgets."""
from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from profiles.models import ChangeRecord, Customer
from profiles.services import profile_update
from systems.models import ApiClient
from tests.factories import AddressFactory, CustomerFactory, UserFactory
from tests.web.conftest import customer_with, signed_in
from tests.web.test_record_page import record_queries

pytestmark = pytest.mark.django_db


def hub_urls(ucrn: str) -> list[str]:
    return [
        "/hub/",
        "/hub/customers/",
        "/hub/customers/?q=smith&status=Active",
        f"/hub/customers/{ucrn}/",
        "/hub/customers/new/",
        f"/hub/customers/{ucrn}/edit/",
    ]


def valid_edit(customer: Customer, **changes) -> dict:
    """What the edit page posts when the CSA changes nothing but `changes`."""
    data = {
        "contact_type": "Individual",
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "birth_date": customer.birth_date.isoformat() if customer.birth_date else "",
        "status": "Active",
        "location": "1",
        "phone_number": customer.phone_number,
        "preferred_contact_method": "3",
        "notification_preference": ["3", "1"],
        "address_change": "none",
        "address_is_primary": "on",
    }
    data.update(changes)
    return data


# --- roles ---------------------------------------------------------------------------------------


def test_csa_and_admin_see_every_hub_page(csa, admin_user, customer):
    for user in (csa, admin_user):
        client = signed_in(user)
        for url in hub_urls(customer.ucrn):
            assert client.get(url).status_code == 200, url


def test_citizen_gets_403_on_every_hub_page(citizen_client, customer, other_customer):
    for url in hub_urls(other_customer.ucrn) + hub_urls(customer.ucrn):
        assert citizen_client.get(url).status_code == 403, url
    response = citizen_client.post(f"/hub/customers/{customer.ucrn}/email/", {"email_address": "a@b.org"})
    assert response.status_code == 403
    assert citizen_client.post("/hub/customers/new/", {"contact_type": "Individual"}).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, customer):
    for url in [*hub_urls(customer.ucrn), "/portal/profile/", "/portal/profile/edit/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/?next="), url


def test_portal_is_for_citizens_only(csa_client, citizen_client):
    assert citizen_client.get("/portal/profile/").status_code == 200
    assert citizen_client.get("/portal/profile/edit/").status_code == 200
    assert csa_client.get("/portal/profile/").status_code == 403


def test_user_without_role_gets_403(db):
    client = signed_in(UserFactory(username="nobody"))
    assert client.get("/hub/").status_code == 403
    assert client.get("/home/").status_code == 403


def test_sign_in_sends_each_role_to_its_start_page(client, csa, citizen):
    response = client.post("/accounts/login/", {"username": "csa", "password": "demo-password"}, follow=True)
    assert response.redirect_chain[-1][0] == "/hub/"
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"username": "citizen", "password": "demo-password"}, follow=True)
    assert response.redirect_chain[-1][0] == "/portal/profile/"


def test_sign_in_page_and_failed_sign_in(client, csa):
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "csa", "password": "wrong"})
    assert b'role="alert"' in response.content



def test_an_api_clients_account_cannot_sign_in_to_the_pages(client, db):
    """The pages apply no allow-list: the account a system uses for its token signs in nowhere, and says why."""
    user = UserFactory(username="api-housing", role="csa")
    ApiClient.objects.create(name="housing", user=user, readable=["first_name"])
    response = client.post("/accounts/login/", {"username": "api-housing", "password": "demo-password"})
    assert response.status_code == 200 and b"belongs to an API client" in response.content
    assert client.get("/hub/").status_code == 302  # not signed in

# --- the record ----------------------------------------------------------------------------------


def test_record_404_for_unknown_or_malformed_ucrn(csa_client):
    assert csa_client.get("/hub/customers/123456789/").status_code == 404
    assert csa_client.get("/hub/customers/not-a-ucrn/").status_code == 404


def test_record_shows_details_addresses_and_history(csa, csa_client, customer):
    profile_update(ucrn=customer.ucrn, data={"house": "9", "street": "New Road", "postcode": "bs14dj"},
                   user=csa, channel="hub", full=False)
    page = unescape(csa_client.get(f"/hub/customers/{customer.ucrn}/").content.decode())
    assert customer.ucrn in page and customer.last_name in page  # unescaped: O'Brien is O&#x27;Brien
    assert "9 New Road" in page and "BS1 4DJ" in page
    assert "Current (primary)" in page
    assert page.count('class="timeline__item') == 2
    assert "0117 496" in page  # the national format, not E.164
    assert "Hub page" in page and "csa" in page  # the change history: channel and who


def test_record_never_shows_custom_fields(csa, csa_client, customer):
    profile_update(ucrn=customer.ucrn, data={"custom_1": "SECRET-CUSTOM-VALUE"}, user=csa, channel="api", full=False)
    page = csa_client.get(f"/hub/customers/{customer.ucrn}/").content.decode()
    assert "SECRET-CUSTOM-VALUE" not in page
    assert "custom_1" not in page and "Custom field" not in page


@pytest.mark.parametrize("rows", [2, 20])
def test_record_query_budget(csa_client, django_assert_num_queries, rows):
    customer = customer_with(addresses=rows, history=rows)
    csa_client.get(f"/hub/customers/{customer.ucrn}/")  # the reference lists, read once into the cache
    with django_assert_num_queries(record_queries(rows)):  # tests/web/test_record_page.py says which
        response = csa_client.get(f"/hub/customers/{customer.ucrn}/")
    assert response.content.decode().count('class="timeline__item') == rows


# --- search ---------------------------------------------------------------------------------------


def test_search_by_postcode_name_ucrn_and_phone(csa_client):
    found = CustomerFactory(last_name="Searchable", address=False, phone_number="+441174960999")
    AddressFactory(customer=found, is_primary=True, postcode="LS1 4AP", house="12", street="Park Row")
    CustomerFactory(last_name="Elsewhere")
    for q in ["ls14ap", "Searchable", found.ucrn, "0117 496 0999"]:
        page = csa_client.get("/hub/customers/", {"q": q}).content.decode()
        assert found.ucrn in page, q
        assert "1 customer found" in page, q
    page = csa_client.get("/hub/customers/", {"q": "ls14ap"}).content.decode()
    assert "12 Park Row" in page and "0117 496 0999" in page and "Individual" in page and "Active" in page


def test_search_filters_by_status_and_type(csa_client):
    CustomerFactory(last_name="Filterme", status_id="Inactive")
    CustomerFactory(last_name="Filterme")
    def found(**filters) -> str:
        return csa_client.get("/hub/customers/", {"q": "Filterme", **filters}).content.decode()

    assert "1 customer found" in found(status="Inactive")
    assert "2 customers found" in found()
    assert "0 customers found" in found(contact_type="Organization")


def test_search_refuses_an_unknown_status(csa_client):
    page = csa_client.get("/hub/customers/", {"q": "x", "status": "Sleeping"}).content.decode()
    assert 'role="alert"' in page and 'href="#id_status"' in page


def test_search_paginates(csa_client):
    for _ in range(30):
        CustomerFactory(last_name="Many")
    page1 = csa_client.get("/hub/customers/", {"q": "Many"}).content.decode()
    assert "30 customers found" in page1 and "Page 1 of 2" in page1
    page2 = csa_client.get("/hub/customers/", {"q": "Many", "page": 2}).content.decode()
    assert page2.count("/hub/customers/") >= 5 and "Page 2 of 2" in page2


@pytest.mark.parametrize("count", [2, 30])
def test_search_query_budget(csa_client, django_assert_max_num_queries, count):
    for _ in range(count):
        CustomerFactory(last_name="Budget")
    # the reference lists and the extended data sources, read once into the cache
    csa_client.get("/hub/customers/", {"q": "Warm"})
    with django_assert_max_num_queries(6):  # session, user, roles, count, page, addresses
        response = csa_client.get("/hub/customers/", {"q": "Budget"})
    assert f"{count} customers found" in response.content.decode()


# --- create --------------------------------------------------------------------------------------


def test_create_customer_with_address(csa_client):
    """The page is the configured form `create-customer`: a Create integration (seed 004)."""
    response = csa_client.post("/hub/customers/new/", {
        "Contact_Type": "Individual", "First_Name": "Ada", "Last_Name": "Lovelace", "Email_Address": "ada@example.org",
        "Phone_Number": "0117 496 0123", "Preferred_Contact_Method": "3", "Notification_Preference": ["3", "1"],
        "House": "1", "Street": "Queen Square", "Postcode": "bs1 4dj", "Country_Id": "826", "action": "submit",
    })
    customer = Customer.objects.get(last_name="Lovelace")
    assert response.status_code == 302 and response.url == f"/hub/customers/{customer.ucrn}/"
    assert customer.phone_number == "+441174960123" and customer.notification_preference == [3, 1]
    address = customer.addresses.get()
    assert address.is_primary and address.postcode == "BS1 4DJ" and address.start_date == timezone.localdate()
    assert ChangeRecord.objects.get(customer=customer).channel == "hub"
    page = csa_client.get(response.url).content.decode()
    assert "Customer created: UCRN" in page
    assert customer.cases.get().form.slug == "create-customer"  # the case raised is linked to the new customer


def test_create_with_bad_input_shows_errors_and_saves_nothing(csa_client):
    before = Customer.objects.count()
    response = csa_client.post("/hub/customers/new/", {
        "Contact_Type": "Individual", "Preferred_Contact_Method": "3", "First_Name": "x" * 101,
        "Phone_Number": "not a phone", "Postcode": "XYZ", "House": "1", "Country_Id": "826", "action": "submit",
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary" role="alert"' in page
    for field_id in ["id_First_Name", "id_Phone_Number", "id_Postcode"]:
        assert f'href="#{field_id}"' in page, field_id
        assert f'id="{field_id}-error"' in page, field_id
    assert 'aria-describedby="id_Phone_Number-error"' in page
    assert Customer.objects.count() == before


def test_create_requires_the_mandatory_fields(csa_client):
    response = csa_client.post("/hub/customers/new/", {"First_Name": "A", "action": "submit"})
    page = response.content.decode()
    assert 'id="id_Contact_Type-error"' in page and 'id="id_Preferred_Contact_Method-error"' in page
    assert not Customer.objects.exists()


# --- edit ----------------------------------------------------------------------------------------


def test_edit_without_address_change_adds_no_address(csa_client, customer):
    first_name = customer.first_name
    response = csa_client.post(f"/hub/customers/{customer.ucrn}/edit/", valid_edit(customer, first_name="Renamed"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.first_name == "Renamed" and customer.addresses.count() == 1
    record = ChangeRecord.objects.get(customer=customer)
    assert record.changes == [{"field": "first_name", "before": first_name, "after": "Renamed"}]
    assert record.channel == "hub" and record.action == "update"


def test_edit_blank_field_is_cleared(csa_client, customer):
    customer.mobile_number = "+447700900123"
    customer.save()
    csa_client.post(f"/hub/customers/{customer.ucrn}/edit/", valid_edit(customer, mobile_number=""))
    customer.refresh_from_db()
    assert customer.mobile_number == ""


def test_edit_records_a_move(csa_client, customer):
    old = customer.addresses.get()
    response = csa_client.post(f"/hub/customers/{customer.ucrn}/edit/", valid_edit(
        customer, address_change="moved", **{"new-house": "5", "new-street": "Mill Lane", "new-postcode": "m11ae",
                                               "new-country_id": "826"}))
    assert response.status_code == 302
    old.refresh_from_db()
    new = customer.addresses.get(is_primary=True)
    assert new.postcode == "M1 1AE" and not old.is_primary and old.end_date == timezone.localdate()


def test_edit_move_keeping_old_end_date_empty_and_not_primary(csa_client, customer):
    old = customer.addresses.get()
    data = valid_edit(customer, address_change="moved", keep_empty_end_dates="on",
                      **{"new-house": "5", "new-postcode": "M1 1AE", "new-country_id": "826"})
    data.pop("address_is_primary")
    csa_client.post(f"/hub/customers/{customer.ucrn}/edit/", data)
    old.refresh_from_db()
    assert old.is_primary and old.end_date is None and customer.addresses.count() == 2


def test_edit_corrects_the_current_address_in_place(csa_client, customer):
    old = customer.addresses.get()
    csa_client.post(f"/hub/customers/{customer.ucrn}/edit/", valid_edit(
        customer, address_change="correct", **{"cur-house": old.house, "cur-street": "Corrected Street",
                                               "cur-postcode": old.postcode, "cur-country_id": "826",
                                               "cur-town": old.town, "cur-uprn": old.uprn,
                                               "cur-start_date": old.start_date.isoformat()}))
    assert customer.addresses.count() == 1
    old.refresh_from_db()
    assert old.street == "Corrected Street" and old.start_date == dt.date(2020, 1, 1)


def test_edit_warns_when_the_primary_address_has_ended(csa_client, customer):
    old = customer.addresses.get()
    response = csa_client.post(f"/hub/customers/{customer.ucrn}/edit/", valid_edit(
        customer, address_change="correct", **{"cur-house": old.house, "cur-street": old.street, "cur-town": old.town,
                                               "cur-postcode": old.postcode, "cur-uprn": old.uprn,
                                               "cur-country_id": "826", "cur-end_date": "2021-01-01"}), follow=True)
    page = response.content.decode()
    assert "The primary address has ended" in page and "banner--warning" in page


def test_edit_with_bad_input_shows_errors_and_saves_nothing(csa_client, customer):
    before = Customer.objects.values().get(pk=customer.pk)
    response = csa_client.post(f"/hub/customers/{customer.ucrn}/edit/", valid_edit(
        customer, first_name="Changed", preferred_contact_method="", birth_date="2999-01-01",
        address_change="moved", **{"new-postcode": "XYZ", "new-house": "1", "new-country_id": "826"}))
    page = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in page
    for field_id in ["id_preferred_contact_method", "id_birth_date", "id_new-postcode"]:
        assert f'href="#{field_id}"' in page, field_id
    assert 'value="moved"' in page and 'value="Changed"' in page  # what was typed is kept
    assert Customer.objects.values().get(pk=customer.pk) == before
    assert customer.addresses.count() == 1 and not ChangeRecord.objects.exists()


# --- email ---------------------------------------------------------------------------------------


def test_email_change_is_audited(csa_client, customer):
    old = customer.email_address
    response = csa_client.post(f"/hub/customers/{customer.ucrn}/email/", {"email_address": "new@example.org"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.email_address == "new@example.org"
    record = ChangeRecord.objects.get(customer=customer)
    assert record.action == ChangeRecord.Action.EMAIL_CHANGE and record.channel == "hub"
    assert record.changes == [{"field": "email_address", "before": old, "after": "new@example.org"}]
    assert "(email change)" in csa_client.get(response.url).content.decode()


def test_email_change_errors_show_on_the_edit_page(csa_client, customer, other_customer):
    for bad in ["not-an-email", other_customer.email_address.upper()]:
        response = csa_client.post(f"/hub/customers/{customer.ucrn}/email/", {"email_address": bad})
        page = response.content.decode()
        assert response.status_code == 200 and 'role="alert"' in page and 'href="#id_email_address"' in page
    assert not ChangeRecord.objects.exists()


def test_edit_form_cannot_change_email(csa_client, customer):
    old = customer.email_address
    csa_client.post(f"/hub/customers/{customer.ucrn}/edit/", valid_edit(customer, email_address="sneaky@example.org"))
    customer.refresh_from_db()
    assert customer.email_address == old


# --- portal --------------------------------------------------------------------------------------


def portal_edit(customer: Customer, **changes) -> dict:
    data = {"first_name": customer.first_name, "last_name": customer.last_name, "phone_number": customer.phone_number,
            "preferred_contact_method": "3", "notification_preference": ["3"], "address_change": "none"}
    data.update(changes)
    return data


def test_citizen_sees_own_profile(citizen_client, customer):
    page = unescape(citizen_client.get("/portal/profile/").content.decode())
    assert customer.ucrn in page and customer.last_name in page and customer.email_address in page


def test_citizen_edits_own_profile(citizen_client, customer):
    response = citizen_client.post("/portal/profile/edit/", portal_edit(
        customer, first_name="Newname", notification_preference=["4", "3"]))
    assert response.status_code == 302 and response.url == "/portal/profile/"
    customer.refresh_from_db()
    assert customer.first_name == "Newname" and customer.notification_preference == [4, 3]
    record = ChangeRecord.objects.get(customer=customer)
    assert record.channel == "portal"


def test_citizen_moves(citizen_client, customer):
    citizen_client.post("/portal/profile/edit/", portal_edit(
        customer, address_change="moved", **{"new-house": "3", "new-street": "Elm Road", "new-postcode": "CF10 1EP",
                                             "new-country_id": "826"}))
    assert customer.addresses.count() == 2
    assert customer.addresses.get(is_primary=True).street == "Elm Road"


def test_citizen_edit_errors(citizen_client, customer):
    response = citizen_client.post("/portal/profile/edit/", portal_edit(customer, phone_number="abc"))
    page = response.content.decode()
    assert 'role="alert"' in page and 'href="#id_phone_number"' in page


def test_citizen_without_profile_creates_one_once(db):
    user = UserFactory(username="newcitizen", role="citizen", email="new.citizen@example.org")
    client = signed_in(user)
    page = client.get("/portal/profile/").content.decode()
    assert "Create your profile" in page
    response = client.post("/portal/profile/", {
        "first_name": "New", "last_name": "Citizen", "email_address": "new.citizen@example.org",
        "preferred_contact_method": "3", "address-house": "2", "address-postcode": "EH1 1YZ",
        "address-country_id": "826"})
    assert response.status_code == 302
    customer = Customer.objects.get(portal_user=user)
    assert customer.contact_type_id == "Individual" and customer.addresses.count() == 1
    assert "Create your profile" not in client.get("/portal/profile/").content.decode()


def test_citizen_create_errors(db):
    client = signed_in(UserFactory(username="newcitizen", role="citizen"))
    response = client.post("/portal/profile/", {"first_name": "New", "address-country_id": "826"})
    assert 'href="#id_preferred_contact_method"' in response.content.decode()
    assert not Customer.objects.exists()


def test_pages_have_labels_for_every_input(csa_client, customer):
    """Every visible input, select and textarea has a <label for> (or sits inside its label)."""
    import re

    for url in [f"/hub/customers/{customer.ucrn}/edit/", "/hub/customers/new/", "/hub/customers/", "/hub/"]:
        page = csa_client.get(url).content.decode()
        for match in re.finditer(r'<(input|select|textarea)\b([^>]*)>', page):
            attrs = match.group(2)
            if 'type="hidden"' in attrs or 'type="submit"' in attrs:
                continue
            field_id = re.search(r'id="([^"]+)"', attrs).group(1)
            assert f'for="{field_id}"' in page, (url, field_id)


def test_static_stylesheet_is_served(db):
    assert Client().get("/static/hub.css").status_code == 200
