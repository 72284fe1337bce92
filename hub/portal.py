"""The citizen portal: a citizen's own profile, and nothing else.

The UCRN is never in a URL: it is the signed-in citizen's linked customer, and the service checks again.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.roles import is_citizen, role_required
from hub.views import edit_forms, save_edit
from integrations.models import Form
from profiles import display
from profiles.access import linked_ucrn
from profiles.datanames import PERMISSION_NAMES
from profiles.forms import UK, AddressForm, ProfileForm, error_items, permission_consequences, show_errors
from profiles.models import Channel
from profiles.selectors import change_history, profile_get
from profiles.selectors.permissions import permission_details
from profiles.selectors.subscriptions import page_subscriptions, subscription_counts
from profiles.services import profile_create

citizen_required = role_required(is_citizen)

# What a citizen may edit: their name and contact details (not the email: SPEC 4.2), and their address.
PROFILE_NAMES = [
    "prefix_id", "first_name", "last_name", "phone_number", "mobile_number", "alternative_email",
    "preferred_contact_method", "notification_preference", "preferred_language_id",
    *PERMISSION_NAMES,  # SPEC 8.1: a citizen may change their own contact permissions
]
CREATE_NAMES = [*PROFILE_NAMES[:3], "birth_date", "email_address", *PROFILE_NAMES[3:]]
ADDRESS_NAMES = ["flat", "house", "street", "locality", "town", "county", "postcode", "country_id"]
# A portal account is a person's own: the profile it creates is an individual's.
CONTACT_TYPE = "Individual"


@citizen_required
def profile(request: HttpRequest) -> HttpResponse:
    """The citizen's profile, or the form that creates it when they have none yet."""
    ucrn = linked_ucrn(request.user)
    if ucrn is None:
        return create(request)
    data = profile_get(ucrn=ucrn, user=request.user)
    labels = display.reference_labels()
    show = {name: display.show_value(name, data.get(name), labels) for name in display.LABELS}
    records = change_history(ucrn=ucrn, user=request.user)
    return render(
        request,
        "portal/profile.html",
        {"profile": data, "show": show, "current_address": display.show_address(data, labels),
         "permissions": permission_details(data, records), "portal": True,
         "subscriptions": page_subscriptions(ucrn=ucrn, user=request.user),
         "forms": Form.objects.filter(audience__in=[Form.Audience.CITIZEN, Form.Audience.BOTH])},
    )


def create(request: HttpRequest) -> HttpResponse:
    profile_form = ProfileForm(request.POST or None, keep=CREATE_NAMES, own=True,
                               initial={"email_address": request.user.email})
    address_form = AddressForm(request.POST or None, prefix="address", keep=ADDRESS_NAMES, own=True,
                               initial={"country_id": UK})
    if request.method == "POST" and profile_form.is_valid() and address_form.is_valid():
        data = {"contact_type": CONTACT_TYPE, **profile_form.data_names(), **address_form.data_names()}
        try:
            profile_create(data=data, user=request.user, channel=Channel.PORTAL)
        except ValidationError as error:
            show_errors(error, [profile_form, address_form])
        else:
            messages.success(request, "Your profile has been created.")
            return redirect("portal:profile")
    return render(
        request,
        "portal/create.html",
        {"profile_form": profile_form, "address_form": address_form,
         "errors": error_items(profile_form, address_form)},
    )


@citizen_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    """A partial update (full=False) of the names this page shows; blanked fields are cleared."""
    ucrn = linked_ucrn(request.user)
    if ucrn is None:
        return redirect("portal:profile")
    data = profile_get(ucrn=ucrn, user=request.user)
    forms = edit_forms(request.POST if request.method == "POST" else None, data, citizen=True,
                       profile_names=PROFILE_NAMES, address_names=ADDRESS_NAMES)
    permission_consequences(forms["profile_form"],
                            subscription_counts(page_subscriptions(ucrn=ucrn, user=request.user)), own=True)
    if request.method == "POST" and save_edit(request, ucrn, forms, channel=Channel.PORTAL, full=False):
        return redirect("portal:profile")
    return render(
        request,
        "portal/edit.html",
        {**forms, "profile": data, "errors": forms.get("errors", []),
         "correct_legend": "Your corrected address", "moved_legend": "Your new address"},
    )
