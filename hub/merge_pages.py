"""The merge pages: merge another customer into the one on screen, choosing per field; undo.

Thin, as the other pages: `profiles.services.merge` checks, merges, undoes and audits. The page asks for
the other UCRN (a GET, so the comparison has a URL), shows the fields that differ side by side with a
radio per field (the service's defaults ticked), and posts the choices.
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.roles import csa_required
from profiles import display
from profiles.forms import Text, error_items, show_errors
from profiles.models import Channel
from profiles.selectors import profile_get
from profiles.services.merge import ADDRESS, CHOICE_VALUES, MergePreview, merge_preview, merge_undo, profile_merge


class MergeLookupForm(forms.Form):
    merge = Text(width=10, label="UCRN of the customer to merge into this one",
                 help_text="9 digits. That customer's record is closed and its UCRN then opens this record.")


def _rows(preview: MergePreview, labels: display.Labels, posted: Any) -> list[dict[str, Any]]:
    """The comparison table: the fields that differ (never the custom fields, which the record page does
    not show either: they take the defaults), then the current address; each with the choice to tick."""
    rows = []
    for row in preview.rows:
        if row.name.startswith("custom_"):
            continue
        rows.append({"name": row.name, "label": display.label(row.name), "default": row.default,
                     "survivor": display.show_value(row.name, row.survivor, labels),
                     "merged": display.show_value(row.name, row.merged, labels)})
    s_address, m_address = preview.survivor_address, preview.merged_address
    s_text = display.show_address(s_address, labels) if s_address else ""
    m_text = display.show_address(m_address, labels) if m_address else ""
    if (s_address or m_address) and (s_address is None or m_address is None or s_text != m_text):
        rows.append({"name": ADDRESS, "label": "Current address", "default": preview.address_default,
                     "survivor": s_text, "merged": m_text})
    for row in rows:
        row["input"] = f"choice_{row['name']}"
        chosen = posted.get(row["input"]) if posted is not None else None
        row["chosen"] = chosen if chosen is not None else row["default"]
    return rows


@csa_required
def customer_merge(request: HttpRequest, ucrn: str) -> HttpResponse:
    """Step 1 (GET): the other UCRN. Step 2 (GET ?merge=): the comparison. Step 3 (POST): the merge."""
    profile = profile_get(ucrn=ucrn, user=request.user)
    if "merged_from" in profile:
        messages.info(request, f"Customer {ucrn} was merged into {profile['ucrn']}: merge into {profile['ucrn']}.")
        return redirect("hub:customer_merge", ucrn=profile["ucrn"])
    posted = request.POST if request.method == "POST" else None
    lookup = MergeLookupForm(posted or (request.GET if "merge" in request.GET else None))
    preview, rows = None, []
    if lookup.is_bound and lookup.is_valid():
        other = lookup.cleaned_data["merge"].strip()
        try:
            preview = merge_preview(survivor_ucrn=ucrn, merged_ucrn=other, user=request.user)
        except ValidationError as error:
            show_errors(error, [lookup])
        else:
            rows = _rows(preview, display.reference_labels(), posted)
    if posted is not None and preview is not None:
        choices = {row["name"]: row["chosen"] for row in rows}
        try:
            merge = profile_merge(survivor_ucrn=ucrn, merged_ucrn=preview.merged.ucrn, choices=choices,
                                  user=request.user, channel=Channel.HUB)
        except ValidationError as error:
            show_errors(error, [lookup])
        else:
            messages.success(request, f"Customer {merge.merged.ucrn} was merged into this customer. "
                             "The merge can be undone from the change history below.")
            return redirect("hub:customer_record", ucrn=ucrn)
    errors = error_items(lookup)
    return render(request, "hub/merge.html", {
        "profile": profile, "lookup": lookup, "preview": preview, "rows": rows, "errors": errors,
        "choice_values": CHOICE_VALUES,
    })


@csa_required
@require_POST
def customer_merge_undo(request: HttpRequest, ucrn: str, id: int) -> HttpResponse:
    """Undo a merge from the record's history; a refusal is explained above the record."""
    try:
        merge = merge_undo(merge_id=id, ucrn=ucrn, user=request.user, channel=Channel.HUB)
    except ValidationError as error:
        reasons = [m for items in error.error_dict.values() for e in items for m in e.messages]
        messages.warning(request, "The merge was not undone. " + " ".join(reasons))
    else:
        messages.success(request, f"The merge was undone: customer {merge.merged.ucrn} is a separate customer "
                         "again, as it was before.")
    return redirect("hub:customer_record", ucrn=ucrn)
