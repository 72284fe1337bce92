"""The form runner and the cases, for CSAs (/hub/forms/, /hub/cases/) and citizens (/portal/forms/).

Thin: the page builds the configured form, and `integrations.runner` does the rest (lookup -> Get,
save -> pre-submission integrations, submit -> submission integrations, each through the profile service).
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.roles import csa_required, is_citizen, role_required
from integrations.address_lookup import chosen_address, fill_address, find_addresses, helper_field
from integrations.cases import case_link as link_case
from integrations.forms import RunnerForm
from integrations.models import Case, Form, Integration
from integrations.runner import CHECK, DIFFERENT, NON_FIELD, Lookup, lookup, may_fill, refill, submit
from profiles import display
from profiles.access import linked_ucrn
from profiles.forms import error_items
from profiles.models import Channel
from profiles.selectors.address_search import address_label
from profiles.ucrn import is_valid_ucrn

citizen_required = role_required(is_citizen)
# The hub's own Create customer page is this configured form (installed by a migration, editable in the admin).
CREATE_CUSTOMER_FORM = "create-customer"
# The box a CSA ticks, on a form shown again with likely duplicates, to create the customer anyway.
CONFIRM_DIFFERENT = "confirm_different_people"
# The hidden field that carries, signed, what the lookup filled (`integrations.runner.Lookup`).
LOOKED_UP = "looked_up"
# The radio buttons of "Find address": the address picked (`integrations.address_lookup`).
ADDRESS_CHOICE = "address_choice"


@csa_required
def form_list(request: HttpRequest) -> HttpResponse:
    forms = [f for f in Form.objects.all() if may_fill(f, request.user)]
    return render(request, "integrations/form_list.html", {"nav": "forms", "forms": forms})


@csa_required
def form_fill(request: HttpRequest, slug: str) -> HttpResponse:
    return _fill(request, _form_for(request, slug), case=None, channel=Channel.FORM)


@csa_required
def customer_create(request: HttpRequest) -> HttpResponse:
    """Create a customer: seed 004's "custom create a customer functionality", a form with a Create integration."""
    form = _form_for(request, CREATE_CUSTOMER_FORM)
    return _fill(request, form, case=None, channel=Channel.HUB, page={"nav": "create", "submit": "Create customer",
                                                                      "to_record": True})


@citizen_required
def portal_form_fill(request: HttpRequest, slug: str) -> HttpResponse:
    """A citizen's form is filled from their own profile; looking up any other UCRN is 403."""
    form = _form_for(request, slug)
    own = linked_ucrn(request.user)
    filled = lookup(form, own, request.user) if own and request.method == "GET" else None
    return _fill(request, form, case=None, channel=Channel.PORTAL, initial=filled.values if filled else None,
                 filled=filled)


@csa_required
def case_edit(request: HttpRequest, reference: str) -> HttpResponse:
    """Reopen a case: the values as last saved or submitted, and submitting runs the integrations again."""
    case = get_object_or_404(Case.objects.select_related("form"), reference=reference)
    if not may_fill(case.form, request.user):
        raise PermissionDenied("You may not fill this form.")
    return _fill(request, case.form, case=case, channel=Channel.FORM, initial=case.data,
                 filled=Lookup.from_data(case.looked_up))


def _form_for(request: HttpRequest, slug: str) -> Form:
    form = get_object_or_404(Form.objects.prefetch_related("fields", "integrations__mappings"), slug=slug)
    if not may_fill(form, request.user):
        raise PermissionDenied("This form is not for your role.")
    return form


