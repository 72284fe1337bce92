"""Erasure (UK GDPR article 17): an administrator removes a customer's personal data everywhere.

The customer row, its address records, its cases and its change history all stay, so the UCRN is never
reused and the history still says that something happened, when, by whom and to which fields; every
personal value in them is blanked. One transaction: erased completely or not at all.
"""
from __future__ import annotations

from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from hub.roles import UserLike, is_admin
from profiles.access import erased_error
from profiles.models import Address, ChangeRecord, Customer, Merge
from profiles.services.audit import record_change
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


def profile_erase(*, ucrn: Any, user: UserLike, channel: str) -> Customer:
    """Erase the customer `ucrn`: superusers only (403 for everyone else, 404 for an unknown UCRN)."""
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
        _erase_customer(customer)
        for address in Address.objects.filter(customer=customer):
            _blank_fields(address, ADDRESS_KEPT)  # the country goes back to its default, the UK
            address.save()
        for case in customer.cases.all():
            case.data = scrub(case.data, keep=frozenset())  # its keys are the form's own field names
            case.results = scrub(case.results)
            case.looked_up = None  # the values a form's lookup showed: a copy of the profile
            case.save(update_fields=["data", "results", "looked_up", "updated_at"])
        for record in customer.change_records.all():
            record.changes = scrub(record.changes)
            record.save(update_fields=["changes"])
        # A merge keeps both records as they were, to be undone: this customer's snapshot goes too.
        for merge in Merge.objects.filter(survivor=customer):
            merge.survivor_before = scrub(merge.survivor_before)
            merge.save(update_fields=["survivor_before"])
        for merge in Merge.objects.filter(merged=customer):
            merge.merged_before = scrub(merge.merged_before)
            merge.save(update_fields=["merged_before"])
        # The admin's own log names the customer (`str(customer)`) in each entry about it.
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Customer), object_id=str(customer.pk)
        ).update(object_repr=customer.ucrn, change_message="")
        record_change(customer=customer, user=user, channel=channel, action=ChangeRecord.Action.ERASE, changes=[])
    return customer


def _erase_customer(customer: Customer) -> None:
    _blank_fields(customer, CUSTOMER_KEPT)
    # A merged record stays Merged (its UCRN still resolves to the survivor); `erased_at` says the rest.
    customer.status_id = "Merged" if customer.merged_into_id else ERASED_STATUS
    customer.location_id = UNKNOWN_LOCATION
    customer.portal_user = None
    customer.version += 1
    customer.erased_at = timezone.now()
    customer.save()


def _blank_fields(obj: Customer | Address, kept: set[str]) -> None:
    """Every concrete field not `kept` back to its blank: null where allowed, else its default."""
    for field in obj._meta.concrete_fields:
        if field.name in kept or field.primary_key:
            continue
        setattr(obj, field.attname, None if field.null else field.get_default())


def scrub(value: Any, keep: frozenset[str] = STRUCTURE_KEYS) -> Any:
    """`value` with its shape kept and every non-blank leaf value replaced by "[erased]".

    Keys (form field and data names) and the names of structure (`field`, `kind`, ...) are kept, so the
    history still says which fields changed; blanks stay blank, which reveals nothing.
    """
    if isinstance(value, dict):
        return {k: v if k in keep else scrub(v, keep) for k, v in value.items()}
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return [scrub(v, keep) for v in value]
    if value is None or value == "" or value == []:
        return value
    return ERASED
