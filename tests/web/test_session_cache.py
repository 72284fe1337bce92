"""The signed-in user of a page comes from the shared cache (core.sessionauth, cached_db sessions): no query
for the session, the user or their roles, yet a sign-out, a password change, a deactivation and a change of
role take effect at once."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import sessionauth
from core.roles import Role, assign_role
from core.sessionauth import CachedModelBackend, user_cache_key
from tests.factories import UserFactory
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db

START = "/hub/"


def signed_in_by_password(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": "demo-password"})
    assert response.status_code == 302
    return client


def auth_queries(client: Client, url: str = START) -> list[str]:
    """The queries of one request that read the session, the user or their groups."""
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    tables = ('"django_session"', '"auth_user"', '"auth_group"', '"auth_user_groups"')
    return [q["sql"] for q in queries if any(table in q["sql"] for table in tables)]


def test_a_signed_in_page_reads_no_session_user_or_role(csa):
    client = signed_in_by_password("csa")
    assert client.get(START).status_code == 200  # fills the cache
    assert auth_queries(client) == []
    assert client.get(START).status_code == 200


def test_a_miss_reads_the_user_and_roles_in_one_query(csa):
    client = signed_in_by_password("csa")
    client.get(START)
    cache.delete(user_cache_key(csa.pk))
    assert len(auth_queries(client)) == 1
    assert client.get(START).status_code == 200


def test_the_cache_holds_no_password(csa):
    client = signed_in_by_password("csa")
    client.get(START)
    _tags, entry = cache.get(user_cache_key(csa.pk))
    assert entry["roles"] == ["csa"]
    assert "password" not in entry["user"]
    assert csa.password not in repr(entry)


def test_sign_out_takes_effect_at_once(csa):
    client = signed_in_by_password("csa")
    client.get(START)
    cookie = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    replay = Client()
    replay.cookies["sessionid"] = cookie  # the old cookie, kept by someone
    assert replay.get(START).status_code == 302
    assert client.get(START).status_code == 302


def test_a_password_change_signs_out_other_sessions_at_once(csa):
    other = signed_in_by_password("csa")
    assert other.get(START).status_code == 200
    csa.set_password("another-password-123")
    csa.save()
    assert other.get(START).status_code == 302


def test_a_password_set_in_this_request_gives_the_new_session_hash(csa):
    """What `update_session_auth_hash` reads after a password change keeps that session signed in."""
    user = CachedModelBackend().get_user(csa.pk)
    cached_hash = user.get_session_auth_hash()
    assert cached_hash == csa.get_session_auth_hash()
    user.set_password("a-new-Passw0rd-42")
    assert user.get_session_auth_hash() != cached_hash
    assert user.get_session_auth_hash() == type(user).get_session_auth_hash(user)


def test_a_deactivated_user_is_signed_out_at_once(csa):
    client = signed_in_by_password("csa")
    client.get(START)
    csa.is_active = False
    csa.save()
    assert client.get(START).status_code == 302


@pytest.mark.parametrize("change", ["assign_role", "remove_from_group", "delete_group"])
def test_a_role_taken_away_counts_at_once(csa, change):
    client = signed_in(csa)
    assert client.get(START).status_code == 200
    if change == "assign_role":
        assign_role(csa, Role.CITIZEN)
    elif change == "remove_from_group":
        Group.objects.get(name="csa").user_set.remove(csa)
    else:
        Group.objects.get(name="csa").delete()
    assert client.get(START).status_code == 403


def test_a_role_given_counts_at_once(db):
    user = UserFactory(username="promoted", role="citizen")
    client = signed_in(user)
    assert client.get(START).status_code == 403
    assign_role(user, Role.CSA)
    assert client.get(START).status_code == 200


def test_a_page_that_read_the_user_before_a_password_change_never_caches_the_old_hash(csa, monkeypatch):
    """The race a plain delete left open: a page reads the user, the password change commits (and clears the
    cache), then the page stores what it read. The stored entry must never be served."""
    other = signed_in_by_password("csa")
    old_hash = csa.get_session_auth_hash()
    load = sessionauth._load

    def load_then_the_password_changes(user_id):
        user = load(user_id)  # the old row, with the old password's hash
        csa.set_password("another-password-123")
        csa.save()  # a concurrent request's change, committed before this page stores its entry
        return user

    monkeypatch.setattr(sessionauth, "_load", load_then_the_password_changes)
    assert CachedModelBackend().get_user(csa.pk).get_session_auth_hash() == old_hash  # what this page read
    monkeypatch.undo()
    assert CachedModelBackend().get_user(csa.pk).get_session_auth_hash() != old_hash
    assert other.get(START).status_code == 302  # the session of the old password: signed out
