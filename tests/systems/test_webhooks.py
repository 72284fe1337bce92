"""Change webhooks against a real HTTP receiver on loopback: outbox, signature, retries, order, pause.

Time is moved by the `now` parameter of `deliver_due`, never by sleeping. The receiver is on 127.0.0.1,
which webhooks may reach only where an administrator allows it: these tests do, as a private integration
network would (tests/systems/test_destinations.py: what is refused without it).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from integrations.models import Case, Form
from profiles.services import profile_create, profile_update
from profiles.services.erasure import profile_erase
from systems.models import Delivery, DeliveryAttempt, Subscription
from systems.services.webhooks import claim, deliver_due, lease, send_batch, subscription_resume
from tests.api.conftest import token_client
from tests.concurrency.test_concurrent_updates import reference_lists  # noqa: F401 - a fixture
from tests.factories import CustomerFactory
from tests.profiles.support import VALID_CREATE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


ALL_PROFILE = ["profile.created", "profile.updated", "profile.merged", "profile.erased"]


def subscribe(url: str, kinds=("profile.updated",), client=None, name: str = "crm") -> Subscription:
    return Subscription.objects.create(name=name, url=url, kinds=list(kinds), client=client, secret="s3cret")


def later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def rename(user, customer, first_name: str):
    return profile_update(ucrn=customer.ucrn, data={"first_name": first_name}, user=user, channel="api", full=False)


def test_a_change_is_signed_and_carries_only_what_the_client_may_read(csa, customer, receiver, system_factory):
    system = system_factory(readable=["first_name"])
    subscription = subscribe(receiver.url, kinds=ALL_PROFILE, client=system.client)
    profile_update(ucrn=customer.ucrn, data={"first_name": "Ann-Signed", "birth_date": "1970-01-01"}, user=csa,
                   channel="api", full=False)
    assert Delivery.objects.count() == 1 and receiver.received == []  # written, not sent: the worker sends
    assert deliver_due().sent == 1

    [request] = receiver.received
    signed = request.headers["X-Hub-Timestamp"].encode() + b"." + request.body  # the time is signed too
    expected = "sha256=" + hmac.new(b"s3cret", signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-Hub-Signature-256"], expected)
    payload = request.json
    assert request.headers["X-Hub-Delivery"] == payload["id"] == str(Delivery.objects.get().delivery_id)
    assert abs(int(request.headers["X-Hub-Timestamp"]) - timezone.now().timestamp()) < 60
    assert request.headers["X-Hub-Event"] == payload["kind"] == "profile.updated"
    assert payload["ucrn"] == customer.ucrn and payload["channel"] == "api"
    assert payload["changed"] == ["first_name"]  # birth_date changed too: not readable, not named
    assert payload["profile"] == {"ucrn": customer.ucrn, "first_name": "Ann-Signed", "version": 2,
                                  "created_at": payload["profile"]["created_at"],
                                  "updated_at": payload["profile"]["updated_at"]}
    delivery = Delivery.objects.get()
    assert delivery.status == "sent" and delivery.attempts == 1 and subscription.deliveries.count() == 1


def test_without_a_client_no_personal_data_is_sent(csa, customer, receiver):
    subscribe(receiver.url, kinds=["profile.created", "profile.updated"])
    created = profile_create(data={**VALID_CREATE, "first_name": "Zed", "postcode": "M1 1AE", "house": "1"},
                             user=csa, channel="api")
    rename(csa, customer, "Bo")
    deliver_due()
    kinds = [(p["kind"], p["ucrn"]) for p in receiver.payloads()]
    assert kinds == [("profile.created", created.customer.ucrn), ("profile.updated", customer.ucrn)]
    for payload in receiver.payloads():
        assert "profile" not in payload and payload["changed"] == []
        assert "Zed" not in str(payload) and "Bo" not in str(payload)


def test_retries_after_a_500_with_backoff(csa, customer, receiver):
    subscribe(receiver.url)
    receiver.script = [500]
    rename(csa, customer, "Retry")
    t0 = later(1)
    assert deliver_due(now=t0).failed == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.last_status == 500
    assert delivery.next_attempt_at == t0 + dt.timedelta(seconds=30)
    assert deliver_due(now=t0 + dt.timedelta(seconds=29)).sent == 0  # not yet due
    assert deliver_due(now=t0 + dt.timedelta(seconds=31)).sent == 1
    ids = {r.headers["X-Hub-Delivery"] for r in receiver.received}
    assert len(receiver.received) == 2 and len(ids) == 1  # the same delivery id: the subscriber de-duplicates
    assert list(DeliveryAttempt.objects.order_by("at").values_list("status_code", flat=True)) == [500, 200]
    assert Subscription.objects.get().failing_since is None


def test_retries_after_a_refused_connection(csa, customer, receiver, refused_url):
    subscription = subscribe(refused_url)
    rename(csa, customer, "Refused")
    t0 = later(1)
    assert deliver_due(now=t0).failed == 1
    delivery = Delivery.objects.get()
    assert delivery.last_status is None and delivery.last_error and delivery.status == "pending"
    subscription.url = receiver.url  # the subscriber comes back (here: at another port)
    subscription.save()
    assert deliver_due(now=t0 + dt.timedelta(seconds=31)).sent == 1
    assert len(receiver.received) == 1


def test_nothing_is_sent_for_a_rolled_back_change(csa, customer, receiver):
    subscribe(receiver.url)
    with pytest.raises(ValidationError):
        profile_update(ucrn=customer.ucrn, data={"first_name": "Lost", "birth_date": "nonsense"}, user=csa,
                       channel="api", full=False)
    with pytest.raises(RuntimeError), transaction.atomic():
        rename(csa, customer, "AlsoLost")
        assert Delivery.objects.count() == 1  # in the outbox, inside the transaction...
        raise RuntimeError("the caller's transaction fails after the change")
    assert Delivery.objects.count() == 0  # ...and gone with it
    assert deliver_due(now=later(60)).sent == 0
    assert receiver.received == []


def test_order_per_customer_is_kept(csa, receiver):
    subscribe(receiver.url)
    a, b = CustomerFactory(), CustomerFactory()
    rename(csa, a, "A1")
    rename(csa, a, "A2")
    rename(csa, b, "B1")
    receiver.script = [500]  # A's first delivery fails
    t0 = later(1)
    deliver_due(now=t0)
    seen = [(p["ucrn"], p["version"]) for p in receiver.payloads()]
    assert seen == [(a.ucrn, 2), (b.ucrn, 2)]  # A's second waits behind its first; B is not held up
    deliver_due(now=t0 + dt.timedelta(seconds=31))
    seen = [(p["ucrn"], p["version"]) for p in receiver.payloads()]
    assert [v for u, v in seen if u == a.ucrn] == [2, 2, 3]


def test_a_subscription_failing_for_a_day_is_paused_and_admins_are_told(csa, customer, receiver, settings):
    settings.ADMINS = [("Ops", "ops@example.org")]
    subscribe(receiver.url)
    receiver.script = [503] * 10
    rename(csa, customer, "Down")
    t0 = later(1)
    deliver_due(now=t0)
    deliver_due(now=t0 + dt.timedelta(hours=12))
    assert Subscription.objects.get().paused_at is None
    with django_capture_on_commit():
        deliver_due(now=t0 + dt.timedelta(days=1, seconds=1))
    subscription = Subscription.objects.get()
    assert subscription.paused_at is not None
    assert len(mail.outbox) == 1 and "paused" in mail.outbox[0].subject.lower()
    count = len(receiver.received)
    assert deliver_due(now=t0 + dt.timedelta(days=3)).sent == 0 and len(receiver.received) == count  # paused
    receiver.script = []
    subscription_resume(subscription=subscription, now=t0 + dt.timedelta(days=3))
    assert deliver_due(now=t0 + dt.timedelta(days=3, seconds=1)).sent == 1
    assert Delivery.objects.get().status == "sent"


def django_capture_on_commit():
    """Run the on-commit callbacks of the test's transaction (pytest-django's fixture, as a context)."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_events_cases_and_erasure_reach_the_outbox(csa, admin_user, customer, receiver, system_factory):
    system = system_factory(readable=["first_name", "custom_3"], writable=["custom_3"])
    subscribe(receiver.url, kinds=[*ALL_PROFILE, "case.created"], client=system.client)
    from systems.models import Rule, RuleAction

    rule = Rule.objects.create(name="bins", event_type="bin")
    RuleAction.objects.create(rule=rule, property="day", data_name="custom_3")
    assert system.api.post("/api/v1/events/", {"type": "bin", "ucrn": customer.ucrn, "properties": {"day": "Mon"}},
                           format="json").status_code == 201
    form = Form.objects.create(name="Report", slug="report")
    Case.objects.create(form=form, customer=customer, data={"secret": "x"})
    profile_erase(ucrn=customer.ucrn, user=admin_user, channel="admin")
    deliver_due()
    updated, case, erased = receiver.payloads()
    assert updated["channel"] == "event" and updated["changed"] == ["custom_3"]
    assert "profile" not in updated  # erasure removed the personal data still waiting in the outbox
    assert case["kind"] == "case.created" and case["ucrn"] == customer.ucrn and "secret" not in str(case)
    assert erased == {"id": erased["id"], "kind": "profile.erased", "ucrn": customer.ucrn, "action": "erase",
                      "channel": "admin", "occurred_at": erased["occurred_at"], "version": erased["version"]}
    for payload in (updated, case, erased):  # the API's one date-time style: UTC with Z
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z", payload["occurred_at"])


