"""Merging one customer into another, and undoing it.

A merge keeps one record, the **survivor**, and folds the other, the **merged** record, into it:

- each profile data name takes the survivor's value or the merged record's, by the caller's choice
  (`{data name: "survivor" | "merged"}`); a name not chosen takes the survivor's value where it has one
  (not blank), else the merged record's. `address` chooses which primary address the survivor keeps
  (default: the survivor's, if it has one). The email may move: it is blanked on the merged record first,
  as emails are unique.
- every address record of the merged customer moves to the survivor as history: not primary, dates
  untouched (a merge invents no end dates), unless the merged record's primary address was chosen, in
  which case it stays primary and the survivor's primary stops being primary (still at most one).
- contact permissions, subscriptions and other systems' data follow the rules of
  `profiles.services.merge_contact_data` (a refusal on either record is never lost).
- the merged customer's change records, and the rows other apps keep about it that follow it (cases:
  `profiles.registry.register_merge`), move to the survivor; its portal account moves too if
  the survivor has none (a citizen whose record was merged then sees the survivor: the same person).
- the merged record keeps its other values, gets status Merged and `merged_into` = the survivor, so its
  UCRN resolves there (`profiles.access.survivor_of`); writes to it are refused (400 `merged`).
- both records get a change record (action `merge`) pointing at the `Merge` row, which holds both records
  as they were (row and addresses), what moved, and the survivor's version right after the merge.

**Undo** restores both records as they were, touching on the survivor only what the merge touched: the
fields whose value came from the merged record, the moved addresses, the survivor addresses the merge
demoted, the portal link. If any of these changed since the merge (by anyone, including a later merge),
the undo is refused (`UndoConflict`, HTTP 409) naming each field with when and by whom; later changes to
other fields do not block it and are kept. Cases and change records moved by the merge go back.
Everything is one transaction, with both customers locked in id order so two merges cannot deadlock.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from core.prepared import Prepared
from core.roles import UserLike, is_csa
from profiles import registry
from profiles.access import customer_for
from profiles.datanames import ADDRESS_NAMES, PERMISSION_NAMES, PROFILE_NAMES, READ_ONLY_NAMES
from profiles.display import label
from profiles.models import MERGED_STATUS, Address, ChangeRecord, Customer, Merge
from profiles.selectors import name_parts_listed, of_customer
from profiles.services import merge_contact_data as contact_data
from profiles.services.addresses import address_values
from profiles.services.audit import change, jsonable, write_customer
from profiles.services.profiles import _email_taken as email_taken_by_another
from profiles.ucrn import is_valid_ucrn

SURVIVOR, MERGED = "survivor", "merged"
CHOICE_VALUES = (SURVIVOR, MERGED)
ADDRESS = "address"  # the choice of which primary address the survivor keeps
OTHER = "merge"  # the error key for the other customer (the API body's and the page's field name)
# Kept as they are by an undo: identity and bookkeeping (the version moves on, it never goes back).
NOT_RESTORED = frozenset({"id", "ucrn", "version", "created_at", "updated_at"})


class UndoConflict(ValidationError):
    """The survivor changed since the merge where the merge touched it: nothing was undone (HTTP 409)."""


@dataclass
class FieldRow:
    """One data name of the two records, for the merge page: both values and the default choice."""

    name: str
    survivor: Any
    merged: Any
    default: str


@dataclass
class MergePreview:
    """What a merge of these two customers would do, before anything is written (the merge page)."""

    survivor: Customer
    merged: Customer
    survivor_address: Address | None
    merged_address: Address | None
    rows: list[FieldRow] = field(default_factory=list)  # the data names whose values differ
    address_default: str = SURVIVOR
    counts: dict[str, int] = field(default_factory=dict)  # what would move: addresses, cases, records


# --- merge ---------------------------------------------------------------------------------------------


def merge_preview(*, survivor_ucrn: Any, merged_ucrn: Any, user: UserLike) -> MergePreview:
    """The two records side by side and the defaults, after the same checks as `profile_merge`."""
    check_may_merge(user)
    survivor = customer_for(user, survivor_ucrn)
    merged = _other(merged_ucrn)
    _check_pair(survivor, merged)
    s_primary, m_primary = _primary(survivor), _primary(merged)
    preview = MergePreview(
        survivor=survivor, merged=merged, survivor_address=s_primary, merged_address=m_primary,
        address_default=SURVIVOR if s_primary is not None or m_primary is None else MERGED,
        counts={"addresses": merged.addresses.count(),
                **{rows.key: rows.count(merged) for rows in registry.merged_rows()},
                "change_records": merged.change_records.count()},
    )
    for name, spec in PROFILE_NAMES.items():
        s_value, m_value = getattr(survivor, spec.attr), getattr(merged, spec.attr)
        if s_value != m_value:
            preview.rows.append(FieldRow(name, s_value, m_value, _default(name, s_value, m_value)))
    return preview


def profile_merge(
    *, survivor_ucrn: Any, merged_ucrn: Any, choices: Any, user: UserLike, channel: str
) -> Merge:
    """Merge the customer `merged_ucrn` into `survivor_ucrn` with per-field `choices`: CSAs only.

    Refused (400, keyed `merge` unless about a chosen name): a customer into itself (`merge_self`), an
    unknown other UCRN (`not_found`), an already merged (`already_merged`) or erased (`erased`) customer,
    a survivor that was itself merged (`merge_chain`). A bad choice is keyed by its data name
    (`unknown_field`, `read_only`, `invalid_choice`, `email_already_exists`).
    """
    check_may_merge(user)
    given = read_choices(choices)
    with transaction.atomic():
        survivor = customer_for(user, survivor_ucrn)  # 404 for an unknown UCRN in the address
        merged = _other(merged_ucrn)
        survivor, merged = _lock_pair(survivor.pk, merged.pk)
        _check_pair(survivor, merged)
        s_addresses = list(survivor.addresses.order_by("pk"))
        m_addresses = list(merged.addresses.order_by("pk"))
        s_primary = next((a for a in s_addresses if a.is_primary), None)
        m_primary = next((a for a in m_addresses if a.is_primary), None)
        applied = _applied_choices(given, survivor, merged, s_primary, m_primary)
        survivor_before = snapshot(survivor, s_addresses)
        merged_before = snapshot(merged, m_addresses)

        # The survivor's fields: the merged record's value where chosen.
        field_changes, fields_after = [], {}
        for name, choice in applied.items():
            if name == ADDRESS or choice == SURVIVOR:
                continue
            attr = PROFILE_NAMES[name].attr
            before, after = getattr(survivor, attr), getattr(merged, attr)
            if before != after:
                setattr(survivor, attr, after)
                field_changes.append(change(name, before, after))
                fields_after[name] = jsonable(after)
        take_primary = applied.get(ADDRESS) == MERGED and m_primary is not None
        contact_data.check_contacts(survivor, field_changes, has_address=s_primary is not None or take_primary)
        contact_data.note_refusals(field_changes)
        merged_changes = []
        email_moved = bool(merged.email_address) and survivor.email_address.lower() == merged.email_address.lower()
        if email_moved:  # emails are unique: the merged record lets go of it first
            merged_changes.append(change("email_address", merged.email_address, ""))
            merged.email_address = ""
            merged.save(update_fields=["email_address"])

        # Addresses: history on the survivor; primary only when chosen (the survivor's stops being it first).
        address_changes, demoted = [], []
        if take_primary and s_primary is not None:
            s_primary.is_primary = False
            s_primary.save(update_fields=["is_primary"])
            demoted.append(s_primary.pk)
            address_changes.append(change("address.is_primary", True, False, address_id=s_primary.pk))
        for record in sorted(m_addresses, key=lambda a: a.is_primary):  # the primary one last
            record.customer = survivor
            record.is_primary = record.is_primary and take_primary
            record.save(update_fields=["customer", "is_primary"])
            address_changes.append(change("address", None, address_values(record), address_id=record.pk))

        others = {rows.key: rows.move(merged, survivor) for rows in registry.merged_rows()}  # (ids, labels)
        subscription_ids, subscription_changes = contact_data.move_subscriptions(merged, survivor, field_changes)
        extended_moved, extended_changes = contact_data.move_extended(merged, survivor)
        record_ids = list(merged.change_records.order_by("pk").values_list("pk", flat=True))
        ChangeRecord.objects.filter(pk__in=record_ids).update(customer=survivor)

        portal_user_id = None
        if merged.portal_user_id is not None and survivor.portal_user_id is None:
            portal_user_id = merged.portal_user_id
            merged.portal_user = None
            merged.save(update_fields=["portal_user"])  # one account, one customer: let go first
            survivor.portal_user_id = portal_user_id

        merged_changes += [change("status", merged.status_id, MERGED_STATUS)]
        merged.status_id = MERGED_STATUS
        merged.merged_into = survivor

        merge = Merge.objects.create(
            survivor=survivor, merged=merged, user=_user(user), channel=channel, choices=applied,
            survivor_before=survivor_before, merged_before=merged_before,
            survivor_version=survivor.version + 1,  # the version its write below gives it (its row is locked)
            moved={
                "fields": fields_after,
                "email_moved": email_moved,
                "addresses": [a.pk for a in m_addresses],
                "addresses_after": {str(a.pk): _row(a) for a in m_addresses},
                "demoted": demoted,
                **{key: ids for key, (ids, _) in others.items()},
                "change_records": record_ids,
                "portal_user": portal_user_id,
                "subscriptions": subscription_ids,
                "extended": extended_moved,
            },
        )
        link = {"merge_id": merge.pk}
        survivor_record = write_customer(
            customer=survivor, fields=[PROFILE_NAMES[c["field"]].attr for c in field_changes] + ["portal_user"],
            user=user, channel=channel, action=ChangeRecord.Action.MERGE,
            changes=[{**change("merged_from", None, merged.ucrn), **link}, *field_changes, *address_changes,
                     *(change(key, None, ", ".join(labels)) for key, (_, labels) in others.items() if labels),
                     *subscription_changes, *extended_changes,
                     *([change("portal_user", None, "linked")] if portal_user_id else [])],
        )
        merged_record = write_customer(
            customer=merged, fields=["status", "merged_into"], user=user, channel=channel,
            action=ChangeRecord.Action.MERGE,
            changes=[{**change("merged_into", None, survivor.ucrn), **link}, *merged_changes],
        )
        merge.moved["records"] = {SURVIVOR: survivor_record.pk, MERGED: merged_record.pk}
        merge.save(update_fields=["moved"])
    return merge


# --- undo ----------------------------------------------------------------------------------------------


def merge_undo(*, merge_id: Any, user: UserLike, channel: str, ucrn: Any = None) -> Merge:
    """Undo the merge `merge_id`, restoring both records as they were: CSAs only.

    `ucrn`, when given (the API path, the page), must be the survivor's or the merged customer's (404
    otherwise). Refused: an undo already done (400 `already_undone`), an erased customer (`erased`), a
    survivor merged since into another (`survivor_merged`: undo that one first), and any change since the
    merge to what the merge touched (`UndoConflict`, code `merge_conflict`).
    """
    check_may_merge(user)
    merge = _find_merge(merge_id, ucrn)
    with transaction.atomic():
        survivor, merged = _lock_pair(merge.survivor_id, merge.merged_id)
        merge = Merge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            who = merge.undone_by.get_username() if merge.undone_by else "someone"
            raise ValidationError({OTHER: ValidationError(
                f"This merge was already undone, on {_when(merge.undone_at)} by {who}.", code="already_undone")})
        if survivor.erased_at is not None or merged.erased_at is not None:
            raise ValidationError({OTHER: ValidationError(
                "A customer of this merge has been erased since: the merge cannot be undone.", code="erased")})
        if survivor.merged_into_id is not None:
            raise ValidationError({OTHER: ValidationError(
                f"Customer {survivor.ucrn} has since been merged into another customer: undo that merge first.",
                code="survivor_merged")})
        moved = merge.moved
        _check_no_conflict(merge, survivor)

        # The survivor: only what the merge changed goes back; later changes to other fields stay.
        survivor_row = merge.survivor_before["row"]
        undo_changes = [{**change("merged_from", merged.ucrn, None), "merge_id": merge.pk}]
        attrs = []
        for name in moved["fields"]:
            attr = PROFILE_NAMES[name].attr
            before = _from_json(Customer, attr, survivor_row[attr])
            undo_changes.append(change(name, getattr(survivor, attr), before))
            setattr(survivor, attr, before)
            attrs.append(attr)
        if moved["portal_user"] is not None:
            survivor.portal_user_id = survivor_row["portal_user_id"]
            undo_changes.append(change("portal_user", "linked", None))
            attrs.append("portal_user")

        # Addresses: the moved ones stop being primary, the demoted one is primary again, then they go back.
        moved_ids = [int(pk) for pk in moved["addresses"]]
        Address.objects.filter(pk__in=moved_ids).update(is_primary=False)
        for pk in moved["demoted"]:
            Address.objects.filter(pk=pk).update(is_primary=True)
            undo_changes.append(change("address.is_primary", False, True, address_id=pk))
        before_rows = {row["id"]: row for row in merge.merged_before["addresses"]}
        for record in Address.objects.filter(pk__in=moved_ids).order_by("is_primary", "pk"):
            _restore(record, before_rows[record.pk])
            record.save()
            undo_changes.append(change("address", address_values(record), None, address_id=record.pk))

        for rows in registry.merged_rows():
            rows.move_back(moved.get(rows.key, []), survivor, merged)
        undo_changes += contact_data.move_subscriptions_back(moved.get("subscriptions", {}), survivor, merged)
        contact_data.move_extended_back(moved.get("extended", {}), survivor, merged)
        undo_changes += [change(contact_data.data_name(slug), data, {})
                         for slug, data in moved.get("extended", {}).items()]
        ChangeRecord.objects.filter(pk__in=moved["change_records"]).update(customer=merged)

        # The survivor first: it lets go of the merged record's email and portal account.
        write_customer(customer=survivor, fields=attrs, user=user, channel=channel,
                       action=ChangeRecord.Action.UNMERGE, changes=undo_changes)
        # The merged record: exactly as it was (status, email, portal account, merged_into cleared).
        merged_changes = [{**change("merged_into", survivor.ucrn, None), "merge_id": merge.pk},
                          change("status", merged.status_id, merge.merged_before["row"]["status_id"])]
        if moved["email_moved"]:
            merged_changes.append(change("email_address", "", merge.merged_before["row"]["email_address"]))
        _restore(merged, merge.merged_before["row"])
        write_customer(customer=merged,
                       fields=[f.name for f in Customer._meta.concrete_fields if f.attname not in NOT_RESTORED],
                       user=user, channel=channel, action=ChangeRecord.Action.UNMERGE, changes=merged_changes)

        merge.undone_at = timezone.now()
        merge.undone_by = _user(user)
        merge.save(update_fields=["undone_at", "undone_by"])
    return merge


def merge_read(*, merge_id: Any, user: UserLike, ucrn: Any = None) -> Merge:
    """The merge `merge_id` (CSAs only), for reading: `ucrn`, when given, is either customer's (else 404)."""
    check_may_merge(user)
    return _find_merge(merge_id, ucrn)


