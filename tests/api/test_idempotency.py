"""`Idempotency-Key` on the API's POSTs (SPEC section 6): a retry with the same key and body returns the first
answer and does nothing again; the same key with another body is 409; keys are per caller; they last 24 hours
and `purge_expired` removes them; concurrent retries on PostgreSQL do the work once."""
from __future__ import annotations

import datetime as dt
import threading
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection, connections
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import IdempotencyKey
from profiles.models import Customer
from tests.api.conftest import token_client
from tests.factories import CustomerFactory, UserFactory

CREATE = {"contact_type": "Individual", "preferred_contact_method": 3, "first_name": "Ida", "last_name": "Empotent",
          "email_address": "ida@example.org"}
PROFILES = "/api/v1/profiles/"


def create(api: APIClient, body: dict, key: str | None = "key-1", path: str = PROFILES):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post(path, body, format="json", **headers)


@pytest.mark.django_db
def test_a_retried_create_makes_one_customer_and_returns_the_first_answer(csa):
    api = token_client(csa)
    first = create(api, CREATE)
    assert first.status_code == 201, first.json()
    again = create(api, CREATE)
    slashless = create(api, CREATE, path=PROFILES.rstrip("/"))  # the same path, written without its slash
    assert Customer.objects.filter(email_address="ida@example.org").count() == 1
    for retry in (again, slashless):
        assert retry.status_code == 201
        assert retry.content == first.content
        assert (retry["Location"], retry["ETag"]) == (first["Location"], first["ETag"])
        assert retry["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")


@pytest.mark.django_db
def test_without_a_key_each_post_runs(csa):
    api = token_client(csa)
    assert create(api, {**CREATE, "email_address": ""}, key=None).status_code == 201
    assert create(api, {**CREATE, "email_address": ""}, key=None).status_code == 201
    assert Customer.objects.filter(last_name="Empotent").count() == 2
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_409_and_does_nothing(csa):
    api = token_client(csa)
    assert create(api, CREATE).status_code == 201
    other = create(api, {**CREATE, "first_name": "Other", "email_address": "other@example.org"})
    assert other.status_code == 409
    assert [e["code"] for e in other.json()["detail"]] == ["idempotency_key_reused"]
    assert not Customer.objects.filter(email_address="other@example.org").exists()
    elsewhere = api.post("/api/v1/profiles/import/", {"matching": "email_address", "records": []}, format="json",
                         HTTP_IDEMPOTENCY_KEY="key-1")
    assert elsewhere.status_code == 409  # another path is another request too


@pytest.mark.django_db
def test_the_same_body_in_other_spacing_is_the_same_request(csa):
    api = token_client(csa)
    first = api.post(PROFILES, '{"contact_type": "Individual", "preferred_contact_method": 3}',
                     content_type="application/json", HTTP_IDEMPOTENCY_KEY="spaced")
    again = api.post(PROFILES, '{"preferred_contact_method":3,"contact_type":"Individual"}',
                     content_type="application/json", HTTP_IDEMPOTENCY_KEY="spaced")
    assert (first.status_code, again.status_code) == (201, 201) and again.content == first.content
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_caller(csa):
    other_csa = UserFactory(username="other-csa", role="csa")
    citizen = UserFactory(username="new-citizen", role="citizen")
    assert create(token_client(csa), CREATE).status_code == 201
    theirs = create(token_client(other_csa), {**CREATE, "email_address": "theirs@example.org"})
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    own = create(token_client(citizen), {**CREATE, "email_address": "own@example.org"})
    assert own.status_code == 201 and "Idempotent-Replayed" not in own
    assert Customer.objects.count() == 3
    assert IdempotencyKey.objects.filter(key="key-1").count() == 3


@pytest.mark.django_db
def test_a_refusal_is_kept_too(csa):
    """A 400 is an answer like any other: the same body would be refused again, so it is returned again."""
    api = token_client(csa)
    first = create(api, {"first_name": "No contact type"})
    assert first.status_code == 400
    again = create(api, {"first_name": "No contact type"})
    assert again.status_code == 400 and again.content == first.content and again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_a_conflict_is_not_kept(csa):
    """A 409 may clear once the record changes again: the key stays free for a retry of the same request."""
    api = token_client(csa)
    survivor, merged = CustomerFactory(mobile_number=""), CustomerFactory(mobile_number="07700900123")
    merge = api.post(f"/api/v1/profiles/{survivor.ucrn}/merge/", {"merge": merged.ucrn}, format="json",
                     HTTP_IDEMPOTENCY_KEY="merge")
    assert merge.status_code == 201, merge.json()
    changed = api.patch(f"/api/v1/profiles/{survivor.ucrn}/", {"mobile_number": "07700900999"}, format="json")
    assert changed.status_code == 200
    undo = api.post(f"/api/v1/profiles/{survivor.ucrn}/merge/{merge.json()['id']}/undo/", HTTP_IDEMPOTENCY_KEY="undo")
    assert undo.status_code == 409 and "mobile_number" in undo.json()
    assert not IdempotencyKey.objects.filter(key="undo").exists()
    assert IdempotencyKey.objects.filter(key="merge", status_code=201).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["lone \\ud800 surrogate", "nul \\u0000 char"])
