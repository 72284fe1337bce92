"""Who may read or change which customer (SPEC section 3): the one place this is decided."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.roles import UserLike, is_citizen, is_csa
from profiles.models import Customer
from profiles.ucrn import is_valid_ucrn


def linked_ucrn(user: UserLike) -> str | None:
    """The UCRN of the customer linked to this (citizen) user, or None."""
    if user is None or not user.is_authenticated:
        return None
    customer = getattr(user, "customer", None) if _has_customer(user) else None
    return customer.ucrn if customer is not None else None


def _has_customer(user) -> bool:
    try:
        user.customer  # noqa: B018 - the reverse one-to-one raises when there is none
    except Customer.DoesNotExist:
        return False
    return True


def customer_for(user: UserLike, ucrn: object, *, lock: bool = False) -> Customer:
    """The customer `ucrn` if `user` may work on it.

    CSAs and administrators may work on any customer: an unknown or malformed UCRN is 404. A citizen may
    work only on their own; anything else is 403 and says nothing about whether the UCRN exists.
    `lock` takes the row lock that makes concurrent updates of one customer queue up; as only writes
    lock, an erased customer is refused there (400 `erased`), while reads still show the empty record;
    a merged one too (400 `merged`), while reads by CSAs resolve to the survivor (`profile_get`).
    """
    check_may_ask(user, ucrn)
    queryset = Customer.objects.select_related("prefix", "suffix")
    if lock:  # the customer's row only (the title and suffix are read with it, for the response's `name`)
        queryset = queryset.select_for_update(of=("self",))
    customer = queryset.filter(ucrn=ucrn).first()
    check_row(user, found=customer is not None, portal_user_id=getattr(customer, "portal_user_id", None))
    if lock:
        check_writable(customer, user)
    return customer


def check_writable(customer: Customer, user: UserLike) -> None:
    """A locked customer may be changed unless erased (400 `erased`) or merged (400 `merged`)."""
    if customer.erased_at is not None:
        raise erased_error()
    if customer.merged_into_id is not None:
        raise merged_error(customer, user)


# The one rule of who may read or change a customer, in two halves: `check_may_ask` before the row is read
# (no query), `check_row` on the row read. Every read and write of one customer goes through both.

def check_may_ask(user: UserLike, ucrn: object) -> None:
    """Before reading: a CSA may ask for any UCRN (a malformed one is 404); a citizen for a well-formed one
    only (else 403, which says nothing about the UCRN); anyone else is 403."""
    if not is_csa(user) and not (is_citizen(user) and isinstance(ucrn, str) and is_valid_ucrn(ucrn)):
        raise PermissionDenied("You may not see or change this customer.")
    if not is_valid_ucrn(ucrn):
        raise Http404("No customer has this UCRN.")


def may_read_row(user: UserLike, *, portal_user_id: int | None) -> bool:
    """May `user` work on the customer row whose portal account is `portal_user_id`? A CSA on any; a citizen
    only on the customer linked to them (`linked_ucrn`)."""
    return is_csa(user) or (portal_user_id is not None and user is not None and portal_user_id == user.pk)


def check_row(user: UserLike, *, found: bool, portal_user_id: int | None) -> None:
    """After `check_may_ask`, on the row read (`found`, with its `portal_user_id`): a CSA's 404 when no
    customer has the UCRN; a citizen's 403 for any customer but their own, whether or not it exists."""
    if not found and is_csa(user):
        raise Http404("No customer has this UCRN.")
    if not found or not may_read_row(user, portal_user_id=portal_user_id):
        raise PermissionDenied("You may not see or change this customer.")


def check_may_access(user: UserLike, ucrn: object) -> None:
    """Both halves of the rule for a read that does not load the customer row itself (the history lists):
    for a citizen, one query for the portal account of `ucrn`; none for a CSA (the caller tells a missing
    customer by what it reads)."""
    check_may_ask(user, ucrn)
    if not is_csa(user):
        rows = list(Customer.objects.filter(ucrn=ucrn).values_list("portal_user_id", flat=True)[:1])
        check_row(user, found=bool(rows), portal_user_id=rows[0] if rows else None)


def survivor_of(customer: Customer) -> Customer:
    """The customer a merged customer's UCRN resolves to (`profiles.services.merge`), along any later
    merge of the survivor itself (A into B, then B into C: A resolves to C)."""
    seen = {customer.pk}
    while customer.merged_into_id is not None and len(seen) < 100:
        customer = Customer.objects.select_related("prefix", "suffix").get(pk=customer.merged_into_id)
        if customer.pk in seen:
            break
        seen.add(customer.pk)
    return customer


def merged_error(customer: Customer, user: UserLike) -> ValidationError:
    """Why a write to a merged customer is refused (400 `merged`), naming the survivor to a CSA only."""
    if is_csa(user):
        survivor = survivor_of(customer).ucrn
        message = f"Customer {customer.ucrn} was merged into {survivor}: change customer {survivor} instead."
    else:
        message = "This record was merged into another one: it cannot be changed."
    return ValidationError({"ucrn": ValidationError(message, code="merged")})


def erased_error() -> ValidationError:
    """Why a write to an erased customer is refused (`profiles.services.erasure`)."""
    return ValidationError(
        {"ucrn": ValidationError("This customer's personal data has been erased: it cannot be changed.", code="erased")}
    )


def check_may_create(user: UserLike) -> None:
    """CSAs create any customer; a citizen only their own profile, and only while they have none."""
    if is_csa(user):
        return
    if is_citizen(user) and linked_ucrn(user) is None:
        return
    raise PermissionDenied("You may not create a customer.")
