"""Running a form's integrations: lookup fills fields (Get), save and submit write (Create / Update).

The browser runner, the portal and the REST submission endpoint all call `lookup` and `submit`; the
rules themselves are the profile service's. A submission is one transaction: when any integration is
refused, nothing is saved, not even the case, and the errors are put beside the form fields whose tokens
fed the refused data names.

What an Update sends is decided here, once, for every door (SPEC 5, "nothing a person did not touch
changes"): a field is *touched* when its value differs from what the page showed before the person's edits
(the lookup's value, or an empty field on a form that was not looked up), or, for a caller that names its
values (the REST submission), when it is named. A mapping fed only by untouched fields is left out of the
call, so it is absent and never touched (SPEC 4.2).
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from core.roles import UserLike, is_citizen, is_csa
from integrations.models import Case, Form, FormField, Integration
from integrations.tokens import UnknownToken, render, tokens_in
from profiles import values as parsers
from profiles.access import linked_ucrn, survivor_of
from profiles.datanames import ADDRESS_MATCH_NAMES, PROFILE_NAMES
from profiles.models import Customer
from profiles.selectors import profile_get
from profiles.selectors.duplicates import Duplicate
from profiles.services import customer_for, profile_create, profile_update
from profiles.services.addresses import ended_address_warnings
from profiles.services.audit import jsonable
from profiles.services.duplicates import mark_different_people
from profiles.services.profiles import MANDATORY

NON_FIELD = "__all__"
# What a CSA's Create does about likely duplicates: WARN lists them in the outcome's warnings
# (the REST submission, like the API's Create); CHECK saves nothing and returns them (`Submission.duplicates`)
# for the page to show; DIFFERENT is the CSA's "these are different people: create anyway", recorded.
WARN, CHECK, DIFFERENT = "warn", "check", "different"
# Sent by every Update whatever the person touched: whom it concerns, and what a full Update requires
# (sending a mandatory value as stored changes nothing).
ALWAYS_SENT = frozenset({"ucrn", *MANDATORY})
PHONE_NAMES = frozenset(n for n, spec in PROFILE_NAMES.items() if spec.parse is parsers.parse_phone)
LOOKUP_SALT = "integrations.runner.lookup"


@dataclass
class Lookup:
    """What a lookup filled: the form's values by field data name, as the page shows them, for `ucrn`.

    The page carries it (`signed`) and a reopened case keeps it (`as_data`), so that a submission can tell
    a value the person changed from one the lookup filled. `warnings` are the record's (an ended address).
    """

    ucrn: str
    values: dict[str, Any]
    warnings: list[dict[str, str]] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        return {"ucrn": self.ucrn, "values": self.values}

    @classmethod
    def from_data(cls, data: Any) -> Lookup | None:
        if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
            return None
        return cls(ucrn=str(data.get("ucrn", "")), values=dict(data["values"]))

    def signed(self) -> str:
        return signing.dumps(self.as_data(), salt=LOOKUP_SALT, compress=True)

    @classmethod
    def from_signed(cls, text: Any) -> Lookup | None:
        """The lookup a page carried; None when there is none or it was altered (then nothing counts as filled)."""
        if not isinstance(text, str) or not text:
            return None
        try:
            return cls.from_data(signing.loads(text, salt=LOOKUP_SALT))
        except signing.BadSignature:
            return None


class FieldError(str):
    """A message put beside a form field that keeps the service's code (`placeholder_value`, `invalid`, ...):
    the page shows the text, the forms API answers with the code too."""

    code: str

    def __new__(cls, message: str, code: str | None = None) -> FieldError:
        made = super().__new__(cls, message)
        made.code = code or "invalid"
        return made


@dataclass
class Submission:
    case: Case | None = None
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)  # form field data name -> messages
    duplicates: list[Duplicate] = field(default_factory=list)  # with CHECK: likely duplicates, nothing saved

    @property
    def ok(self) -> bool:
        return not self.errors and not self.duplicates


class _LikelyDuplicates(Exception):
    """Raised inside the submission's transaction to undo a Create whose likely duplicates the CSA must see."""

    def __init__(self, duplicates: list[Duplicate]) -> None:
        super().__init__("likely duplicates")
        self.duplicates = duplicates


def may_use_forms(user: UserLike) -> bool:
    """SPEC 7: CSAs (and administrators) fill the CSA forms, citizens the citizen forms; a user with no
    role fills none."""
    return is_csa(user) or is_citizen(user)


def may_fill(form: Form, user: UserLike) -> bool:
    if is_csa(user):
        return form.audience in (Form.Audience.CSA, Form.Audience.BOTH)
    return is_citizen(user) and form.audience in (Form.Audience.CITIZEN, Form.Audience.BOTH)


