"""Retention: cases are kept for `CASE_RETENTION_DAYS` (six years by default), then removed.

The clock runs from a case's last change (`updated_at`), so a case still being worked on is never
removed, however long ago it was raised.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from integrations.models import Case


def expired_cases(*, days: int | None = None, now: dt.datetime | None = None) -> QuerySet[Case]:
    """The cases untouched for more than `days` (default: the CASE_RETENTION_DAYS setting)."""
    days = settings.CASE_RETENTION_DAYS if days is None else days
    return Case.objects.filter(updated_at__lt=(now or timezone.now()) - dt.timedelta(days=days))


def case_purge(*, days: int | None = None, dry_run: bool = False) -> dict[str, int]:
    """Remove the expired cases (unless `dry_run`); returns how many, by form name."""
    with transaction.atomic():
        cases = expired_cases(days=days)
        counts = dict(cases.values_list("form__name").annotate(n=Count("id")).order_by("form__name"))
        if not dry_run:
            cases.delete()
    return counts
