"""Two app servers behind one PostgreSQL and one Redis, over real HTTP.

Councils run the hub on several servers behind a load balancer. Whatever one server caches or counts must
hold on the others, so this check starts two gunicorn servers on two loopback ports, sharing a fresh
PostgreSQL database and Redis (REDIS_URL), and asserts that:

1. a profile read through A (so A may have cached it), then updated through B, is read fresh through A at
   once: the new value and the new ETag, and the old ETag no longer answers 304;
2. an API client's role taken away (by `manage.py adduser`, as an administrator would on a third machine)
   is refused at once on A and on B, though A has just authenticated its token (maybe from a cache);
3. a reference list edited outside the servers (the admin's way: a model save) is served fresh by A;
4. a session signed in on A is signed in on B;
5. the API throttle counts requests made on A and on B together (API_USER_RATE set low for this run only),
   and each answer's RateLimit-Remaining says what is left of that one count;
6. a sign-in lock-out (django-axes) counted by failures on A and B holds on both.

It prints a PASS or FAIL line per check and exits non-zero on any failure. The servers are always stopped,
the database dropped and this run's Redis keys deleted (under a unique key prefix: Redis is shared, so
nothing is flushed).

    .venv/bin/python .ci/two_servers.py                   # what .ci/run does
    .venv/bin/python .ci/two_servers.py --separate-caches # each server with its own memory caches: must FAIL

The second form proves the check can fail: it gives each server per-process caches (the mistake this
guards against) and exits 0 only if the checks above did fail.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG = os.environ.get("TWO_SERVERS_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_DB = int(os.environ.get("TWO_SERVERS_REDIS_DB", "3"))  # the bench uses 1; keys are prefixed anyway
RATE = 20  # API requests a minute per user, for this run only (production's default is 2000/min)
FAILURE_LIMIT = 3  # failed sign-ins before a lock-out, for this run only (production's default is 5)
PASSWORD = "two-servers-" + secrets.token_urlsafe(12)
START_TIMEOUT = 30

# What an administrator does in the admin, from a third process: rename a title (a model save, so signals run).
RENAME_TITLE = (
    "from profiles.models import Title\n"
    "title = Title.objects.order_by('id').first()\n"
    "title.name = 'Renamed by the two-server check'\n"
    "title.save()\n"
    "print(title.name)"
)

# With --separate-caches, each server runs these settings: the hub's, with per-process memory caches.
SEPARATE_SETTINGS = '''from hub.settings import *  # noqa: F403
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "axes": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "axes"},
}
SILENCED_SYSTEM_CHECKS = ["axes.W001"]
'''


def log(message: str) -> None:
    print(f"[two-servers {time.strftime('%H:%M:%S')}] {message}", flush=True)


def redis_command(*args: str) -> bytes:
    """One Redis command over a plain socket (RESP), so the check itself needs no client library."""
    with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2) as sock:
        payload = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
        sock.sendall(payload.encode())
        return sock.recv(65536)


def redis_up() -> bool:
    try:
        return redis_command("PING").startswith(b"+PONG")
    except OSError:
        return False


def delete_redis_keys(prefix: str) -> int:
    """Delete this run's keys (and only them) with the redis client the hub itself uses."""
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        client.delete(*keys)
    client.close()
    return len(keys)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def manage_all(env: dict[str, str], *commands: list[str]) -> list[str]:
    """Several manage.py commands at once (each is mostly Django's start-up): their outputs, in order."""
    procs = [subprocess.Popen([PY, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for args in commands]
    outputs = []
    for args, proc in zip(commands, procs, strict=True):
        out, err = proc.communicate(timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out}\n{err}")
        outputs.append(out)
    return outputs


# --- HTTP -------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)

    def json(self) -> dict:
        return json.loads(self.body)


def request(port: int, method: str, path: str, *, headers: dict[str, str] | None = None,
            body: bytes | None = None) -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data, cookies)
    finally:
        conn.close()


def api(port: int, token: str, method: str, path: str, payload: dict | None = None,
        extra: dict[str, str] | None = None) -> Reply:
    headers = {"Authorization": f"Token {token}", "Accept": "application/json", **(extra or {})}
    body = None
    if payload is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(payload).encode()
    return request(port, method, path, headers=headers, body=body)


def sign_in(port: int, username: str, password: str) -> Reply:
    """The sign-in form as a browser posts it: its CSRF cookie and token first (from the same server)."""
    page = request(port, "GET", "/accounts/login/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if page.status != 200 or not match or "csrftoken" not in page.cookies:
        raise RuntimeError(f"the sign-in page on :{port} answered {page.status} without a CSRF token")
    form = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": password})
    return request(port, "POST", "/accounts/login/", body=form.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={page.cookies['csrftoken']}"})


# --- The servers ----------------------------------------------------------------------------------


class Server:
    def __init__(self, name: str, env: dict[str, str], workdir: Path):
        self.name, self.env, self.port = name, env, free_port()
        self.log_path = workdir / f"server-{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [PY, "-m", "gunicorn", "--no-control-socket", "--workers", "1", "--bind", f"127.0.0.1:{self.port}",
             "--timeout", "30", "--chdir", str(ROOT), "hub.wsgi:application"],
            cwd=ROOT, env=self.env, stdout=self.log_path.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends the master and its worker
        )

    def wait_ready(self) -> None:
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"server {self.name} exited:\n{self.log_tail()}")
            try:
                if request(self.port, "GET", "/accounts/login/").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server {self.name} did not answer within {START_TIMEOUT} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