def test_a_claimed_delivery_is_not_claimed_again(csa, customer, receiver):
    subscribe(receiver.url)
    rename(csa, customer, "Once")
    now = later(1)
    assert len(claim(now=now, size=10)) == 1
    assert claim(now=now, size=10) == []  # a second worker: leased
    assert deliver_due(now=now).sent == 0


def test_a_lease_that_ran_out_mid_batch_is_not_sent_twice(csa, receiver):
    """A batch whose earlier sends were slow: the lease of a later delivery ran out and a second worker
    claimed and sent it; the first worker then skips it instead of sending it again."""
    subscribe(receiver.url)
    first, second = CustomerFactory(), CustomerFactory()
    rename(csa, first, "One")
    rename(csa, second, "Two")
    start = later(1)
    slow_worker = claim(now=start, size=10)
    expired = start + lease() + dt.timedelta(seconds=1)
    other_worker = claim(now=expired, size=10)
    assert len(slow_worker) == len(other_worker) == 2
    assert send_batch(other_worker, now=expired).sent == 2
    assert send_batch(slow_worker, now=expired + dt.timedelta(seconds=1)).sent == 0
    assert len(receiver.received) == 2


def test_a_lease_is_renewed_for_each_send(csa, customer, receiver):
    """The worker still holding its lease sends, and each send starts a fresh lease: a slow batch keeps it."""
    subscribe(receiver.url)
    rename(csa, customer, "Kept")
    start = later(1)
    batch = claim(now=start, size=10)
    assert send_batch(batch, now=start + lease() + dt.timedelta(seconds=5)).sent == 1  # ran out, nobody took it