def _fill(
    request: HttpRequest, form: Form, *, case: Case | None, channel: str, initial: dict | None = None,
    page: dict[str, Any] | None = None, filled: Lookup | None = None,
) -> HttpResponse:
    """The form page. `filled` is what a lookup filled: the page carries it, signed, so that the runner sends
    only what the person changed; a posted page carries its own."""
    page = {"nav": "forms", "submit": "Submit", "to_record": False, **(page or {})}
    action = request.POST.get("action", "submit") if request.method == "POST" else None
    if request.method == "POST":
        filled = Lookup.from_signed(request.POST.get(LOOKED_UP))
    runner_form = RunnerForm(form, request.POST if action in ("save", "submit") else None, initial=initial)
    notes: list[dict[str, str]] = []
    duplicates: list[dict[str, Any]] = []
    addresses: dict[str, Any] | None = None
    if action == "lookup":
        runner_form, notes, filled = _looked_up(request, form, initial, filled)
    elif action in ("find_address", "pick_address"):
        runner_form, notes, addresses = _address_step(request, form, action)
    elif action in ("save", "submit") and runner_form.is_valid():
        # A CSA's Create stops at likely duplicates until the CSA says they are different people.
        confirmed = request.POST.get(CONFIRM_DIFFERENT) == "1"
        submission = submit(form=form, values=runner_form.values(), user=request.user, channel=channel,
                            final=action == "submit", case=case, duplicates=DIFFERENT if confirmed else CHECK,
                            looked_up=filled)
        if submission.ok:
            return _done(request, submission, saved=action == "save", to_record=page["to_record"])
        for name, errors in submission.errors.items():
            runner_form.add_error(None if name == NON_FIELD else name, errors)
        duplicates = display.duplicate_rows(submission.duplicates)
    updates = any(i.kind == Integration.Kind.UPDATE for i in form.integrations.all())
    return render(
        request,
        "integrations/form_fill.html",
        {"nav": page["nav"], "submit_label": page["submit"], "form": form, "runner_form": runner_form, "case": case,
         "notes": notes, "errors": error_items(runner_form), "portal": channel == Channel.PORTAL,
         "duplicates": duplicates, "confirm_name": CONFIRM_DIFFERENT, "updates": updates,
         "looked_up_name": LOOKED_UP, "looked_up": filled.signed() if filled else "",
         "can_save": not page["to_record"],  # a draft of a new customer would be a case about nobody
         # The address search is the CSAs': a citizen's page leaves its box out.
         "address_field": helper_field(form) if channel != Channel.PORTAL else None, "addresses": addresses,
         "hidden_field": helper_field(form) if channel == Channel.PORTAL else None,
         "address_choice_name": ADDRESS_CHOICE},
    )


def _address_step(
    request: HttpRequest, form: Form, action: str,
) -> tuple[RunnerForm, list[dict[str, str]], dict[str, Any] | None]:
    """"Find address" (list the addresses the hub holds matching the helper field's text) or "Use this
    address" (fill the form's address fields with the one picked). The form comes back with what was
    typed; nothing is sent anywhere. CSAs only (the search's rule: a citizen gets a 403)."""
    posted = RunnerForm(form, request.POST)
    typed = posted.values_as_typed()  # required fields are not required for a lookup
    helper = helper_field(form)
    if helper is None:
        return RunnerForm(form, initial=typed), [], None
    notes: list[dict[str, str]] = []
    if action == "pick_address":
        address = chosen_address(request.POST.get(ADDRESS_CHOICE))
        if address is not None:
            note = f"Address filled in: {address_label(address)}. Check it with the caller."
            filled = RunnerForm(form, initial=fill_address(form, typed, address))
            return filled, [{"kind": "success", "text": note}], None
        notes.append({"kind": "warning", "text": 'Choose one of the addresses, then press "Use this address".'})
    text = typed.get(helper, "")
    try:
        found = find_addresses(text=text, user=request.user)
    except ValidationError as error:
        fresh = RunnerForm(form, initial=typed)
        fresh.cleaned_data = {}  # an unbound form may carry an error once it has (empty) cleaned data
        fresh.add_error(helper, error.messages[0])
        return fresh, notes, None
    return RunnerForm(form, initial=typed), notes, {"text": " ".join(str(text).split()), "results": found}