def lookup(form: Form, ucrn: Any, user: UserLike) -> Lookup:
    """Get: the value of every form field whose data name matches a Get output name, as the page shows it."""
    profile = profile_get(ucrn=ucrn, user=user)
    filled = {
        f.data_name: form_value(f, profile[f.data_name.lower()]) for f in form.fields.all()
        if f.data_name.lower() in profile
    }
    warnings = ended_address_warnings(profile)
    # The UCRN the lookup field will hold (a merged customer's survivor, when the Get fills that field).
    shown_ucrn = filled.get(_lookup_name(form) or "", str(ucrn).strip())
    return Lookup(ucrn=str(shown_ucrn).strip(), values=filled, warnings=warnings)


def form_value(spec: FormField, value: Any) -> Any:
    """A Get output value as the runner's form holds it (`RunnerForm.values`): text; "1"/"0" for a checkbox;
    a list of text for a checkbox list; a phone in the national format the rest of the hub shows."""
    if spec.type == FormField.Type.CHECKBOX:
        return "1" if value in (1, True, "1") else "0"
    if spec.type == FormField.Type.CHECKBOX_LIST:
        return [str(v) for v in value] if isinstance(value, list) else ([] if parsers.is_blank(value) else [str(value)])
    if parsers.is_blank(value):
        return ""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)  # a list in a text field: "3,1"
    if spec.data_name.lower() in PHONE_NAMES:
        try:
            return parsers.phone_national(value)
        except phonenumbers.NumberParseException:
            return str(value)
    return str(value)


def empty_value(spec: FormField) -> Any:
    """What a field holds before anyone fills it."""
    if spec.type == FormField.Type.CHECKBOX:
        return "0"
    if spec.type == FormField.Type.CHECKBOX_LIST:
        return []
    return ""