@pytest.mark.django_db(transaction=True)
def test_two_workers_skip_each_others_locked_rows(reference_lists, csa, receiver):  # noqa: F811
    """PostgreSQL: a worker skips the rows another worker's transaction has locked, without waiting."""
    if connection.vendor != "postgresql":
        pytest.skip("SELECT ... FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite serialises writers")
    subscribe(receiver.url)
    first, second = CustomerFactory(), CustomerFactory()
    rename(csa, first, "One")
    rename(csa, second, "Two")
    locked, release = threading.Event(), threading.Event()
    first_delivery = Delivery.objects.get(customer_key=first.ucrn)

    def other_worker() -> None:
        try:
            with transaction.atomic():
                list(Delivery.objects.select_for_update().filter(pk=first_delivery.pk))
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(10)
    try:
        claimed = claim(now=later(1), size=10)
    finally:
        release.set()
        thread.join(10)
    assert [d.customer_key for d in claimed] == [second.ucrn]


def test_run_webhooks_once(csa, customer, receiver, capsys):
    subscribe(receiver.url)
    rename(csa, customer, "Cmd")
    call_command("run_webhooks", "--once")
    assert "1 sent" in capsys.readouterr().out
    assert len(receiver.received) == 1


def test_an_inactive_subscription_gets_nothing_written(csa, customer, receiver):
    Subscription.objects.create(name="off", url=receiver.url, kinds=["profile.updated"], active=False)
    rename(csa, customer, "Quiet")
    assert Delivery.objects.count() == 0
    assert token_client(csa).get(f"/api/v1/profiles/{customer.ucrn}/").status_code == 200


def test_a_merge_is_announced_for_both_customers(csa, receiver):
    from profiles.services.merge import profile_merge

    subscribe(receiver.url, kinds=["profile.merged"])
    survivor, duplicate = CustomerFactory(), CustomerFactory()
    profile_merge(survivor_ucrn=survivor.ucrn, merged_ucrn=duplicate.ucrn, choices=None, user=csa, channel="api")
    deliver_due()
    payloads = {p["ucrn"]: p for p in receiver.payloads()}
    assert payloads[survivor.ucrn]["merged_from"] == duplicate.ucrn
    assert payloads[duplicate.ucrn]["merged_into"] == survivor.ucrn
    assert {p["kind"] for p in payloads.values()} == {"profile.merged"}


def test_erasure_scrubs_the_outbox_and_the_event_log_even_unannounced(csa, admin_user, customer, receiver,
                                                                      system_factory):
    system = system_factory(readable=["first_name"])
    subscribe(receiver.url, kinds=["profile.updated"], client=system.client)  # not told of erasures
    from systems.models import Event

    assert token_client(csa).post("/api/v1/events/", {"type": "t", "ucrn": customer.ucrn,
                                                      "properties": {"secret": "Jane's note"}},
                                  format="json").json()["outcome"] == "unmatched"
    rename(csa, customer, "Personal")
    assert "Personal" in str(Delivery.objects.get().payload)
    profile_erase(ucrn=customer.ucrn, user=admin_user, channel="admin")
    assert "Personal" not in str(Delivery.objects.get().payload)
    assert "Jane's note" not in str(Event.objects.get().payload)


def test_the_cached_subscriptions_follow_every_change_and_cost_no_query_when_warm(
    csa, customer, receiver, django_assert_num_queries
):
    rename(csa, customer, "First")  # no subscription yet: that answer is cached
    subscription = subscribe(receiver.url)
    rename(csa, customer, "Second")  # a new subscription is heard at once
    assert Delivery.objects.filter(subscription=subscription).count() == 1
    subscription.active = False
    subscription.save()
    rename(csa, customer, "Third")  # ...and so is one switched off
    assert Delivery.objects.filter(subscription=subscription).count() == 1

    from systems.services.webhooks import subscriptions_for

    with django_assert_num_queries(0):
        assert subscriptions_for("profile.updated") == []
