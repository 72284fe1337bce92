"""The CSA pages: dashboard, search, customer record, create, edit, change of email.

Thin on purpose: each view turns forms into data names, calls a profile service or selector, and renders
the result. The service's `ValidationError` is shown beside the fields; nothing is saved on error.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from core.pagination import CappedPaginator
from core.roles import csa_required, is_citizen, is_csa, role_required
from hub.links import link
from hub.recent import recent_customer_opened, recent_customers
from hub.record import history_rows, record_context
from hub.stale_edits import VersionForm, loaded_values, reconcile_stale
from integrations.models import Case
from profiles import display
from profiles.filters import CustomerFilterSet, fuzzy_name_text
from profiles.forms import (
    UK,
    AddressChangeForm,
    AddressForm,
    EmailForm,
    ProfileForm,
    SearchForm,
    error_items,
    permission_consequences,
    profile_initial,
    show_errors,
)
from profiles.models import ChangeRecord, Channel, display_name
from profiles.selectors import profile_get, profile_get_with_id, profile_search
from profiles.selectors.subscriptions import page_subscriptions, subscription_counts
from profiles.services import ProfileResult, VersionConflict, profile_change_email, profile_update

# A full update with blanks cleared: the edit page shows every current value, so a blanked field is meant.
EDIT_OPTIONS = {"ignore_empty_entries": False}
# An update never changes the email (SPEC 4.2): it has its own form, calling profile_change_email.
EDIT_NAMES = [name for name in ProfileForm.base_fields if name != "email_address"]


@role_required(lambda user: True)
def home(request: HttpRequest) -> HttpResponse:
    """Where sign-in lands: CSAs on the dashboard, citizens on their profile."""
    if is_csa(request.user):
        return redirect("hub:dashboard")
    if is_citizen(request.user):
        return redirect("portal:profile")
    raise PermissionDenied("Your account has no role in the hub.")


DRAFTS = 10  # the start page lists the CSA's newest drafts; the case list has them all


@csa_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The CSA's start page: the search box, their own drafts and the customers they opened recently, so
    that an interrupted call can be picked up again. A fixed number of queries, however many of each."""
    drafts = (Case.objects.filter(submitted_by=request.user, status=Case.Status.DRAFT)
              .select_related("form", "customer__prefix", "customer__suffix").order_by("-updated_at", "-id")[:DRAFTS])
    return render(request, "hub/dashboard.html",
                  {"nav": "dashboard", "drafts": drafts, "recent": recent_customers(user=request.user)})


SEARCH_PAGE_SIZE = 25
SEARCH_FIELDS = {"search": "q"}  # the page's box is the FilterSet's `search`


# Only what a result row shows, as plain values: the FilterSet's DISTINCT then compares narrow rows, and a
# page makes no model instances (the customer, its title, suffix, address and country cost more Python than
# the database spent on the page). The title's and suffix's names come from the cached reference lists.
RESULT_FIELDS = (
    "id", "ucrn", "first_name", "last_name", "organisation_name", "contact_type_id", "status_id", "phone_number",
    "updated_at", "prefix_id", "suffix_id",
)


@csa_required
def customer_search(request: HttpRequest) -> HttpResponse:
    """The API's FilterSet behind one box: three queries (count, capped at `SEARCH_COUNT_CAP`; page; primary
    addresses) per page, and three more for similar names when a name finds no one. The reference lists
    (the filters' options) and the extended data sources are checked against the shared cache once."""
    form = SearchForm(request.GET or None)
    page, fuzzy = _search_page(request, form)
    rows = _result_rows(page) if page is not None else []
    return render(
        request,
        "hub/search.html",
        {"nav": "search", "form": form, "page": page, "searched": page is not None, "rows": rows, "fuzzy": fuzzy,
         "errors": error_items(form), "query": _query_without_page(request)},
    )


