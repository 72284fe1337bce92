"""Subject access (UK GDPR article 15): everything the hub holds about one customer, as JSON.

Everything erasure would touch (`profiles.services.erasure`): the profile, addresses, change history and
portal account; the rows other apps keep about the customer (`profiles.registry`: cases, events); the
merges with their snapshots, the records merged into the customer (the same person), and the "not the
same person" marks. Stored JSON is read depth-safely (`profiles.jsontree`), so no stored value can make
an export fail.

A service rather than a selector because each export is itself recorded in the change log (who, through
which door, when; never the values), in the same transaction as the read.
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.roles import UserLike, is_csa
from profiles import registry
from profiles.access import customer_for
from profiles.jsontree import with_json
from profiles.models import Address, ChangeRecord, Customer, Merge, NotSamePerson, Subscription
from profiles.selectors import (
    MERGED_SIDE,
    address_data,
    primary_address,
    profile_data,
    survivor_records_of_merge,
)
from profiles.selectors.permissions import customer_permission_details
from profiles.selectors.subscriptions import subscription_data
from profiles.services.audit import record_change
from profiles.timestamps import api_datetime

# The date-time columns of the rows a merge keeps snapshots of.
ROW_MOMENTS = frozenset(f.attname for model in (Customer, Address) for f in model._meta.concrete_fields
                        if isinstance(f, models.DateTimeField))


def profile_export(*, ucrn: Any, user: UserLike, channel: str) -> dict[str, Any]:
    """Everything held about `ucrn` (see the module), for whoever may Get it.

    Who may export is who may Get (`customer_for`): CSAs and administrators any customer, a citizen only
    their own (403 otherwise, revealing nothing). A citizen is not shown the UCRN of another person (the
    other side of a merge undone, a "not the same person" mark).
    """
    with transaction.atomic():
        customer = customer_for(user, ucrn)
        subject = registry.subject_of(customer)
        data = {
            "ucrn": customer.ucrn,
            "exported_at": api_datetime(timezone.now()),
            "erased_at": _when(customer.erased_at),
            "portal_account": _portal_account(customer.portal_user),
            "profile": profile_data(customer, primary_address(customer)),
            "addresses": _addresses(customer),
            "change_history": _changes(customer),
            "contact_permissions": [d.as_dict() for d in customer_permission_details(customer)],
            "subscriptions": _subscriptions(subject),
            **{rows.section: rows.export(subject) for rows in registry.registered()},
            "merges": _merges(subject, others_visible=is_csa(user)),
            "merged_records": [_merged_record(c) for c in subject.merged],
            "not_same_person": _marks(subject, others_visible=is_csa(user)),
        }
        record_change(customer=customer, user=user, channel=channel, action=ChangeRecord.Action.EXPORT, changes=[])
    return data


def _when(moment: Any) -> str | None:
    return api_datetime(moment)


def _portal_account(user: AbstractBaseUser | None) -> dict[str, Any] | None:
    """The linked login: who it is and when it was used; never its password hash."""
    if user is None:
        return None
    return {"username": user.get_username(), "email": user.email, "first_name": user.first_name,
            "last_name": user.last_name, "last_login": _when(user.last_login),
            "date_joined": _when(user.date_joined), "is_active": user.is_active}


def _addresses(customer: Customer) -> list[dict[str, Any]]:
    return [_address(a) for a in customer.addresses.select_related("country").order_by("-start_date", "-id")]


def _address(address: Address) -> dict[str, Any]:
    return {"id": address.pk, "is_primary": address.is_primary, **address_data(address),
            "created_at": api_datetime(address.created_at)}


def _changes(customer: Customer) -> list[dict[str, Any]]:
    records = customer.change_records.select_related("user").order_by("-created_at", "-id")
    return [_change(r) for r in with_json(records, "changes")]


def _change(record: ChangeRecord) -> dict[str, Any]:
    return {"who": record.user.get_username() if record.user else None, "channel": record.channel,
            "action": record.action, "when": api_datetime(record.created_at), "changes": record.changes}


def _subscriptions(subject: registry.Subject) -> list[dict[str, Any]]:
    """Every subscription of the subject's records, current and ended (SPEC 8.2)."""
    rows = Subscription.objects.filter(customer__in=subject.ids).select_related("topic").order_by("-created_at", "-id")
    return [{**subscription_data(s), "created_at": api_datetime(s.created_at), "ended_at": _when(s.ended_at)}
            for s in rows]


