"""Where webhooks may be sent: public internet addresses only, unless the administrator allows a network.

A webhook URL is chosen in the admin, and the hub POSTs to it from inside the council's network: pointed
at `http://169.254.169.254/` (a cloud's metadata service), `http://127.0.0.1:6379/` or an internal host,
it would make the hub a proxy into places no one outside may reach. So a destination must be a globally
routable unicast address (not loopback, private, link-local, unique-local, shared, reserved, multicast or
unspecified), unless it is in `settings.WEBHOOK_ALLOWED_NETWORKS` (CIDRs), which an administrator sets for
a private integration network.

The check is made twice: on the URL as typed (the admin refuses an address or `localhost`), and at every
send on each address the host name resolves to then, since DNS can change after the URL was saved. The
sender connects to an address this module checked (`resolve`), never resolves the name again.
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationRefused(Exception):
    """The URL's host is, or resolves to, an address webhooks may not reach; the message says which."""


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """`WEBHOOK_ALLOWED_NETWORKS`: CIDRs (a list, or one comma-separated string) open to webhooks."""
    value = getattr(settings, "WEBHOOK_ALLOWED_NETWORKS", None) or []
    if isinstance(value, str):
        value = value.split(",")
    return [ipaddress.ip_network(str(item).strip(), strict=False) for item in value if str(item).strip()]


def _plain(address: IPAddress) -> IPAddress:
    """An IPv4 address carried in IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it reaches."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def why_refused(address: IPAddress) -> str | None:
    """None when webhooks may reach `address`; otherwise what kind of address it is."""
    address = _plain(address)
    if any(address in network for network in allowed_networks() if network.version == address.version):
        return None
    for kind, test in (("unspecified", address.is_unspecified), ("loopback", address.is_loopback),
                       ("link-local", address.is_link_local), ("multicast", address.is_multicast),
                       ("private", address.is_private), ("reserved", address.is_reserved)):
        if test:
            return kind
    if not address.is_global:
        return "non-public"  # shared (100.64.0.0/10), documentation and other special-purpose ranges
    return None


def _refusal(host: str, address: IPAddress, kind: str) -> DestinationRefused:
    shown = host if host == str(address) else f"{host} ({address})"
    return DestinationRefused(
        f"{shown} is a {kind} address: webhooks are sent only to public addresses, unless "
        "WEBHOOK_ALLOWED_NETWORKS allows its network.")


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as an IP literal means, in every notation the resolver accepts
    (`127.1`, `2130706433` and `0x7f.1` are 127.0.0.1 to it); None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def host_of(url: str) -> tuple[str, int]:
    """The host (without IPv6 brackets, lower case, no trailing dot) and port of a webhook URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise DestinationRefused("Webhooks are sent over http or https only.")
    try:
        port = parts.port
    except ValueError:
        raise DestinationRefused("The URL's port is not a number from 0 to 65535.") from None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise DestinationRefused("The URL has no host.")
    return host, port or (443 if parts.scheme == "https" else 80)


def check_url(url: str) -> None:
    """Refuse a URL whose host is a refused address or a name for this machine (`localhost`).

    Other names are not resolved here (saving a form must not depend on DNS): `resolve` checks what they
    point to at every send.
    """
    host, _ = host_of(url)
    if host == "localhost" or host.endswith(".localhost"):
        for address in (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")):
            if (kind := why_refused(address)) is not None:
                raise _refusal(host, address, kind)
        return
    address = literal_address(host)
    if address is not None and (kind := why_refused(address)) is not None:
        raise _refusal(host, address, kind)


def resolve(host: str, port: int) -> list[tuple[socket.AddressFamily, IPAddress]]:
    """Every address `host` resolves to now, each checked; refused if any one of them is refused (a name
    answering with a public and a private address could be served either)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise DestinationRefused(f"{host} does not resolve: {error}") from None
    addresses: list[tuple[socket.AddressFamily, IPAddress]] = []
    for family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if (kind := why_refused(address)) is not None:
            raise _refusal(host, address, kind)
        if (family, address) not in addresses:
            addresses.append((family, address))
    if not addresses:
        raise DestinationRefused(f"{host} resolves to no address.")
    return addresses


def connect(addresses: Iterable[tuple[socket.AddressFamily, IPAddress]], port: int, timeout: float | None,
            source_address: tuple[str, int] | None = None) -> socket.socket:
    """A TCP connection to the first of the checked `addresses` that answers."""
    last: OSError | None = None
    for family, address in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if timeout is not None:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect((str(address), port))
            return sock
        except OSError as error:
            sock.close()
            last = error
    raise last or OSError("no address to connect to")
