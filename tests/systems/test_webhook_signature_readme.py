"""The README's verification example, run as written against deliveries the hub really sent.

The code block is taken from the README itself, so the documented scheme (the `sha256=` prefix, hex, the
timestamp and the raw body, `hmac.compare_digest`, five minutes' tolerance) is the one the hub signs with.
"""
from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.datastructures import CaseInsensitiveMapping

from profiles.services import profile_update
from systems.models import Subscription
from systems.services.webhooks import deliver_due, subscription_new_secret

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


def readme_verify():
    """The `verify` function of the README's one Python block that defines it."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    [code] = [block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "def verify(" in block]
    assert len(code.strip().splitlines()) <= 10
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # our own README, the code under test
    return namespace["verify"]


@pytest.fixture
def delivery(csa, customer, receiver):
    """One real delivery as the receiver got it, and the secret it was signed with."""
    subscription = Subscription.objects.create(name="crm", url=receiver.url, kinds=["profile.updated"])
    secret = subscription_new_secret(subscription=subscription)
    profile_update(ucrn=customer.ucrn, data={"first_name": "Ann-Signed"}, user=csa, channel="api", full=False)
    assert deliver_due().sent == 1
    [received] = receiver.received
    return secret, CaseInsensitiveMapping(received.headers), received.body


def test_the_readme_example_verifies_a_real_delivery(delivery):
    secret, headers, body = delivery
    assert headers["X-Hub-Signature-256"].startswith("sha256=")
    assert readme_verify()(secret, headers, body) is True


def test_the_readme_example_refuses_a_changed_body_time_or_secret(delivery):
    secret, headers, body = delivery
    verify = readme_verify()
    assert verify(secret, headers, body.replace(b"update", b"erase")) is False
    later = str(int(headers["X-Hub-Timestamp"]) + 60)  # within the tolerance, but not what was signed
    assert verify(secret, CaseInsensitiveMapping({**headers, "X-Hub-Timestamp": later}), body) is False
    assert verify("another secret of at least thirty-two characters", headers, body) is False
    assert verify(secret, CaseInsensitiveMapping({"X-Hub-Timestamp": headers["X-Hub-Timestamp"]}), body) is False


def test_the_readme_example_refuses_a_delivery_replayed_after_five_minutes(delivery, monkeypatch):
    secret, headers, body = delivery
    verify = readme_verify()
    sent = int(headers["X-Hub-Timestamp"])
    monkeypatch.setattr(time, "time", lambda: sent + 299)
    assert verify(secret, headers, body) is True
    monkeypatch.setattr(time, "time", lambda: sent + 301)
    assert verify(secret, headers, body) is False


def test_each_attempt_is_signed_with_its_own_time(csa, customer, receiver, monkeypatch):
    """A retry an hour later still verifies: it is signed when it is sent, not when it was written."""
    subscription = Subscription.objects.create(name="crm", url=receiver.url, kinds=["profile.updated"])
    secret = subscription_new_secret(subscription=subscription)
    profile_update(ucrn=customer.ucrn, data={"first_name": "Ann-Signed"}, user=csa, channel="api", full=False)
    receiver.script = [500]
    first_try, retry = timezone.now() + dt.timedelta(seconds=1), timezone.now() + dt.timedelta(hours=1)
    assert deliver_due(now=first_try).failed == 1 and deliver_due(now=retry).sent == 1
    stamps = [int(r.headers["X-Hub-Timestamp"]) for r in receiver.received]
    assert stamps == [int(first_try.timestamp()), int(retry.timestamp())]
    verify = readme_verify()
    first, second = (CaseInsensitiveMapping(r.headers) for r in receiver.received)
    monkeypatch.setattr(time, "time", lambda: retry.timestamp() + 10)  # the receiver's clock
    assert verify(secret, second, receiver.received[1].body) is True
    assert verify(secret, first, receiver.received[0].body) is False  # the first attempt, replayed late
