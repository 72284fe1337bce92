"""Import with matching (seed 003): each record updates the one customer it matches, or creates one.

A record is a mapping of data names (and, optionally, the options of SPEC 4.2). The matching mode says
which of its values finds the customer: `ucrn`, `email_address`, `phone_number`, or `custom` with a
`field_name` (custom_1..custom_28). One match runs the Update rules, no match runs Create, more than one
is an error for that record: never a guess. Matches are looked up for the whole batch at once.

Writing is in bulk: the records of a batch are decided in memory by the profile
service's own decide step (`decide_update` / `decide_create`: every rule, nothing written), with the
batch's customers locked by one `SELECT ... FOR UPDATE` and their addresses, taken emails and new UCRNs
read in one query each; then the valid records are written together in one transaction (bulk inserts and
updates, one INSERT of the change records, the `profile_changed` signal per record). A bad record is
reported and changes nothing, as before. Records that must see an earlier record's write (the same
customer twice, two new customers with one email) go to a later *wave*, so the outcome is the one the
record-at-a-time path (`_import_one`, kept for `bulk=False` and as the fallback) gives.

Each wave commits on its own, so a wave must never fail after an earlier one committed: a wave whose write
fails (a concurrent writer took an email meanwhile, or the database refused one record) wrote nothing and
is redone record by record, where a record the database still refuses is that record's `error` and the
others are written. Every outcome returned is then what the database holds.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.http import Http404

from core import jsonlimits
from core.roles import UserLike, is_csa
from profiles import placeholders, values
from profiles.access import check_may_ask, check_row, check_writable, customer_for
from profiles.datanames import reference_memo
from profiles.models import CUSTOM_FIELD_COUNT, HAS_EMAIL, Address, ChangeRecord, Customer
from profiles.services.audit import write_customer, write_customers
from profiles.services.bulk import bulk_insert, bulk_update
from profiles.services.extended import SECTION as EXTENDED_SECTION
from profiles.services.extended import extended_put_locked
from profiles.services.permissions import refused_channels
from profiles.services.profiles import (
    ProfileDecision,
    _changed_attrs,
    decide_create,
    decide_update,
    emails_taken,
    free_ucrns,
    profile_create,
    profile_update,
)
from profiles.services.profiles import (
    _email_taken as email_is_taken,
)
from profiles.services.subscriptions import end_refused, subscribe_many

MATCHING_MODES = ("ucrn", "email_address", "phone_number", "custom")
DEFAULT_MATCHING = "email_address"  # seed 003: a request that names no matching matches by email
CUSTOM_FIELDS = tuple(f"custom_{n}" for n in range(1, CUSTOM_FIELD_COUNT + 1))
MAX_BATCH = 1000
# What a write can raise that no rule foresaw: the database refusing it (a constraint, a trigger, a lost
# race), or text the driver cannot encode (the service refuses such text first; this is the last guard).
WRITE_FAILURES = (DatabaseError, UnicodeEncodeError)


@dataclass
class RecordOutcome:
    index: int
    status: str  # created / updated / unchanged / error
    ucrn: str | None = None
    errors: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "status": self.status, "ucrn": self.ucrn, "errors": self.errors}


def check_matching(matching: Any, field_name: Any = None) -> str:
    """The match key's data name, or a ValidationError naming what is wrong with the request. No matching
    (omitted, or null) is `email_address`, the default of seed 003."""
    if matching is None:
        matching = DEFAULT_MATCHING
    if matching not in MATCHING_MODES:
        raise ValidationError(
            {"matching": ValidationError(f"Choose one of {', '.join(MATCHING_MODES)}.", code="invalid_choice")}
        )
    if matching != "custom":
        return matching
    if field_name not in CUSTOM_FIELDS:
        raise ValidationError(
            {"field_name": ValidationError("Name one of custom_1 .. custom_28.", code="invalid_choice")}
        )
    return field_name


def check_batch_size(records: Sequence[Any]) -> None:
    """At most `MAX_BATCH` records in one batch."""
    if len(records) > MAX_BATCH:
        raise ValidationError({"records": ValidationError(f"Send at most {MAX_BATCH} records.", code="max_length")})


def import_records(
    *,
    records: Sequence[Any],
    matching: str | None = DEFAULT_MATCHING,
    field_name: str | None = None,
    options: Mapping[str, Any] | None = None,
    user: UserLike,
    channel: str,
    dry_run: bool = False,
    bulk: bool = True,
) -> list[RecordOutcome]:
    """Import a batch; one outcome per record, in order. `dry_run` matches and reports without writing.
    `matching` None (or left out) matches by email.

    `bulk=False` writes one record per transaction through `profile_update` / `profile_create`: the
    reference the bulk path is tested against (same outcomes, rows and change records).
    """
    if not is_csa(user):
        raise PermissionDenied("Only customer service agents and systems with the CSA role may import.")
    key = check_matching(matching, field_name)
    check_batch_size(records)
    if any(isinstance(r, Mapping) and (SUBSCRIPTIONS in r or EXTENDED in r) for r in records):
        bulk = False  # subscriptions and extended data are written record by record, each with its record's write
    matches = _matches(key, [_match_value(key, r) for r in records])
    outcomes: list[RecordOutcome | None] = [None] * len(records)
    jobs: list[_Job] = []
    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            outcomes[index] = _error(index, {"non_field_errors": ["Each record is an object of data names."]})
            continue
        found = matches.get(_match_value(key, record), []) if _match_value(key, record) else []
        refused = _refused(index, record, key, found)
        if refused is not None:
            outcomes[index] = refused
        elif dry_run:
            outcomes[index] = RecordOutcome(index, "updated" if found else "created", found[0] if found else None)
        elif not bulk:
            outcomes[index] = _import_one(index, {**(options or {}), **record}, found, user, channel)
        else:
            jobs.append(_Job(index, {**(options or {}), **record}, found[0] if found else None))
    for wave in _waves(jobs):
        _import_wave(wave, user, channel, outcomes)
    return outcomes  # type: ignore[return-value]  # every index has its outcome now


def _refused(index: int, record: Mapping[str, Any], key: str, found: list[str]) -> RecordOutcome | None:
    """The errors found by matching alone: more than one match, or a UCRN that matches nobody."""
    if len(found) > 1:
        return _error(index, {key: [f"{len(found)} customers match this {key}: import refuses to guess."]},
                      code="ambiguous_match")
    if key == "ucrn" and not found and not values.is_blank(record.get("ucrn")):
        return _error(index, {"ucrn": ["No customer has this UCRN."]}, code="not_found")
    return None


def _import_one(index: int, data: dict[str, Any], found: list[str], user: UserLike, channel: str) -> RecordOutcome:
    """One record in its own transaction through the profile service (the record-at-a-time path)."""
    data = dict(data)
    subscriptions = data.pop(SUBSCRIPTIONS, None)
    extended = data.pop(EXTENDED, None)
    try:
        with transaction.atomic():
            if found:
                result = profile_update(ucrn=found[0], data=data, user=user, channel=channel, full=False)
                outcome = RecordOutcome(index, "updated" if result.changes else "unchanged", found[0])
            else:
                result = profile_create(data=_create_data(data), user=user, channel=channel)
                outcome = RecordOutcome(index, "created", result.customer.ucrn)
            if extended is not None:
                customer = customer_for(user, result.customer.ucrn, lock=True)
                entries = extended_put_locked(customer, extended, user=user)
                if entries:
                    write_customer(customer=customer, fields=[], user=user, channel=channel,
                                   action=ChangeRecord.Action.UPDATE, changes=entries)
                if entries and outcome.status == "unchanged":
                    outcome = RecordOutcome(index, "updated", outcome.ucrn)
            if subscriptions is not None:
                customer = customer_for(user, result.customer.ucrn, lock=True)
                if subscribe_many(customer, subscriptions, user=user, door=channel) and outcome.status == "unchanged":
                    outcome = RecordOutcome(index, "updated", outcome.ucrn)
        return outcome
    except ValidationError as error:
        return _invalid(index, found[0] if found else None, error)
    except (PermissionDenied, Http404) as error:
        return _error(index, {"non_field_errors": [str(error)]}, code="not_allowed")
    except WRITE_FAILURES:  # the service's transaction was rolled back: nothing of the record is written
        return _error(index, {"non_field_errors": [WRITE_FAILED]}, code="write_failed")


# A record's subscriptions (SPEC 8.2): [{"topic": slug, "channel": "email"}], after its profile is written.
SUBSCRIPTIONS = "subscriptions"
# A record's extended data by source (SPEC 8.3): {"council_tax": {...}}, each object replaced whole as by
# `PUT .../extended/{source}/`, after its profile is written.
EXTENDED = EXTENDED_SECTION


WRITE_FAILED = "The database refused to write this record: nothing of it was written."


def _create_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """A Create takes neither the matched `ucrn` nor the Update options."""
    data = dict(data)
    data.pop("ucrn", None)
    for option in ("ignore_empty_entries", "update_primary_address", "keep_empty_end_dates", "address_is_primary"):
        data.pop(option, None)
    return data


def _invalid(index: int, ucrn: str | None, error: ValidationError) -> RecordOutcome:
    details = error.error_dict if hasattr(error, "error_dict") else {"non_field_errors": error.error_list}
    return RecordOutcome(
        index, "error", ucrn,
        {name: [{"message": " ".join(e.messages), "code": e.code or "invalid"} for e in errors]
         for name, errors in details.items()},
    )


# --- the bulk path ---------------------------------------------------------------------------------


@dataclass
class _Job:
    """A record to write: its data (batch options under its own) and the UCRN it matched, if any."""

    index: int
    data: dict[str, Any]
    ucrn: str | None

    def keys(self) -> list[tuple[str, str]]:
        """What an earlier record of the batch can change under it: its customer, or the email it takes."""
        if self.ucrn is not None:
            return [("customer", self.ucrn)]
        return [("email", value.strip().lower()) for name, value in self.data.items()
                if isinstance(name, str) and name.lower() == "email_address" and isinstance(value, str)
                and value.strip()]


def _waves(jobs: list[_Job]) -> list[list[_Job]]:
    """The jobs in waves: each wave after every wave holding an earlier job with a key in common.

    Jobs with no key in common commute, so running a wave's jobs together gives what running them one by
    one in batch order gives; a job that must see an earlier one's write runs in a later wave."""
    waves: list[list[_Job]] = []
    last_wave: dict[tuple[str, str], int] = {}
    for job in jobs:
        keys = job.keys()
        wave = max((last_wave[k] + 1 for k in keys if k in last_wave), default=0)
        for k in keys:
            last_wave[k] = wave
        if wave == len(waves):
            waves.append([])
        waves[wave].append(job)
    return waves


