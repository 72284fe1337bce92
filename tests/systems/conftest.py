"""API clients with allow-lists, and a real HTTP receiver on loopback for the webhooks."""
from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from systems.models import ApiClient
from systems.services.clients import api_client_rotate_token
from tests.factories import UserFactory


@dataclass
class System:
    """An API client and a DRF test client signed in with its token."""

    client: ApiClient
    api: APIClient
    key: str


def make_system(name: str = "housing", *, readable=(), writable=(), role: str = "csa") -> System:
    user = UserFactory(username=f"api-{name}", role=role)
    client = ApiClient.objects.create(name=name, user=user, readable=list(readable), writable=list(writable))
    key = api_client_rotate_token(client=client)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return System(client, api, key)


@pytest.fixture
def system_factory(db) -> Callable[..., System]:
    return make_system


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """An HTTP server in a thread: answers each POST with the next scripted status (200 when none left)."""

    url: str
    received: list[Received] = field(default_factory=list)
    script: list[int] = field(default_factory=list)

    def payloads(self) -> list[dict]:
        return [r.json for r in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                state.received.append(Received(dict(self.headers.items()), body))
                code = state.script.pop(0) if state.script else 200
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def refused_url() -> str:
    """A loopback URL where nothing listens: connecting is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"