# --- The checks ---------------------------------------------------------------------------------


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []
        self.passed: list[str] = []

    def run(self, name: str, check: Callable[[], None]) -> None:
        try:
            check()
        except Exception as error:  # an assertion, or the server answering nonsense
            self.failed.append(name)
            print(f"FAIL: {name}: {error}", flush=True)
        else:
            self.passed.append(name)
            print(f"PASS: {name}", flush=True)


def check_profile(a: int, b: int, token: str) -> None:
    created = api(a, token, "POST", "/api/v1/profiles/", {
        "contact_type": "Individual", "preferred_contact_method": 3, "first_name": "Ada", "last_name": "Before"})
    assert created.status == 201, f"create on A answered {created.status}: {created.body[:300]!r}"
    ucrn = created.json()["ucrn"]
    path = f"/api/v1/profiles/{ucrn}/"
    first = api(a, token, "GET", path)
    again = api(a, token, "GET", path)  # a second read, so a read cache on A is certainly warm
    assert first.status == again.status == 200, f"reads on A answered {first.status}, {again.status}"
    old_etag = again.headers.get("etag")
    assert old_etag and again.json()["last_name"] == "Before", f"A read {again.json().get('last_name')!r}"

    changed = api(b, token, "PATCH", path, {"last_name": "After"})
    assert changed.status == 200, f"PATCH on B answered {changed.status}: {changed.body[:300]!r}"
    new_etag = changed.headers.get("etag")
    assert new_etag and new_etag != old_etag, f"B's ETag {new_etag} should differ from {old_etag}"

    fresh = api(a, token, "GET", path)
    assert fresh.status == 200, f"read on A after the update answered {fresh.status}"
    assert fresh.json()["last_name"] == "After", (
        f"A served a stale profile: last_name {fresh.json()['last_name']!r} after B wrote 'After'")
    assert fresh.headers.get("etag") == new_etag, (
        f"A's ETag {fresh.headers.get('etag')} is not B's new one {new_etag}")
    stale = api(a, token, "GET", path, extra={"If-None-Match": old_etag})
    assert stale.status == 200, f"A answered {stale.status} to If-None-Match of the old ETag {old_etag}"
    current = api(a, token, "GET", path, extra={"If-None-Match": new_etag})
    assert current.status == 304, f"A answered {current.status} to If-None-Match of the current ETag"


def check_role_change(a: int, b: int, token: str, demote: Callable[[], None]) -> None:
    created = api(a, token, "POST", "/api/v1/profiles/", {"contact_type": "Individual", "preferred_contact_method": 3})
    assert created.status == 201, f"create on A answered {created.status}"
    path = f"/api/v1/profiles/{created.json()['ucrn']}/"
    before = [api(a, token, "GET", path).status, api(b, token, "GET", path).status]
    assert before == [200, 200], f"reads as a CSA answered {before}"
    demote()
    after = [api(a, token, "GET", path).status, api(b, token, "GET", path).status]
    assert after == [403, 403], f"reads after the CSA role was taken away answered {after} on A and B, not 403"