def test_odd_text_in_a_body_is_kept_and_replayed_without_a_500(csa, customer, text):
    raw = f'{{"type": "odd", "ucrn": "{customer.ucrn}", "properties": {{"note": "{text}"}}, "{text}": 1}}'
    api = token_client(csa)
    first = api.post("/api/v1/events/", raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="odd")
    again = api.post("/api/v1/events/", raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="odd")
    assert first.status_code < 500 and (again.status_code, again.content) == (first.status_code, first.content)


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", " ", "x" * 256, "tab\there", "é"])
def test_a_malformed_key_is_400(csa, key):
    response = token_client(csa).post(PROFILES, CREATE, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["Idempotency-Key"]] == ["invalid"]
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_purge_expired_removes_keys_older_than_a_day_and_an_expired_key_runs_again(csa):
    api = token_client(csa)
    body = {**CREATE, "email_address": ""}
    assert create(api, body, key="old").status_code == 201
    assert create(api, body, key="fresh").status_code == 201
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=25))

    again = create(api, body, key="old")  # expired, not yet purged: a new request
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Customer.objects.count() == 3
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=25))

    out = StringIO()
    call_command("purge_expired", "--dry-run", stdout=out)
    assert "Would remove 1 idempotency key(s)" in out.getvalue()
    assert IdempotencyKey.objects.count() == 2
    call_command("purge_expired", stdout=out)
    assert "Removed 1 idempotency key(s)" in out.getvalue()
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


def api_posts(resolvers=None, prefix: str = ""):
    """(route, view class) of every API view under /api/ that takes POST, from the URL resolver."""
    for item in get_resolver().url_patterns if resolvers is None else resolvers:
        if isinstance(item, URLResolver):
            yield from api_posts(item.url_patterns, prefix + str(item.pattern))
        elif isinstance(item, URLPattern) and (prefix + str(item.pattern)).startswith("api/"):
            view_class = getattr(item.callback, "view_class", None)
            if view_class is not None and hasattr(view_class, "post"):
                yield prefix + str(item.pattern), view_class


@pytest.mark.django_db
def test_every_api_post_honours_the_key_and_the_schema_says_so():
    posts = dict(api_posts())
    assert "api/v1/profiles/" in posts and "api/v1/events/" in posts and len(posts) >= 8
    assert [route for route, view in posts.items() if not getattr(view.post, "idempotent", False)] == []
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, operations in schema["paths"].items():
        if "post" in operations:
            names = [p["name"] for p in operations["post"].get("parameters", []) if p["in"] == "header"]
            assert "Idempotency-Key" in names, path
            assert "409" in operations["post"]["responses"], path


@pytest.fixture
def reference_lists(db):
    """The lists the migrations install: a transactional test's flush may have emptied them before."""
    from profiles.models import Status

    if not Status.objects.exists():
        import_module("profiles.migrations.0002_reference_lists").install(django_apps, None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks: PostgreSQL only (SQLite has none)")
def test_concurrent_creates_with_one_key_make_one_customer(reference_lists):
    user = UserFactory(username="racer", role="csa")
    clients = [token_client(user) for _ in range(4)]
    start = threading.Barrier(len(clients))
    responses, errors = [], []

    def run(api: APIClient) -> None:
        try:
            start.wait()
            responses.append(create(api, CREATE, key="race"))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(api,)) for api in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert [r.status_code for r in responses] == [201] * 4
    assert len({r.content for r in responses}) == 1
    assert sum("Idempotent-Replayed" in r for r in responses) == 3
    assert Customer.objects.filter(email_address="ida@example.org").count() == 1


@pytest.mark.django_db
def test_a_retried_import_imports_once(csa):
    """The import writes in bulk inside the key's transaction; a retry replays its outcomes."""
    api = token_client(csa)
    records = [{**CREATE, "email_address": f"import-{n}@example.org"} for n in range(3)]
    body = {"matching": "email_address", "records": records}
    first = api.post("/api/v1/profiles/import", body, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert first.status_code == 200 and first.json()["counts"]["created"] == 3, first.json()
    again = api.post("/api/v1/profiles/import/", body, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert Customer.objects.filter(email_address__startswith="import-").count() == 3
    fresh = api.post("/api/v1/profiles/import/", body, format="json", HTTP_IDEMPOTENCY_KEY="batch-2")
    assert fresh.json()["counts"] == {"created": 0, "updated": 0, "unchanged": 3, "error": 0}