def _same(a: Any, b: Any) -> bool:
    """Whether two form values are the same value (lists in order: a preference's order is its meaning)."""
    def norm(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return [str(v).strip() for v in value]
        if isinstance(value, bool):
            return "1" if value else "0"
        return "" if value is None else str(value).strip()
    return norm(a) == norm(b)


def refill(form: Form, typed: Mapping[str, Any], *, found: Lookup, previous: Lookup | None) -> tuple[dict, list[str]]:
    """The form's values after a lookup, and the fields whose typed value the record replaced.

    The record's values fill the fields, except that a value the person typed (one that differs from what
    the previous lookup, if any, filled) is kept where the record leaves the field blank: a lookup never
    discards what someone typed. Where both have a value, the record's wins and the field is named.
    """
    before = previous.values if previous is not None else {}
    result = dict(typed)
    replaced = []
    for spec in form.fields.all():
        name = spec.data_name
        if name not in found.values:
            continue
        mine = typed.get(name, empty_value(spec))
        record = found.values[name]
        person_typed = not _same(mine, before.get(name, empty_value(spec)))
        if person_typed and _same(record, empty_value(spec)):
            continue
        if person_typed and not _same(mine, record) and spec.type != FormField.Type.UCRN_LOOKUP:
            replaced.append(name)
        result[name] = record
    return result, replaced


def touched_fields(
    form: Form, values: Mapping[str, Any], *, looked_up: Lookup | None = None, given: Collection[str] | None = None
) -> set[str]:
    """The fields (lower-case data names) the person changed: see the module's docstring.

    `given` names the fields a caller sent (the REST submission: absent = not touched); otherwise a field is
    touched when its value differs from what the page showed (`looked_up`, else an empty form). A display
    only field is never sent.
    """
    lowered = {str(k).lower(): v for k, v in values.items()}
    named = {str(n).lower() for n in given} if given is not None else None
    shown = {k.lower(): v for k, v in looked_up.values.items()} if looked_up is not None else {}
    touched = set()
    for spec in form.fields.all():
        name = spec.data_name.lower()
        if spec.display_only:
            continue
        if named is not None:
            if name in named:
                touched.add(name)
        elif not _same(lowered.get(name, empty_value(spec)), shown.get(name, empty_value(spec))):
            touched.add(name)
    return touched


def call_data(
    integration: Integration, values: Mapping[str, Any], touched: Collection[str] | None = None, *,
    update_of: str | None = None,
) -> dict[str, Any]:
    """The integration's call: each mapped data name rendered from the form values, plus its options.

    With `touched` (an Update), a mapping fed only by untouched fields is left out, except `ALWAYS_SENT`;
    on a move (`update_primary_address` 0) the new address is the one the page shows, so when any of its
    fields was touched all of them are sent, but a date only when touched: a new record never inherits the
    dates of the one it replaces (SPEC 4.3.7). `update_of` runs a Create's mapping as an Update of the
    customer that Create already made (a draft saved again): its address is corrected in place.
    """
    lowered = {str(k).lower() for k in values}
    mappings = list(integration.mappings.all())
    for mapping in mappings:
        for token in tokens_in(mapping.template):
            if token not in lowered:
                raise UnknownToken(token)
    kind = Integration.Kind.UPDATE if update_of is not None else integration.kind
    if kind == Integration.Kind.UPDATE and touched is not None:
        mappings = _sent(integration, mappings, values, set(touched), moving=update_of is None)
    data = {m.field_name.lower(): render(m.template, values) for m in mappings}
    if update_of is not None:
        data["ucrn"] = update_of
        data["ignore_empty_entries"] = integration.ignore_empty_entries
        data["update_primary_address"] = True
    elif kind == Integration.Kind.UPDATE:
        data["ignore_empty_entries"] = integration.ignore_empty_entries
        data["keep_empty_end_dates"] = integration.keep_empty_end_dates
        data["update_primary_address"] = render(integration.update_primary_address, values)
        data["address_is_primary"] = render(integration.address_is_primary, values)
    return data


def _sent(
    integration: Integration, mappings: list, values: Mapping[str, Any], touched: set[str], *, moving: bool,
) -> list:
    """The mappings an Update sends (see `call_data`)."""

    def fed(mapping) -> bool:
        tokens = tokens_in(mapping.template)
        return not tokens or any(t in touched for t in tokens)

    move = moving and not _is_one(render(integration.update_primary_address, values))
    new_address = move and any(fed(m) for m in mappings if m.field_name.lower() in ADDRESS_MATCH_NAMES)
    return [
        m for m in mappings
        if m.field_name.lower() in ALWAYS_SENT or fed(m)
        or (new_address and m.field_name.lower() in ADDRESS_MATCH_NAMES)
    ]


def _is_one(option: Any) -> bool:
    """An option's rendered value read as the service reads it; an unreadable one is the service's to refuse."""
    try:
        return not parsers.is_blank(option) and parsers.parse_bool(option)
    except ValidationError:
        return False


def submit(
    *, form: Form, values: Mapping[str, Any], user: UserLike, channel: str, final: bool = True,
    case: Case | None = None, duplicates: str = WARN, looked_up: Lookup | None = None,
    given: Collection[str] | None = None,
) -> Submission:
    """Run the submission (or, when not `final`, the pre-submission) integrations and keep the case.

    An Update sends only the fields the person touched (`touched_fields`): `looked_up` is what the page's
    lookup filled (ignored when the lookup field now names another customer), `given` the fields a caller
    named. A Create whose case already made a customer updates that customer instead (one case, one customer).

    A CSA's Create compares the new customer with everyone (`profiles.selectors.duplicates`); `duplicates`
    says what then happens (WARN, CHECK or DIFFERENT above). The comparison runs after the Create's own
    validation, on the values as stored, so a form with errors shows its errors first.
    """
    if not may_fill(form, user):
        raise PermissionDenied("You may not fill this form.")
    when = Integration.When.SUBMISSION if final else Integration.When.PRE_SUBMISSION
    integrations = [i for i in form.integrations.all() if i.when == when and i.kind != Integration.Kind.GET]
    if looked_up is not None and looked_up.ucrn != _lookup_ucrn(form, values):
        looked_up = None
    touched = touched_fields(form, values, looked_up=looked_up, given=given)
    outcomes = []
    try:
        with transaction.atomic():
            if case is not None:  # locked: two saves of one draft must not both run its Create
                case = Case.objects.select_for_update().get(pk=case.pk)
            customer = case.customer if case is not None else None
            # A customer merged since into another is now that one (its UCRN refuses updates).
            made = survivor_of(case.created_customer) if case is not None and case.created_customer else None
            for integration in integrations:
                update_of = made.ucrn if made is not None and integration.kind == Integration.Kind.CREATE else None
                data = call_data(integration, values, touched, update_of=update_of)
                result = _run(data, user, channel, kind=Integration.Kind.UPDATE if update_of else integration.kind)
                customer = result.customer
                made = result.customer if result.created else made
                outcomes.append(
                    {
                        "kind": Integration.Kind.UPDATE if update_of else integration.kind,
                        "ucrn": result.customer.ucrn,
                        "created": result.created,
                        "changes": result.changes,
                        "warnings": _warnings_of(result, user, duplicates),
                    }
                )
            customer = customer or _looked_up_customer(form, values, user)
            if customer is None and not form.allow_anonymous and not is_csa(user):
                customer = _own_customer(user)
            if customer is None and not form.allow_anonymous:
                raise ValidationError({NON_FIELD: "Look up the customer first: this form needs one."})
            case = _save_case(form, case, values, user, customer, outcomes, final, made=made, looked_up=looked_up)
    except _LikelyDuplicates as found:
        return Submission(duplicates=found.duplicates)
    except ValidationError as error:
        return Submission(errors=_errors_for_fields(form, integrations, error))
    except UnknownToken as token:  # a field removed outside the admin, which refuses this
        message = (f"This form's integration uses {{{token.args[0]}}}, a field the form no longer has: "
                   "ask an administrator to correct its mapping. Nothing was saved.")
        return Submission(errors={NON_FIELD: [message]})
    return Submission(case=case, outcomes=outcomes)


def _run(data: dict[str, Any], user: UserLike, channel: str, *, kind: str):
    if kind == Integration.Kind.CREATE:
        return profile_create(data=data, user=user, channel=channel)
    ucrn = data.get("ucrn")
    if not isinstance(ucrn, str) or not ucrn.strip():
        raise ValidationError({"ucrn": ValidationError("Give the customer's UCRN.", code="required")})
    try:
        return profile_update(ucrn=ucrn.strip(), data=data, user=user, channel=channel, full=True)
    except Http404:
        raise ValidationError({"ucrn": ValidationError("No customer has this UCRN.", code="not_found")}) from None


def _lookup_name(form: Form) -> str | None:
    return next((f.data_name for f in form.fields.all() if f.type == FormField.Type.UCRN_LOOKUP), None)


def _lookup_ucrn(form: Form, values: Mapping[str, Any]) -> str:
    """The UCRN the form's lookup field holds, as typed (blank when the form has none)."""
    lowered = {str(k).lower(): v for k, v in values.items()}
    name = _lookup_name(form)
    return str(lowered.get(name.lower()) or "").strip() if name else ""


def _warnings_of(result, user: UserLike, mode: str) -> list[dict[str, Any]]:
    """A write's warnings; a CSA's Create (`profile_create` found its likely duplicates) keeps them as
    warnings (WARN), is undone (CHECK), or records them as different people, warning of them no more
    (DIFFERENT)."""
    found = result.duplicates
    if found and mode == CHECK:
        raise _LikelyDuplicates(found)
    if found and mode == DIFFERENT:
        mark_different_people(customer=result.customer, others=[d.customer for d in found], user=user)
        return [w for w in result.warnings if w.get("code") != "possible_duplicate"]
    return result.warnings


def _looked_up_customer(form: Form, values: Mapping[str, Any], user: UserLike) -> Customer | None:
    """The customer named in the form's UCRN lookup field, if filled and visible to the user."""
    ucrn = _lookup_ucrn(form, values)
    if not ucrn:
        return None
    try:
        return customer_for(user, ucrn)
    except Http404:
        message = ValidationError("No customer has this UCRN.", code="not_found")
        raise ValidationError({_lookup_name(form): message}) from None


def _own_customer(user: UserLike) -> Customer | None:
    ucrn = linked_ucrn(user)
    return Customer.objects.get(ucrn=ucrn) if ucrn else None


def _save_case(form, case, values, user, customer, outcomes, final, *, made, looked_up) -> Case:
    case = case or Case(form=form, submitted_by=user if user is not None and user.is_authenticated else None)
    case.data = jsonable(dict(values))
    case.created_customer = made
    case.looked_up = looked_up.as_data() if looked_up is not None else None
    case.customer = customer
    case.status = Case.Status.SUBMITTED if final else Case.Status.DRAFT
    case.results = [*case.results, *jsonable(outcomes)]
    case.save()
    return case


def _errors_for_fields(form: Form, integrations: list[Integration], error: ValidationError) -> dict[str, list[str]]:
    """Put each refused data name's messages beside the form fields whose tokens fed it."""
    field_names = {f.data_name.lower(): f.data_name for f in form.fields.all()}
    items = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD: error.error_list}
    by_name = {name: [FieldError(" ".join(e.messages), e.code) for e in errors] for name, errors in items.items()}
    messages: dict[str, list[str]] = {}
    for name, errors in by_name.items():
        targets = [field_names[name.lower()]] if name.lower() in field_names else []
        for integration in integrations:
            templates = [m.template for m in integration.mappings.all() if m.field_name.lower() == name.lower()]
            if name in ("update_primary_address", "address_is_primary"):
                templates.append(getattr(integration, name))
            targets += [field_names[t] for template in templates for t in tokens_in(template) if t in field_names]
        for target in dict.fromkeys(targets or [NON_FIELD]):
            messages.setdefault(target, []).extend(errors)
    return messages
