"""`manage.py run_webhooks [--once] [--interval S] [--limit N]`: send the webhooks' outbox.

Long-running by default: a pass, then a short sleep when there was nothing to send. Run one or several
(on PostgreSQL they never send the same delivery twice at once). `--once` makes a single pass (cron,
tests, scripts) and exits.
"""
from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from systems.services.webhooks import deliver_due


class Command(BaseCommand):
    help = "Send due webhook deliveries (the outbox), retrying with backoff; --once for a single pass."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds to sleep when idle (default 2).")
        parser.add_argument("--limit", type=int, default=500, help="At most this many attempts a pass.")

    def handle(self, *args, once: bool, interval: float, limit: int, **options) -> None:
        self.stopping = False
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        while True:
            if not once:
                close_old_connections()  # a long-running worker outlives its connections
            report = deliver_due(limit=limit)
            if report.sent or report.failed or once:
                self.stdout.write(f"webhooks: {report.sent} sent, {report.failed} failed")
            if once or self.stopping:
                return
            if not (report.sent or report.failed):
                self._sleep(interval)
            if self.stopping:
                return

    def _stop(self, *args) -> None:
        self.stopping = True

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.2, end - time.monotonic()))
