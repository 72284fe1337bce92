"""The Django admin for customers, their history and the reference lists.

The admin is one more door to the profile service (DESIGN.md): a customer is created and changed by
`profile_create` / `profile_update` / `profile_change_email`, never by `ModelForm.save`, so the admin
obeys the same rules and writes the same change records as the API. Addresses and change records are
history: shown, never edited or deleted. Customers are never deleted (a UCRN is never reused).
"""
from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from profiles.admin_actions import erase_customers
from profiles.datanames import PROFILE_NAMES
from profiles.models import (
    CUSTOM_FIELD_COUNT,
    PERMISSION_CHANNELS,
    Address,
    ChangeRecord,
    Channel,
    ContactMethod,
    ContactType,
    Country,
    Customer,
    ExtendedSource,
    Language,
    Location,
    Merge,
    Placeholder,
    Status,
    Subscription,
    Suffix,
    Title,
    Topic,
)
from profiles.services import ProfileResult, profile_change_email, profile_create, profile_update

# data name -> model field name (`prefix_id` is stored in the field `prefix`).
FIELD_NAMES: dict[str, str] = {name: Customer._meta.get_field(spec.attr).name for name, spec in PROFILE_NAMES.items()}
DATA_NAMES: dict[str, str] = {field: name for name, field in FIELD_NAMES.items()}
MANDATORY = [name for name, spec in PROFILE_NAMES.items() if spec.mandatory]
CUSTOM_FIELDS = [f"custom_{n}" for n in range(1, CUSTOM_FIELD_COUNT + 1)]


class ReadOnlyMixin:
    """History is shown, never added to, changed or deleted by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Customers -------------------------------------------------------------------------------------


class _DryRun(Exception):
    """Raised to roll back the service's judgement of a form: validation writes nothing."""


