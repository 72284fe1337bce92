"""Get, Create and Update of a customer profile: SPEC sections 3 and 4, written once.

Every door (the form runner, the portal, the hub pages, the admin, the API, commands) calls these
functions. Each write is one transaction that validates everything before it writes anything, writes its
change record in the same transaction, and raises `ValidationError` keyed by data name, with codes.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from core import api
from core.roles import UserLike, is_csa
from core.throttling import AttemptRefused, attempt
from profiles import values
from profiles.access import check_may_ask, check_may_create, check_row, check_writable, customer_for
from profiles.datanames import PROFILE_NAMES
from profiles.models import HAS_EMAIL, Address, ChangeRecord, Customer
from profiles.selectors import primary_address, profile_data, profile_row
from profiles.selectors.duplicates import Duplicate, find_duplicates, may_be_told_of_duplicates
from profiles.services.addresses import (
    AddressPlan,
    ended_address_warnings,
    has_content,
    plan_for_create,
    plan_for_update,
)
from profiles.services.audit import change, record_change, write_customer
from profiles.services.payload import Payload, read_payload
from profiles.services.permissions import add_note, check_contacts, refused_channels
from profiles.services.subscriptions import end_refused
from profiles.ucrn import is_valid_ucrn, new_ucrn_candidate

MANDATORY = tuple(name for name, spec in PROFILE_NAMES.items() if spec.mandatory)


@dataclass
class ProfileResult:
    """What a write did: the profile after it (the Get output), its changes and its warnings; a Create by a
    CSA also its likely duplicates (`possible_duplicate` among the warnings)."""

    customer: Customer
    profile: dict[str, Any]
    changes: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    created: bool = False
    duplicates: list[Duplicate] = field(default_factory=list)


class VersionConflict(api.VersionConflict):
    """The customer changed since the version the caller expected (HTTP 412): nothing was written."""

    def __init__(self, *, current_version: int) -> None:
        super().__init__(f"The customer has changed: it is now at version {current_version}.",
                         current_version=current_version)


def customer_for_update(user: UserLike, ucrn: object) -> tuple[Customer, Address | None]:
    """`customer_for(user, ucrn, lock=True)` and the customer's primary address, in one query (the row
    lock is on the customer only): the Update's hot path (`profile_update`)."""
    check_may_ask(user, ucrn)
    row = profile_row(ucrn, lock=True)
    check_row(user, found=row is not None, portal_user_id=row[0].portal_user_id if row else None)
    check_writable(row[0], user)
    return row


class TooManyAttempts(AttemptRefused):
    """A citizen tried to create their profile more often than `CITIZEN_CREATE_RATE` allows: refused before
    the data is looked at, on every door as the Create's other errors are (the API: 429 with Retry-After)."""

    def __init__(self, wait: float) -> None:
        minutes = max(1, math.ceil(wait / 60))
        message = (f"Too many attempts to create your profile: try again in {minutes} minute"
                   f"{'s' if minutes > 1 else ''}, or contact the council.")
        super().__init__(message, wait=wait)


def check_citizen_create_rate(user: UserLike) -> None:
    """Count a citizen's attempt to create their profile, per user, on every door (API, portal, forms);
    CSAs are not limited. Each attempt is an answer about the data given (see `_email_taken_error`), so
    attempts are few: a person making their profile needs a handful."""
    if is_csa(user) or user is None or not user.is_authenticated:
        return
    wait = attempt(f"citizen_create_{user.pk}", settings.CITIZEN_CREATE_RATE)
    if wait is not None:
        raise TooManyAttempts(wait)


def profile_create(*, data: Mapping[str, Any], user: UserLike, channel: str) -> ProfileResult:
    """SPEC 4.1: a new customer with a new UCRN; its first address, if given, is primary.

    Created even when it may be someone already in the hub: a CSA (every door: the API, a form, the admin)
    is told of its likely duplicates as `possible_duplicate` warnings; a citizen is told of no one."""
    check_may_create(user)  # a user who may not create is refused (403) before an attempt is counted
    check_citizen_create_rate(user)
    today = values.today()
    decision = decide_create(data=data, user=user, today=today)
    customer, plan = decision.customer, decision.plan
    with transaction.atomic():
        _save_new(customer, user)
        changes = decision.changes + plan.save()
        record_change(customer=customer, user=user, channel=channel, action=ChangeRecord.Action.CREATE, changes=changes)
    primary = plan.new
    duplicates = find_duplicates(customer=customer) if may_be_told_of_duplicates(user) else []
    profile = profile_data(customer, primary)
    return ProfileResult(
        customer=customer,
        profile=profile,
        changes=changes,
        warnings=[*ended_address_warnings(profile, today=today), *(d.as_warning() for d in duplicates)],
        created=True,
        duplicates=duplicates,
    )


