"""The admin's "erase" action: a confirmation page, then `profile_erase` for each customer chosen.

The same service as the record page's button, so the admin erases exactly as thoroughly, audited alike.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from profiles.models import Channel, Customer
from profiles.services.erasure import profile_erase


@admin.action(description="Erase the personal data of the selected customers")
def erase_customers(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Customer]
) -> HttpResponse | None:
    if request.POST.get("confirm_erase") != "yes":
        return TemplateResponse(request, "admin/profiles/customer/erase_confirmation.html", {
            **modeladmin.admin_site.each_context(request),
            "title": "Erase personal data?",
            "customers": queryset,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })
    erased = 0
    for customer in queryset:
        try:
            profile_erase(ucrn=customer.ucrn, user=request.user, channel=Channel.ADMIN)
            erased += 1
        except ValidationError:
            modeladmin.message_user(request, f"{customer.ucrn} was already erased.", messages.WARNING)
        except PermissionDenied as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
            return None
    modeladmin.message_user(request, f"Erased {erased} customer(s).", messages.SUCCESS)
    return None
