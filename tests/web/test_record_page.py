"""The CSA record page at scale: a fixed number of queries whatever the customer's data, the newest 20
changes and 10 cases with links to the rest, contact permissions and the erasure found however old."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.conf import settings
from django.utils import timezone

from hub.models import RecentCustomer
from hub.record import RECENT_CASES, RECENT_CHANGES, SHOWN
from integrations.demo import install_demo_forms
from integrations.models import Case, Form
from profiles.models import ChangeRecord, Channel, Title
from profiles.selectors import profile_get, profile_get_with_id
from profiles.services import profile_update
from profiles.services.merge import profile_merge
from tests.factories import CustomerFactory
from tests.web.conftest import customer_with

pytestmark = pytest.mark.django_db

# The customer with its primary address and extended data (one query, the Get's miss), the CSA's opening
# of it (for the start page), the address history, the newest changes, the changes that set a contact
# permission or erased (no query when the newest changes are the whole history), the cases, the merges to
# undo, the possible duplicates, the subscriptions.
# Session, user, roles, reference lists and extended-data sources come from the cache.
RECORD_QUERIES = 9


def record_queries(changes: int) -> int:
    return RECORD_QUERIES - (changes <= RECENT_CHANGES)


def with_cases(customer, count: int, csa) -> None:
    install_demo_forms()
    form = Form.objects.get(slug="change-of-address")
    Case.objects.bulk_create(Case(form=form, customer=customer, submitted_by=csa, reference=f"C{n:06d}")
                             for n in range(count))


@pytest.mark.parametrize(("addresses", "changes", "cases"), [
    (1, 1, 1), (50, 1, 1), (1, 500, 1), (1, 1, 100), (50, 500, 100),
])
def test_record_page_queries_are_a_fixed_number(csa, csa_client, django_assert_num_queries, other_customer,
                                                addresses, changes, cases):
    customer = customer_with(addresses=addresses, history=changes)
    with_cases(customer, cases, csa)
    # The session, the user, the reference lists and sources, read once into the cache by another record.
    csa_client.get(f"/hub/customers/{other_customer.ucrn}/")
    with django_assert_num_queries(record_queries(changes)):
        response = csa_client.get(f"/hub/customers/{customer.ucrn}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="timeline__item') == addresses
    assert page.count('data-label="When"') == min(changes, RECENT_CHANGES)
    assert len(re.findall(r'href="/hub/cases/C\d{6}/"', page)) == min(cases, RECENT_CASES)


def test_a_cached_customer_costs_one_query_less(csa, csa_client, django_assert_num_queries):
    customer = customer_with(addresses=2, history=2)
    for _ in range(2):  # the Get output is stored from its second read on
        csa_client.get(f"/hub/customers/{customer.ucrn}/")
    with django_assert_num_queries(record_queries(2) - 1):
        csa_client.get(f"/hub/customers/{customer.ucrn}/")


def test_the_history_panel_shows_the_newest_20_and_links_to_the_rest(csa_client):
    customer = customer_with(addresses=1, history=45)
    page = unescape(csa_client.get(f"/hub/customers/{customer.ucrn}/").content.decode())
    assert page.count('data-label="When"') == 20
    assert ">B44</td>" in page and ">B25</td>" in page  # the newest: bulk-created in order, the last newest
    assert ">B24</td>" not in page
    link = f'href="/hub/customers/{customer.ucrn}/history/"'
    assert link in page

    history = unescape(csa_client.get(f"/hub/customers/{customer.ucrn}/history/").content.decode())
    assert history.count('data-label="When"') == 20 and ">B44</td>" in history and "Page 1 of 3" in history
    last = unescape(csa_client.get(f"/hub/customers/{customer.ucrn}/history/?page=3").content.decode())
    assert last.count('data-label="When"') == 5 and ">B0</td>" in last and ">B5</td>" not in last


def test_no_history_link_when_everything_is_shown(csa_client):
    customer = customer_with(addresses=1, history=20)
    page = csa_client.get(f"/hub/customers/{customer.ucrn}/").content.decode()
    assert page.count('data-label="When"') == 20
    assert "/history/" not in page


def test_the_history_page_of_a_merged_ucrn_or_unknown_one(csa_client):
    assert csa_client.get("/hub/customers/123456789/history/").status_code == 404
    assert csa_client.get("/hub/customers/123456789/history/?page=x").status_code == 404


def test_the_history_page_is_for_csas(citizen_client, customer):
    assert citizen_client.get(f"/hub/customers/{customer.ucrn}/history/").status_code == 403


def test_the_cases_panel_shows_the_newest_10_and_links_to_the_rest(csa, csa_client):
    customer = customer_with(addresses=1, history=1)
    with_cases(customer, 12, csa)
    page = csa_client.get(f"/hub/customers/{customer.ucrn}/").content.decode()
    shown = re.findall(r'href="/hub/cases/(C\d{6})/"', page)
    assert shown == [f"C{n:06d}" for n in range(11, 1, -1)]  # newest first: the highest ids
    link = f'href="/hub/cases/?customer={customer.ucrn}"'
    assert link in page
    listed = csa_client.get(f"/hub/cases/?customer={customer.ucrn}").content.decode()
    assert len(re.findall(r'href="/hub/cases/C\d{6}/"', listed)) == 12


def test_no_cases_link_when_all_are_shown(csa, csa_client):
    customer = customer_with(addresses=1, history=1)
    with_cases(customer, 10, csa)
    page = csa_client.get(f"/hub/customers/{customer.ucrn}/").content.decode()
    assert "?customer=" not in page


def test_the_case_list_of_one_customer_only(csa, csa_client, customer, other_customer):
    with_cases(customer, 2, csa)
    install_demo_forms()
    Case.objects.create(form=Form.objects.get(slug="change-of-address"), customer=other_customer,
                        submitted_by=csa, reference="OTHER1")
    listed = csa_client.get(f"/hub/cases/?customer={customer.ucrn}").content.decode()
    assert "C000000" in listed and "C000001" in listed and "OTHER1" not in listed
    for bad in ("not-a-ucrn", "12/34", "<script>"):
        response = csa_client.get("/hub/cases/", {"customer": bad})
        assert response.status_code == 200 and "OTHER1" not in response.content.decode()


@pytest.mark.parametrize("newer", [30, 5])  # read apart / among the newest changes, the whole history
def test_a_permission_set_long_ago_is_still_shown_with_when_and_how(csa, csa_client, customer, newer):
    profile_update(ucrn=customer.ucrn, data={"permission_email": "granted", "permission_note": "phone call"},
                   user=csa, channel="hub", full=False)
    ChangeRecord.objects.bulk_create(  # newer (created_at is set when saved)
        ChangeRecord(customer=customer, channel=Channel.API, action=ChangeRecord.Action.UPDATE,
                     changes=[{"field": "first_name", "before": f"A{n}", "after": f"B{n}"}])
        for n in range(newer)
    )
    page = unescape(csa_client.get(f"/hub/customers/{customer.ucrn}/").content.decode())
    assert page.count('data-label="When"') == min(20, newer + 1)  # with 30, the permission's change is not shown
    assert "phone call" in page and "via hub" in page


@pytest.mark.parametrize("newer", [25, 3])
def test_an_erasure_long_ago_is_still_shown(csa, csa_client, customer, newer):
    ChangeRecord.objects.create(customer=customer, channel=Channel.ADMIN, action=ChangeRecord.Action.ERASE,
                                changes=[])
    ChangeRecord.objects.bulk_create(  # newer: exports after the erasure
        ChangeRecord(customer=customer, channel=Channel.API, action=ChangeRecord.Action.EXPORT, changes=[])
        for _ in range(newer)
    )
    page = csa_client.get(f"/hub/customers/{customer.ucrn}/").content.decode()
    assert "personal data was erased" in page
    assert "Edit customer" not in page


def test_the_merge_panel_reads_no_row_of_its_own(csa, csa_client, django_assert_num_queries, other_customer):
    survivor = customer_with(addresses=1, history=1)
    merged = [CustomerFactory(prefix=Title.objects.first(), last_name=f"Merged{n}") for n in range(3)]
    for customer in merged:
        profile_merge(survivor_ucrn=survivor.ucrn, merged_ucrn=customer.ucrn, choices=None, user=csa, channel="hub")
    csa_client.get(f"/hub/customers/{other_customer.ucrn}/")
    with django_assert_num_queries(record_queries(1 + len(merged))):  # a change record per merge
        page = unescape(csa_client.get(f"/hub/customers/{survivor.ucrn}/").content.decode())
    assert page.count(">Undo this merge<") == 3
    for customer in merged:
        assert f"({customer.display_name})" in page


def test_the_get_gives_the_id_of_the_customer_it_shows(csa):
    """The record page reads its panels by this id: a merged UCRN's is its survivor's."""
    survivor, merged = customer_with(addresses=1, history=1), CustomerFactory()
    profile_merge(survivor_ucrn=survivor.ucrn, merged_ucrn=merged.ucrn, choices=None, user=csa, channel="hub")
    for _ in range(3):  # a miss, then a hit from the shared cache
        assert profile_get_with_id(ucrn=survivor.ucrn, user=csa) == (profile_get(ucrn=survivor.ucrn, user=csa),
                                                                      survivor.pk)
    profile, customer_id = profile_get_with_id(ucrn=merged.ucrn, user=csa)
    assert customer_id == survivor.pk and profile["ucrn"] == survivor.ucrn and profile["merged_from"] == merged.ucrn


def test_opening_a_record_again_keeps_one_row_for_the_start_page_with_the_newer_time(csa, csa_client):
    customer = customer_with(addresses=1, history=1)
    csa_client.get(f"/hub/customers/{customer.ucrn}/")
    first = RecentCustomer.objects.get(user=csa, customer_id=customer.ucrn).opened_at
    assert abs(timezone.now() - first) < dt.timedelta(minutes=1)  # stored as the moment it was, in any zone
    csa_client.get(f"/hub/customers/{customer.ucrn}/")
    [row] = RecentCustomer.objects.filter(user=csa)
    assert row.customer_id == customer.ucrn and row.opened_at >= first


def test_every_name_the_template_shows_in_words_is_worded():
    template = (settings.BASE_DIR / "templates" / "hub" / "record.html").read_text()
    assert set(re.findall(r"\bshow\.(\w+)", template)) <= set(SHOWN)
