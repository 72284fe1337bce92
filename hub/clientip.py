"""The client's address, as the sign-in lock-out (django-axes) and the API's throttles count it.

Behind a load balancer every request comes from the balancer's address: counted by that, one attacker's
failures would lock every user out. `TRUSTED_PROXY_COUNT` (settings, from the environment) says how many
proxies of our own stand in front of the app; each appends the address it saw to `X-Forwarded-For`, so the
client is the entry that many places from the right. Entries further left were written by the client and
are never believed. With the default, 0, the header is ignored and `REMOTE_ADDR` is the client.

DRF's throttles read the header by the same rule (`REST_FRAMEWORK["NUM_PROXIES"]`, set from the same
setting), so both count one client as one address.
"""
from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str | None:
    """The client's address for `request` (an `HttpRequest`, or anything with its `META`)."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",")]
    candidate = entries[-min(proxies, len(entries))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # our own proxy wrote nonsense: count the connection's address instead
        return remote