@dataclass
class ProfileDecision:
    """A Create or Update decided in memory, nothing written yet (`decide_create`, `decide_update`).

    `customer` holds the values it will have; `changes` are the profile fields' change-log entries, and
    the address plan's entries follow them once the plan is written (a new record's entry names its id).
    `addresses` are the records the plan was made from. Writers: `profile_create` / `profile_update` one
    at a time, `profiles.services.imports` many at once; both call the same decide functions.
    """

    customer: Customer
    plan: AddressPlan
    changes: list[dict[str, Any]]
    addresses: list[Address] = field(default_factory=list)
    created: bool = False

    @property
    def changed(self) -> bool:
        """Whether writing it changes anything (an Update that changes nothing writes nothing)."""
        return self.created or bool(self.changes) or not self.plan.is_empty

    @property
    def primary(self) -> Address | None:
        """The primary address once the plan is written."""
        if self.plan.new is not None and self.plan.new.is_primary:
            return self.plan.new
        return next((a for a in self.addresses if a.is_primary), None)


def decide_create(
    *, data: Mapping[str, Any], user: UserLike, today: dt.date, ucrn: str | None = None,
    email_taken: Callable[[str], bool] | None = None,
) -> ProfileDecision:
    """SPEC 4.1 without writing: the new customer and its first address, or every error at once.

    `ucrn` and `email_taken` let a bulk writer pass a pre-issued UCRN and one lookup of a whole batch's
    emails; by default they are read from the database here.
    """
    check_may_create(user)
    payload = read_payload(data)
    for name in MANDATORY:
        if name not in payload.profile and name not in payload.errors:
            payload.add_error(name, _required_message(name), "required")
    email = payload.profile.get("email_address")
    if email and (email_taken or _email_taken)(email):
        payload.add_error("email_address", *_email_taken_error(user))
    customer = Customer(ucrn=ucrn or _free_ucrn())
    for name, value in payload.profile.items():
        setattr(customer, PROFILE_NAMES[name].attr, value)
    check_contacts(customer, payload, has_address=has_content(payload))
    plan = _plan_or_errors(payload, lambda: plan_for_create(customer, payload, today=today))
    if not is_csa(user):
        customer.portal_user = user  # a citizen's own profile (check_may_create allowed it)
    changes = [change(name, None, getattr(customer, PROFILE_NAMES[name].attr)) for name in payload.profile]
    add_note(changes, payload.permission_note)
    return ProfileDecision(customer=customer, plan=plan, changes=changes, created=True)


def _email_taken_error(user: UserLike) -> tuple[str, str]:
    """The message and code of a Create refused because another customer has the email (SPEC 4.1).

    CSAs and API clients get `email_already_exists`: they may search by email anyway. A citizen creating
    their own profile must not be able to test whose an address is, so theirs neither says that a customer
    has it nor names anyone: `contact_council`, asking them to get in touch. That is still helpful, because
    the likely reason is that they already are a customer (the contact centre made their record from a
    phone call or a letter), and the council can check who they are and link their account to that record,
    which no self-service answer could do safely. The refusal itself cannot be hidden (a second customer
    with the same email must not be made, and dropping the email silently would lose their contact details),
    so what remains of the signal is limited by `check_citizen_create_rate`: a handful of attempts per
    citizen per hour, by citizens with no profile only, each on an account the council issued.
    """
    if is_csa(user):
        return "Another customer already has this email address.", "email_already_exists"
    return ("We cannot set up your profile online with this email address. Please contact the council, who "
            "can check your details and set up your account."), "contact_council"


