"""The core's one table: the API's idempotency keys (`core.idempotency`)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


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
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"
