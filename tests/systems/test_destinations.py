"""Webhooks never reach internal addresses: refused in the admin, and again at every send on what the host
name resolves to then, unless WEBHOOK_ALLOWED_NETWORKS opens the network.

Nothing here leaves loopback: host names are answered by a stand-in resolver, and a refused destination is
refused before any connection is made.
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from systems.models import Delivery, DeliveryAttempt, Subscription
from systems.services.webhooks import deliver_due
from tests.systems.test_webhooks import rename, subscribe

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

INTERNAL_URLS = [
    "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service (link-local)
    "http://127.0.0.1:6379/",
    "http://localhost/hook",
    "http://LOCALHOST./hook",
    "http://api.localhost/hook",
    "http://[::1]:8080/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.10/hook",
    "http://[fe80::1]/hook",  # IPv6 link-local
    "http://[fd12:3456::1]/hook",  # IPv6 unique-local
    "http://0.0.0.0:8000/hook",
    "http://[::ffff:127.0.0.1]/hook",  # IPv4 in IPv6
    "http://127.1/hook",  # 127.0.0.1 to the resolver
    "http://2130706433/hook",  # so is this
    "http://100.64.0.1/hook",  # carrier-grade NAT, shared
]


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    """Any connection these tests would make elsewhere than loopback fails the test instead of leaving."""
    connect = socket.socket.connect

    def guarded(sock: socket.socket, address) -> None:
        host = address[0] if isinstance(address, tuple) else None  # None: a Unix socket's path
        if host is not None and not (host.startswith("127.") or host in ("::1", "localhost")):
            raise AssertionError(f"a test tried to connect to {address}")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def subscription_form(url: str) -> dict:
    return {"name": "crm", "url": url, "kinds": ["profile.updated"], "active": "on", "client": "",
            "paused_at_0": "", "paused_at_1": ""}


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_the_admin_refuses_an_internal_address(admin_client, url):
    response = admin_client.post("/admin/systems/subscription/add/", subscription_form(url))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "url" in errors, errors
    assert not Subscription.objects.exists()


def test_the_admin_says_why(admin_client):
    response = admin_client.post("/admin/systems/subscription/add/",
                                 subscription_form("http://169.254.169.254/latest/meta-data/"))
    [message] = response.context["adminform"].form.errors["url"]
    assert "169.254.169.254 is a link-local address" in message and "WEBHOOK_ALLOWED_NETWORKS" in message


def test_the_admin_accepts_a_public_name_without_resolving_it(admin_client, resolver):
    response = admin_client.post("/admin/systems/subscription/add/",
                                 subscription_form("https://hooks.example.org/crm"))
    assert response.status_code == 200 and "not shown again" in response.content.decode()  # saved: its secret
    assert Subscription.objects.get().url == "https://hooks.example.org/crm"
    assert resolver.calls == []  # saving does not depend on DNS; the send checks what the name means then


def test_an_allowed_network_is_accepted_in_the_admin(admin_client, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16", "fd12:3456::/48"]
    for url in ("http://10.20.1.2/hook", "http://[fd12:3456::1]/hook"):
        admin_client.post("/admin/systems/subscription/add/", subscription_form(url))
        assert Subscription.objects.filter(url=url).exists(), url
    response = admin_client.post("/admin/systems/subscription/add/", subscription_form("http://10.30.1.2/hook"))
    assert "url" in response.context["adminform"].form.errors  # only the network allowed


class Resolver:
    """Stands in for DNS: the answers given for each name, and every name asked for."""

    def __init__(self) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.calls: list[str] = []
        self.real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):
        self.calls.append(host)
        if host not in self.answers:
            return self.real(host, port, *args, **kwargs)  # IP literals and localhost: no traffic
        if not self.answers[host]:
            raise socket.gaierror(socket.EAI_NONAME, "asked again")
        infos = []
        for address in self.answers[host].pop(0):
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
            infos.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
        return infos


@pytest.fixture
def resolver(monkeypatch) -> Resolver:
    fake = Resolver()
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


def attempt_error() -> str:
    return DeliveryAttempt.objects.get().error


def test_a_subscription_saved_before_is_refused_at_send_with_the_reason(csa, customer, receiver):
    """The ORM (or an older release) let a loopback URL in: the send refuses it, logs why, and retries later."""
    subscribe(receiver.url)
    rename(csa, customer, "Internal")
    report = deliver_due()
    assert (report.sent, report.failed) == (0, 1)
    assert receiver.received == []
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status is None
    assert delivery.last_error.startswith("Refused, not sent: 127.0.0.1 is a loopback address")
    assert attempt_error() == delivery.last_error


def test_a_name_that_now_resolves_inside_is_refused(csa, customer, resolver, receiver):
    port = receiver.url.split(":")[2].split("/")[0]
    subscribe(f"http://hooks.example.org:{port}/hook")  # public when it was saved...
    resolver.answers["hooks.example.org"] = [["127.0.0.1"]]  # ...loopback now
    rename(csa, customer, "Rebound")
    assert deliver_due().failed == 1
    assert receiver.received == []
    assert "hooks.example.org (127.0.0.1) is a loopback address" in attempt_error()


def test_every_address_of_a_name_is_checked(csa, customer, resolver):
    subscribe("https://hooks.example.org/hook")
    resolver.answers["hooks.example.org"] = [["93.184.215.14", "10.0.0.7"]]
    rename(csa, customer, "Both")
    assert deliver_due().failed == 1
    assert "hooks.example.org (10.0.0.7) is a private address" in attempt_error()


def test_the_send_connects_to_the_address_it_checked(csa, customer, resolver, receiver, settings):
    """Resolved once, checked, connected to: a second answer (a rebinding DNS server's) is never asked for."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    port = receiver.url.split(":")[2].split("/")[0]
    subscribe(f"http://hooks.example.org:{port}/hook")
    resolver.answers["hooks.example.org"] = [["127.0.0.1"]]  # one answer only: asking again fails
    rename(csa, customer, "Pinned")
    assert deliver_due().sent == 1
    assert resolver.calls.count("hooks.example.org") == 1
    [request] = receiver.received
    assert request.headers["Host"] == f"hooks.example.org:{port}"  # the name, at the address checked


def test_the_allow_list_opens_only_its_network_at_send(csa, customer, receiver, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    subscribe(receiver.url)
    rename(csa, customer, "Other network")
    assert deliver_due().failed == 1 and receiver.received == []
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    Delivery.objects.update(next_attempt_at=Delivery.objects.get().created_at)
    assert deliver_due().sent == 1 and len(receiver.received) == 1


def test_a_url_of_another_scheme_is_never_opened(csa, customer, tmp_path):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("not for webhooks")
    subscribe(f"file://{secret_file}")
    rename(csa, customer, "File")
    assert deliver_due().failed == 1
    assert "http or https only" in attempt_error()


def settings_in_subprocess(**env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environ.update(DJANGO_SETTINGS_MODULE="hub.settings", SECRET_KEY=secrets.token_urlsafe(50), **env)
    code = "from django.conf import settings; print(settings.WEBHOOK_ALLOWED_NETWORKS)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True,
                          timeout=60)


def test_the_allow_list_comes_from_the_environment_and_a_bad_one_stops_the_start():
    assert settings_in_subprocess().stdout.strip() == "[]"
    read = settings_in_subprocess(WEBHOOK_ALLOWED_NETWORKS="10.20.0.0/16, fd12:3456::/48")
    assert read.stdout.strip() == "['10.20.0.0/16', 'fd12:3456::/48']"
    bad = settings_in_subprocess(WEBHOOK_ALLOWED_NETWORKS="10.20.0.0/16,intranet")
    assert bad.returncode != 0 and "WEBHOOK_ALLOWED_NETWORKS" in bad.stderr
