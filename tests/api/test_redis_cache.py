"""core.redis_cache: Django's Redis cache with its client kept between calls."""
from __future__ import annotations

import os
import socket
import uuid

import pytest

from core.redis_cache import ReusingRedisCache


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_one_client_serves_every_call_and_two_caches_share_the_data():
    if not redis_up():  # a developer's machine may lack Redis; CI has it, so there it must run
        if os.environ.get("CI"):
            pytest.fail("no Redis at 127.0.0.1:6379, and this is CI (which starts one): the test must run")
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex}"
    one = ReusingRedisCache("redis://127.0.0.1:6379/3", {"KEY_PREFIX": prefix})
    two = ReusingRedisCache("redis://127.0.0.1:6379/3", {"KEY_PREFIX": prefix})  # another server
    try:
        assert one._cache.get_client() is one._cache.get_client(write=True)
        one.set("k", {"v": 1}, 30)
        assert two.get("k") == {"v": 1}
        assert one.add("k", 2) is False and one.get_many(["k", "missing"]) == {"k": {"v": 1}}
        assert two.add("n", 0) and one.incr("n") == 1 and two.get("n") == 1
    finally:
        one.delete_many(["k", "n"])


def test_the_client_keeps_one_connection_and_a_forked_process_makes_its_own(monkeypatch):
    """One connection per process (no pool round trip per command); a fork never shares the parent's socket."""
    if not redis_up():
        if os.environ.get("CI"):
            pytest.fail("no Redis at 127.0.0.1:6379, and this is CI (which starts one): the test must run")
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex}"
    cache = ReusingRedisCache("redis://127.0.0.1:6379/3", {"KEY_PREFIX": prefix})
    try:
        cache.set("k", 1, 30)
        parent = cache._cache.get_client()
        connection = parent.connection
        assert connection is not None  # held by the client, not taken from the pool per command
        assert cache.get("k") == 1 and cache.get("missing") is None
        assert parent.connection is connection
        monkeypatch.setattr(os, "getpid", lambda: -1)  # as in a worker forked after the parent used the cache
        child = cache._cache.get_client()
        assert child is not parent and child.connection is not connection
        assert cache.get("k") == 1
    finally:
        monkeypatch.undo()
        cache.delete("k")
