"""Erasure (UK GDPR article 17): an administrator removes a customer's personal data everywhere.

The customer row, its address records, its cases and its change history all stay, so the UCRN is never
reused and the history still says that something happened, when, by whom and to which fields; every
personal value in them is blanked. What goes with the customer:

- every record merged into it (its UCRN resolves to the customer: the same person), erased alike;
- the snapshots of the merges of these records (the rows as they were, what moved), except the other
  person's side of a merge that was undone (two different people after all), whose history of that merge
  loses the values it took from the customer (and keeps its own);
- the citizen's portal account: made unusable (inactive, no password, no tokens) and anonymous (a neutral
  username, no email or names), unless it is a staff account, which is only unlinked;
- the rows other apps keep about them (`profiles.registry`: cases, events, webhook deliveries), including
  rows that name no customer but carry their email address or phone number;
- the cached Get output, at once.

One transaction: erased completely or not at all. Stored JSON is read and scrubbed without recursion
(`profiles.jsontree`), so no stored value, however deep, can make a customer un-erasable.
"""
from __future__ import annotations

import uuid
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core.roles import Role, UserLike, is_admin
from profiles import caching, registry
from profiles.access import erased_error
from profiles.jsontree import MAX_DEPTH, with_json
from profiles.models import MERGED_STATUS, Address, ChangeRecord, Customer, Merge, Subscription
from profiles.selectors import MERGED_SIDE, survivor_records_of_merge
from profiles.services.audit import write_customer
from profiles.ucrn import is_valid_ucrn

ERASED = "[erased]"
UNKNOWN_LOCATION = 3
ERASED_STATUS = "Inactive"  # the SPEC's statuses stay as they are; `erased_at` says why
# Kept on customers: the UCRN, the mandatory reference ids, and the record's own bookkeeping.
CUSTOMER_KEPT = {"id", "ucrn", "contact_type", "preferred_contact_method", "version", "created_at", "updated_at",
                 "erased_at", "merged_into"}
ADDRESS_KEPT = {"id", "customer", "start_date", "end_date", "is_primary", "created_at"}
# Keys of a case's `results` (the runner's outcomes) and of change entries that name things, not people.
STRUCTURE_KEYS = frozenset({"kind", "field", "created", "address_id", "code"})
# Keys of a merge's `moved` that hold ids and flags (what moved where), not values.
MOVED_KEYS = frozenset({"addresses", "demoted", "cases", "change_records", "portal_user", "records",
                        "email_moved", "subscriptions"})
ERASED_USERNAME = "erased-"


def profile_erase(*, ucrn: Any, user: UserLike, channel: str) -> Customer:
    """Erase the customer `ucrn` and the records merged into it: superusers only (403 for everyone else,
    404 for an unknown UCRN, 400 `erased` when already erased)."""
    if not is_admin(user):
        raise PermissionDenied("Only an administrator may erase a customer.")
    if not is_valid_ucrn(ucrn):
        raise Http404("No customer has this UCRN.")
    with transaction.atomic():
        try:
            customer = Customer.objects.select_for_update().get(ucrn=ucrn)
        except Customer.DoesNotExist:
            raise Http404("No customer has this UCRN.") from None
        if customer.erased_at is not None:
            raise erased_error()
        subject = registry.subject_of(customer, lock=True)
        for rows in registry.registered():  # other apps' rows: cases, events, webhook deliveries
            rows.erase(subject)
        _erase_merges(subject)
        accounts = [c.portal_user for c in subject.customers if c.portal_user_id is not None]
        erasing = [c for c in subject.customers if c.erased_at is None]
        for target in erasing:
            _erase_customer(target)
        for address in Address.objects.filter(customer__in=subject.ids):
            _blank_fields(address, ADDRESS_KEPT)  # the country goes back to its default, the UK
            address.save()
        # Subscriptions (SPEC 8.2) end, and lose the address they were sent to.
        Subscription.objects.filter(customer__in=subject.ids, ended_at__isnull=True).update(ended_at=timezone.now())
        Subscription.objects.filter(customer__in=subject.ids).update(address="")
        for record in with_json(ChangeRecord.objects.filter(customer__in=subject.ids), "changes"):
            record.changes = scrub(record.changes)
            record.save(update_fields=["changes"])
        # The admin's own log names the customer (`str(customer)`) in each entry about it.
        for target in subject.customers:
            _scrub_admin_log(target, target.ucrn)
        for account in accounts:
            _erase_account(account)
        caching.profiles_erased(*subject.ucrns)
        for target in reversed(erasing):  # the customer's own record last
            write_customer(customer=target, fields=None, user=user, channel=channel,
                           action=ChangeRecord.Action.ERASE, changes=[])
    return customer


