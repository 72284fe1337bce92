"""Who may do what (SPEC section 7): administrators, CSAs, citizens.

Roles are Django groups (`csa`, `citizen`); an administrator is a superuser. An API client is a user with
a token and the CSA role. A citizen is linked to at most one customer through `Customer.portal_user`.
"""
from __future__ import annotations

from enum import Enum

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Group


class Role(str, Enum):
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


def linked_ucrn(user: UserLike) -> str | None:
    """The UCRN of the customer linked to this (citizen) user, or None."""
    if user is None or not user.is_authenticated:
        return None
    customer = getattr(user, "customer", None) if _has_customer(user) else None
    return customer.ucrn if customer is not None else None


def _has_customer(user) -> bool:
    from profiles.models import Customer

    try:
        user.customer  # noqa: B018 - the reverse one-to-one raises when there is none
    except Customer.DoesNotExist:
        return False
    return True


def assign_role(user, role: Role) -> None:
    """Give `user` exactly one role."""
    user.groups.remove(*Group.objects.filter(name__in=[r.value for r in GROUP_ROLES]))
    user.is_superuser = user.is_staff = role == Role.ADMIN
    user.save(update_fields=["is_superuser", "is_staff"])
    if role in GROUP_ROLES:
        group, _ = Group.objects.get_or_create(name=role.value)
        user.groups.add(group)
    user.__dict__.pop("_hub_group_names", None)
