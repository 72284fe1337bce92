"""The browser's doors: download buttons on the record and portal pages, the erase confirmation, the admin."""
from __future__ import annotations

import json
from html import unescape

import pytest

from profiles.models import ChangeRecord, Customer
from tests.factories import UserFactory
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


def record(ucrn: str) -> str:
    return f"/hub/customers/{ucrn}/"


def test_the_record_page_offers_the_download_and_only_superusers_the_erasure(customer, csa, superuser):
    page = signed_in(csa).get(record(customer.ucrn)).content.decode()
    assert f"/hub/customers/{customer.ucrn}/export/" in page and "/erase/" not in page
    assert f"/hub/customers/{customer.ucrn}/erase/" in signed_in(superuser).get(record(customer.ucrn)).content.decode()


def test_a_csa_downloads_the_json_and_it_is_audited(customer, csa):
    response = signed_in(csa).get(f"/hub/customers/{customer.ucrn}/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="customer-{customer.ucrn}.json"'
    assert json.loads(response.content)["profile"]["last_name"] == customer.last_name
    assert ChangeRecord.objects.filter(customer=customer, action="export", channel="hub", user=csa).exists()
    page = signed_in(csa).get(record(customer.ucrn)).content.decode()
    assert "Exported (subject access)" in page  # the export shows in the change history


def test_the_portal_download_is_the_citizens_own(customer, citizen):
    client = signed_in(citizen)
    assert "/portal/profile/export/" in client.get("/portal/profile/").content.decode()
    response = client.get("/portal/profile/export/")
    assert response.status_code == 200 and json.loads(response.content)["ucrn"] == customer.ucrn
    assert ChangeRecord.objects.filter(customer=customer, action="export", channel="portal").exists()


def test_who_may_download_and_erase(customer, citizen, csa):
    export, erase = f"/hub/customers/{customer.ucrn}/export/", f"/hub/customers/{customer.ucrn}/erase/"
    for url in (export, erase):
        assert signed_in(citizen).get(url).status_code == 403
    assert signed_in(csa).get(erase).status_code == 403
    assert signed_in(csa).post(erase).status_code == 403
    assert signed_in(UserFactory(username="nobody")).get("/portal/profile/export/").status_code == 403
    assert Customer.objects.get(pk=customer.pk).erased_at is None


def test_anonymous_users_are_sent_to_sign_in(customer, client):
    for url in (f"/hub/customers/{customer.ucrn}/export/", f"/hub/customers/{customer.ucrn}/erase/",
                "/portal/profile/export/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_superuser_confirms_then_erases(customer, superuser):
    client = signed_in(superuser)
    url = f"/hub/customers/{customer.ucrn}/erase/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    assert Customer.objects.get(pk=customer.pk).erased_at is None  # the GET only asks
    response = client.post(url, follow=True)
    page = unescape(response.content.decode())
    assert response.redirect_chain[-1][0] == record(customer.ucrn)
    assert "has been erased" in page and "personal data was erased on" in page
    assert customer.last_name not in page and f"/hub/customers/{customer.ucrn}/edit/" not in page
    assert Customer.objects.get(pk=customer.pk).erased_at is not None
    again = client.post(url, follow=True).content.decode()
    assert "already been erased" in again
    assert ChangeRecord.objects.filter(customer=customer, action="erase").count() == 1


def test_a_form_update_of_an_erased_customer_is_refused_beside_the_ucrn(full_customer, superuser, csa):
    from integrations.models import Case, Form
    from integrations.runner import submit

    signed_in(superuser).post(f"/hub/customers/{full_customer.ucrn}/erase/")
    cases = Case.objects.count()
    result = submit(form=Form.objects.get(slug="change-of-address"), user=csa, channel="form",
                    values={"Ucrn": full_customer.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": "3",
                            "First_Name": "Back", "House": "", "Street": "", "Postcode": "", "Moved": "1"})
    assert not result.ok and "has been erased" in " ".join(result.errors["Ucrn"])
    assert Case.objects.count() == cases and Customer.objects.get(pk=full_customer.pk).first_name == ""


def test_the_admin_action_asks_then_erases(customer, superuser):
    client = signed_in(superuser)
    data = {"action": "erase_customers", "_selected_action": [customer.pk]}
    confirm = client.post("/admin/profiles/customer/", data)
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    assert Customer.objects.get(pk=customer.pk).erased_at is None
    response = client.post("/admin/profiles/customer/", {**data, "confirm_erase": "yes"}, follow=True)
    assert "Erased 1 customer(s)." in response.content.decode()
    erased = Customer.objects.get(pk=customer.pk)
    assert erased.erased_at is not None and erased.last_name == ""
    assert ChangeRecord.objects.get(customer=customer, action="erase").channel == "admin"