def decide_update(
    *,
    customer: Customer,
    primary: Address | None,
    data: Mapping[str, Any],
    today: dt.date,
    full: bool = True,
    option_defaults: Mapping[str, bool] | None = None,
    addresses: Callable[[], list[Address]] | None = None,
) -> ProfileDecision:
    """SPEC 4.2 and 4.3 without writing, on a customer the caller has locked: its fields are set in
    memory, its address records planned, or every error is raised at once.

    `addresses` gives the customer's address records, newest first, when the plan needs them all (a bulk
    writer passes those it read for the whole batch); by default they are read here.
    """
    payload = read_payload(data, option_defaults=option_defaults)
    if payload.ucrn is not None and payload.ucrn != customer.ucrn:
        payload.add_error("ucrn", "This UCRN is not the one of the customer being updated.", "ucrn_mismatch")
    changes = _apply_profile_fields(customer, payload, full=full)
    add_note(changes, payload.permission_note)
    # The other address records matter only when a new record may be added (SPEC 4.3.3: matching
    # and end dates); otherwise the primary is all the plan and the response need.
    if has_content(payload):
        if addresses is not None:
            history = addresses()
        else:
            history = list(customer.addresses.select_related("country").order_by("-start_date", "-id"))
    else:
        history = [primary] if primary is not None else []
    check_contacts(customer, payload, has_address=primary is not None or has_content(payload))
    plan = _plan_or_errors(payload, lambda: plan_for_update(customer, history, payload, today=today))
    return ProfileDecision(customer=customer, plan=plan, changes=changes, addresses=history)


def profile_update(
    *,
    ucrn: Any,
    data: Mapping[str, Any],
    user: UserLike,
    channel: str,
    full: bool = True,
    option_defaults: Mapping[str, bool] | None = None,
    expected_version: int | None = None,
) -> ProfileResult:
    """SPEC 4.2 and 4.3: change the customer `ucrn` by the data names given, under the options given.

    `full` (REST PUT and every form Update) requires the mandatory names as Create does; REST PATCH passes
    `full=False` and `option_defaults={"ignore_empty_entries": True}`. `expected_version` (the API's
    If-Match) refuses the update with `VersionConflict` when the record changed since that version: it is
    compared under the row lock, so no update can slip in between the check and the write.
    """
    today = values.today()
    with transaction.atomic():
        customer, primary = customer_for_update(user, ucrn)  # locked, with its primary address
        if expected_version is not None and customer.version != expected_version:
            raise VersionConflict(current_version=customer.version)
        decision = decide_update(customer=customer, primary=primary, data=data, today=today, full=full,
                                 option_defaults=option_defaults)
        changes = decision.changes + decision.plan.save()
        changes += end_refused(customer, refused_channels(changes))  # SPEC 8.2: refusing ends them
        if changes:  # the response is built from the instance in hand: `write_customer` reads nothing back
            write_customer(customer=customer, fields=_changed_attrs(changes), user=user, channel=channel,
                           action=ChangeRecord.Action.UPDATE, changes=changes)
        primary = decision.primary
    profile = profile_data(customer, primary)
    return ProfileResult(
        customer=customer,
        profile=profile,
        changes=changes,
        warnings=ended_address_warnings(profile, today=today),
    )


def profile_change_email(*, ucrn: Any, email: Any, user: UserLike, channel: str) -> ProfileResult:
    """The one way an email address changes: by a CSA on the customer record page (or the admin), audited."""
    with transaction.atomic():
        customer = customer_for(user, ucrn, lock=True)
        if not is_csa(user):
            raise ValidationError({"email_address": ValidationError("Only a CSA can change an email address.",
                                                                    code="email_not_updatable")})
        new = "" if values.is_blank(email) else _parse_or_error("email_address", email)
        changes = []
        if new.lower() != customer.email_address.lower() or new != customer.email_address:
            if new and _email_taken(new, exclude=customer.pk):
                raise ValidationError({"email_address": ValidationError(
                    "Another customer already has this email address.", code="email_already_exists")})
            changes = [change("email_address", customer.email_address, new)]
            customer.email_address = new
            write_customer(customer=customer, fields=["email_address"], user=user, channel=channel,
                           action=ChangeRecord.Action.EMAIL_CHANGE, changes=changes)
    customer = Customer.objects.select_related("prefix", "suffix").get(pk=customer.pk)
    primary = primary_address(customer)
    profile = profile_data(customer, primary)
    return ProfileResult(customer=customer, profile=profile, changes=changes,
                         warnings=ended_address_warnings(profile))


# --- helpers ---------------------------------------------------------------------------------------


