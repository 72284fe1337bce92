"""The CSA's "Find by address" pages: the addresses the hub holds matching a postcode or a street, with the
number of customers at each, and the customers at one of them.

Thin: `profiles.selectors.address_search` decides what matches; these pages parse the box and render.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from core.roles import csa_required
from profiles import display
from profiles.forms import Text, error_items
from profiles.models import Customer
from profiles.selectors.address_search import (
    HELP,
    KEY_TEXT,
    SEARCH_TEXT_MAX,
    address_key,
    address_label,
    address_suggestions,
    customers_at_address,
)

SUGGESTIONS_SHOWN = 20


class AddressSearchForm(forms.Form):
    q = Text(width=30, label="Postcode or street", help_text=HELP)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs["maxlength"] = SEARCH_TEXT_MAX


@csa_required
def address_search(request: HttpRequest) -> HttpResponse:
    """`/hub/addresses/?q=LS1 4AP`: the addresses held, each linking to its customers (one query)."""
    form = AddressSearchForm(request.GET or None)
    suggestions, more = None, False
    if form.is_bound and form.is_valid():
        try:
            found = address_suggestions(text=form.cleaned_data["q"], user=request.user, limit=SUGGESTIONS_SHOWN + 1)
        except ValidationError as error:
            form.add_error("q", error.messages[0])
        else:
            suggestions = [{**s, "url": customers_url(s)} for s in found[:SUGGESTIONS_SHOWN]]
            more = len(found) > SUGGESTIONS_SHOWN
    return render(request, "hub/addresses.html", {
        "nav": "addresses", "form": form, "errors": error_items(form), "suggestions": suggestions,
        "more": more,
    })


def customers_url(suggestion: dict) -> str:
    key = {name: suggestion[name] for name in (*KEY_TEXT, "country_id")}
    return f"{reverse('hub:address_customers')}?{urlencode(key)}"


@csa_required
def address_customers(request: HttpRequest) -> HttpResponse:
    """`/hub/addresses/customers/?postcode=...&street=...`: the customers whose current address it is."""
    key = address_key(request.GET)
    if key is None:
        return render(request, "hub/address_customers.html",
                      {"nav": "addresses", "invalid": True, "rows": []}, status=400)
    customers = customers_at_address(key=key, user=request.user)
    rows = [_row(c) for c in customers]
    return render(request, "hub/address_customers.html",
                  {"nav": "addresses", "label": address_label(key), "rows": rows, "invalid": False})


def _row(customer: Customer) -> dict:
    return {"ucrn": customer.ucrn, "name": customer.display_name, "phone": display.show_phone(customer.phone_number),
            "type": customer.contact_type_id, "status": customer.status_id}