class CustomerAdminForm(forms.ModelForm):
    """A customer form judged and saved by the profile service; its errors go beside the fields.

    Validation (`_post_clean`, instead of the model's own checks, which the service supersedes) asks the
    service in a savepoint that is always rolled back, so the form's errors are the service's; the admin's
    `save_model` then saves through the same service, in the admin view's transaction.
    """

    request_user = None  # set by CustomerAdmin.get_form: the service needs to know who is acting
    result: ProfileResult | None = None

    # Text, as in a hub form: "3,1" reads better than the JSON list the model field would ask for.
    notification_preference = forms.CharField(
        required=False,
        help_text="Contact methods in order of preference, e.g. 3,1 (1 Phone, 2 Mobile, 3 Email, 4 Post).",
    )
    twitter = forms.CharField(required=False, max_length=16, help_text="Handle, with or without the @.")

    class Meta:
        model = Customer
        fields = list(FIELD_NAMES.values())
        help_texts = {"email_address": "A change here is recorded as an email change."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "notification_preference" in self.fields:
            methods = self.instance.notification_preference or []
            self.initial["notification_preference"] = ",".join(map(str, methods))

    def _post_clean(self) -> None:
        if self._errors:
            return  # a field is already wrong: asking the service would only confuse the messages
        try:
            with transaction.atomic():
                self._save_through_service()
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            self._add_service_errors(error)

    def save_through_service(self) -> ProfileResult:
        """The write itself (`CustomerAdmin.save_model`), after validation found nothing to refuse."""
        self.result = self._save_through_service()
        return self.result

    def _save_through_service(self) -> ProfileResult:
        user = self.request_user
        if self.instance.pk is None:
            data = {name: self._value(name) for name in FIELD_NAMES if FIELD_NAMES[name] in self.cleaned_data}
            return profile_create(data=data, user=user, channel=Channel.ADMIN)
        # Only the changed names, so a stale form never overwrites a field someone else changed meanwhile;
        # the mandatory names always, as every full update needs them.
        names = {DATA_NAMES[f] for f in self.changed_data if f in DATA_NAMES} | set(MANDATORY)
        email_changed = "email_address" in names
        names.discard("email_address")
        ucrn = self.instance.ucrn
        result = profile_update(
            ucrn=ucrn, data={name: self._value(name) for name in names}, user=user, channel=Channel.ADMIN, full=True
        )
        if email_changed:
            result = profile_change_email(
                ucrn=ucrn, email=self._value("email_address"), user=user, channel=Channel.ADMIN
            )
        return result

    def _value(self, name: str) -> Any:
        value = self.cleaned_data[FIELD_NAMES[name]]
        return value.pk if hasattr(value, "pk") else value

    def _add_service_errors(self, error: ValidationError) -> None:
        """Put each error of the service (keyed by data name) beside its field, the rest above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = FIELD_NAMES.get(name)
            self.add_error(field if field in self.fields else None, errors)


class AddressInline(ReadOnlyMixin, admin.TabularInline):
    model = Address
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["flat", "house", "street", "town", "postcode", "uprn", "country", "start_date", "end_date", "is_primary"]
    readonly_fields = fields
    ordering = ["-is_primary", "-start_date", "-id"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = ["ucrn", "name", "status", "contact_type", "updated_at"]
    list_select_related = ["prefix", "suffix", "status", "contact_type"]
    list_filter = ["status", "contact_type"]
    search_fields = ["=ucrn", "first_name", "last_name", "organisation_name", "email_address"]
    readonly_fields = ["ucrn", "name", "portal_user", "version", "created_at", "updated_at", "change_history"]
    inlines = [AddressInline]
    actions = [erase_customers]  # superusers only: profile_erase refuses anyone else

    def get_fieldsets(self, request: HttpRequest, obj: Customer | None = None) -> list:
        main = ["contact_type", "prefix", "first_name", "last_name", "suffix", "organisation_name", "birth_date",
                "status", "location"]
        fieldsets = [
            (None, {"fields": ["ucrn", "name", *main] if obj else main}),
            ("Contact", {"fields": ["email_address", "alternative_email", "phone_number", "mobile_number",
                                    "twitter", "preferred_contact_method", "notification_preference",
                                    "consent_to_share", "preferred_language"]}),
            ("Contact permissions", {"fields": [f"permission_{c}" for c in PERMISSION_CHANNELS]}),
            ("Connected Index", {"fields": ["data_location", "region"]}),
            ("Custom fields", {"classes": ["collapse"], "fields": CUSTOM_FIELDS}),
        ]
        if obj:
            fieldsets.append(("Record", {"fields": ["portal_user", "version", "created_at", "updated_at",
                                                    "change_history"]}))
        return fieldsets

    def get_form(self, request: HttpRequest, obj: Customer | None = None, **kwargs: Any) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user  # a fresh class per request: safe to set
        return form

    def get_inlines(self, request: HttpRequest, obj: Customer | None) -> list:
        return self.inlines if obj else []

    def has_delete_permission(self, request: HttpRequest, obj: Customer | None = None) -> bool:
        return False  # customers are never deleted: a UCRN is never reused

    def save_form(self, request: HttpRequest, form: CustomerAdminForm, change: bool) -> Customer:
        return form.instance  # not `form.save`: the service saves it, in `save_model`

    def save_model(self, request: HttpRequest, obj: Customer, form: CustomerAdminForm, change: bool) -> None:
        """Save through the profile service (which writes the change record); its warnings (an ended primary
        address, a Create's likely duplicates) are shown as the other doors show them."""
        result = form.save_through_service()
        vars(obj).update(vars(result.customer))  # the admin logs and redirects with `obj`: the saved row
        for warning in result.warnings:
            self.message_user(request, warning["message"], messages.WARNING)

    def save_related(self, request: HttpRequest, form: CustomerAdminForm, formsets: list, change: bool) -> None:
        # No many-to-many fields; the inlines are read-only, so saving them writes nothing.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(ordering="last_name")
    def name(self, obj: Customer) -> str:
        return obj.display_name

    @admin.display(description="Change history")
    def change_history(self, obj: Customer) -> str:
        url = reverse("admin:profiles_changerecord_changelist") + f"?customer__id__exact={obj.pk}"
        return format_html('<a href="{}">{} change records</a>', url, obj.change_records.count())


# --- History: addresses and change records ---------------------------------------------------------


@admin.register(Address)
class AddressAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["customer", "__str__", "postcode", "start_date", "end_date", "is_primary"]
    list_select_related = ["customer__prefix", "customer__suffix"]
    list_filter = ["is_primary"]
    search_fields = ["=customer__ucrn", "postcode", "street", "uprn"]


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "customer", "action", "channel", "user"]
    list_select_related = ["customer__prefix", "customer__suffix", "user"]
    list_filter = ["action", "channel"]
    search_fields = ["=customer__ucrn"]
    fields = ["created_at", "customer", "user", "channel", "action", "changes_as_json"]
    readonly_fields = fields

    @admin.display(description="Changes")
    def changes_as_json(self, obj: ChangeRecord) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.changes, indent=2, ensure_ascii=False))


