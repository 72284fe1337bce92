"""The CSA record page's reads: one query per panel, each bounded, whatever the size of the customer's data.

The customer with its primary address (the Get, often from the cache), the address history, the newest
RECENT_CHANGES change records (a link to the whole history when there are more), the change records that
set each contact permission and the erasure (taken from the newest when they are the whole history), the
newest RECENT_CASES cases (a link to the rest), the merges to undo, the possible duplicates and the
subscriptions, each read by the customer's id from the Get. Reference lists and sources come from the cache.
"""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from core.prepared import Prepared
from hub.duplicates import record_duplicates
from hub.links import link
from integrations.models import Case
from profiles import display
from profiles.models import ChangeRecord
from profiles.selectors import address_history, lasting_among, lasting_changes, of_customer, recent_changes
from profiles.selectors.extended import cross_references
from profiles.selectors.permissions import permission_details
from profiles.selectors.subscriptions import page_subscriptions
from profiles.services.merge import active_merges_into

RECENT_CHANGES = 20  # change records on the record page; the history page has them all, page by page
RECENT_CASES = 10  # cases on the record page; the case list, filtered to the customer, has them all
# The data names the page shows in words (`display.show_value`): only these are worded.
SHOWN = ("contact_type", "birth_date", "status", "location", "phone_number", "mobile_number", "start_date", "end_date",
         "preferred_contact_method", "notification_preference", "consent_to_share", "preferred_language_id")


def record_context(request: HttpRequest, profile: dict[str, Any], customer_id: int) -> dict[str, Any]:
    """What `hub/record.html` shows of the customer whose Get output is `profile` and id `customer_id`."""
    ucrn, user = profile["ucrn"], request.user
    labels = display.reference_labels()
    records_of_address = address_history(ucrn=ucrn, user=user, customer_id=customer_id)
    records, more_changes = recent_changes(ucrn=ucrn, customer_id=customer_id, user=user, count=RECENT_CHANGES)
    lasting = (lasting_changes(ucrn=ucrn, customer_id=customer_id, user=user) if more_changes
               else lasting_among(records))  # the whole history is in hand: no query
    erased_at = next((r.created_at for r in lasting if r.action == ChangeRecord.Action.ERASE), None)
    cases = _recent_cases(customer_id, RECENT_CASES + 1)
    show = {name: display.show_value(name, profile.get(name), labels) for name in SHOWN}
    references = cross_references(profile)
    return {
        "profile": profile,
        "show": show,
        "details": detail_rows(profile, show),
        "preferences": preference_rows(show),
        "reference_rows": [(f"{ref['name']} ({ref['key']})", ref["value"]) for ref in references],
        "labels": labels,
        "addresses": address_rows(records_of_address, labels),
        "history": history_rows(records, labels, records_of_address),
        "more_changes": more_changes,
        "erased_at": erased_at,
        "erased_on": display.show_date(timezone.localtime(erased_at)) if erased_at else "",
        "merges": active_merges_into(customer_id),
        "duplicates": record_duplicates(profile, customer_id, labels, erased=erased_at is not None),
        "current_address": display.show_address(profile, labels),
        "cross_references": references,
        "permissions": permission_details(profile, lasting),
        "subscriptions": page_subscriptions(ucrn=ucrn, user=user, customer_id=customer_id),
        "cases": case_rows(cases[:RECENT_CASES]),
        "more_cases": len(cases) > RECENT_CASES,
        "recent_changes": RECENT_CHANGES,
        "recent_cases": RECENT_CASES,
    }


_recent_cases = Prepared(lambda key, rows: Case.objects.filter(**of_customer(key)).select_related("form")
                        .order_by("-created_at", "-id")[:rows])  # compiled once (`core.prepared`)


def detail_rows(profile: dict[str, Any], show: dict[str, str]) -> list[tuple[str, Any]]:
    """The Details panel as (label, value) rows, in the page's order (a blank value shows as a dash): one
    loop in the template instead of an `{% include %}` per row."""
    rows = [("UCRN", profile["ucrn"]), ("Name", profile.get("name")), ("Contact type", show["contact_type"])]
    if profile.get("organisation_name"):
        rows.append(("Organisation", profile["organisation_name"]))
    rows += [("Date of birth", show["birth_date"]), ("Status", show["status"]), ("Location", show["location"]),
             ("Email address", profile.get("email_address")), ("Alternative email", profile.get("alternative_email")),
             ("Telephone", show["phone_number"]), ("Mobile", show["mobile_number"])]
    if profile.get("twitter"):
        rows.append(("Twitter", f"@{profile['twitter']}"))
    if profile.get("data_location") or profile.get("region"):
        rows += [("Data location", profile.get("data_location")), ("Region", profile.get("region"))]
    return rows


def preference_rows(show: dict[str, str]) -> list[tuple[str, Any]]:
    """The Contact preferences panel as (label, value) rows."""
    return [("Preferred contact method", show["preferred_contact_method"]),
            ("Notification preference, in order", show["notification_preference"]),
            ("Consent to share", show["consent_to_share"] or "Not recorded"),
            ("Language", show["preferred_language_id"])]


def address_rows(records: list[Any], labels: display.Labels) -> list[dict[str, Any]]:
    """The address timeline, its dates and lines written here (the template's `date` filters cost more)."""
    return [{"primary": a.is_primary, "start": display.show_date(a.start_date), "end": display.show_date(a.end_date),
             "text": display.show_address(a, labels)} for a in records]


def case_rows(cases: list[Case]) -> list[dict[str, str]]:
    """The cases panel's lines: link, reference, form, status and day, written here."""
    return [{"url": link("integrations:case_detail", case.reference), "reference": case.reference,
             "form": case.form.name, "status": case.get_status_display().lower(),
             "created": display.show_moment(case.created_at, time=False)} for case in cases]


def history_rows(records: list[ChangeRecord], labels: display.Labels, known: list[Any]) -> list[dict[str, Any]]:
    """The history table's rows of `records`; addresses the page holds (`known`) are named without a query."""
    named = display.addresses_named((e for r in records for e in r.changes), labels, known=known)
    return display.history_rows(records, labels, named)