def _looked_up(
    request: HttpRequest, form: Form, initial: dict | None, previous: Lookup | None,
) -> tuple[RunnerForm, list[dict[str, str]], Lookup | None]:
    """Run the Get integration for the UCRN typed in the lookup field; fill the fields it matches.

    What the person typed is kept where the record leaves a field blank (`integrations.runner.refill`), and
    the page says which typed values the record replaced."""
    posted = RunnerForm(form, request.POST)
    typed = posted.values_as_typed()  # required fields are not required for a lookup
    ucrn = str(typed.get(posted.lookup_field or "", "") or "").strip()
    try:
        found = lookup(form, ucrn, request.user)
    except Http404:
        fresh = RunnerForm(form, initial={**(initial or {}), **typed})
        message = f"No customer has the UCRN {ucrn or '(blank)'}: check it and look up again."
        fresh.cleaned_data = {}  # an unbound form may carry an error once it has (empty) cleaned data
        fresh.add_error(posted.lookup_field, message)
        return fresh, [], previous
    values, replaced = refill(form, typed, found=found, previous=previous)
    notes = [{"kind": "success", "text": f"Customer {ucrn} found: the form is filled from their record."}]
    if replaced:
        labels = {f.data_name: f.label for f in form.fields.all()}
        notes.append({"kind": "warning", "text": "Replaced from the record: "
                      + ", ".join(labels[name] for name in replaced)
                      + ". Type those values again if the record is wrong."})
    notes += [{"kind": "warning", "text": w["message"]} for w in found.warnings]
    return RunnerForm(form, initial=values), notes, found


def _done(request: HttpRequest, submission, *, saved: bool, to_record: bool = False) -> HttpResponse:
    case = submission.case
    verb = "saved as a draft" if saved else "submitted"
    created = [o["ucrn"] for o in submission.outcomes if o["created"]]
    text = f"Case {case.reference} {verb}."
    if created:
        text += f" Customer created: UCRN {', '.join(created)}."
    messages.success(request, text)
    for outcome in submission.outcomes:
        for warning in outcome["warnings"]:
            messages.warning(request, warning["message"])
    if is_citizen(request.user):
        return redirect("portal:profile")
    if to_record and created:
        return redirect("hub:customer_record", ucrn=created[0])
    return redirect("integrations:case_detail", reference=case.reference)


@csa_required
def case_list(request: HttpRequest) -> HttpResponse:
    """Every case, newest first, filtered by form, status, anonymous or not, or one customer's (`customer`:
    a UCRN, the record page's link to all of that customer's cases)."""
    cases = Case.objects.select_related("form", "customer", "submitted_by").order_by("-created_at", "-id")
    customer = request.GET.get("customer", "").strip()
    if customer and not is_valid_ucrn(customer):
        cases, customer = cases.none(), ""  # no customer has it: nothing, rather than every case
    form_slug = request.GET.get("form", "")
    status = request.GET.get("status", "")
    anonymous = request.GET.get("anonymous", "")
    if form_slug:
        cases = cases.filter(form__slug=form_slug)
    if status in Case.Status.values:
        cases = cases.filter(status=status)
    if customer:
        cases = cases.filter(customer__ucrn=customer)
    if anonymous == "yes":
        cases = cases.filter(customer=None)
    elif anonymous == "no":
        cases = cases.exclude(customer=None)
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/case_list.html",
        {"nav": "cases", "page": page, "forms": Form.objects.all(), "statuses": Case.Status.choices,
         "chosen": {"form": form_slug, "status": status, "anonymous": anonymous, "customer": customer}},
    )


@csa_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The case in words (SPEC 5): the form's labels, option and list names, dates, phones, address lines."""
    case = get_object_or_404(
        Case.objects.select_related("form", "customer__prefix", "customer__suffix", "submitted_by"), reference=reference
    )
    fields = list(case.form.fields.all())
    labels = display.reference_labels()
    return render(
        request,
        "integrations/case_detail.html",
        {"nav": "cases", "case": case, "rows": display.entered_rows(case.data, fields, labels),
         "outcomes": display.outcome_words(case.results, labels, fields)},
    )


@csa_required
@require_POST
def case_link(request: HttpRequest, reference: str) -> HttpResponse:
    """Link an anonymous case to a customer, once they are known (`integrations.cases.case_link`)."""
    case = get_object_or_404(Case, reference=reference)
    ucrn = request.POST.get("ucrn", "").strip()
    try:
        link_case(reference=case.reference, ucrn=ucrn, user=request.user, channel=Channel.HUB)
    except Http404:
        messages.error(request, f"No customer has the UCRN {ucrn or '(blank)'}: the case is not linked.")
    else:
        messages.success(request, f"Case {case.reference} is now linked to customer {ucrn}.")
    return redirect("integrations:case_detail", reference=case.reference)
