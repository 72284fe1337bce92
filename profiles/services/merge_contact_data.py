"""What a merge does with contact permissions, subscriptions and other systems' data (SPEC 8), and its undo.

SPEC 8 says these follow the record as any other data does; where it is silent, the rules are the ones a
council's contact centre expects:

- **Permissions** (`permission_<channel>`, chosen like any data name): a refusal on either record stays a
  refusal on the survivor, whatever was chosen: the safe side wins, and its change entry says so. Otherwise
  the survivor's own permission stands by default, or the merged record's when the survivor's is `unknown`.
  A grant the survivor would hold without the contact it needs is refused (`contact_missing`), as on
  every door. Refusing a channel ends the survivor's subscriptions on it, as an Update does.
- **Subscriptions**: each current subscription of the merged record moves to the survivor, unless the
  survivor already has that topic on that channel or is not `granted` on it: those stay with the merged
  record, where no mailing reaches them (`topic_subscribers` leaves merged records out).
- **Extended data**: the survivor keeps its own object of each source and takes the merged record's
  sources it lacks, with their references (a unique reference stays one customer's). A source whose
  top-level keys the survivor already holds in another source stays with the merged record.

The undo moves back what moved, and opens again the survivor's subscriptions the merge ended.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from profiles.datanames import PERMISSION_NAMES
from profiles.models import Customer, ExtendedData, ExtendedReference, Permission, Subscription
from profiles.services.audit import change
from profiles.services.extended import data_name
from profiles.services.permissions import CONTACT_MISSING, contact_missing_message, has_contact
from profiles.services.subscriptions import SUBSCRIPTION, end_refused

SURVIVOR, MERGED = "survivor", "merged"
REFUSAL_KEPT = "refused on one of the merged records: a merge never turns a refusal into a permission"


def permission_choice(s_value: str, m_value: str, given: str | None) -> str:
    """Which record's permission the survivor takes: the refusal if either record holds one, else the
    caller's choice, else the survivor's unless it is `unknown`."""
    if s_value == Permission.REFUSED:
        return SURVIVOR
    if m_value == Permission.REFUSED:
        return MERGED
    if given is not None:
        return given
    return MERGED if s_value == Permission.UNKNOWN and m_value != Permission.UNKNOWN else SURVIVOR


def note_refusals(field_changes: list[dict[str, Any]]) -> None:
    """Say in the change entries of the permissions a merge turned to `refused` why they were."""
    for entry in field_changes:
        if entry.get("field") in PERMISSION_NAMES and entry.get("after") == Permission.REFUSED:
            entry["note"] = REFUSAL_KEPT


def check_contacts(survivor: Customer, field_changes: list[dict[str, Any]], *, has_address: bool) -> None:
    """A permission the merge grants the survivor needs the contact its channel needs (`contact_missing`)."""
    errors = {}
    for entry in field_changes:
        channel = PERMISSION_NAMES.get(entry.get("field"))
        if channel and entry.get("after") == Permission.GRANTED and not has_contact(
                survivor, channel, has_address=has_address):
            errors[entry["field"]] = ValidationError(contact_missing_message(channel), code=CONTACT_MISSING)
    if errors:
        raise ValidationError(errors)


# --- subscriptions ---------------------------------------------------------------------------------------


def move_subscriptions(merged: Customer, survivor: Customer,
                       field_changes: list[dict[str, Any]]) -> tuple[dict[str, list[int]], list[dict[str, Any]]]:
    """End the survivor's subscriptions on the channels the merge refused, then move the merged record's
    current subscriptions the survivor may take. `survivor` holds its permissions after the merge (not yet
    saved). Returns the ids (`moved`, `ended`, for the undo) and the change entries."""
    refused = [PERMISSION_NAMES[e["field"]] for e in field_changes
               if e.get("field") in PERMISSION_NAMES and e.get("after") == Permission.REFUSED]
    ending = end_refused(survivor, refused)
    held = set(survivor.subscriptions.filter(ended_at__isnull=True).values_list("topic_id", "channel"))
    moving = [s for s in merged.subscriptions.filter(ended_at__isnull=True).select_related("topic").order_by("pk")
              if (s.topic_id, s.channel) not in held
              and getattr(survivor, f"permission_{s.channel}") == Permission.GRANTED]
    Subscription.objects.filter(pk__in=[s.pk for s in moving]).update(customer=survivor)
    entries = ending + [change(SUBSCRIPTION, None, _value(s)) for s in moving]
    ids = {"moved": [s.pk for s in moving], "ended": [e["before"]["id"] for e in ending]}
    return ids, entries


def move_subscriptions_back(ids: dict[str, list[int]], survivor: Customer, merged: Customer) -> list[dict[str, Any]]:
    """The undo: the moved subscriptions still the survivor's go back; the ones the merge ended are current
    again unless the survivor has subscribed to that topic on that channel since. The survivor's change
    entries saying so."""
    going = list(Subscription.objects.filter(pk__in=ids.get("moved", []), customer=survivor)
                 .select_related("topic").order_by("pk"))
    Subscription.objects.filter(pk__in=[s.pk for s in going]).update(customer=merged)
    entries = [change(SUBSCRIPTION, _value(s), None) for s in going]
    held = set(survivor.subscriptions.filter(ended_at__isnull=True).values_list("topic_id", "channel"))
    for subscription in Subscription.objects.filter(pk__in=ids.get("ended", []), customer=survivor,
                                                    ended_at__isnull=False).select_related("topic").order_by("pk"):
        if (subscription.topic_id, subscription.channel) not in held:
            subscription.ended_at = None
            subscription.save(update_fields=["ended_at"])
            held.add((subscription.topic_id, subscription.channel))
            entries.append(change(SUBSCRIPTION, None, _value(subscription)))
    return entries


def _value(subscription: Subscription) -> dict[str, Any]:
    """A subscription as its change entries show it."""
    return {"id": subscription.pk, "topic": subscription.topic.slug, "channel": subscription.channel,
            "address": subscription.address}


# --- extended data ---------------------------------------------------------------------------------------


def move_extended(merged: Customer, survivor: Customer) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The merged record's objects of the sources the survivor lacks move to it, with their references,
    unless a top-level key would then be in two sources. Returns `{slug: object}` of those moved (for the
    undo and its conflict check) and the change entries (`extended.<source>`)."""
    own = list(ExtendedData.objects.filter(customer=survivor))
    keys = {key for row in own if isinstance(row.data, dict) for key in row.data}
    have = {row.source_id for row in own}
    moved: dict[str, Any] = {}
    for row in ExtendedData.objects.filter(customer=merged).select_related("source").order_by("source__slug"):
        row_keys = set(row.data) if isinstance(row.data, dict) else set()
        if row.source_id in have or row_keys & keys:
            continue
        keys |= row_keys
        ExtendedData.objects.filter(pk=row.pk).update(customer=survivor)  # not `updated_at`: undo is exact
        ExtendedReference.objects.filter(customer=merged, source_id=row.source_id).update(customer=survivor)
        moved[row.source.slug] = row.data
    return moved, [change(data_name(slug), {}, data) for slug, data in moved.items()]


def extended_changed_since(moved: dict[str, Any], survivor: Customer) -> list[str]:
    """The data names of the moved sources whose object on the survivor changed since the merge."""
    now = dict(ExtendedData.objects.filter(customer=survivor, source__slug__in=list(moved))
               .values_list("source__slug", "data"))
    return [data_name(slug) for slug, data in moved.items() if now.get(slug) != data]


def move_extended_back(moved: dict[str, Any], survivor: Customer, merged: Customer) -> None:
    """The undo: the moved sources' objects and references go back to the merged record."""
    rows = ExtendedData.objects.filter(customer=survivor, source__slug__in=list(moved))
    source_ids = list(rows.values_list("source_id", flat=True))
    ExtendedData.objects.filter(customer=survivor, source_id__in=source_ids).update(customer=merged)
    ExtendedReference.objects.filter(customer=survivor, source_id__in=source_ids).update(customer=merged)
