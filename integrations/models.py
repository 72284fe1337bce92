"""Forms, their fields, the profile integrations attached to them, and the cases they raise (SPEC 5)."""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from profiles.models import REFERENCE_LISTS, Customer


class Form(models.Model):
    class Audience(models.TextChoices):
        CSA = "csa", "CSAs"
        CITIZEN = "citizen", "Citizens"
        BOTH = "both", "CSAs and citizens"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, default="")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.CSA)
    allow_anonymous = models.BooleanField(
        default=False, help_text="A case may be raised for a caller who is not (yet) a customer."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FormField(models.Model):
    class Type(models.TextChoices):
        TEXT = "text", "Text"
        TEXTAREA = "textarea", "Text area"
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        DATE = "date", "Date"
        NUMBER = "number", "Number"
        SELECT = "select", "Select"
        CHECKBOX = "checkbox", "Checkbox"
        CHECKBOX_LIST = "checkbox_list", "Checkbox list"
        UCRN_LOOKUP = "ucrn_lookup", "UCRN lookup"

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="fields")
    data_name = models.CharField(
        max_length=100, help_text="Use the system data name (First_Name) so that Get fills it and tokens find it."
    )
    label = models.CharField(max_length=200)
    help_text = models.CharField(max_length=500, blank=True, default="")
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.TEXT)
    required = models.BooleanField(default=False)
    options = models.TextField(
        blank=True, default="", help_text="For select and checkbox list fields: one `value|label` per line."
    )
    hub_list = models.CharField(
        max_length=30,
        blank=True,
        default="",
        choices=[(name, name.replace("_", " ").capitalize()) for name in REFERENCE_LISTS],
        help_text="Take the options from a hub list instead.",
    )
    display_only = models.BooleanField(
        default=False,
        help_text="Shown for reference and never sent: no integration maps it. Without this, the admin refuses "
        "a field that no Create or Update integration of the form sends.",
    )
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint("form", Lower("data_name"), name="form_field_data_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.data_name})"

    def typed_options(self) -> list[tuple[str, str]]:
        """The (value, label) pairs typed in by the administrator."""
        pairs = []
        for line in self.options.splitlines():
            if line.strip():
                value, _, label = line.partition("|")
                pairs.append((value.strip(), (label or value).strip()))
        return pairs


class Integration(models.Model):
    class Kind(models.TextChoices):
        GET = "get", "Get"
        CREATE = "create", "Create"
        UPDATE = "update", "Update"

    class When(models.TextChoices):
        LOOKUP = "lookup", "On lookup"
        PRE_SUBMISSION = "pre_submission", "Pre-submission (on save)"
        SUBMISSION = "submission", "On submission"

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="integrations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    when = models.CharField(max_length=20, choices=When.choices, default=When.SUBMISSION)
    ignore_empty_entries = models.BooleanField(default=False)
    keep_empty_end_dates = models.BooleanField(default=False)
    update_primary_address = models.CharField(
        max_length=100, default="0", help_text="0 (new address record), 1 (update the primary), or a {Token}."
    )
    address_is_primary = models.CharField(max_length=100, default="1", help_text="1, 0, or a {Token}.")
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_when_display().lower()})"


class Mapping(models.Model):
    """One integration field (a data name) and the template that fills it."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="mappings")
    field_name = models.CharField("integration field", max_length=100)
    template = models.CharField(max_length=500, help_text="Text with {Tokens} naming form fields.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint("integration", Lower("field_name"), name="mapping_field_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.field_name} = {self.template}"


def new_case_reference() -> str:
    return "CAS-" + "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(8))


class Case(models.Model):
    """A submission of a form: what was entered, by whom, about which customer, and what it did."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    reference = models.CharField(max_length=20, unique=True, default=new_case_reference, editable=False)
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="cases")
    data = models.JSONField(default=dict)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    results = models.JSONField(default=list, blank=True)
    # What the lookup filled, so that a reopened case still sends only what the person changed
    # (`integrations.runner.Shown.as_data`); null when the form was not looked up.
    looked_up = models.JSONField(null=True, blank=True, editable=False)
    # The customer this case's Create made: later runs of the case update it instead of creating another.
    created_customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.reference
