"""Unique Customer Reference Numbers: 9 digits, the last a Damm check digit.

The Damm algorithm catches every single-digit typo and every swap of two adjacent digits, so a UCRN
misheard over the phone is "not a valid UCRN" rather than someone else's record. Numbers are random, so
they reveal nothing about how many customers there are, and never reused (customers are never deleted).
"""
from __future__ import annotations

import re
import secrets

from stdnum import damm

UCRN_LENGTH = 9
_UCRN = re.compile(r"^[1-9]\d{8}$")


def is_valid_ucrn(value: object) -> bool:
    return isinstance(value, str) and bool(_UCRN.match(value)) and damm.is_valid(value)


def new_ucrn_candidate() -> str:
    body = str(secrets.randbelow(9 * 10**7) + 10**7)  # 8 digits, never a leading zero
    return body + damm.calc_check_digit(body)
