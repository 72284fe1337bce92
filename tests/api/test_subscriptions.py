"""SPEC 8.2 over REST: topics, a customer's subscriptions, and a topic's subscribers for a mailing."""
from __future__ import annotations

import csv
import io

import pytest

from profiles.models import ChangeRecord, Subscription, Topic
from tests.api.conftest import codes, url
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bins(db) -> Topic:
    return Topic.objects.create(slug="bin-reminders", name="Bin collection reminders", channels=["email", "sms"])


def subscribe(client, ucrn: str, topic: str = "bin-reminders", channel: str = "email"):
    return client.post(url(ucrn, "subscriptions"), {"topic": topic, "channel": channel}, format="json")


def test_subscribing_with_an_unknown_permission_grants_it_and_says_so(csa_api, customer, bins):
    version = customer.version
    response = subscribe(csa_api, customer.ucrn)
    assert response.status_code == 201, response.json()
    assert response.json() | {"id": 0, "created_at": ""} == {
        "id": 0, "topic": "bin-reminders", "topic_name": "Bin collection reminders", "channel": "email",
        "address": customer.email_address, "created_at": "", "ended_at": None}
    customer.refresh_from_db()
    assert customer.permission_email == "granted" and customer.version == version + 1
    record = ChangeRecord.objects.filter(customer=customer).get()
    assert record.changes[0] == {"field": "permission_email", "before": "unknown", "after": "granted",
                                 "note": "granted by subscribing to bin-reminders"}
    assert record.changes[1]["field"] == "subscription" and record.changes[1]["after"]["topic"] == "bin-reminders"
    listed = csa_api.get(url(customer.ucrn, "subscriptions")).json()
    assert [(s["topic"], s["channel"]) for s in listed] == [("bin-reminders", "email")]
    # Subscribing again changes nothing: the current subscription, 200.
    again = subscribe(csa_api, customer.ucrn)
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    assert ChangeRecord.objects.filter(customer=customer).count() == 1


def test_subscribing_with_the_permission_refused_is_refused(csa_api, customer, bins):
    customer.permission_email = "refused"
    customer.save()
    response = subscribe(csa_api, customer.ucrn)
    assert response.status_code == 400 and codes(response) == {"permission_email": ["permission_refused"]}
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(("body", "expected"), [
    ({"topic": "no-such-topic", "channel": "email"}, {"topic": ["unknown_topic"]}),
    ({"topic": "bin-reminders", "channel": "post"}, {"channel": ["channel_not_offered"]}),
    ({"topic": "bin-reminders", "channel": "fax"}, {"channel": ["invalid_choice"]}),
    ({"topic": ["bin-reminders"], "channel": None}, {"topic": ["unknown_topic"], "channel": ["invalid_choice"]}),
    ({"topic": "bin-reminders", "channel": "sms"}, {"permission_sms": ["contact_missing"]}),  # no mobile
])
def test_subscription_refusals_carry_their_codes(csa_api, customer, bins, body, expected):
    response = csa_api.post(url(customer.ucrn, "subscriptions"), body, format="json")
    assert response.status_code == 400 and codes(response) == expected
    assert not Subscription.objects.exists()


def test_refusing_a_channel_ends_its_subscriptions_in_the_same_write(csa_api, customer, bins):
    Topic.objects.create(slug="council-tax", name="Council tax e-billing", channels=["email"])
    subscribe(csa_api, customer.ucrn)
    subscribe(csa_api, customer.ucrn, topic="council-tax")
    response = csa_api.patch(url(customer.ucrn), {"permission_email": "refused"}, format="json")
    assert response.status_code == 200
    assert not Subscription.objects.filter(ended_at__isnull=True).exists()
    record = ChangeRecord.objects.filter(customer=customer).order_by("-id").first()
    assert [c["field"] for c in record.changes] == ["permission_email", "subscription", "subscription"]
    assert all(c["after"] is None for c in record.changes[1:])
    assert csa_api.get(url(customer.ucrn, "subscriptions")).json() == []


def test_a_refusal_that_fails_ends_nothing(csa_api, customer, bins):
    subscribe(csa_api, customer.ucrn)
    response = csa_api.patch(url(customer.ucrn), {"permission_email": "refused", "birth_date": "not a date"},
                             format="json")
    assert response.status_code == 400
    assert Subscription.objects.filter(ended_at__isnull=True).count() == 1
    customer.refresh_from_db()
    assert customer.permission_email == "granted"


def test_deleting_ends_a_subscription_and_keeps_it(csa_api, customer, bins):
    made = subscribe(csa_api, customer.ucrn).json()
    assert csa_api.delete(url(customer.ucrn, f"subscriptions/{made['id']}")).status_code == 204
    assert Subscription.objects.get().ended_at is not None
    assert csa_api.delete(url(customer.ucrn, f"subscriptions/{made['id']}")).status_code == 404
    assert csa_api.delete(url(customer.ucrn, "subscriptions/abc")).status_code == 404
    customer.refresh_from_db()
    assert customer.permission_email == "granted"  # ending a subscription is not refusing the channel


