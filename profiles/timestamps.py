"""The one style of every date-time the API emits: UTC, RFC 3339 with `Z` and microseconds.

`2026-11-30T08:32:58.123456Z`, whatever `TIME_ZONE` is and whether the moment came from the database (UTC),
from `timezone.now()` or from a local time: a client compares and sorts them as text and never meets an
offset. Dates (birth dates, address dates) stay `YYYY-MM-DD`.
"""
from __future__ import annotations

import datetime as dt


def api_datetime(moment: dt.datetime | None) -> str | None:
    """`moment` in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ`; None stays None. A naive moment is taken as UTC
    (the database's time with `USE_TZ`)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"