def _merges(subject: registry.Subject, *, others_visible: bool) -> list[dict[str, Any]]:
    """Each merge of the subject's records, with the snapshots that are theirs: the survivor's row when the
    survivor is theirs, the merged record's row and what moved from it when that record is (and, for a merge
    undone, the other person's history of it, which erasure scrubs too)."""
    ids = set(subject.ids)
    merges = (Merge.objects.filter(Q(survivor__in=ids) | Q(merged__in=ids))
              .select_related("survivor", "merged", "user", "undone_by").order_by("-created_at", "-id"))
    exported = []
    for merge in with_json(merges, "choices", "survivor_before", "merged_before", "moved"):
        survivor, merged = merge.survivor_id in ids, merge.merged_id in ids
        exported.append({
            "id": merge.pk,
            "survivor": merge.survivor.ucrn if survivor or others_visible else None,
            "merged": merge.merged.ucrn if merged or others_visible else None,
            "created_at": api_datetime(merge.created_at),
            "by": merge.user.get_username() if merge.user else None,
            "channel": merge.channel,
            "choices": merge.choices,
            "undone_at": _when(merge.undone_at),
            "undone_by": merge.undone_by.get_username() if merge.undone_by else None,
            "survivor_before": _stored_moments(merge.survivor_before) if survivor else None,
            "merged_before": _stored_moments(merge.merged_before) if merged else None,
            "moved": _stored_moments(merge.moved) if merged else None,
            # Undone, the merge joined two people: the other one's history of it holds the subject's values.
            "survivor_history": [_taken(r) for r in with_json(survivor_records_of_merge(merge).select_related(
                "user").order_by("-created_at", "-id"), "changes")]
            if merged and not survivor and merge.undone_at is not None else None,
        })
    return exported


def _stored_moments(value: Any) -> Any:
    """A merge's snapshots of rows (the customer's row, address records, what moved), with the rows'
    moments in the API's one date-time style: they were stored as Python wrote them (`+00:00`). Only the
    keys that are date-time columns of a customer or an address are read as moments, so no value a person
    typed is touched."""
    if isinstance(value, dict):
        return {key: _stored_moment(item) if key in ROW_MOMENTS else _stored_moments(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_stored_moments(item) for item in value]
    return value


def _stored_moment(value: Any) -> Any:
    moment = parse_datetime(value) if isinstance(value, str) else None
    return api_datetime(moment) if moment is not None else value


def _taken(record: ChangeRecord) -> dict[str, Any]:
    """The other person's change record of a merge, with only the subject's side of each change: what the
    merge took from the subject ("after"), what the undo gave back ("before"); never the other's values."""
    own = "before" if MERGED_SIDE[record.action] == "after" else "after"
    entry = _change(record)
    entry["changes"] = [{**c, own: None} if isinstance(c, dict) and own in c else c for c in record.changes]
    return entry


def _merged_record(customer: Customer) -> dict[str, Any]:
    """A record merged into the customer: its own row, addresses left on it and history, as it is now."""
    return {
        "ucrn": customer.ucrn,
        "merged_into": Customer.objects.filter(pk=customer.merged_into_id).values_list("ucrn", flat=True).first(),
        "erased_at": _when(customer.erased_at),
        "portal_account": _portal_account(customer.portal_user),
        "profile": profile_data(customer, primary_address(customer)),
        "addresses": _addresses(customer),
        "change_history": _changes(customer),
    }


def _marks(subject: registry.Subject, *, others_visible: bool) -> list[dict[str, Any]]:
    """The customers a CSA said are a different person from the subject's records."""
    ids = set(subject.ids)
    marks = (NotSamePerson.objects.filter(Q(first__in=ids) | Q(second__in=ids))
             .select_related("first", "second", "marked_by").order_by("-created_at", "-id"))
    return [
        {
            "ucrn": (mark.second if mark.first_id in ids else mark.first).ucrn if others_visible else None,
            "marked_by": mark.marked_by.get_username() if mark.marked_by else None,
            "created_at": api_datetime(mark.created_at),
        }
        for mark in marks
    ]
