"""The lean, cached Get: one query on a miss, none for the profile on a hit, never stale after a
write; the token cache forgets revoked tokens and changed roles."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from core import caching as core_caching
from core.api import HubTokenAuthentication, token_cache_key
from core.roles import Role, assign_role
from profiles import caching, placeholders
from profiles.models import Customer, Title
from profiles.selectors import primary_address, profile_data, profile_get
from profiles.services import profile_update
from systems.services.webhooks import SUBSCRIPTIONS_GENERATION
from tests.api.conftest import token_client, url
from tests.cachespy import spy_cache_calls, spy_cache_keys

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def queries_of(client, path, **extra) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **extra)
    return response, [q["sql"] for q in captured.captured_queries]


def touching(sqls: list[str], table: str) -> list[str]:
    return [sql for sql in sqls if f'"{table}"' in sql]


def test_a_miss_reads_the_profile_in_one_query_and_a_hit_in_none(csa_api, customer):
    cache.clear()  # a customer nobody has read or written since the cache started
    response, sqls = queries_of(csa_api, url(customer.ucrn))
    assert response.status_code == 200
    assert len(touching(sqls, "profiles_customer")) == 1  # the customer and its primary address, joined
    assert len(touching(sqls, "authtoken_token")) == 1
    second, sqls = queries_of(csa_api, url(customer.ucrn))  # stored from the second read on
    assert len(touching(sqls, "profiles_customer")) == 1 and touching(sqls, "authtoken_token") == []
    third, sqls = queries_of(csa_api, url(customer.ucrn))
    assert third.json() == second.json() == response.json()
    assert touching(sqls, "profiles_customer") == [] and touching(sqls, "authtoken_token") == []


def test_a_miss_reads_the_lists_generation_once(csa, customer, monkeypatch):
    """The profile's read of its generations already holds the lists' one: naming the title and country
    (the lists' copy in this process) checks against that tag instead of asking the cache again."""
    profile_get(ucrn=customer.ucrn, user=csa)  # the lists are read and kept in this process
    expected = profile_get(ucrn=customer.ucrn, user=csa)
    asked = spy_cache_keys(monkeypatch)  # a backend's get_many may call its own get: counted once
    cache.delete(caching.profile_key(customer.ucrn))  # a miss: the profile is read again
    assert profile_get(ucrn=customer.ucrn, user=csa) == expected
    assert asked.count(caching.LISTS_GENERATION) == 1


def test_a_one_off_read_stores_no_profile(csa_api, customer):
    cache.clear()  # a customer nobody has read or written since the cache started
    csa_api.get(url(customer.ucrn))
    assert cache.get(caching.profile_key(customer.ucrn)) is None
    assert cache.get(caching.profile_generation(customer.ucrn)) is not None


def test_the_lean_read_equals_the_orm_output(csa, customer):
    """The one-query read (raw SQL, names from the cached lists) gives what the ORM's models give."""
    customer.prefix_id = Title.objects.get(name="Dr").pk
    customer.suffix_id = 1
    customer.save()
    fresh = Customer.objects.select_related("prefix", "suffix").get(pk=customer.pk)
    for _ in range(3):  # a miss, a miss that stores, a hit
        assert profile_get(ucrn=customer.ucrn, user=csa) == {**profile_data(fresh, primary_address(fresh)),
                                                             "extended": {}}
    assert profile_get(ucrn=customer.ucrn, user=csa)["name"].startswith("Dr ")


def test_304_from_the_cache_without_reading_the_customer(csa_api, customer):
    csa_api.get(url(customer.ucrn))
    tag = csa_api.get(url(customer.ucrn))["ETag"]
    response, sqls = queries_of(csa_api, url(customer.ucrn), HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 304 and response.content == b""
    assert touching(sqls, "profiles_customer") == []


@pytest.mark.parametrize("write", ["api", "service"])
def test_a_read_after_a_write_is_never_stale(csa_api, csa, customer, write):
    before = csa_api.get(url(customer.ucrn)).json()
    if write == "api":
        assert csa_api.patch(url(customer.ucrn), {"first_name": "Renamed"}, format="json").status_code == 200
    else:
        profile_update(ucrn=customer.ucrn, data={"first_name": "Renamed"}, user=csa, channel="hub", full=False)
    after = csa_api.get(url(customer.ucrn)).json()
    assert after["first_name"] == "Renamed" and after["version"] == before["version"] + 1


def test_the_write_makes_the_generation_stale_again_on_commit(csa, customer, django_capture_on_commit_callbacks):
    """A reader that read the old row between the write and its commit stored an entry that is never used."""
    key, gen = caching.profile_key(customer.ucrn), caching.profile_generation(customer.ucrn)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        profile_update(ucrn=customer.ucrn, data={"first_name": "Later"}, user=csa, channel="hub", full=False)
    # The slow reader: it took the generation after the write's first renewal, read the old row, stored it.
    stale = {"profile": {"first_name": "Old"}, "portal_user_id": None, "merged": False}
    core_caching.cached(key, [gen, caching.LISTS_GENERATION], lambda: stale, timeout=60)
    # Without the renewal on commit it would be served from now on:
    assert core_caching.cached(key, [gen, caching.LISTS_GENERATION], lambda: "reloaded", timeout=60) == stale
    for callback in callbacks:  # the commit
        callback()
    fresh = core_caching.cached(key, [gen, caching.LISTS_GENERATION], lambda: "reloaded", timeout=60)
    assert fresh == "reloaded"


def test_a_lost_generation_is_a_miss_never_a_wrong_hit(csa_api, csa, customer):
    csa_api.get(url(customer.ucrn))
    cache.delete(caching.profile_generation(customer.ucrn))  # evicted
    customer.first_name = "Direct"
    customer.save()  # behind the service's back: only a miss can show it
    assert csa_api.get(url(customer.ucrn)).json()["first_name"] == "Direct"


def test_a_renamed_title_shows_at_once(csa_api, customer):
    title = Title.objects.get(name="Dr")
    customer.prefix_id = title.pk
    customer.save()
    csa_api.get(url(customer.ucrn))
    csa_api.get("/api/v1/lists/titles/")
    title.name = "Doctor"
    title.save()  # as the admin does
    assert csa_api.get(url(customer.ucrn)).json()["name"].startswith("Doctor ")
    assert {"id": title.pk, "name": "Doctor"} in csa_api.get("/api/v1/lists/titles/").json()


def test_citizen_reads_only_their_own_even_from_the_cache(csa_api, citizen_api, customer, other_customer):
    csa_api.get(url(other_customer.ucrn))  # cached by a CSA's read
    assert citizen_api.get(url(other_customer.ucrn)).status_code == 403
    assert citizen_api.get(url("123456789")).status_code == 403  # unknown: says nothing either
    assert citizen_api.get(url(customer.ucrn)).status_code == 200


def test_unknown_ucrn_is_404_for_a_csa(csa_api):
    assert csa_api.get(url("123456789")).status_code == 404
    assert csa_api.get(url("12345")).status_code == 404


# --- The token cache ----------------------------------------------------------------------------------


def test_a_revoked_token_is_refused_at_once(csa, customer):
    client = token_client(csa)
    assert client.get(url(customer.ucrn)).status_code == 200  # cached now
    Token.objects.filter(user=csa).get().delete()
    assert client.get(url(customer.ucrn)).status_code == 401


def test_a_token_revoked_while_a_request_reads_it_is_never_cached_as_valid(csa, customer, monkeypatch):
    """The race a plain delete left open: a request reads the token, the revocation commits (and clears the
    cache), then the request stores what it read. The stored entry must never be served."""
    client = token_client(csa)
    load = HubTokenAuthentication._load

    def load_then_revoked(model, key):
        token = load(model, key)  # the token as it was
        Token.objects.filter(key=key).delete()  # a concurrent revocation, committed before the store
        return token

    monkeypatch.setattr(HubTokenAuthentication, "_load", staticmethod(load_then_revoked))
    assert client.get(url(customer.ucrn)).status_code == 200  # the request that read it before
    monkeypatch.undo()
    assert client.get(url(customer.ucrn)).status_code == 401


def test_a_role_taken_away_counts_at_once(csa, customer):
    client = token_client(csa)
    assert client.get(url(customer.ucrn)).status_code == 200
    assign_role(csa, Role.CITIZEN)
    assert client.get(url(customer.ucrn)).status_code == 403


def test_a_role_given_counts_at_once(customer):
    from tests.factories import UserFactory

    user = UserFactory(username="promoted", role="citizen")
    client = token_client(user)
    assert client.get(url(customer.ucrn)).status_code == 403
    assign_role(user, Role.CSA)
    assert client.get(url(customer.ucrn)).status_code == 200


def test_removing_users_from_a_group_counts_at_once(csa, customer):
    from django.contrib.auth.models import Group

    client = token_client(csa)
    assert client.get(url(customer.ucrn)).status_code == 200
    Group.objects.get(name="csa").user_set.remove(csa)  # the reverse side, as the admin's group page does
    assert client.get(url(customer.ucrn)).status_code == 403


def test_the_cache_holds_no_token_and_no_password(csa, customer):
    client = token_client(csa)
    client.get(url(customer.ucrn))
    key = Token.objects.get(user=csa).key
    _tags, entry = cache.get(token_cache_key(key))
    assert "password" not in entry["user"]
    assert key not in repr(entry)


def test_the_process_copy_of_the_lists_follows_the_shared_generation(csa_api):
    """Another server's edit of a list reaches this process through the shared generation alone."""
    titles = csa_api.get("/api/v1/lists/titles/").json()
    Title.objects.filter(name="Dr").update(name="Doctor")  # the edit, without this process's signals
    assert csa_api.get("/api/v1/lists/titles/").json() == titles  # still this process's copy
    cache.set(caching.LISTS_GENERATION, "renewed-by-another-server")
    assert any(t["name"] == "Doctor" for t in csa_api.get("/api/v1/lists/titles/").json())


def test_linking_a_portal_account_counts_at_once(csa_api, citizen, citizen_api, customer, other_customer):
    for _ in range(3):
        assert citizen_api.get(url(customer.ucrn)).status_code == 200  # cached, with who may read it
    customer.portal_user = None
    customer.save(update_fields=["portal_user"])  # as `adduser` or the admin do
    other_customer.portal_user = citizen
    other_customer.save(update_fields=["portal_user"])
    assert citizen_api.get(url(customer.ucrn)).status_code == 403
    assert citizen_api.get(url(other_customer.ucrn)).status_code == 200


def test_a_write_asks_for_its_generations_in_one_round_trip(csa_api, customer, monkeypatch):
    """A PATCH checks the placeholders, the reference lists and the webhooks' subscriptions, each against its
    generation: the three come in one call to the shared cache (`core.caching.generations_once`)."""
    warm = csa_api.patch(url(customer.ucrn), {"first_name": "Alex", "twitter": "first"}, format="json")
    assert warm.status_code == 200  # each of the three used once in this process
    calls = spy_cache_calls(monkeypatch)
    answer = csa_api.patch(url(customer.ucrn), {"first_name": "Alexa", "twitter": "second"}, format="json")
    assert answer.status_code == 200, answer.json()
    local = {caching.LISTS_GENERATION, placeholders.GENERATION, SUBSCRIPTIONS_GENERATION}
    asking = [call for call in calls if local & set(call)]
    assert len(asking) == 1 and local <= set(asking[0]), calls


def test_a_generation_bumped_inside_the_block_is_read_again():
    loads = iter(["old", "new"])
    with core_caching.generations_once():
        assert core_caching.cached_locally("test:once", "test:gen:once", lambda: next(loads), timeout=60) == "old"
        core_caching.bump("test:gen:once")
        assert core_caching.cached_locally("test:once", "test:gen:once", lambda: next(loads), timeout=60) == "new"


def test_each_block_reads_the_generations_again():
    """A change made through another server between two requests is seen by the second."""
    loads = iter(["old", "new"])
    with core_caching.generations_once():
        assert core_caching.cached_locally("test:again", "test:gen:again", lambda: next(loads), timeout=60) == "old"
    cache.delete("test:gen:again")  # another server's write
    with core_caching.generations_once():
        assert core_caching.cached_locally("test:again", "test:gen:again", lambda: next(loads), timeout=60) == "new"
