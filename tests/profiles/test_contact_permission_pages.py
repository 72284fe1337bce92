"""SPEC 8.1 and 8.2 on the pages: the CSA record and edit pages, the portal profile, a built form."""
from __future__ import annotations

from html import unescape

import pytest
from django.test import Client

from integrations.demo import install_demo_forms
from integrations.models import Form
from integrations.runner import submit
from profiles.models import ChangeRecord, Subscription, Topic
from profiles.services.subscriptions import subscribe
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def bins(db) -> Topic:
    return Topic.objects.create(slug="bin-reminders", name="Bin collection reminders", channels=["email", "sms"])


def portal_edit(customer, **changes) -> dict:
    data = {"first_name": customer.first_name, "last_name": customer.last_name, "phone_number": customer.phone_number,
            "preferred_contact_method": "3", "notification_preference": ["3"], "address_change": "none",
            "permission_email": customer.permission_email, "permission_phone": customer.permission_phone,
            "permission_sms": customer.permission_sms, "permission_post": customer.permission_post}
    data.update(changes)
    return data


def test_the_portal_shows_permissions_with_how_and_subscriptions_and_a_citizen_changes_their_own(
        citizen, customer, bins):
    subscribe(ucrn=customer.ucrn, topic="bin-reminders", channel="email", user=citizen, door="portal")
    client = signed_in(citizen)
    page = unescape(client.get("/portal/profile/").content.decode())
    assert "Contact permissions" in page and "Granted" in page and "via portal" in page
    assert ", by citizen" not in page  # the portal does not name who (a CSA's username is the council's)
    assert "SPEC" not in page  # the include's comment stays a comment
    assert "Bin collection reminders by email" in page
    edit = unescape(client.get("/portal/profile/edit/").content.decode())
    assert "Refusing email ends 1 subscription" in edit
    response = client.post("/portal/profile/edit/", portal_edit(customer, permission_email="refused",
                                                                permission_phone="granted"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.permission_email, customer.permission_phone) == ("refused", "granted")
    assert not Subscription.objects.filter(ended_at__isnull=True).exists()
    assert ChangeRecord.objects.filter(customer=customer).latest("id").channel == "portal"


def test_the_portal_refuses_a_permission_without_its_contact_beside_the_field(citizen, customer):
    response = signed_in(citizen).post("/portal/profile/edit/", portal_edit(customer, permission_sms="granted"))
    page = unescape(response.content.decode())
    assert response.status_code == 200 and 'href="#id_permission_sms"' in page
    assert "cannot be granted without a mobile number" in page
    customer.refresh_from_db()
    assert customer.permission_sms == "unknown"


def test_the_record_page_shows_when_how_and_by_whom_and_the_edit_page_the_consequences(csa, customer, bins):
    Topic.objects.create(slug="council-tax", name="Council tax e-billing", channels=["email"])
    subscribe(ucrn=customer.ucrn, topic="bin-reminders", channel="email", user=csa, door="api")
    subscribe(ucrn=customer.ucrn, topic="council-tax", channel="email", user=csa, door="api")
    client = signed_in(csa)
    page = unescape(client.get(f"/hub/customers/{customer.ucrn}/").content.decode())
    assert "via api (granted by subscribing to bin-reminders), by csa" in page
    assert "Bin collection reminders by email" in page and "Council tax e-billing by email" in page
    edit = unescape(client.get(f"/hub/customers/{customer.ucrn}/edit/").content.decode())
    assert "Refusing email ends 2 subscriptions" in edit and 'name="permission_email"' in edit


def test_the_demo_form_sets_permissions_and_refuses_one_without_its_contact(csa, bins):
    install_demo_forms()
    prefs = Form.objects.get(slug="update-contact-preferences")
    customer = CustomerFactory(mobile_number="")
    values = {"Ucrn": customer.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": "3",
              "Phone_Number": "", "Mobile_Number": "", "Notification_Preference": ["3"], "Consent_To_Share": "",
              "Preferred_Language_Id": "", "Permission_Email": "granted", "Permission_Phone": "",
              "Permission_Sms": "granted", "Permission_Post": "refused"}
    refused = submit(form=prefs, values=values, user=csa, channel="form")
    assert not refused.ok and any("mobile number" in m for m in refused.errors["Permission_Sms"])
    result = submit(form=prefs, values={**values, "Permission_Sms": ""}, user=csa, channel="form")
    assert result.ok, result.errors
    customer.refresh_from_db()
    assert (customer.permission_email, customer.permission_sms, customer.permission_post) == (
        "granted", "unknown", "refused")


def test_an_administrator_defines_topics_and_their_channels_in_the_admin(admin_user, customer):
    client = signed_in(admin_user)
    add = "/admin/profiles/topic/add/"
    refused = client.post(add, {"slug": "bins", "name": "Bins", "channels": '["email", "fax"]'})
    assert refused.status_code == 200 and not Topic.objects.exists()
    assert client.post(add, {"slug": "bins", "name": "Bins", "channels": '["email", "sms"]'}).status_code == 302
    topic = Topic.objects.get()
    assert topic.channels == ["email", "sms"]
    subscribe(ucrn=customer.ucrn, topic="bins", channel="email", user=admin_user, door="admin")
    assert client.get(f"/admin/profiles/topic/{topic.pk}/delete/").status_code == 403  # it has subscriptions
    assert client.get("/admin/profiles/subscription/").status_code == 200
    # The customer's permissions are edited in the admin too, through the service.
    page = client.get(f"/admin/profiles/customer/{customer.pk}/change/").content.decode()
    assert 'name="permission_email"' in page
