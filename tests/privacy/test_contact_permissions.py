"""Contact permissions and subscriptions in the subject access export, and gone with erasure."""
from __future__ import annotations

import pytest

from profiles.models import Subscription, Topic
from profiles.services import profile_update
from profiles.services.erasure import profile_erase
from profiles.services.export import profile_export
from profiles.services.subscriptions import subscribe
from tests.privacy.test_erasure import leftovers

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(customer, csa):
    Topic.objects.create(slug="bin-reminders", name="Bin collection reminders", channels=["email"])
    profile_update(ucrn=customer.ucrn, data={"permission_phone": "granted", "permission_note": "phone call"},
                   user=csa, channel="hub", full=False)
    profile_update(ucrn=customer.ucrn, data={"permission_phone": "refused"}, user=csa, channel="api", full=False)
    subscribe(ucrn=customer.ucrn, topic="bin-reminders", channel="email", user=csa, door="api")
    return customer


def test_the_export_holds_the_permissions_with_their_history_and_the_subscriptions(subscribed, csa):
    data = profile_export(ucrn=subscribed.ucrn, user=csa, channel="api")
    assert data["profile"]["permission_phone"] == "refused" and data["profile"]["permission_email"] == "granted"
    phone = next(p for p in data["contact_permissions"] if p["channel"] == "phone")
    assert (phone["status"], phone["source"], phone["by"], phone["note"]) == ("refused", "api", "csa", "")
    history = [c for record in data["change_history"] for c in record["changes"] if c["field"] == "permission_phone"]
    assert [(c["before"], c["after"]) for c in history] == [("granted", "refused"), ("unknown", "granted")]
    assert history[1]["note"] == "phone call"
    [subscription] = data["subscriptions"]
    assert (subscription["topic"], subscription["address"], subscription["ended_at"]) == (
        "bin-reminders", subscribed.email_address, None)


def test_erasure_resets_the_permissions_and_ends_the_subscriptions_without_their_address(subscribed, admin_user):
    email = subscribed.email_address
    profile_erase(ucrn=subscribed.ucrn, user=admin_user, channel="api")
    subscribed.refresh_from_db()
    assert {subscribed.permission_email, subscribed.permission_phone} == {"unknown"}
    subscription = Subscription.objects.get()
    assert subscription.ended_at is not None and subscription.address == ""
    assert leftovers([email, "phone call"]) == []