def _erase_customer(customer: Customer) -> None:
    """Blank the customer's personal data on the instance (`write_customer` saves it, with its record)."""
    _blank_fields(customer, CUSTOMER_KEPT)
    # A merged record stays Merged (its UCRN still resolves to the survivor); `erased_at` says the rest.
    customer.status_id = MERGED_STATUS if customer.merged_into_id else ERASED_STATUS
    customer.location_id = UNKNOWN_LOCATION
    customer.portal_user = None
    customer.erased_at = timezone.now()


def _erase_merges(subject: registry.Subject) -> None:
    """A merge keeps both records as they were, to be undone: the subject's snapshots go. The merged
    record's side (its row, and what moved from it) is the subject's when the merged record is; the
    survivor's row when the survivor is."""
    ids = set(subject.ids)
    merges = Merge.objects.filter(Q(survivor__in=ids) | Q(merged__in=ids))
    for merge in with_json(merges, "survivor_before", "merged_before", "moved"):
        fields = []
        if merge.survivor_id in ids:
            merge.survivor_before = scrub(merge.survivor_before)
            fields.append("survivor_before")
        if merge.merged_id in ids:
            merge.merged_before = scrub(merge.merged_before)
            merge.moved = scrub(merge.moved, keep=MOVED_KEYS)
            fields += ["merged_before", "moved"]
            if merge.survivor_id not in ids and merge.undone_at is not None:
                # Two people after all: the survivor's history of the merge holds what it took from the subject.
                for record in with_json(survivor_records_of_merge(merge), "changes"):
                    side = MERGED_SIDE[record.action]
                    record.changes = [{**c, side: scrub(c[side])} if isinstance(c, dict) and side in c else c
                                      for c in record.changes]
                    record.save(update_fields=["changes"])
        merge.save(update_fields=fields)


def _erase_account(account: AbstractBaseUser) -> None:
    """The citizen's login: unusable and anonymous, kept (not deleted) so the history's links hold.

    A staff account (a CSA or administrator who is also a customer) is the organisation's: it was only
    unlinked from the customer, with the other personal fields.
    """
    if account.is_staff or account.is_superuser or account.groups.filter(name=Role.CSA.value).exists():
        return
    account.username = f"{ERASED_USERNAME}{uuid.uuid4().hex}"
    account.email = account.first_name = account.last_name = ""
    account.last_login = None
    account.is_active = False
    account.set_unusable_password()  # also ends its sessions: their hash no longer matches
    account.save()
    Token.objects.filter(user=account).delete()
    _scrub_admin_log(account, account.username)


def _scrub_admin_log(obj: Customer | AbstractBaseUser, name: str) -> None:
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
                            ).update(object_repr=name, change_message="")


def _blank_fields(obj: Customer | Address, kept: set[str]) -> None:
    """Every concrete field not `kept` back to its blank: null where allowed, else its default."""
    for field in obj._meta.concrete_fields:
        if field.name in kept or field.primary_key:
            continue
        setattr(obj, field.attname, None if field.null else field.get_default())


def scrub(value: Any, keep: frozenset[str] = STRUCTURE_KEYS, *, max_depth: int = MAX_DEPTH) -> Any:
    """`value` with its shape kept and every non-blank leaf value replaced by "[erased]".

    Keys (form field and data names) and the values under the names of structure in `keep` (`field`,
    `kind`, ...) are kept, so the history still says which fields changed; blanks stay blank, which
    reveals nothing. Iterative, whatever the depth of `value`; anything deeper than `max_depth` is
    replaced whole, so the result can always be stored again.
    """
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int, bool]] = [(value, root, 0, 1, False)]
    while stack:
        item, parent, slot, level, kept = stack.pop()
        nested = isinstance(item, list) and (kept or any(isinstance(v, (dict, list)) for v in item))
        if level > max_depth and isinstance(item, (dict, list)):
            parent[slot] = ERASED
        elif isinstance(item, dict):
            parent[slot] = out = dict.fromkeys(item)
            stack.extend((v, out, k, level + 1, kept or k in keep) for k, v in item.items())
        elif nested:
            parent[slot] = out = [None] * len(item)
            stack.extend((v, out, i, level + 1, kept) for i, v in enumerate(item))
        elif kept or item is None or item == "" or item == []:
            parent[slot] = item
        else:
            parent[slot] = ERASED
    return root[0]
