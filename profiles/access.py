"""Who may read or change which customer (SPEC section 3): the one place this is decided."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from hub.roles import UserLike, is_citizen, is_csa, linked_ucrn
from profiles.models import Address, Customer
from profiles.ucrn import is_valid_ucrn


def customer_for(user: UserLike, ucrn: object, *, lock: bool = False) -> Customer:
    """The customer `ucrn` if `user` may work on it.

    CSAs and administrators may work on any customer: an unknown or malformed UCRN is 404. A citizen may
    work only on their own; anything else is 403 and says nothing about whether the UCRN exists.
    `lock` takes the row lock that makes concurrent updates of one customer queue up; as only writes
    lock, an erased customer is refused there (400 `erased`), while reads still show the empty record;
    a merged one too (400 `merged`), while reads by CSAs resolve to the survivor (`profile_get`).
    """
    check_may_access(user, ucrn)
    queryset = Customer.objects.select_related("prefix", "suffix")
    if lock:  # the customer's row only (the title and suffix are read with it, for the response's `name`)
        queryset = queryset.select_for_update(of=("self",))
    try:
        customer = queryset.get(ucrn=ucrn)
    except Customer.DoesNotExist:
        raise Http404("No customer has this UCRN.") from None
    if lock:
        check_writable(customer, user)
    return customer


def customer_for_update(user: UserLike, ucrn: object) -> tuple[Customer, Address | None]:
    """`customer_for(user, ucrn, lock=True)` and the customer's primary address, in one query (the row
    lock is on the customer only): the Update's hot path (`profile_update`)."""
    from profiles.selectors import profile_row  # the selectors import this module

    check_may_access(user, ucrn)
    row = profile_row(ucrn, lock=True)
    if row is None:
        raise Http404("No customer has this UCRN.")
    check_writable(row[0], user)
    return row


def check_writable(customer: Customer, user: UserLike) -> None:
    """A locked customer may be changed unless erased (400 `erased`) or merged (400 `merged`)."""
    if customer.erased_at is not None:
        raise erased_error()
    if customer.merged_into_id is not None:
        raise merged_error(customer, user)


def check_may_access(user: UserLike, ucrn: object) -> None:
    """`customer_for`'s rule without reading the customer: PermissionDenied (403) or Http404."""
    if not is_csa(user) and not (is_citizen(user) and isinstance(ucrn, str) and ucrn == linked_ucrn(user)):
        raise PermissionDenied("You may not see or change this customer.")
    if not is_valid_ucrn(ucrn):
        raise Http404("No customer has this UCRN.")


def check_may_read_lean(user: UserLike, ucrn: object) -> None:
    """The part of `customer_for`'s rule that needs no query, for a read that then checks the row it reads
    with `may_read_row` (the lean Get): a CSA, or a citizen with a well-formed UCRN (else 403, which says
    nothing about the UCRN); a CSA's malformed UCRN is 404."""
    if not is_csa(user) and not (is_citizen(user) and isinstance(ucrn, str) and is_valid_ucrn(ucrn)):
        raise PermissionDenied("You may not see or change this customer.")
    if not is_valid_ucrn(ucrn):
        raise Http404("No customer has this UCRN.")


def may_read_row(user: UserLike, *, portal_user_id: int | None) -> bool:
    """After `check_may_read_lean`: may `user` read the customer row whose portal account is
    `portal_user_id`? A CSA any; a citizen only the customer linked to them (= `linked_ucrn`)."""
    return is_csa(user) or (portal_user_id is not None and user is not None and portal_user_id == user.pk)


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