def active_merges_into(survivor: str | int) -> list[Merge]:
    """The merges into the customer `survivor` (its id, or UCRN) not undone, newest first: the record page
    offers to undo them."""
    merges = _active_merges_into(survivor)
    if merges:
        name_parts_listed([merge.merged for merge in merges])
    return merges


# What the record page shows of a merge (not its snapshots): the merged customer's UCRN and `display_name`
# (its title and suffix from the cached lists), when and by whom. One query, however many merges.
MERGE_PANEL_FIELDS = (
    "id", "created_at", "survivor_id", "merged__ucrn", "merged__contact_type_id", "merged__organisation_name",
    "merged__first_name", "merged__last_name", "merged__prefix_id", "merged__suffix_id", "user__username",
)


_active_merges_into = Prepared(  # compiled once (`core.prepared`): the record page reads it every time
    lambda key: Merge.objects.filter(**of_customer(key, "survivor"), undone_at__isnull=True)
    .select_related("merged", "user").only(*MERGE_PANEL_FIELDS)
    .order_by("-created_at", "-id")
)


# --- snapshots -----------------------------------------------------------------------------------------


def _row(obj: models.Model) -> dict[str, Any]:
    """Every stored column of a row, JSON-ready."""
    return {f.attname: jsonable(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


def snapshot(customer: Customer, addresses: list[Address] | None = None) -> dict[str, Any]:
    """A customer as stored: its row and its address records (by id), for the merge record and tests."""
    if addresses is None:
        addresses = list(customer.addresses.order_by("pk"))
    return {"row": _row(customer), "addresses": [_row(a) for a in addresses]}


def _from_json(model: type[models.Model], attname: str, value: Any) -> Any:
    field_ = next(f for f in model._meta.concrete_fields if f.attname == attname)
    return None if value is None else field_.to_python(value)


def _restore(obj: models.Model, row: Mapping[str, Any]) -> None:
    for attname, value in row.items():
        if attname not in NOT_RESTORED:
            setattr(obj, attname, _from_json(type(obj), attname, value))


# --- checks and helpers --------------------------------------------------------------------------------


def check_may_merge(user: UserLike) -> None:
    """CSAs and administrators merge and undo; anyone else is refused (403) before anything is read."""
    if not is_csa(user):
        raise PermissionDenied("Only customer service agents may merge customers.")


def _other(ucrn: Any) -> Customer:
    """The customer to merge into the survivor, named in the body: a 400 (not 404) when it is wrong."""
    if ucrn is None or ucrn == "":
        raise ValidationError({OTHER: ValidationError("Give the UCRN of the customer to merge.", code="required")})
    if not is_valid_ucrn(ucrn):
        raise ValidationError({OTHER: ValidationError(f"{str(ucrn)[:20]} is not a valid UCRN.", code="invalid")})
    try:
        return Customer.objects.get(ucrn=ucrn)
    except Customer.DoesNotExist:
        raise ValidationError({OTHER: ValidationError(f"No customer has the UCRN {ucrn}.", code="not_found")}) from None


def _check_pair(survivor: Customer, merged: Customer) -> None:
    """The refusals: into itself, chains, already merged, erased."""
    def refuse(message: str, code: str) -> None:
        raise ValidationError({OTHER: ValidationError(message, code=code)})

    if survivor.pk == merged.pk:
        refuse("A customer cannot be merged into itself.", "merge_self")
    if survivor.merged_into_id is not None:
        target = Customer.objects.filter(pk=survivor.merged_into_id).values_list("ucrn", flat=True).first()
        refuse(f"Customer {survivor.ucrn} was itself merged into {target}: merge into {target} instead.",
               "merge_chain")
    if merged.merged_into_id is not None:
        refuse(f"Customer {merged.ucrn} has already been merged into another customer.", "already_merged")
    for customer in (survivor, merged):
        if customer.erased_at is not None:
            refuse(f"Customer {customer.ucrn} has been erased: it cannot be merged.", "erased")


def read_choices(raw: Any) -> dict[str, str]:
    """`{data name: "survivor" | "merged"}`, every wrong name or value reported with its code."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValidationError({"choices": ValidationError(
            'Send the choices as an object: {"first_name": "merged", ...}.', code="invalid")})
    choices, errors = {}, {}
    for key, value in raw.items():
        name = key.lower() if isinstance(key, str) else str(key)
        if name in READ_ONLY_NAMES:
            errors[name] = ValidationError(f"{key} is read-only: it cannot be chosen.", code="read_only")
        elif name in ADDRESS_NAMES:
            errors[name] = ValidationError(
                f"{key}: addresses are chosen whole, with \"address\".", code="unknown_field")
        elif name not in PROFILE_NAMES and name != ADDRESS:
            errors[str(key)] = ValidationError(f"{key} is not a data name of the customer profile.",
                                               code="unknown_field")
        elif name in choices:
            errors[name] = ValidationError(f"{key} is given twice.", code="duplicate_field")
        elif value not in CHOICE_VALUES:
            errors[name] = ValidationError('Choose "survivor" or "merged".', code="invalid_choice")
        else:
            choices[name] = value
    if errors:
        raise ValidationError(errors)
    return choices


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _default(name: str, survivor_value: Any, merged_value: Any) -> str:
    if name in PERMISSION_NAMES:
        return contact_data.permission_choice(survivor_value, merged_value, None)
    return SURVIVOR if not _blank(survivor_value) else MERGED


def _applied_choices(given: dict[str, str], survivor: Customer, merged: Customer,
                     s_primary: Address | None, m_primary: Address | None) -> dict[str, str]:
    """The choice for every name whose values differ (and every name given): given, else the default."""
    applied = {}
    for name, spec in PROFILE_NAMES.items():
        s_value, m_value = getattr(survivor, spec.attr), getattr(merged, spec.attr)
        if name in PERMISSION_NAMES and (name in given or s_value != m_value):
            applied[name] = contact_data.permission_choice(s_value, m_value, given.get(name))
        elif name in given or s_value != m_value:
            applied[name] = given.get(name, _default(name, s_value, m_value))
    if ADDRESS in given or s_primary is not None or m_primary is not None:
        default = SURVIVOR if s_primary is not None or m_primary is None else MERGED
        applied[ADDRESS] = given.get(ADDRESS, default)
    email = merged.email_address
    if applied.get("email_address") == MERGED and email and _email_taken(email, survivor, merged):
        raise ValidationError({"email_address": ValidationError(
            "Another customer already has the merged customer's email address.", code="email_already_exists")})
    return applied


def _email_taken(email: str, *customers: Customer) -> bool:
    """Whether a customer other than these has `email` (the profile service's check, ignoring case)."""
    return email_taken_by_another(email, exclude=[c.pk for c in customers])


def _lock_pair(first_pk: int, second_pk: int) -> tuple[Customer, Customer]:
    """Both customers, locked in id order (so two merges of overlapping pairs cannot deadlock)."""
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[first_pk, second_pk]).order_by("pk")}
    return locked[first_pk], locked[second_pk]


def _primary(customer: Customer) -> Address | None:
    return customer.addresses.select_related("country").filter(is_primary=True).first()


def _user(user: UserLike) -> Any:
    return user if user is not None and user.is_authenticated else None


def _when(moment: Any) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _find_merge(merge_id: Any, ucrn: Any) -> Merge:
    merge = None
    if isinstance(merge_id, int) or (isinstance(merge_id, str) and merge_id.isascii() and merge_id.isdigit()):
        if 0 < int(merge_id) < 2**63:
            merge = Merge.objects.select_related("survivor", "merged").filter(pk=int(merge_id)).first()
    if merge is None or (ucrn is not None and ucrn not in (merge.survivor.ucrn, merge.merged.ucrn)):
        raise Http404("No such merge of this customer.")
    return merge


def _check_no_conflict(merge: Merge, survivor: Customer) -> None:
    """Refuse the undo if anything the merge touched on the survivor changed since (UndoConflict)."""
    moved = merge.moved
    conflicts: dict[str, list[int]] = {}  # data name -> the address ids concerned (none for fields)
    if survivor.version != merge.survivor_version:
        for name, after in moved["fields"].items():
            if jsonable(getattr(survivor, PROFILE_NAMES[name].attr)) != after:
                conflicts[name] = []
        now = {a["id"]: a for a in (_row(r) for r in Address.objects.filter(
            pk__in=[*moved["addresses"], *moved["demoted"]]))}
        changed = [int(pk) for pk, row in moved["addresses_after"].items() if now.get(int(pk)) != row]
        for pk in moved["demoted"]:
            if pk not in now or now[pk]["customer_id"] != survivor.pk or now[pk]["is_primary"]:
                changed.append(pk)
        if changed:
            conflicts[ADDRESS] = changed
        if moved["portal_user"] is not None and survivor.portal_user_id != moved["portal_user"]:
            conflicts["portal_user"] = []
        for name in contact_data.extended_changed_since(moved.get("extended", {}), survivor):
            conflicts[name] = []
    errors: dict[str, list[ValidationError]] = {}
    if conflicts:
        records = list(ChangeRecord.objects.filter(customer=survivor, pk__gt=moved["records"][SURVIVOR])
                       .select_related("user").order_by("-pk"))
        for name, address_ids in conflicts.items():
            errors[name] = [ValidationError(_conflict_message(name, address_ids, records), code="merge_conflict")]
    email = merge.survivor_before["row"]["email_address"]
    email_lost = moved["email_moved"] and email and "email_address" not in conflicts
    if email_lost and _email_taken(email, survivor, merge.merged):
        errors["email_address"] = [ValidationError(
            f"The survivor's email address before the merge, {email}, now belongs to another customer.",
            code="merge_conflict")]
    if errors:
        errors = {OTHER: [ValidationError(
            "The customer changed since the merge, where the merge changed it: undoing it would lose those "
            "changes, so nothing was undone.", code="merge_conflict")], **errors}
        raise UndoConflict(errors)


def _conflict_message(name: str, address_ids: list[int], records: list[ChangeRecord]) -> str:
    """`First name was changed since the merge, on 3 December 2026 at 14:05 by jdoe (API).`"""
    what = {ADDRESS: "An address moved by the merge", "portal_user": "The portal account link"}.get(
        name, label(name))
    ids = set(address_ids)
    for record in records:
        for entry in record.changes:
            about_address = entry.get("address_id") in ids or (
                name == ADDRESS and entry.get("field") == "address" and record.action == ChangeRecord.Action.UPDATE)
            if entry.get("field") == name or (ids and about_address):
                who = record.user.get_username() if record.user else "the system"
                return (f"{what} was changed since the merge, on {_when(record.created_at)} by {who} "
                        f"({record.get_channel_display()}).")
    return f"{what} was changed since the merge."
