"""Who may do what (SPEC section 7): administrators, CSAs, citizens.

Roles are Django groups (`csa`, `citizen`); an administrator is a superuser. An API client is a user with
a token and the CSA role. Which customer a citizen is linked to is the customer domain's
(`profiles.access.linked_ucrn`). Pages say which roles they serve with `role_required`.
"""
from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


class Role(StrEnum):
    ADMIN = "admin"
    CSA = "csa"
    CITIZEN = "citizen"


GROUP_ROLES = (Role.CSA, Role.CITIZEN)

UserLike = AbstractBaseUser | AnonymousUser | None


def _group_names(user) -> set[str]:
    # Cached on the user object: a request asks several times and the answer cannot change within it.
    cached = getattr(user, "_hub_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._hub_group_names = cached
    return cached


def is_admin(user: UserLike) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def is_csa(user: UserLike) -> bool:
    """CSAs and administrators may work on any customer."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Role.CSA in _group_names(user)


def is_citizen(user: UserLike) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Role.CITIZEN in _group_names(user)


def assign_role(user, role: Role) -> None:
    """Give `user` exactly one role."""
    user.groups.remove(*Group.objects.filter(name__in=[r.value for r in GROUP_ROLES]))
    user.is_superuser = user.is_staff = role == Role.ADMIN
    user.save(update_fields=["is_superuser", "is_staff"])
    if role in GROUP_ROLES:
        group, _ = Group.objects.get_or_create(name=role.value)
        user.groups.add(group)
    user.__dict__.pop("_hub_group_names", None)


View = Callable[..., HttpResponse]


def role_required(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    """Anonymous users go to the sign-in page; signed-in users without the role get 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise PermissionDenied("This page is not for your role.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


csa_required = role_required(is_csa)