def _apply_profile_fields(customer: Customer, payload: Payload, *, full: bool) -> list[dict[str, Any]]:
    """Set the given profile fields and clear the blank ones (SPEC 4.2); errors go into the payload."""
    ignore_empty = payload.options["ignore_empty_entries"]
    changes = []
    for name, spec in PROFILE_NAMES.items():
        if name == "email_address":
            _check_email_unchanged(customer, payload, ignore_empty)
            continue
        if full and spec.mandatory and not payload.present(name) and name not in payload.errors:
            payload.add_error(name, _required_message(name), "required")
            continue
        if name in payload.profile:
            new = payload.profile[name]
        elif name in payload.blank and not ignore_empty and not spec.kept_when_blank:
            if spec.mandatory:
                payload.add_error(name, _required_message(name), "required")
                continue
            new = _empty(spec.attr)
        else:
            continue
        before = getattr(customer, spec.attr)
        if before != new:
            changes.append(change(name, before, new))
            setattr(customer, spec.attr, new)
    return changes


def _check_email_unchanged(customer: Customer, payload: Payload, ignore_empty: bool) -> None:
    """An Update never changes the email: the same value (any case) is accepted and ignored."""
    given = payload.profile.get("email_address")
    if given is not None:
        differs = given.lower() != customer.email_address.lower()
    else:
        differs = "email_address" in payload.blank and not ignore_empty and bool(customer.email_address)
    if differs:
        payload.add_error(
            "email_address",
            "An update cannot change the email address: a CSA changes it on the customer record page.",
            "email_not_updatable",
        )


def _plan_or_errors(payload: Payload, make_plan):
    """Plan the address change, then raise every error found so far, before anything is written."""
    try:
        plan = make_plan()
    except ValidationError as error:
        for name, errors in error.error_dict.items():
            payload.errors.setdefault(name, []).extend(errors)
        plan = None
    if payload.errors:
        raise ValidationError(payload.errors)
    return plan


def _changed_attrs(changes: list[dict[str, Any]]) -> list[str]:
    return [PROFILE_NAMES[c["field"]].attr for c in changes if c["field"] in PROFILE_NAMES]


def _empty(attr: str) -> Any:
    model_field = Customer._meta.get_field(attr.removesuffix("_id"))
    if model_field.null:
        return None
    return model_field.get_default()


def _required_message(name: str) -> str:
    return f"Give the {name.replace('_', ' ')}: it is required."


def emails_taken(emails: Collection[str]) -> set[str]:
    """`_email_taken` for a batch (the bulk import): those of `emails` some customer has, lower-cased."""
    wanted = {e.lower() for e in emails if e}
    if not wanted:
        return set()
    queryset = Customer.objects.annotate(email_lower=Lower("email_address")).filter(email_lower__in=wanted)
    return set(queryset.filter(HAS_EMAIL).values_list("email_lower", flat=True))


def _email_taken(email: str, *, exclude: int | Collection[int] | None = None) -> bool:
    """Whether another customer (not those of `exclude`, ids) has `email`, ignoring case: the one check."""
    # HAS_EMAIL lets PostgreSQL use the partial unique index on LOWER(email_address).
    queryset = Customer.objects.annotate(email_lower=Lower("email_address")).filter(email_lower=email.lower())
    queryset = queryset.filter(HAS_EMAIL)
    if isinstance(exclude, int):
        queryset = queryset.exclude(pk=exclude)
    elif exclude:
        queryset = queryset.exclude(pk__in=list(exclude))
    return queryset.exists()


def _parse_or_error(name: str, raw: Any) -> Any:
    try:
        return PROFILE_NAMES[name].clean(raw)
    except ValidationError as error:
        raise ValidationError({name: error.error_list}) from None


def free_ucrns(count: int) -> list[str]:
    """`count` new UCRNs, none in use nor repeated: `_free_ucrn` for a batch, in one query (or a few)."""
    issued: list[str] = []
    while len(issued) < count:
        candidates = {c for c in (new_ucrn_candidate() for _ in range(count - len(issued))) if is_valid_ucrn(c)}
        candidates -= set(issued)
        candidates -= set(Customer.objects.filter(ucrn__in=candidates).values_list("ucrn", flat=True))
        issued.extend(candidates)
    return issued


def _free_ucrn() -> str:
    while True:
        candidate = new_ucrn_candidate()
        if is_valid_ucrn(candidate) and not Customer.objects.filter(ucrn=candidate).exists():
            return candidate


def _save_new(customer: Customer, user: UserLike) -> None:
    """Insert, turning a lost race for the same email into the same error as the check above."""
    try:
        with transaction.atomic():
            customer.save(force_insert=True)
    except IntegrityError:
        if customer.email_address and _email_taken(customer.email_address):
            message, code = _email_taken_error(user)
            raise ValidationError({"email_address": ValidationError(message, code=code)}) from None
        customer.ucrn = _free_ucrn()
        customer.save(force_insert=True)
