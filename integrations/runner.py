"""Running a form's integrations: lookup fills fields (Get), save and submit write (Create / Update).

The browser runner, the portal and the REST submission endpoint all call `lookup` and `submit`; the
rules themselves are the profile service's. A submission is one transaction: when any integration is
refused, nothing is saved, not even the case, and the errors are put beside the form fields whose tokens
fed the refused data names.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from hub.roles import UserLike, is_citizen, is_csa, linked_ucrn
from integrations.models import Case, Form, Integration
from integrations.tokens import UnknownToken, render, tokens_in
from profiles.models import Customer
from profiles.services import customer_for, profile_create, profile_get, profile_update
from profiles.services.audit import jsonable
from profiles.services.duplicates import (
    Duplicate,
    find_duplicates,
    mark_different_people,
    may_be_told_of_duplicates,
)

NON_FIELD = "__all__"
# What a CSA's Create does about likely duplicates (issue 7): WARN lists them in the outcome's warnings
# (the REST submission, like the API's Create); CHECK saves nothing and returns them (`Submission.duplicates`)
# for the page to show; DIFFERENT is the CSA's "these are different people: create anyway", recorded.
WARN, CHECK, DIFFERENT = "warn", "check", "different"


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


def lookup(form: Form, ucrn: Any, user: UserLike) -> dict[str, Any]:
    """Get: the value of every form field whose data name matches a Get output name."""
    profile = profile_get(ucrn=ucrn, user=user)
    return {f.data_name: profile[f.data_name.lower()] for f in form.fields.all() if f.data_name.lower() in profile}


def call_data(integration: Integration, values: Mapping[str, Any]) -> dict[str, Any]:
    """The integration's call: each mapped data name rendered from the form values, plus its options."""
    data = {m.field_name.lower(): render(m.template, values) for m in integration.mappings.all()}
    if integration.kind == Integration.Kind.UPDATE:
        data["ignore_empty_entries"] = integration.ignore_empty_entries
        data["keep_empty_end_dates"] = integration.keep_empty_end_dates
        data["update_primary_address"] = render(integration.update_primary_address, values)
        data["address_is_primary"] = render(integration.address_is_primary, values)
    return data


def submit(
    *, form: Form, values: Mapping[str, Any], user: UserLike, channel: str, final: bool = True,
    case: Case | None = None, duplicates: str = WARN,
) -> Submission:
    """Run the submission (or, when not `final`, the pre-submission) integrations and keep the case.

    A CSA's Create compares the new customer with everyone (`profiles.services.duplicates`); `duplicates`
    says what then happens (WARN, CHECK or DIFFERENT above). The comparison runs after the Create's own
    validation, on the values as stored, so a form with errors shows its errors first.
    """
    if not may_fill(form, user):
        raise PermissionDenied("You may not fill this form.")
    when = Integration.When.SUBMISSION if final else Integration.When.PRE_SUBMISSION
    integrations = [i for i in form.integrations.all() if i.when == when and i.kind != Integration.Kind.GET]
    customer = case.customer if case is not None else None
    outcomes = []
    try:
        with transaction.atomic():
            for integration in integrations:
                result = _run(integration, values, user, channel)
                customer = result.customer
                outcomes.append(
                    {
                        "kind": integration.kind,
                        "ucrn": result.customer.ucrn,
                        "created": result.created,
                        "changes": result.changes,
                        "warnings": [*result.warnings, *_duplicates_of(result, user, duplicates)],
                    }
                )
            customer = customer or _looked_up_customer(form, values, user)
            if customer is None and not form.allow_anonymous and not is_csa(user):
                customer = _own_customer(user)
            if customer is None and not form.allow_anonymous:
                raise ValidationError({NON_FIELD: "Look up the customer first: this form needs one."})
            case = _save_case(form, case, values, user, customer, outcomes, final)
    except _LikelyDuplicates as found:
        return Submission(duplicates=found.duplicates)
    except ValidationError as error:
        return Submission(errors=_errors_for_fields(form, integrations, error))
    except UnknownToken as token:  # a field removed outside the admin, which refuses this
        message = (f"This form's integration uses {{{token.args[0]}}}, a field the form no longer has: "
                   "ask an administrator to correct its mapping. Nothing was saved.")
        return Submission(errors={NON_FIELD: [message]})
    return Submission(case=case, outcomes=outcomes)


def _run(integration: Integration, values: Mapping[str, Any], user: UserLike, channel: str):
    data = call_data(integration, values)
    if integration.kind == Integration.Kind.CREATE:
        return profile_create(data=data, user=user, channel=channel)
    ucrn = data.get("ucrn")
    if not isinstance(ucrn, str) or not ucrn.strip():
        raise ValidationError({"ucrn": ValidationError("Give the customer's UCRN.", code="required")})
    try:
        return profile_update(ucrn=ucrn.strip(), data=data, user=user, channel=channel, full=True)
    except Http404:
        raise ValidationError({"ucrn": ValidationError("No customer has this UCRN.", code="not_found")}) from None


def _duplicates_of(result, user: UserLike, mode: str) -> list[dict[str, Any]]:
    """A CSA's Create: its likely duplicates as warnings (WARN), or undone (CHECK), or recorded (DIFFERENT)."""
    if not result.created or not may_be_told_of_duplicates(user):
        return []
    found = find_duplicates(customer=result.customer)
    if found and mode == CHECK:
        raise _LikelyDuplicates(found)
    if found and mode == DIFFERENT:
        mark_different_people(customer=result.customer, others=[d.customer for d in found], user=user)
        return []
    return [d.as_warning() for d in found]


def _looked_up_customer(form: Form, values: Mapping[str, Any], user: UserLike) -> Customer | None:
    """The customer named in the form's UCRN lookup field, if filled and visible to the user."""
    lowered = {str(k).lower(): v for k, v in values.items()}
    for form_field in form.fields.all():
        if form_field.type == form_field.Type.UCRN_LOOKUP:
            ucrn = lowered.get(form_field.data_name.lower())
            if isinstance(ucrn, str) and ucrn.strip():
                try:
                    return customer_for(user, ucrn.strip())
                except Http404:
                    raise ValidationError(
                        {form_field.data_name: ValidationError("No customer has this UCRN.", code="not_found")}
                    ) from None
    return None


def _own_customer(user: UserLike) -> Customer | None:
    ucrn = linked_ucrn(user)
    return Customer.objects.get(ucrn=ucrn) if ucrn else None


def _save_case(form, case, values, user, customer, outcomes, final) -> Case:
    case = case or Case(form=form, submitted_by=user if user is not None and user.is_authenticated else None)
    case.data = jsonable(dict(values))
    case.customer = customer
    case.status = Case.Status.SUBMITTED if final else Case.Status.DRAFT
    case.results = [*case.results, *jsonable(outcomes)]
    case.save()
    return case


def _errors_for_fields(form: Form, integrations: list[Integration], error: ValidationError) -> dict[str, list[str]]:
    """Put each refused data name's messages beside the form fields whose tokens fed it."""
    field_names = {f.data_name.lower(): f.data_name for f in form.fields.all()}
    by_name = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD: error.messages}
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