def _import_wave(jobs: list[_Job], user: UserLike, channel: str, outcomes: list[RecordOutcome | None]) -> None:
    """Decide every job of the wave in memory, then write the valid ones together: one transaction."""
    try:
        with transaction.atomic(), reference_memo(), placeholders.rules_memo():
            decided = _decide(jobs, user, outcomes)
            _write(decided, user, channel)
    except WRITE_FAILURES:
        # Nothing of the wave was written. A concurrent writer took an email (or a UCRN) since the checks,
        # or the database refused a record: redo the wave record by record, where the profile service
        # turns that race into the record's own error, and a refused record is its own `write_failed`.
        for job in jobs:
            outcomes[job.index] = _import_one(job.index, job.data, [job.ucrn] if job.ucrn else [], user, channel)


def _decide(
    jobs: list[_Job], user: UserLike, outcomes: list[RecordOutcome | None]
) -> list[tuple[_Job, ProfileDecision]]:
    """Each job decided by the profile service (nothing written); errors go straight to `outcomes`."""
    today = values.today()
    ucrns = [job.ucrn for job in jobs if job.ucrn is not None]
    locked = {c.ucrn: c for c in Customer.objects.select_for_update().filter(ucrn__in=ucrns).order_by("id")} \
        if ucrns else {}
    addresses: dict[int, list[Address]] = defaultdict(list)
    if locked:
        rows = Address.objects.filter(customer_id__in=[c.pk for c in locked.values()])
        for address in rows.order_by("customer_id", "-start_date", "-id"):
            addresses[address.customer_id].append(address)
    creates = [job for job in jobs if job.ucrn is None]
    asked = {email for job in creates for _, email in job.keys()}
    taken = emails_taken(asked)
    new_ucrns = iter(free_ucrns(len(creates)))

    def email_taken(email: str) -> bool:
        return email.lower() in taken if email.lower() in asked else email_is_taken(email)

    decided = []
    for job in jobs:
        try:
            if job.ucrn is not None:
                check_may_ask(user, job.ucrn)
                customer = locked.get(job.ucrn)
                check_row(user, found=customer is not None, portal_user_id=getattr(customer, "portal_user_id", None))
                check_writable(customer, user)
                history = addresses[customer.pk]
                decision = decide_update(
                    customer=customer, primary=next((a for a in history if a.is_primary), None), data=job.data,
                    today=today, full=False, addresses=lambda history=history: history,
                )
                outcomes[job.index] = RecordOutcome(job.index, "updated" if decision.changed else "unchanged", job.ucrn)
            else:
                decision = decide_create(data=_create_data(job.data), user=user, today=today, ucrn=next(new_ucrns),
                                         email_taken=email_taken)
                outcomes[job.index] = RecordOutcome(job.index, "created", decision.customer.ucrn)
        except ValidationError as error:
            outcomes[job.index] = _invalid(job.index, job.ucrn, error)
            continue
        except (PermissionDenied, Http404) as error:
            outcomes[job.index] = _error(job.index, {"non_field_errors": [str(error)]}, code="not_allowed")
            continue
        if decision.changed:
            decided.append((job, decision))
    return decided


