"""Data protection pages: subject access downloads (CSA record, portal) and erasure (administrators).

Thin, like the other pages: the rules and the audit are `profile_export` and `profile_erase`.
"""
from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.roles import csa_required, is_admin, role_required
from hub.portal import citizen_required
from profiles.access import linked_ucrn
from profiles.models import Channel, Customer
from profiles.selectors import profile_get
from profiles.services.erasure import profile_erase
from profiles.services.export import profile_export

admin_required = role_required(is_admin)


def download(data: dict) -> HttpResponse:
    """The export as a JSON file the browser saves, never caches."""
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="customer-{data["ucrn"]}.json"'
    response["Cache-Control"] = "no-store"
    return response


@csa_required
def customer_export(request: HttpRequest, ucrn: str) -> HttpResponse:
    return download(profile_export(ucrn=ucrn, user=request.user, channel=Channel.HUB))


@citizen_required
def portal_export(request: HttpRequest) -> HttpResponse:
    ucrn = linked_ucrn(request.user)
    if ucrn is None:
        raise PermissionDenied("You have no profile to download yet.")
    return download(profile_export(ucrn=ucrn, user=request.user, channel=Channel.PORTAL))


@admin_required
def customer_erase(request: HttpRequest, ucrn: str) -> HttpResponse:
    """A confirmation page (GET), then the erasure (POST), which cannot be undone."""
    profile = profile_get(ucrn=ucrn, user=request.user)
    if request.method == "POST":
        try:
            profile_erase(ucrn=ucrn, user=request.user, channel=Channel.HUB)
        except ValidationError:
            messages.error(request, "This customer has already been erased.")
        else:
            messages.success(request, f"The personal data of customer {ucrn} has been erased.")
        return redirect("hub:customer_record", ucrn=ucrn)
    erased = Customer.objects.filter(ucrn=ucrn, erased_at__isnull=False).exists()
    return render(request, "hub/erase.html", {"profile": profile, "erased": erased})
