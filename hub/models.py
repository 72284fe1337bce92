"""The site's own table: which customers each CSA opened last, for the start page.
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
