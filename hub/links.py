"""Links to the hub's pages without the cost of `reverse` on every one (about 40 µs each; a record page has
ten or more): a route's URL is reversed once per URL configuration and script prefix, with a marker where
its argument goes, and each link is then a string replacement. For arguments of ASCII letters and digits (a
UCRN, a case reference), which URL quoting leaves as they are; any other argument goes through `reverse`.
"""
from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

MARK = "0hubLinkArgument0"  # no route's own text holds this


def link(name: str, argument: str = "") -> str:
    """`reverse(name)`, or `reverse(name, args=[argument])` when an argument is given."""
    if not argument:
        return _reversed(name, False, get_urlconf(), get_script_prefix())
    if not (argument.isascii() and argument.isalnum()):
        return reverse(name, args=[argument])
    return _reversed(name, True, get_urlconf(), get_script_prefix()).replace(MARK, argument)


@lru_cache(maxsize=256)
def _reversed(name: str, with_argument: bool, urlconf: str | None, prefix: str) -> str:
    # `urlconf` and `prefix` are the key: `reverse` reads them from the thread itself.
    return reverse(name, args=[MARK] if with_argument else None)