def check_reference_list(a: int, token: str, rename: Callable[[], str]) -> None:
    first = api(a, token, "GET", "/api/v1/lists/titles/")
    again = api(a, token, "GET", "/api/v1/lists/titles/")
    assert first.status == again.status == 200, f"lists on A answered {first.status}, {again.status}"
    name = rename()
    fresh = api(a, token, "GET", "/api/v1/lists/titles/")
    names = [item["name"] for item in fresh.json()]
    assert name in names, f"A served the titles without the renamed one {name!r}: {names}"


def check_session(a: int, b: int, username: str) -> None:
    signed_in = sign_in(a, username, PASSWORD)
    assert signed_in.status == 302 and "sessionid" in signed_in.cookies, (
        f"sign-in on A answered {signed_in.status} (cookies {sorted(signed_in.cookies)})")
    page = request(b, "GET", "/hub/", headers={"Cookie": f"sessionid={signed_in.cookies['sessionid']}"})
    assert page.status == 200, f"B answered {page.status} to A's session (signed out on B?)"


def check_throttle(a: int, b: int, token: str) -> None:
    # The throttle counts in fixed one-minute windows (core.throttling): start well inside one, so the
    # count cannot restart half way through this check.
    if time.time() % 60 > 45:
        time.sleep(60.5 - time.time() % 60)
    half = RATE // 2
    replies = [api(a, token, "GET", "/api/v1/lists/titles/") for _ in range(half)]
    replies += [api(b, token, "GET", "/api/v1/lists/titles/") for _ in range(RATE - half)]
    statuses = [reply.status for reply in replies]
    assert statuses == [200] * RATE, f"the first {RATE} requests (within the rate) answered {statuses}"
    # Each answer says what is left of the one count A and B keep together.
    left = [reply.headers.get("ratelimit-remaining") for reply in replies]
    assert left == [str(RATE - n) for n in range(1, RATE + 1)], f"RateLimit-Remaining on A then B: {left}"
    over_a = api(a, token, "GET", "/api/v1/lists/titles/")
    over_b = api(b, token, "GET", "/api/v1/lists/titles/")
    assert over_a.status == 429 and over_b.status == 429, (
        f"request {RATE + 1} and {RATE + 2} (over {RATE}/min, counted on A and B together) answered "
        f"{over_a.status} on A and {over_b.status} on B, expected 429 on both")
    assert over_a.json()["detail"][0]["code"] == "throttled"
    assert over_b.headers.get("ratelimit-remaining") == "0" and "retry-after" in over_b.headers, over_b.headers


def check_lockout(a: int, b: int, username: str) -> None:
    statuses = [sign_in(a, username, "wrong-password").status for _ in range(FAILURE_LIMIT - 1)]
    assert statuses == [200] * (FAILURE_LIMIT - 1), f"failed sign-ins on A answered {statuses}"
    last = sign_in(b, username, "wrong-password")
    assert last.status == 429, (
        f"failure {FAILURE_LIMIT} (the limit), made on B after {FAILURE_LIMIT - 1} on A, answered "
        f"{last.status}, expected 429 (locked out)")
    for name, port in (("A", a), ("B", b)):
        right = sign_in(port, username, PASSWORD)
        assert right.status == 429, f"the right password on {name} answered {right.status} while locked out"


