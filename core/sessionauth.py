"""The signed-in user of a page without a query: the user and their roles from the shared cache.

Django's `ModelBackend.get_user` reads the user on every request and `core.roles` then reads their groups:
two queries per page before the page does anything. `CachedModelBackend` keeps, per user, every field but
the password, the roles and the session hash (the HMAC of the password that Django checks against the
one the session holds, so that a password change signs out the user's other sessions) in the shared cache.
A miss costs one query (the user, with their roles as `Exists` annotations), a hit none.

Staleness: the entry is tagged with the user's generation (`core.caching`), which is bumped whenever the
user is saved (password changed, deactivated, made or unmade superuser, signed in), deleted, or their groups
change (a role given or taken, a group deleted): by the signals `core.api.connect_signals` connects for the
token cache too. A page that read the old row just before a password change committed stores an entry
tagged with the old generation, which is never served (deleting the entry instead left it open to that
page putting the old session hash back, signing the user's other sessions in again, or this one out, for
up to the TTL). A change made behind the ORM's back (a queryset `update()`, raw SQL) is picked up within
`USER_CACHE_TTL`.
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

from core.caching import PREFIX, bump, cached
from core.roles import GROUP_ROLES

USER_CACHE_TTL = 300  # seconds: the bound on a change the signals cannot see


def user_cache_key(user_id: Any) -> str:
    return f"{PREFIX}:session-user:{user_id}"


def user_generation(user_id: Any) -> str:
    return f"{PREFIX}:gen:session-user:{user_id}"


def forget_signed_in(user_ids: list[Any]) -> None:
    """Make the cached users stale (`core.caching.bump`: now, and again on commit)."""
    if user_ids:
        bump(*(user_generation(pk) for pk in user_ids))


class CachedModelBackend(ModelBackend):
    """`ModelBackend` (sign-in, permissions) whose `get_user` reads the shared cache first."""

    def get_user(self, user_id: Any) -> Any:
        entry = cached(user_cache_key(user_id), [user_generation(user_id)], lambda: _entry(user_id),
                       timeout=USER_CACHE_TTL, store=lambda found: found is not None)
        if entry is None:
            return None
        user = _rebuild(entry)
        return user if self.user_can_authenticate(user) else None


def _entry(user_id: Any) -> dict[str, Any] | None:
    """What the cache keeps of the user: every field but the password, the roles and the session hash."""
    user = _load(user_id)
    if user is None:
        return None
    return {
        "user": {f.attname: getattr(user, f.attname) for f in _fields()},
        "roles": sorted(user._hub_group_names),
        "session_hash": user.get_session_auth_hash(),
    }


def _fields() -> list:
    return [f for f in get_user_model()._meta.concrete_fields if f.attname != "password"]


def _load(user_id: Any) -> Any:
    roles = {f"_role_{role.value}": Exists(Group.objects.filter(user=OuterRef("pk"), name=role.value))
             for role in GROUP_ROLES}
    try:
        user = get_user_model()._default_manager.annotate(**roles).get(pk=user_id)
    except (get_user_model().DoesNotExist, ValueError, TypeError):
        return None
    user._hub_group_names = {role.value for role in GROUP_ROLES if getattr(user, f"_role_{role.value}")}
    return user


def _rebuild(entry: dict[str, Any]) -> Any:
    """The user from the cached row, the password deferred (read only if something asks for it: Django's
    fallback-secret check of a session that no longer matches), with the roles `core.roles` reads."""
    model = get_user_model()
    fields = _fields()
    user = model.from_db("default", [f.attname for f in fields], [entry["user"][f.attname] for f in fields])
    user._hub_group_names = set(entry["roles"])
    cached_hash = entry["session_hash"]

    def get_session_auth_hash() -> str:
        # The cached hash while the password is untouched; once this object's password is set (a password
        # change by this very request), the new one, so that `update_session_auth_hash` keeps it signed in.
        if "password" in user.get_deferred_fields():
            return cached_hash
        return model.get_session_auth_hash(user)

    user.get_session_auth_hash = get_session_auth_hash
    return user