def _search_page(request: HttpRequest, form: SearchForm) -> tuple[Page | None, bool]:
    """The page of results (None when nothing was searched or the input is refused) and whether it holds
    similar names; a refused input's messages go beside the form's fields."""
    if not (form.is_bound and form.is_valid() and any(form.filter_data().values())):
        return None, False
    customers = profile_search(user=request.user, related=False)  # the rows read plain values, addresses apart
    filterset = CustomerFilterSet(form.filter_data(), queryset=customers)
    if not filterset.is_valid():
        errors = {SEARCH_FIELDS.get(name, name): [e["message"] for e in errs]
                  for name, errs in filterset.errors.get_json_data().items()}
        show_errors(ValidationError(errors), [form])
        return None, False
    page = CappedPaginator(filterset.qs.values(*RESULT_FIELDS), SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    if page.paginator.count == 0 and (name := fuzzy_name_text(form.filter_data()["search"])):
        # No exact match for a name: customers with a similar name, most similar first.
        similar = CustomerFilterSet({**form.filter_data(), "search": "", "name": name}, queryset=customers)
        if similar.is_valid():
            similar_page = CappedPaginator(similar.qs.values(*RESULT_FIELDS), SEARCH_PAGE_SIZE).get_page(
                request.GET.get("page"))
            if similar_page.paginator.count:
                return similar_page, True
    return page, False


DASH = "—"  # a blank name, address or phone
# A row of the results table (`hub/search.html` puts the rows in its `<tbody>`), its texts escaped by
# `format_html`: one format a row instead of nine template variables (a tenth of a 25-row page's Python).
RESULT_ROW = """
  <tr>
    <td data-label="UCRN"><a href="{url}">{ucrn}</a></td>
    <td data-label="Name">{name}</td>
    <td data-label="Address">{address}</td>
    <td class="nowrap" data-label="Telephone">{phone}</td>
    <td data-label="Type">{type}</td>
    <td data-label="Status"><span class="tag tag--{status_class}">{status}</span></td>
    <td class="nowrap" data-label="Updated">{updated}</td>
  </tr>
  """


def _result_rows(page: Page) -> list[SafeString]:
    """Each result as the table shows it (`RESULT_ROW`), every text made here in one pass (blanks as a
    dash): the page's customers as plain values, their primary addresses in one more query."""
    customers = list(page)
    addresses = display.primary_address_lines([customer["id"] for customer in customers])
    titles, suffixes = display.ListNames("titles"), display.ListNames("suffixes")
    rows = []
    for customer in customers:
        name = display_name(
            contact_type=customer["contact_type_id"], organisation_name=customer["organisation_name"],
            prefix=titles(customer["prefix_id"]), first_name=customer["first_name"],
            last_name=customer["last_name"], suffix=suffixes(customer["suffix_id"]),
        )
        rows.append(format_html(
            RESULT_ROW,
            ucrn=customer["ucrn"],
            url=link("hub:customer_record", customer["ucrn"]),
            name=name or DASH,
            address=addresses.get(customer["id"]) or DASH,
            phone=display.show_phone(customer["phone_number"]) or DASH,
            type=customer["contact_type_id"],
            status=customer["status_id"],
            status_class=str(customer["status_id"]).lower(),
            updated=display.show_moment(customer["updated_at"]),
        ))
    return rows


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@csa_required
def customer_record(request: HttpRequest, ucrn: str) -> HttpResponse:
    """The record: a constant number of queries whatever the number of addresses, changes or cases
    (`hub.record`), and one read of the reference lists' and sources' generations from the shared cache."""
    profile, customer_id = profile_get_with_id(ucrn=ucrn, user=request.user)
    if "merged_from" in profile:  # a merged customer's UCRN opens the survivor's record
        messages.info(request, f"Customer {ucrn} was merged into {profile['ucrn']}: this is customer "
                      f"{profile['ucrn']}'s record.")
        return redirect("hub:customer_record", ucrn=profile["ucrn"])
    recent_customer_opened(user=request.user, ucrn=profile["ucrn"])
    return render(request, "hub/record.html", record_context(request, profile, customer_id))


HISTORY_PAGE_SIZE = 20


@csa_required
def customer_history(request: HttpRequest, ucrn: str) -> HttpResponse:
    """The customer's whole change history, newest first, a page at a time (the record page shows the
    newest): the customer's name, a count, a page of records, the address records they may name."""
    profile = profile_get(ucrn=ucrn, user=request.user)
    if "merged_from" in profile:
        return redirect("hub:customer_history", ucrn=profile["ucrn"])
    labels = display.reference_labels()
    records = ChangeRecord.objects.filter(customer__ucrn=profile["ucrn"]).select_related("user")
    page = Paginator(records.order_by("-created_at", "-id"), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "hub/history.html", {
        "profile": profile, "page": page,
        "history": history_rows(list(page.object_list), labels, known=[]),
    })


@csa_required
def customer_edit(request: HttpRequest, ucrn: str) -> HttpResponse:
    profile = profile_get(ucrn=ucrn, user=request.user)
    if "merged_from" in profile:  # merged: its UCRN cannot be changed, the survivor can
        messages.info(request, f"Customer {ucrn} was merged into {profile['ucrn']}: edit customer {profile['ucrn']}.")
        return redirect("hub:customer_edit", ucrn=profile["ucrn"])
    forms = edit_forms(request.POST if request.method == "POST" else None, profile)
    subscriptions = page_subscriptions(ucrn=profile["ucrn"], user=request.user)
    permission_consequences(forms["profile_form"], subscription_counts(subscriptions))
    if request.method == "POST":
        result = save_edit(request, ucrn, forms, channel=Channel.HUB, full=True)
        if result is not None:
            return _to_record(request, result)
    return render_edit(request, profile, forms)


@csa_required
@require_POST
def customer_email(request: HttpRequest, ucrn: str) -> HttpResponse:
    """The one way to change an email address (SPEC 4.2): audited by `profile_change_email`."""
    profile = profile_get(ucrn=ucrn, user=request.user)
    email_form = EmailForm(request.POST)
    email_form.is_valid()
    try:
        result = profile_change_email(
            ucrn=ucrn, email=email_form.cleaned_data["email_address"], user=request.user, channel=Channel.HUB
        )
    except ValidationError as error:
        show_errors(error, [email_form])
        return render_edit(request, profile, edit_forms(None, profile), email_form=email_form)
    messages.success(request, "Email address changed." if result.changes else "The email address is unchanged.")
    return redirect("hub:customer_record", ucrn=ucrn)


# --- shared by the edit page and the portal -----------------------------------------------------------


def edit_forms(data: Any, profile: dict[str, Any], *, citizen: bool = False, profile_names: Any = None,
               address_names: Any = None) -> dict[str, Any]:
    """The forms of an edit page, filled with the current profile (the primary address for corrections).

    A submission made from an older version of the record is first reconciled with the current one
    (`hub.stale_edits`): the forms then hold the reconciled values and `version_form` the conflicts, if any.
    """
    initial = profile_initial(profile)

    def build(data: Any) -> dict[str, Any]:
        return {
            "profile_form": ProfileForm(data, initial=initial, keep=profile_names or EDIT_NAMES, own=citizen),
            "change_form": AddressChangeForm(data, citizen=citizen),
            "current_form": AddressForm(data, prefix="cur", initial=initial, keep=address_names, own=citizen),
            "new_form": AddressForm(data, prefix="new", initial={"country_id": UK}, keep=address_names,
                                    own=citizen),
        }

    forms = build(data)
    shown = [forms["profile_form"], forms["current_form"]]
    version_form = VersionForm(data, initial={"version": profile.get("version"), "loaded": loaded_values(shown)})
    if data is not None:
        reconciled = reconcile_stale(data, version_form, shown)
        if reconciled is not data:
            forms = build(reconciled)
    return {**forms, "version_form": version_form}


def save_edit(
    request: HttpRequest, ucrn: str, forms: dict[str, Any], *, channel: str, full: bool
) -> ProfileResult | None:
    """Send the edit to `profile_update`; on error, put the messages beside the fields and return None.

    The address fields are sent only when an address change was chosen, so an edit of the name does
    not add an address record.
    """
    profile_form, change_form, version_form = forms["profile_form"], forms["change_form"], forms["version_form"]
    if not all(form.is_valid() for form in forms.values()):
        forms["errors"] = error_items(profile_form, change_form)
        return None
    if version_form.unresolved:
        forms["errors"] = [{"href": "#conflicts", "text": "Someone else changed this customer while you were editing: "
                            "choose, for each field below, whether to keep your value or theirs."}]
        return None
    address_form = change_form.address_form(forms["current_form"], forms["new_form"])
    data = {**profile_form.data_names(), **change_form.options()}
    if address_form is not None:
        data.update(address_form.data_names())
    try:
        result = profile_update(
            ucrn=ucrn, data=data, user=request.user, channel=channel, full=full, option_defaults=EDIT_OPTIONS,
            # A page that says which version it loaded is saved only onto that one, reconciled (hub.stale_edits).
            expected_version=version_form.current_version if version_form.given_version is not None else None,
        )
    except VersionConflict:
        forms["errors"] = [{"href": "#main-content", "text": "Someone changed this customer while you were saving: "
                            "check the values and save again."}]
        return None
    except ValidationError as error:
        show_errors(error, [f for f in (profile_form, address_form, change_form) if f is not None])
        forms["errors"] = error_items(profile_form, change_form, address_form)
        return None
    count = len(result.changes)
    messages.success(request, f"Saved {count} change{'s' if count != 1 else ''}." if count else "No changes to save.")
    for warning in result.warnings:
        messages.warning(request, warning["message"])
    return result


def render_edit(request: HttpRequest, profile: dict[str, Any], forms: dict[str, Any],
                email_form: EmailForm | None = None) -> HttpResponse:
    email_form = email_form or EmailForm(initial={"email_address": profile.get("email_address", "")})
    errors = forms.get("errors") or error_items(email_form)
    return render(
        request,
        "hub/customer_form.html",
        {**forms, "profile": profile, "title": f"Edit {profile['name'] or profile['ucrn']}", "email_form": email_form,
         "errors": errors, "correct_legend": "The corrected current address", "moved_legend": "The new address"},
    )


def _to_record(request: HttpRequest, result: ProfileResult) -> HttpResponse:
    for warning in result.warnings if result.created else []:
        messages.warning(request, warning["message"])
    return redirect("hub:customer_record", ucrn=result.customer.ucrn)
