"""Marks of "not the same person": a pair of customers never suggested as likely duplicates again.

Finding the likely duplicates is a read: `profiles.selectors.duplicates`.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.roles import UserLike, is_csa
from profiles import values
from profiles.access import customer_for
from profiles.models import Customer, NotSamePerson
from profiles.ucrn import is_valid_ucrn


def mark_not_same_person(*, ucrn_a: Any, ucrn_b: Any, user: UserLike) -> tuple[NotSamePerson, bool]:
    """Record that two customers are different people, so the pair is never suggested again.

    `ucrn_a` is the customer being worked on (unknown: 404), `ucrn_b` the other one, typed or chosen by
    the caller (malformed or unknown: 400 on `ucrn`, as any bad input). CSAs only (403 before anything is
    read); a customer cannot be paired with itself (400 `same_customer`). Idempotent: marking a pair again,
    either way round, returns the existing mark with `created` False.
    """
    if not is_csa(user):
        raise PermissionDenied("Only customer service agents may mark customers as different people.")
    a = customer_for(user, ucrn_a)
    if values.is_blank(ucrn_b):
        raise _other_error("Give the UCRN of the other customer.", "required")
    if not is_valid_ucrn(ucrn_b):
        raise _other_error("This is not a valid UCRN (9 digits).", "invalid")
    b = a if ucrn_b == a.ucrn else Customer.objects.filter(ucrn=ucrn_b).first()
    if b is None:
        raise _other_error("No customer has this UCRN.", "not_found")
    if a.pk == b.pk:
        raise _other_error("A customer is always the same person as themselves: choose another customer.",
                           "same_customer")
    first, second = sorted((a, b), key=lambda c: c.pk)
    try:
        with transaction.atomic():
            return NotSamePerson.objects.get_or_create(first=first, second=second, defaults={"marked_by": user})
    except IntegrityError:  # marked at the same moment by someone else: theirs stands
        return NotSamePerson.objects.get(first=first, second=second), False


def _other_error(message: str, code: str) -> ValidationError:
    return ValidationError({"ucrn": ValidationError(message, code=code)})


def mark_different_people(*, customer: Customer, others: list[Customer], user: UserLike) -> None:
    """A CSA created `customer` after confirming "these are different people" about `others` (the form
    runner): record each pair, in the caller's transaction, so they are not suggested again."""
    if not is_csa(user):
        raise PermissionDenied("Only customer service agents may mark customers as different people.")
    pairs = [sorted((customer, other), key=lambda c: c.pk) for other in others if other.pk != customer.pk]
    NotSamePerson.objects.bulk_create(
        [NotSamePerson(first=first, second=second, marked_by=user) for first, second in pairs],
        ignore_conflicts=True,
    )
