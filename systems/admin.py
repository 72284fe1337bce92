"""The admin of other systems: API clients (allow-lists, tokens), rules, the event log, webhook
subscriptions and their delivery log."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from systems.models import (
    READ_CHOICES,
    SECRET_MIN_LENGTH,
    WRITE_CHOICES,
    ApiClient,
    Delivery,
    DeliveryAttempt,
    Event,
    EventKind,
    Rule,
    RuleAction,
    RuleCondition,
    Subscription,
    check_action,
    extended_choices,
)
from systems.services.clients import api_client_revoke_token, api_client_rotate_token, api_client_user
from systems.services.webhooks import subscription_new_secret, subscription_resume


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs are shown, never written by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- API clients -----------------------------------------------------------------------------------


class ApiClientForm(forms.ModelForm):
    readable = forms.MultipleChoiceField(
        choices=[(n, n) for n in READ_CHOICES], required=False,
        widget=FilteredSelectMultiple("readable data names", is_stacked=False),
        help_text="Only these appear in what it reads (profiles, search results, addresses, history, webhooks).",
    )
    writable = forms.MultipleChoiceField(
        choices=[(n, n) for n in WRITE_CHOICES], required=False,
        widget=FilteredSelectMultiple("writable data names", is_stacked=False),
        help_text="A write naming anything else is refused (403) and changes nothing.",
    )

    class Meta:
        model = ApiClient
        fields = ["name", "user", "active", "readable", "writable", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sources = [(n, n) for n in extended_choices()]  # extended data by source, as registered now
        self.fields["readable"].choices = [*self.fields["readable"].choices, *sources]
        self.fields["writable"].choices = [*self.fields["writable"].choices, *sources]
        if self.instance.pk is None:
            self.fields["user"].required = False
            self.fields["user"].help_text = "Leave blank to make a user of its own (CSA role, no password)."


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "user", "active", "read_count", "write_count", "has_token"]
    list_filter = ["active"]
    search_fields = ["name", "user__username"]
    actions = ["rotate_token", "revoke_token"]

    @admin.display(description="reads")
    def read_count(self, obj: ApiClient) -> int:
        return len(obj.readable)

    @admin.display(description="writes")
    def write_count(self, obj: ApiClient) -> int:
        return len(obj.writable)

    @admin.display(boolean=True, description="token")
    def has_token(self, obj: ApiClient) -> bool:
        return hasattr(obj.user, "auth_token")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiClient]:
        return super().get_queryset(request).select_related("user", "user__auth_token")

    def save_model(self, request: HttpRequest, obj: ApiClient, form: forms.Form, change: bool) -> None:
        if obj.user_id is None:
            obj.user = api_client_user(name=obj.name)
        super().save_model(request, obj, form, change)
        if not change:
            messages.info(request, "Issue its token with the action \"Issue a new token\": the key is shown once.")

    @admin.action(description="Issue a new token (the old one stops working)")
    def rotate_token(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> TemplateResponse:
        keys = [(client, api_client_rotate_token(client=client)) for client in queryset.select_related("user")]
        # A page of its own, not a message: messages may travel in a cookie; the key is shown this once.
        response = TemplateResponse(request, "admin/systems/apiclient/tokens.html", {
            **self.admin_site.each_context(request), "title": "New API tokens", "keys": keys,
            "opts": self.model._meta,
        })
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the token")
    def revoke_token(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        revoked = sum(api_client_revoke_token(client=client) for client in queryset.select_related("user"))
        messages.success(request, f"{revoked} token(s) revoked: those clients get 401 until a new one is issued.")


# --- Rules and events ------------------------------------------------------------------------------


class RuleConditionInline(admin.TabularInline):
    model = RuleCondition
    extra = 0


class RuleActionFormSet(forms.BaseInlineFormSet):
    """Each action is checked against the rule's client as chosen in this same form."""

    def clean(self) -> None:
        super().clean()
        client = getattr(self.instance, "client", None)
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            try:
                check_action(data_name=data.get("data_name", ""), strategy=data.get("strategy", ""), client=client)
            except ValidationError as error:
                form.add_error("data_name", error.error_dict["data_name"])
        if any(form.errors for form in self.forms):
            raise ValidationError("Correct the actions below.")


