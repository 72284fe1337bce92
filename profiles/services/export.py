"""Subject access (UK GDPR article 15): everything the hub holds about one customer, as JSON.

A service rather than a selector because each export is itself recorded in the change log (who, through
which door, when; never the values), in the same transaction as the read.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from hub.roles import UserLike
from profiles.access import customer_for
from profiles.models import Address, ChangeRecord, Customer
from profiles.selectors import address_data, primary_address, profile_data
from profiles.services.audit import record_change

if TYPE_CHECKING:
    from integrations.models import Case


def profile_export(*, ucrn: Any, user: UserLike, channel: str) -> dict[str, Any]:
    """The profile (custom fields included), every address record, change record and case of `ucrn`.

    Who may export is who may Get (`customer_for`): CSAs and administrators any customer, a citizen only
    their own (403 otherwise, revealing nothing).
    """
    with transaction.atomic():
        customer = customer_for(user, ucrn)
        addresses = customer.addresses.select_related("country").order_by("-start_date", "-id")
        records = customer.change_records.select_related("user").order_by("-created_at", "-id")
        cases = customer.cases.select_related("form", "submitted_by").order_by("-created_at", "-id")
        data = {
            "ucrn": customer.ucrn,
            "exported_at": timezone.now().isoformat(),
            "erased_at": customer.erased_at.isoformat() if customer.erased_at else None,
            "portal_account": _portal_account(customer),
            "profile": profile_data(customer, primary_address(customer)),
            "addresses": [_address(a) for a in addresses],
            "change_history": [_change(r) for r in records],
            "cases": [_case(c) for c in cases],
        }
        record_change(customer=customer, user=user, channel=channel, action=ChangeRecord.Action.EXPORT, changes=[])
    return data


def _portal_account(customer: Customer) -> dict[str, str] | None:
    user = customer.portal_user
    return {"username": user.get_username(), "email": user.email} if user is not None else None


def _address(address: Address) -> dict[str, Any]:
    return {"id": address.pk, "is_primary": address.is_primary, **address_data(address),
            "created_at": address.created_at.isoformat()}


def _change(record: ChangeRecord) -> dict[str, Any]:
    return {"who": record.user.get_username() if record.user else None, "channel": record.channel,
            "action": record.action, "when": record.created_at.isoformat(), "changes": record.changes}


def _case(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "form": case.form.name,
        "status": case.status,
        "submitted_by": case.submitted_by.get_username() if case.submitted_by else None,
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "data": case.data,
        "results": case.results,
    }
