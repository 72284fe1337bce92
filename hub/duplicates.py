"""Likely duplicates on the CSA pages: the record page's "Possible duplicates" panel and its "Not the same
person" button (the form runner shows the same rows, `profiles.display.duplicate_rows`, before a Create).

Thin: `profiles.selectors.duplicates` finds and `profiles.services.duplicates` marks; this turns their answers
into rows and messages.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.roles import csa_required
from profiles import display
from profiles.display import duplicate_rows
from profiles.models import MERGED_STATUS
from profiles.selectors.duplicates import find_duplicates
from profiles.services.duplicates import mark_not_same_person


def record_duplicates(profile: dict[str, Any], customer_id: int, labels: display.Labels, *,
                      erased: bool) -> list[dict[str, Any]]:
    """The record page's panel, from the Get output and id the page already has (no second read of the
    customer): at most two queries, none for an erased or merged customer (nothing to compare, or not one's
    own)."""
    if erased or profile.get("status") == MERGED_STATUS or "merged_from" in profile:
        return []
    return duplicate_rows(find_duplicates(data=profile, customer=customer_id), labels)


@csa_required
@require_POST
def customer_not_duplicate(request: HttpRequest, ucrn: str) -> HttpResponse:
    """The panel's "Not the same person" button: the pair is never suggested again."""
    other = request.POST.get("other", "").strip()
    try:
        _, created = mark_not_same_person(ucrn_a=ucrn, ucrn_b=other, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = (f"Customers {ucrn} and {other} are recorded as different people: they will not be suggested "
                "as duplicates again." if created else f"Customers {ucrn} and {other} were already recorded as "
                "different people.")
        messages.success(request, text)
    return redirect("hub:customer_record", ucrn=ucrn)