# --- Main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--separate-caches", action="store_true",
                        help="give each server its own memory caches; exit 0 only if the checks then FAIL")
    parser.add_argument("--without-redis", action="store_true",
                        help="no REDIS_URL: the default database cache tables must pass the checks too")
    options = parser.parse_args()
    started = time.time()
    # A CI timeout's SIGTERM still stops the servers and drops the database (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if not redis_up():
        print(f"FAIL: Redis is not answering at {REDIS_HOST}:{REDIS_PORT}: the two-server check needs it. "
              "Start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '') and run again.",
              file=sys.stderr, flush=True)
        return 2
    try:
        import gunicorn  # noqa: F401
        import psycopg
        import redis  # noqa: F401
    except ImportError as error:
        print(f"FAIL: {error}: install requirements.txt into this Python ({PY})", file=sys.stderr)
        return 2

    name = f"hub_2srv_{os.getpid()}_{secrets.token_hex(3)}"
    prefix = f"hub-2srv-{name}"
    workdir = Path(tempfile.mkdtemp(prefix="hub-two-servers-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DATABASE_URL=f"{PG}/{name}",
        REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
        CACHE_KEY_PREFIX=prefix,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on loopback: no HTTPS redirect or secure-only cookies (production keeps them on).
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        API_USER_RATE=f"{RATE}/min",
        API_ANON_RATE=f"{RATE}/min",
        AXES_ENABLED="true",
        AXES_FAILURE_LIMIT=str(FAILURE_LIMIT),
        PYTHONUNBUFFERED="1",
    )
    if options.without_redis:
        del env["REDIS_URL"]
        log("--without-redis: the servers share the database cache tables; the checks must pass")
    server_env = dict(env)
    if options.separate_caches:
        (workdir / "two_servers_separate.py").write_text(SEPARATE_SETTINGS)
        server_env.update(DJANGO_SETTINGS_MODULE="two_servers_separate",
                          PYTHONPATH=os.pathsep.join([str(workdir), str(ROOT)]))
        log("--separate-caches: each server gets its own memory caches; the checks must FAIL")

    servers = [Server("A", server_env, workdir), Server("B", server_env, workdir)]
    checks = Checks()
    admin_url = f"{PG}/postgres"
    try:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        log(f"database {name}, Redis db {REDIS_DB} with key prefix {prefix}")
        manage(env, "migrate", "--noinput")
        log("migrated; starting the servers and making the users")
        for server in servers:  # they boot while the users are made
            server.start()
        manage_all(env, *(["adduser", user, "--role", "csa", "--password", PASSWORD]
                          for user in ("reader", "counter", "changer", "agent", "signin")))
        reader, counter, changer = (out.strip().splitlines()[-1].strip() for out in manage_all(
            env, *(["apitoken", user] for user in ("reader", "counter", "changer"))))
        for server in servers:
            server.wait_ready()
        a, b = servers[0].port, servers[1].port
        log(f"server A on 127.0.0.1:{a}, server B on 127.0.0.1:{b} (gunicorn, DEBUG off)")

        checks.run("a profile updated through B is read fresh through A (new value, new ETag)",
                   lambda: check_profile(a, b, reader))
        checks.run("an API client's role taken away is refused at once on A and B",
                   lambda: check_role_change(a, b, changer, lambda: manage(
                       env, "adduser", "changer", "--role", "citizen")))
        checks.run("a reference list edited in the admin is served fresh by A",
                   lambda: check_reference_list(a, reader, lambda: manage(
                       env, "shell", "-c", RENAME_TITLE).strip().splitlines()[-1]))
        checks.run("a session signed in on A is signed in on B", lambda: check_session(a, b, "agent"))
        checks.run(f"the API throttle ({RATE}/min) counts requests on A and B together",
                   lambda: check_throttle(a, b, counter))
        checks.run(f"a sign-in lock-out ({FAILURE_LIMIT} failures over A and B) holds on both",
                   lambda: check_lockout(a, b, "signin"))
    except Exception as error:  # any set-up error is a failure of the check, said plainly
        checks.failed.append("set-up")
        print(f"FAIL: set-up: {error}", flush=True)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the clean-up itself is not to be cut short
        for server in servers:
            server.stop()
        if checks.failed:
            for server in servers:
                log(f"server {server.name}'s log (last lines):\n{server.log_tail()}")
        try:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.Error as error:
            log(f"could not drop the database {name}: {error}")
        try:
            delete_redis_keys(prefix)
        except Exception as error:
            log(f"could not delete the Redis keys {prefix}:*: {error}")

    elapsed = time.time() - started
    if options.separate_caches:
        if checks.failed and "set-up" not in checks.failed:
            print(f"PASS: with separate caches the check failed as it must ({len(checks.failed)} of "
                  f"{len(checks.failed) + len(checks.passed)} checks), in {elapsed:.1f} s", flush=True)
            return 0
        print("FAIL: with separate per-process caches the two-server check did not catch it", flush=True)
        return 1
    total = len(checks.passed) + len(checks.failed)
    if checks.failed:
        print(f"two-servers: FAILED, {len(checks.failed)} of {total} checks ({elapsed:.1f} s)", flush=True)
        return 1
    print(f"two-servers: all {total} checks PASS ({elapsed:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
