"""The record's change history in words, "Contact me by" in the order given without JavaScript, and the
CSA's start page (drafts and recently opened customers), through Django's test client."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from integrations.demo import install_demo_forms
from integrations.models import Case, Form
from profiles import values
from profiles.services import profile_update
from tests.factories import AddressFactory, CustomerFactory, UserFactory
from tests.web.conftest import signed_in
from tests.web.test_pages import valid_edit

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def history_rows(page: str) -> list[list[str]]:
    table = page[page.index('class="table table--history'):]
    table = table[:table.index("</table>")]
    return [[text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S) if "<td" in row]


@pytest.fixture
def mover(db):
    customer = CustomerFactory(first_name="Mo", last_name="Mover", address=False)
    AddressFactory(customer=customer, is_primary=True, house="12", street="Old Road", town="Leeds", postcode="LS1 4AP",
                   start_date=dt.date(2019, 5, 1))
    return customer


# --- the record's change history -------------------------------------------------------------------


def test_history_names_the_address_an_end_date_belongs_to(csa, csa_client, mover):
    profile_update(ucrn=mover.ucrn, data={"house": "3", "street": "Canal Walk", "postcode": "m11ae",
                                          "preferred_contact_method": 2, "prefix_id": 1},
                   user=csa, channel="hub", full=False)
    rows = history_rows(csa_client.get(f"/hub/customers/{mover.ucrn}/").content.decode())
    by_field = {row[3]: row[4:] for row in rows}
    today = values.today()
    assert by_field["12 Old Road, Leeds, LS1 4AP: end date"] == ["—", f"{today.day} {today:%B %Y}"]
    assert by_field["12 Old Road, Leeds, LS1 4AP: current address"] == ["Yes", "No"]
    assert by_field["New address"] == ["—", "3 Canal Walk, M1 1AE"]
    assert by_field["Preferred contact method"] == ["Email", "Mobile"]
    assert by_field["Title"] == ["—", "Mr"]
    assert not [row for row in rows if "address." in row[3] or "_" in row[3]]


def test_history_of_a_correction_in_place_names_the_address(csa, csa_client, mover):
    profile_update(ucrn=mover.ucrn, data={"street": "Old Lane", "update_primary_address": 1},
                   user=csa, channel="hub", full=False)
    rows = history_rows(csa_client.get(f"/hub/customers/{mover.ucrn}/").content.decode())
    assert rows[0][3:] == ["12 Old Lane, Leeds, LS1 4AP: street", "Old Road", "Old Lane"]


def test_house_names_keep_their_comma(db):
    from profiles.display import show_address

    assert show_address({"house": "Rose Cottage", "street": "Mill Lane", "postcode": "BS1 4DJ"}) == \
        "Rose Cottage, Mill Lane, BS1 4DJ"
    assert show_address({"flat": "Flat 2", "house": "10a", "street": "High Street"}) == "Flat 2, 10a High Street"


def test_dates_and_phones_as_typed_are_shown_in_words(db):
    from profiles.display import show_date, show_phone

    assert show_date("11/02/2026") == "2 November 2026"  # the US text the hub reads
    assert show_date("2026-11-02") == "2 November 2026"
    assert show_date("next week") == "next week"
    assert show_phone("0117 496 0123") == show_phone("+441174960123") == "0117 496 0123"
    assert show_phone("not a number") == "not a number"


# --- "Contact me by", in the order given, without JavaScript ---------------------------------------


def test_order_numbers_set_the_order_on_a_form(csa_client, customer):
    install_demo_forms()
    customer.notification_preference = []
    customer.save()
    response = csa_client.post("/hub/forms/update-contact-preferences/", {
        "action": "submit", "Ucrn": customer.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": "3",
        "Notification_Preference": ["1", "3"],  # ticked in the order shown: Phone, then Email
        "Notification_Preference-order-1": "2", "Notification_Preference-order-3": "1",
    })
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.notification_preference == [3, 1]


def test_order_numbers_set_the_order_on_the_edit_page(csa_client, customer):
    data = valid_edit(customer, notification_preference=["1", "2", "4"])
    data.update({"notification_preference-order-4": "1", "notification_preference-order-1": "3",
                 "notification_preference-order-2": ""})  # a blank number: after the numbered ones
    response = csa_client.post(f"/hub/customers/{customer.ucrn}/edit/", data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.notification_preference == [4, 1, 2]


def test_an_order_given_by_numbers_on_a_stale_page_is_my_change(csa, csa_client, customer):
    """Someone else changed the customer meanwhile: my reordering by numbers is still mine, and kept."""
    from tests.web.test_edit_conflicts import loaded_page, someone_else

    data = loaded_page(csa_client, f"/hub/customers/{customer.ucrn}/edit/")  # shows [3, 1]
    someone_else(csa, customer, first_name="Meanwhile")
    data.update({"notification_preference": ["3", "1"], "notification_preference-order-1": "1",
                 "notification_preference-order-3": "2"})
    response = csa_client.post(f"/hub/customers/{customer.ucrn}/edit/", data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.first_name, customer.notification_preference) == ("Meanwhile", [1, 3])


def test_an_order_given_by_numbers_against_another_change_of_the_list_is_a_conflict(csa, csa_client, customer):
    from tests.web.test_edit_conflicts import loaded_page, someone_else

    data = loaded_page(csa_client, f"/hub/customers/{customer.ucrn}/edit/")  # shows [3, 1]
    someone_else(csa, customer, notification_preference=[4])
    data.update({"notification_preference": ["3", "1"], "notification_preference-order-1": "1",
                 "notification_preference-order-3": "2"})
    response = csa_client.post(f"/hub/customers/{customer.ucrn}/edit/", data)
    assert response.status_code == 200
    assert [c.key for c in response.context["version_form"].conflicts] == ["notification_preference"]
    customer.refresh_from_db()
    assert customer.notification_preference == [4]


def test_the_widget_shows_ticked_items_first_with_their_numbers(csa_client, customer):
    customer.notification_preference = [4, 2]
    customer.save()
    page = csa_client.get(f"/hub/customers/{customer.ucrn}/edit/").content.decode()
    shown = re.findall(r'name="notification_preference" value="(\d)"', page)
    assert shown == ["4", "2", "1", "3"]
    numbers = dict(re.findall(r'name="notification_preference-order-(\d)"[^>]*?value="(\d*)"', page))
    assert numbers == {"4": "1", "2": "2", "1": "", "3": ""}
    assert 'data-ordered-choices' in page  # hub.js adds the up and down buttons


# --- the CSA's start page ---------------------------------------------------------------------------


def test_start_page_lists_the_customers_opened_most_recently_first(csa_client):
    first, second = CustomerFactory(first_name="Ann", last_name="First"), CustomerFactory(last_name="Second")
    for customer in (first, second, first):
        assert csa_client.get(f"/hub/customers/{customer.ucrn}/").status_code == 200
    page = csa_client.get("/hub/").content.decode()
    recent = text(page[page.index('id="recent-title"'):])
    assert recent.index("Ann First") < recent.index("Second")
    assert recent.count("Ann First") == 1


def test_start_page_keeps_only_the_last_ten(csa_client, csa):
    customers = [CustomerFactory(last_name=f"Opened{n:02d}") for n in range(12)]
    for customer in customers:
        csa_client.get(f"/hub/customers/{customer.ucrn}/")
    page = text(csa_client.get("/hub/").content.decode())
    assert "Opened11" in page and "Opened02" in page
    assert "Opened01" not in page and "Opened00" not in page


def test_start_page_lists_the_csas_own_drafts_only(csa, csa_client, customer):
    install_demo_forms()
    form = Form.objects.get(slug="change-of-address")
    mine = Case.objects.create(form=form, customer=customer, submitted_by=csa, status=Case.Status.DRAFT)
    Case.objects.create(form=form, customer=customer, submitted_by=csa, status=Case.Status.SUBMITTED)
    theirs = Case.objects.create(form=form, customer=customer, submitted_by=UserFactory(role="csa"),
                                 status=Case.Status.DRAFT)
    page = csa_client.get("/hub/").content.decode()
    assert f'href="/hub/cases/{mine.reference}/edit/"' in page
    assert theirs.reference not in page
    drafts = text(page[page.index('id="drafts-title"'):page.index('id="recent-title"')])
    assert "Change of address" in drafts and customer.last_name in drafts


def test_another_csas_openings_are_not_mine(csa_client):
    other = signed_in(UserFactory(role="csa"))
    customer = CustomerFactory(last_name="Elsewhere")
    other.get(f"/hub/customers/{customer.ucrn}/")
    assert "Elsewhere" not in csa_client.get("/hub/").content.decode()


@pytest.mark.parametrize("count", [1, 12])
def test_start_page_query_budget(csa, csa_client, django_assert_max_num_queries, count):
    install_demo_forms()
    form = Form.objects.get(slug="change-of-address")
    for _ in range(count):
        customer = CustomerFactory()
        csa_client.get(f"/hub/customers/{customer.ucrn}/")
        Case.objects.create(form=form, customer=customer, submitted_by=csa, status=Case.Status.DRAFT)
    Case.objects.create(form=form, customer=None, submitted_by=csa, status=Case.Status.DRAFT)
    # session, user, roles, recently opened customers (with their names), the older ones deleted, drafts
    with django_assert_max_num_queries(6):
        response = csa_client.get("/hub/")
    assert response.status_code == 200
    assert response.content.decode().count("/edit/") == min(count + 1, 10)
