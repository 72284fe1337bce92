"""`manage.py purge_expired [--days N] [--dry-run]`: remove the cases kept longer than the retention period, and
the API's idempotency keys older than their 24 hours."""
from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.idempotency import idempotency_purge
from integrations.retention import case_purge


class Command(BaseCommand):
    help = ("Remove cases untouched for longer than the retention period (CASE_RETENTION_DAYS) and report them; "
            "remove the API's idempotency keys older than 24 hours.")

    def add_arguments(self, parser: CommandParser) -> None:
        default = settings.CASE_RETENTION_DAYS
        parser.add_argument("--days", type=int, default=None,
                            help=f"Retention period in days (default: CASE_RETENTION_DAYS, {default}).")
        parser.add_argument("--dry-run", action="store_true", help="Show what would be removed; remove nothing.")

    def handle(self, *args, days: int | None, dry_run: bool, **options) -> None:
        if days is not None and days < 0:
            raise CommandError("--days must be 0 or more.")
        period = settings.CASE_RETENTION_DAYS if days is None else days
        counts = case_purge(days=period, dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(f"{verb} {sum(counts.values())} case(s) untouched for more than {period} days.")
        for form, count in counts.items():
            self.stdout.write(f"  {form}: {count}")
        keys = idempotency_purge(dry_run=dry_run)
        self.stdout.write(f"{verb} {keys} idempotency key(s) older than 24 hours.")
        if dry_run:
            self.stdout.write("Dry run: nothing was removed.")
