"""Contact permissions and subscriptions for other systems: allow-lists by channel, and webhooks."""
from __future__ import annotations

import pytest

from profiles.models import Subscription, Topic
from profiles.services import profile_update
from profiles.services.subscriptions import subscribe
from systems.models import Subscription as WebhookSubscription
from systems.services.webhooks import deliver_due
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def bins(db) -> Topic:
    return Topic.objects.create(slug="bin-reminders", name="Bin collection reminders", channels=["email", "sms"])


def test_profile_updated_webhooks_name_the_permission_that_changed(csa, customer, receiver, system_factory):
    system = system_factory(readable=["permission_email", "first_name"])
    WebhookSubscription.objects.create(name="crm", url=receiver.url, kinds=["profile.updated"], client=system.client,
                                       secret="s3cret")
    profile_update(ucrn=customer.ucrn, data={"permission_email": "granted", "permission_sms": "refused"}, user=csa,
                   channel="api", full=False)
    deliver_due()
    [payload] = receiver.payloads()
    assert payload["changed"] == ["permission_email"]  # permission_sms changed too: not readable, not named
    assert payload["profile"]["permission_email"] == "granted" and "permission_sms" not in payload["profile"]


def test_permissions_are_data_names_in_the_allow_lists(customer, system_factory):
    system = system_factory(readable=["permission_email"], writable=["permission_email"])
    response = system.api.patch(f"/api/v1/profiles/{customer.ucrn}/", {"permission_sms": "refused"}, format="json")
    assert response.status_code == 403 and set(response.json()) == {"permission_sms"}
    response = system.api.patch(f"/api/v1/profiles/{customer.ucrn}/", {"permission_email": "granted",
                                                                       "permission_note": "web"}, format="json")
    assert response.status_code == 200 and response.json()["permission_email"] == "granted"
    assert "permission_sms" not in response.json()


def test_subscriptions_need_the_channels_permission_in_the_allow_lists(csa, bins, system_factory):
    customer = CustomerFactory(mobile_number="+447700900222")
    system = system_factory(readable=["permission_email"], writable=["permission_email"])
    subscriptions = f"/api/v1/profiles/{customer.ucrn}/subscriptions/"
    refused = system.api.post(subscriptions, {"topic": "bin-reminders", "channel": "sms"}, format="json")
    assert refused.status_code == 403 and set(refused.json()) == {"permission_sms"}
    assert system.api.post(subscriptions, {"topic": "bin-reminders", "channel": "email"},
                           format="json").status_code == 201
    by_sms = subscribe(ucrn=customer.ucrn, topic="bin-reminders", channel="sms", user=csa, door="hub").subscription
    assert [s["channel"] for s in system.api.get(subscriptions).json()] == ["email"]  # sms: not readable
    subscribers = system.api.get("/api/v1/topics/bin-reminders/subscribers/").json()
    assert [row["channel"] for row in subscribers] == ["email"]
    assert system.api.delete(f"{subscriptions}{by_sms.pk}/").status_code == 403
    assert Subscription.objects.filter(ended_at__isnull=True).count() == 2


def test_an_import_with_subscriptions_needs_their_channels_permissions(csa, bins, system_factory):
    customer = CustomerFactory()
    system = system_factory(readable=["email_address"], writable=["email_address"])
    body = {"matching": "email_address", "records": [
        {"email_address": customer.email_address, "subscriptions": [{"channel": "email", "topic": "bin-reminders"}]}]}
    refused = system.api.post("/api/v1/profiles/import/", body, format="json")
    assert refused.status_code == 403 and set(refused.json()) == {"permission_email"}
    allowed = system_factory("crm", readable=["email_address"], writable=["email_address", "permission_email"])
    assert allowed.api.post("/api/v1/profiles/import/", body, format="json").status_code == 200
    assert Subscription.objects.get().customer == customer
