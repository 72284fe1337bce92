"""Profile events and the rules that apply them (seed 000).

An outside system never writes a profile directly through an event: it reports what happened (`type` and
`properties`), and only rules an administrator wrote copy chosen properties onto chosen data names. Every
action of every matching rule goes into **one** call of the Update service (channel `event`), so the SPEC
4 rules, the audit record and the webhooks hold, and the event applies completely or not at all. An action
may write another system's data, `extended.<source>` (SPEC 8.3: the property, an object, replaces the
source's object whole), through the extended data service, with its rules and codes, in the same
transaction. Every well-formed event is stored with its outcome, including the ones refused or rolled back.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from core.jsonlimits import check_stored_json
from core.roles import UserLike
from profiles.access import customer_for
from profiles.changenames import changed_data_names
from profiles.datanames import PROFILE_NAMES
from profiles.models import ChangeRecord, Channel, Customer
from profiles.selectors import extended_of, primary_address, profile_data
from profiles.services import profile_update
from profiles.services.audit import jsonable, write_customer
from profiles.services.extended import extended_put_locked
from profiles.services.imports import CUSTOM_FIELDS, _match_value, _matches, check_matching
from systems.allowlists import FieldNotAllowed, check_read, check_write
from systems.models import EXTENDED_PREFIX, LIST_NAMES, ApiClient, Event, Rule, RuleAction, RuleCondition

MATCH_KEYS = ("ucrn", "email_address", "phone_number", *CUSTOM_FIELDS)
TYPE_MAX = 100
Strategy = RuleAction.Strategy


def event_read(*, event_id: Any, user: UserLike) -> Event:
    """An event this user sent (an API client's own, a CSA's own): any other id is 404, so nobody reads
    another system's payloads."""
    event = None
    if isinstance(event_id, str) and event_id.isascii() and event_id.isdigit() and 0 < int(event_id) < 2**63:
        event = Event.objects.select_related("customer").filter(pk=int(event_id), user_id=user.pk).first()
    if event is None:
        raise Http404("You sent no event with this id.")
    return event


def event_receive(*, body: Mapping[str, Any], user: UserLike, client: ApiClient | None) -> Event:
    """Store the event and apply the rules it matches; the stored event says what happened.

    `body` is an event whose envelope its door has read (the API's `EventRequestSerializer`): `type`,
    `ucrn` or one `matching` value, and `properties`. It is stored as it came, so each part is held to the
    limits of stored JSON here, whatever the door.

    Raises (after storing the event) `Http404` for no such customer, `FieldNotAllowed` (403) when a
    matching rule writes a name the client may not, and `ValidationError` (400) when the result fails
    validation: then nothing of the event was applied.
    """
    _check_storable(body)
    event_type, properties = body["type"].strip(), body.get("properties", {})
    sender = {"type": event_type, "client": client, "user": user if user is not None and user.is_authenticated
              else None, "payload": jsonable(dict(body))}
    try:
        customer = _customer(body, user, client)
    except Http404:
        Event.objects.create(**sender, outcome=Event.Outcome.NOT_FOUND)
        raise
    except ValidationError as error:
        Event.objects.create(**sender, outcome=Event.Outcome.ERROR, errors=_errors(error))
        raise
    except FieldNotAllowed as refused:
        Event.objects.create(**sender, outcome=Event.Outcome.REFUSED, errors=refused.get_full_details())
        raise
    sender["customer"] = customer
    rules = matching_rules(event_type, properties, client)
    names = [rule.name for rule in rules]
    if not rules:
        return Event.objects.create(**sender, outcome=Event.Outcome.UNMATCHED)
    actions = [action for rule in rules for action in rule.actions.all()]
    try:
        if client is not None:
            check_write(client, {action.data_name for action in actions})
    except FieldNotAllowed as refused:
        Event.objects.create(**sender, rules=names, outcome=Event.Outcome.REFUSED,
                             errors=refused.get_full_details())
        raise
    try:
        with transaction.atomic():
            locked = customer_for(user, customer.ucrn, lock=True)  # erased or merged: 400
            data = plan(actions, properties, _current(locked, actions))
            extended = {name.removeprefix(EXTENDED_PREFIX): data.pop(name) for name in list(data)
                        if name.startswith(EXTENDED_PREFIX)}
            changed: list[str] = []
            if data:
                result = profile_update(ucrn=locked.ucrn, data=data, user=user, channel=Channel.EVENT, full=False,
                                        option_defaults={"update_primary_address": True})
                [changed] = changed_data_names([result.changes], derived=False)  # what the rules wrote
            if extended:  # other systems' data by source (SPEC 8.3): the extended data service's rules
                locked = customer_for(user, customer.ucrn, lock=True)
                entries = extended_put_locked(locked, extended, user=user)
                if entries:
                    write_customer(customer=locked, fields=[], user=user, channel=Channel.EVENT,
                                   action=ChangeRecord.Action.UPDATE, changes=entries)
                changed += [entry["field"] for entry in entries]
            outcome = Event.Outcome.APPLIED if changed else Event.Outcome.UNCHANGED
            return Event.objects.create(**sender, rules=names, outcome=outcome, changed=changed)
    except ValidationError as error:
        Event.objects.create(**sender, rules=names, outcome=Event.Outcome.ERROR, errors=_errors(error))
        raise