class RuleActionForm(forms.ModelForm):
    data_name = forms.ChoiceField(choices=[(n, n) for n in WRITE_CHOICES])

    class Meta:
        model = RuleAction
        fields = ["property", "data_name", "strategy"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A source's whole object (`extended.<source>`): the property copied must be a JSON object.
        self.fields["data_name"].choices = [*self.fields["data_name"].choices,
                                            *((n, n) for n in extended_choices())]


class RuleActionInline(admin.TabularInline):
    model = RuleAction
    form = RuleActionForm
    formset = RuleActionFormSet
    extra = 0
    min_num = 1


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["name", "event_type", "client", "active", "order"]
    list_filter = ["active", "event_type", "client"]
    inlines = [RuleConditionInline, RuleActionInline]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "type", "client", "customer", "outcome"]
    list_filter = ["outcome", "type", "client"]
    search_fields = ["customer__ucrn", "type"]
    readonly_fields = ["type", "client", "user", "customer", "payload", "outcome", "rules", "changed", "errors",
                       "received_at"]


# --- Webhooks --------------------------------------------------------------------------------------


class SubscriptionForm(forms.ModelForm):
    """The secret is never shown in the form: left blank, the hub generates one on creation (shown once,
    after saving) and keeps the stored one on a change; typed in, it replaces it."""

    kinds = forms.MultipleChoiceField(choices=EventKind.choices, widget=forms.CheckboxSelectMultiple)
    new_secret = forms.CharField(
        label="Secret", required=False, min_length=SECRET_MIN_LENGTH, max_length=200, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=f"Leave blank: a new subscription gets a generated secret, shown once after saving (use the "
        f"action \"Generate a new secret\" to replace one). Or type the subscriber's own: at least "
        f"{SECRET_MIN_LENGTH} characters. It signs every body (HMAC-SHA256).",
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "kinds", "client", "active", "paused_at"]

    def save(self, commit: bool = True) -> Subscription:
        if self.cleaned_data.get("new_secret"):
            self.instance.secret = self.cleaned_data["new_secret"]
        return super().save(commit)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "url", "client", "active", "paused_at", "failing_since", "pending"]
    list_filter = ["active"]
    readonly_fields = ["failing_since"]
    actions = ["resume", "generate_secret"]

    @admin.display(description="pending")
    def pending(self, obj: Subscription) -> int:
        return obj.deliveries.filter(status=Delivery.Status.PENDING).count()

    def save_model(self, request: HttpRequest, obj: Subscription, form: forms.Form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change and not form.cleaned_data.get("new_secret"):
            request._generated_secrets = [(obj, obj.secret)]  # the model's default: shown once, below

    def response_add(self, request: HttpRequest, obj: Subscription, post_url_continue: str | None = None) -> Any:
        generated = getattr(request, "_generated_secrets", None)
        if generated:
            return self._secrets_page(request, generated)
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description="Generate a new secret (the old one stops signing; shown once)")
    def generate_secret(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> TemplateResponse:
        return self._secrets_page(request, [(s, subscription_new_secret(subscription=s)) for s in queryset])

    def _secrets_page(self, request: HttpRequest, secrets: list[tuple[Subscription, str]]) -> TemplateResponse:
        # A page of its own, never stored: messages may travel in a cookie; the secret is shown this once.
        response = TemplateResponse(request, "admin/systems/subscription/secrets.html", {
            **self.admin_site.each_context(request), "title": "Webhook secrets", "secrets": secrets,
            "opts": self.model._meta,
        })
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Resume (send its pending deliveries now)")
    def resume(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        due = sum(subscription_resume(subscription=s) for s in queryset)
        messages.success(request, f"Resumed; {due} pending deliveries are due now.")


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["at", "status_code", "error", "duration_ms"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: every message of the outbox, its attempts and where it stands."""

    list_display = ["id", "created_at", "kind", "customer_key", "subscription", "status", "attempts",
                    "next_attempt_at", "last_status", "last_error"]
    list_filter = ["status", "kind", "subscription"]
    search_fields = ["customer_key", "delivery_id"]
    readonly_fields = ["delivery_id", "subscription", "kind", "customer_key", "payload", "status", "attempts",
                       "next_attempt_at", "locked_until", "last_status", "last_error", "created_at", "sent_at"]
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now"]

    @admin.action(description="Retry now")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = queryset.filter(status=Delivery.Status.PENDING).update(next_attempt_at=timezone.now())
        messages.success(request, f"{count} pending deliveries are due now.")