def test_a_citizen_reads_and_changes_their_own_subscriptions_only(citizen_api, customer, other_customer, bins):
    made = subscribe(citizen_api, customer.ucrn)
    assert made.status_code == 201
    assert len(citizen_api.get(url(customer.ucrn, "subscriptions")).json()) == 1
    assert citizen_api.delete(url(customer.ucrn, f"subscriptions/{made.json()['id']}")).status_code == 204
    assert subscribe(citizen_api, other_customer.ucrn).status_code == 403
    assert citizen_api.get(url(other_customer.ucrn, "subscriptions")).status_code == 403
    assert citizen_api.get("/api/v1/topics/bin-reminders/subscribers/").status_code == 403


def test_anonymous_callers_are_refused(anon_api, customer, bins):
    assert anon_api.get(url(customer.ucrn, "subscriptions")).status_code in (401, 403)
    assert subscribe(anon_api, customer.ucrn).status_code in (401, 403)
    assert anon_api.get("/api/v1/topics/bin-reminders/subscribers/").status_code in (401, 403)


def test_the_subscribers_of_a_topic_as_json_and_as_csv(csa_api, bins):
    ann = CustomerFactory(mobile_number="+447700900111")
    bob = CustomerFactory()
    subscribe(csa_api, ann.ucrn, channel="sms")
    subscribe(csa_api, bob.ucrn)
    ended = CustomerFactory()
    made = subscribe(csa_api, ended.ucrn).json()
    csa_api.delete(url(ended.ucrn, f"subscriptions/{made['id']}"))
    expected = sorted([{"ucrn": ann.ucrn, "channel": "sms", "address": "+447700900111"},
                       {"ucrn": bob.ucrn, "channel": "email", "address": bob.email_address}],
                      key=lambda row: row["ucrn"])
    assert csa_api.get("/api/v1/topics/bin-reminders/subscribers/").json() == expected
    response = csa_api.get("/api/v1/topics/bin-reminders/subscribers/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["ucrn", "channel", "address"], *([r["ucrn"], r["channel"], r["address"]] for r in expected)]
    assert csa_api.get("/api/v1/topics/nothing/subscribers/").status_code == 404


def test_csv_cells_are_formula_safe(csa_api, bins):
    customer = CustomerFactory()
    Subscription.objects.create(customer=customer, topic=bins, channel="email", address="=HYPERLINK(1)")
    response = csa_api.get("/api/v1/topics/bin-reminders/subscribers/", HTTP_ACCEPT="text/csv")
    assert "'=HYPERLINK(1)" in response.content.decode()


def test_the_import_accepts_subscriptions_per_record(csa_api, customer, bins):
    body = {"matching": "email_address", "records": [
        {"email_address": customer.email_address, "subscriptions": [{"channel": "email", "topic": "bin-reminders"}]},
        {**{"contact_type": "Individual", "preferred_contact_method": 3}, "email_address": "new.one@example.org",
         "subscriptions": [{"channel": "email", "topic": "bin-reminders"}]},
        {"email_address": "third@example.org", "contact_type": "Individual", "preferred_contact_method": 3,
         "subscriptions": [{"channel": "email", "topic": "no-such-topic"}]},
    ]}
    response = csa_api.post("/api/v1/profiles/import/", body, format="json")
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["updated", "created", "error"]
    assert results[2]["errors"]["subscriptions"][0]["code"] == "unknown_topic"
    subscribers = {row["address"] for row in csa_api.get("/api/v1/topics/bin-reminders/subscribers/").json()}
    assert subscribers == {customer.email_address, "new.one@example.org"}
    assert not CustomerFactory._meta.model.objects.filter(email_address="third@example.org").exists()


def test_an_import_refusing_a_channel_ends_its_subscriptions_on_the_bulk_path(csa_api, customer, bins):
    subscribe(csa_api, customer.ucrn)
    body = {"matching": "email_address", "records": [{"email_address": customer.email_address,
                                                      "permission_email": "refused"}]}
    response = csa_api.post("/api/v1/profiles/import/", body, format="json")
    assert [r["status"] for r in response.json()["results"]] == ["updated"]
    assert not Subscription.objects.filter(ended_at__isnull=True).exists()
    record = ChangeRecord.objects.filter(customer=customer).order_by("-id").first()
    assert [c["field"] for c in record.changes] == ["permission_email", "subscription"]
    assert record.channel == "import"  # how it was given: the door, the import's own channel
    assert "note" not in record.changes[0]  # no free text was sent
    history = csa_api.get(f"/api/v1/profiles/{customer.ucrn}/history/").json()
    assert history[0]["channel"] == "import"