def _write(decided: list[tuple[_Job, ProfileDecision]], user: UserLike, channel: str) -> None:
    """Write the decisions of one wave in the order `profile_create` / `profile_update` write each:
    changed address records (the old primary stops being primary first), new customers, new address
    records, changed customers (version bumped), then the change records."""
    decisions = [decision for _, decision in decided]
    by_fields: dict[tuple[str, ...], list[Address]] = defaultdict(list)
    for decision in decisions:
        for record, fields in decision.plan.updates():
            by_fields[tuple(sorted(fields))].append(record)
    for fields, records in by_fields.items():
        bulk_update(Address, records, fields)
    bulk_insert(Customer, [d.customer for d in decisions if d.created])
    bulk_insert(Address, [d.plan.new for d in decisions if d.plan.new is not None])
    for decision in decisions:  # SPEC 8.2: refusing a channel's permission ends its subscriptions
        if not decision.created:
            decision.changes += end_refused(decision.customer, refused_channels(decision.changes))
    write_customers(
        entries=[(d.customer, ChangeRecord.Action.CREATE if d.created else ChangeRecord.Action.UPDATE,
                  d.changes + d.plan.entries()) for d in decisions],
        fields=dict.fromkeys(attr for d in decisions if not d.created for attr in _changed_attrs(d.changes)),
        user=user, channel=channel,
    )