def _current(customer: Customer, actions: Sequence[RuleAction]) -> dict[str, Any]:
    """What the rules see as the customer's values: the Get output's data names, and `extended.<source>`
    (the source's object, absent when there is none) when an action writes one."""
    current = profile_data(customer, primary_address(customer))
    if any(action.data_name.startswith(EXTENDED_PREFIX) for action in actions):
        current.update({f"{EXTENDED_PREFIX}{slug}": data for slug, data in extended_of(customer.pk).items()})
    return current


def matching_rules(event_type: str, properties: Mapping[str, Any], client: ApiClient | None) -> list[Rule]:
    """The active rules for this type and sender whose every condition holds, in order."""
    candidates = (Rule.objects.filter(active=True, event_type=event_type)
                  .prefetch_related("conditions", "actions").order_by("order", "id"))
    candidates = candidates.filter(client__isnull=True) if client is None else \
        candidates.filter(client__isnull=True) | candidates.filter(client=client)
    return [rule for rule in candidates if all(holds(c, properties) for c in rule.conditions.all())]


def holds(condition: RuleCondition, properties: Mapping[str, Any]) -> bool:
    found, value = get_property(properties, condition.property)
    if condition.operator == RuleCondition.Operator.PRESENT:
        return found and not _missing(value)
    return found and _as_text(value) == condition.value


def get_property(properties: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    """`(found, value)` of a property; `a.b` reaches into nested objects."""
    value: Any = properties
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False, None
        value = value[part]
    return True, value


def plan(actions: Sequence[RuleAction], properties: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The Update's data: each action in order, seeing the values the earlier ones set. A property the
    event does not carry is skipped."""
    data: dict[str, Any] = {}
    for action in actions:
        found, value = get_property(properties, action.property)
        if not found:
            continue
        name = action.data_name
        now = data.get(name, current.get(name))
        if action.strategy == Strategy.ALWAYS_SET:
            data[name] = value
        elif action.strategy == Strategy.SET_IF_MISSING:
            if _missing(now):
                data[name] = value
        elif action.strategy == Strategy.ADD_TO_LIST:
            data[name] = _added(name, now, value)
    return data


def _added(name: str, now: Any, value: Any) -> list[Any]:
    """The list `now` with the items of `value` (one item, a list, or `3,1` text) appended, no repeats."""
    if name not in LIST_NAMES:
        raise ValidationError({name: ValidationError("Add to list works on list data names only.", code="invalid")})
    spec = PROFILE_NAMES[name]
    try:
        existing = [] if _missing(now) else list(now) if isinstance(now, list) else spec.clean(now)
        adding = [] if _missing(value) else spec.clean(value if isinstance(value, (list, str)) else [value])
    except ValidationError as error:
        raise ValidationError({name: error.error_list}) from None
    return [*existing, *(item for item in adding if item not in existing)]


def _check_storable(body: Mapping[str, Any]) -> None:
    """Each part of the body as deep, as large and as storable as any JSON stored so."""
    errors: dict[str, list[ValidationError]] = {}
    for key, value in body.items():
        try:
            check_stored_json(value, name=key)
        except ValidationError as error:
            errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)


def _customer(body: Mapping[str, Any], user: UserLike, client: ApiClient | None) -> Customer:
    """The customer the event is about: by UCRN, or by a matching value as the import matches."""
    if "ucrn" in body:
        return customer_for(user, body["ucrn"].strip())
    key, value = next(iter(body["matching"].items()))
    if client is not None and key != "ucrn":
        check_read(client, [key])  # matching by a name reveals it
    name = check_matching("custom" if key in CUSTOM_FIELDS else key, key)
    wanted = _match_value(name, {name: value})
    if wanted is None:
        raise ValidationError({"matching": ValidationError(f"Give a value for {key}.", code="required")})
    found = _matches(name, [wanted]).get(wanted, [])
    if len(found) > 1:
        raise ValidationError({"matching": ValidationError(
            f"{len(found)} customers match this {key}: an event is never applied to a guess.", code="ambiguous_match")})
    if not found:
        raise Http404(f"No customer has this {key}.")
    return customer_for(user, found[0])


def _missing(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _errors(error: ValidationError) -> dict[str, list[dict[str, str]]]:
    details = error.error_dict if hasattr(error, "error_dict") else {"non_field_errors": error.error_list}
    return {name: [{"message": " ".join(e.messages), "code": e.code or "invalid"} for e in items]
            for name, items in details.items()}
