"""The hub's own tables: the API's idempotency keys (`hub.idempotency`), and which customers each CSA
opened last, for the start page.

(`migrate` also sends the hub its post_migrate signal, on which `hub.apps` makes the database cache tables.)
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from profiles.models import Customer

RECENT_COUNT = 10  # the start page lists this many customers, most recently opened first


class RecentCustomer(models.Model):
    """A customer a CSA opened and when they last did: one row per CSA and customer, rewritten on each
    opening, so that a call interrupted mid-form can be picked up from the start page."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, to_field="ucrn", related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "customer"], name="recent_customer_once_per_user")]
        indexes = [models.Index(fields=["user", "-opened_at"], name="recent_customer_newest_first")]

    def __str__(self) -> str:
        return f"{self.customer_id} opened by {self.user_id} at {self.opened_at:%Y-%m-%d %H:%M}"


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` a caller sent with a POST, and the answer that POST got.

    In the database, not a cache, so a retry reaching another server finds it; one per (caller, key), so two
    callers' keys never meet. The row is locked while its request runs, so a concurrent retry waits for it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, the path and the body.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_code = models.PositiveSmallIntegerField()
    headers = models.JSONField(default=dict, blank=True, help_text="The answer's Location, ETag and the like.")
    body = models.TextField(blank=True, help_text="The answer's JSON, as first sent.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="hub_idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"