def _error(index: int, messages: dict[str, list[str]], code: str = "invalid") -> RecordOutcome:
    return RecordOutcome(index, "error", None,
                         {name: [{"message": m, "code": code} for m in texts] for name, texts in messages.items()})


def _match_value(key: str, record: Any) -> str | None:
    """The record's value to match on, normalised as it is stored (E.164 phones, lower-case emails)."""
    if not isinstance(record, Mapping):
        return None
    raw = record.get(key)
    if values.is_blank(raw) or not isinstance(raw, (str, int)) or isinstance(raw, bool):
        return None
    if isinstance(raw, str) and not jsonlimits.is_storable_text(raw):
        return None  # matches no one (nor can it be looked up); the record's parsing refuses it
    text = str(raw).strip()
    if key == "email_address":
        return text.lower()
    if key == "phone_number":
        return values.phone_search_key(text)
    return text


def _matches(key: str, wanted: list[str | None]) -> dict[str, list[str]]:
    """Every wanted value -> the UCRNs of the customers having it: one query for the whole batch."""
    wanted_set = {w for w in wanted if w}
    if not wanted_set:
        return {}
    expression = Lower("email_address") if key == "email_address" else F(key)
    rows = Customer.objects.annotate(match=expression).filter(match__in=wanted_set)
    if key == "email_address":  # lets PostgreSQL use the partial unique index on LOWER(email_address)
        rows = rows.filter(HAS_EMAIL)
    found: dict[str, list[str]] = defaultdict(list)
    for match, ucrn in rows.values_list("match", "ucrn").order_by("ucrn"):
        found[match].append(ucrn)
    return found