@admin.register(Merge)
class MergeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Merges are made and undone by `profiles.services.merge` (the hub pages, the API): shown
    here, with both records' snapshots, never changed by hand."""

    list_display = ["created_at", "merged", "survivor", "user", "channel", "undone_at"]
    list_select_related = ["merged__prefix", "merged__suffix", "survivor__prefix", "survivor__suffix", "user"]
    list_filter = ["channel"]
    search_fields = ["=survivor__ucrn", "=merged__ucrn"]
    fields = ["created_at", "survivor", "merged", "user", "channel", "choices", "survivor_version", "undone_at",
              "undone_by", "moved", "survivor_before", "merged_before"]
    readonly_fields = fields


# --- Subscriptions (SPEC 8.2) ----------------------------------------------------------------------


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """The topics customers subscribe to, and the channels each may use (`Topic.clean` checks them)."""

    list_display = ["name", "slug", "channels", "created_at"]
    search_fields = ["slug", "name"]
    prepopulated_fields = {"slug": ("name",)}

    def has_delete_permission(self, request: HttpRequest, obj: Topic | None = None) -> bool:
        # A topic with subscriptions (current or ended) is their history: it stays.
        return super().has_delete_permission(request, obj) and (obj is None or not obj.subscriptions.exists())


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Made and ended by `profiles.services.subscriptions` (the API, the import): shown, never changed here."""

    list_display = ["customer", "topic", "channel", "address", "created_at", "ended_at"]
    list_select_related = ["customer__prefix", "customer__suffix", "topic"]
    list_filter = ["topic", "channel"]
    search_fields = ["=customer__ucrn"]


# --- Reference lists -------------------------------------------------------------------------------


class ReferenceItemAdmin(admin.ModelAdmin):
    """Reference lists are data: editable here, served to forms and the API."""

    list_display = ["id", "name", "sort_order"]
    search_fields = ["name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Changing a primary key in the admin would silently make a second item, not rename the first.
        return ["id"] if obj else []


admin.site.register([Title, Suffix, Location, ContactMethod, ContactType, Status], ReferenceItemAdmin)


@admin.register(Country)
class CountryAdmin(ReferenceItemAdmin):
    list_display = ["id", "name", "alpha_2", "sort_order"]
    search_fields = ["name", "alpha_2"]


@admin.register(Language)
class LanguageAdmin(ReferenceItemAdmin):
    list_display = ["id", "name", "code", "sort_order"]
    search_fields = ["name", "code"]


@admin.register(Placeholder)
class PlaceholderAdmin(admin.ModelAdmin):
    """The placeholders refused on every door (SPEC 8.4): a save or delete here counts at once, everywhere
    (`profiles.placeholders` renews its cached list)."""

    list_display = ["value", "kind", "match", "note"]
    list_filter = ["kind", "match"]
    search_fields = ["value", "note"]


@admin.register(ExtendedSource)
class ExtendedSourceAdmin(admin.ModelAdmin):
    """Other systems whose data the hub keeps per customer (SPEC 8.3): their limits and reference key. The
    slug is fixed once made: it is the data's name in URLs, allow-lists (`extended.<slug>`) and history."""

    list_display = ["slug", "name", "size_limit_kb", "top_level_keys_limit", "reference_key", "reference_unique"]
    search_fields = ["slug", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["slug"] if obj else []
