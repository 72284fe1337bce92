"""The change log, and the duplicates' marks and merges."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from profiles.models.customer import Customer

# --- The change log --------------------------------------------------------------------------------


class Channel(models.TextChoices):
    FORM = "form", "Form"
    PORTAL = "portal", "Portal"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    COMMAND = "command", "Command"
    HUB = "hub", "Hub page"
    EVENT = "event", "Event rule"
    IMPORT = "import", "Import"


class ChangeRecord(models.Model):
    """Who changed which customer, when, through which door, and each field's before and after."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        EMAIL_CHANGE = "email_change", "Email changed"
        EXPORT = "export", "Exported (subject access)"
        ERASE = "erase", "Erased"
        MERGE = "merge", "Merged"
        UNMERGE = "unmerge", "Merge undone"
        CASE_LINK = "case_link", "Case linked"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="change_records")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    action = models.CharField(max_length=16, choices=Action.choices)
    changes = models.JSONField(default=list, help_text='[{"field", "before", "after"[, "address_id"]}]')
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.customer.ucrn} via {self.channel}"


# --- Duplicates and merges -------------------------------------------------------------------------


class NotSamePerson(models.Model):
    """A pair a CSA said are two different people, so the pair is never suggested as duplicates again.

    Stored once per pair, the lower customer id first.
    """

    first = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "not the same person"
        verbose_name_plural = "not the same person"
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="not_same_person_pair_unique"),
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")), name="not_same_person_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.first.ucrn} is not {self.second.ucrn}"


class Merge(models.Model):
    """One customer merged into another, with both records as they were, so the merge can be undone."""

    survivor = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges_lost")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    choices = models.JSONField(default=dict, help_text='{data name: "survivor" | "merged"}')
    survivor_before = models.JSONField(help_text="The survivor's row and addresses before the merge.")
    merged_before = models.JSONField(help_text="The merged customer's row and addresses before the merge.")
    moved = models.JSONField(default=dict, help_text='What moved to the survivor: {"addresses": [ids], ...}')
    survivor_version = models.PositiveIntegerField(help_text="The survivor's version right after the merge.")
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged.ucrn} merged into {self.survivor.ucrn}"
