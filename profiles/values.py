"""Parsers for every kind of value that comes from outside: forms, the API, imports.

Each parser takes a non-blank raw value (a string from a form, or a JSON value) and returns the value to
store, or raises `ValidationError` with a message that says what to do and a machine-readable code. They
know nothing of customers: `profiles.datanames` says which parser each data name uses.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from ukpostcodeutils.validation import is_valid_partial_postcode, is_valid_postcode

from core.jsonlimits import INVALID_TEXT

ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
TWITTER = re.compile(r"^@?([A-Za-z0-9_]{1,15})$")
DIGITS = re.compile(r"^\d+$")
INTEGER = re.compile(r"^-?\d+$")
# Characters PostgreSQL cannot store, and other control characters no person types into a form.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A code point U+D800..U+DFFF on its own in a Python string (JSON's "\ud800" escape makes one) is not Unicode
# text: UTF-8 cannot encode it, so neither a response nor PostgreSQL nor SQLite can hold it.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
NOT_UNICODE = "This text holds a character that is not Unicode (a lone surrogate, such as \\ud800): remove it."
BIRTH_DATE_MIN = dt.date(1850, 1, 1)
INT_LIMIT = 2**31


def is_blank(value: Any) -> bool:
    """Blank means "" (after trimming), None, or an empty list: the blank rule of SPEC 4.2 applies."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, (list, tuple)):
        return len(value) == 0
    return False


def today() -> dt.date:
    """Today in the hub's time zone (SPEC 4.3.5)."""
    return timezone.localdate()


def parse_text(value: Any, *, max_length: int) -> str:
    if not isinstance(value, str):
        raise ValidationError("Enter text.", code="invalid")
    value = value.strip()
    if LONE_SURROGATE.search(value):
        raise ValidationError(NOT_UNICODE, code=INVALID_TEXT)
    if CONTROL_CHARS.search(value):
        raise ValidationError("Remove the control characters from this text.", code="invalid")
    if len(value) > max_length:
        raise ValidationError(
            f"Enter at most {max_length} characters (this has {len(value)}).", code="max_length"
        )
    return value


def parse_int(value: Any) -> int:
    """An integer given as a JSON number or a string of digits; never a boolean or a fraction."""
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and INTEGER.match(value.strip()) and len(value.strip().lstrip("-")) <= 12:
        number = int(value.strip())  # a minus too, as a JSON number may have one: the two forms agree
    # Ids and list entries are small; a huge number is a mistake (and overflows SQLite's integers).
    if number is None or not -INT_LIMIT < number < INT_LIMIT:
        raise ValidationError("Enter a whole number.", code="invalid")
    return number


def parse_date(value: Any) -> dt.date:
    """A date object, ISO `YYYY-MM-DD`, or US `MM/DD/YYYY` text (the seed's rule); nothing else."""
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValidationError("Enter a date as YYYY-MM-DD or MM/DD/YYYY.", code="invalid")
    text = value.strip()
    if match := ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := US_DATE.match(text):
        month, day, year = (int(g) for g in match.groups())
    else:
        raise ValidationError("Enter a date as YYYY-MM-DD or MM/DD/YYYY.", code="invalid")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(f"{text} is not a real date.", code="invalid") from None


def parse_birth_date(value: Any) -> dt.date:
    date = parse_date(value)
    if date > today():
        raise ValidationError("A birth date cannot be in the future.", code="future_date")
    if date < BIRTH_DATE_MIN:
        raise ValidationError("Enter a birth date after 1850.", code="invalid")
    return date


def parse_email(value: Any) -> str:
    text = parse_text(value, max_length=254)
    try:
        validate_email(text)
    except ValidationError:
        raise ValidationError("Enter an email address such as name@example.com.", code="invalid") from None
    return text


def parse_phone(value: Any) -> str:
    """A phone number in any common format, the UK by default; stored in E.164."""
    return _e164(parse_text(value, max_length=40))


@lru_cache(maxsize=65536)
def _e164(text: str) -> str:
    """`parse_phone` of a text, kept: a bulk import sees the same numbers again (a re-sent batch, a household's
    landline), and parsing one costs more than the rest of its record's checks (an error is not kept)."""
    if re.search(r"[A-Za-z]", text):
        raise ValidationError("Enter a phone number using digits, such as 0117 496 0123.", code="invalid")
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise ValidationError("Enter a phone number such as 0117 496 0123.", code="invalid") from None
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise ValidationError(
            "This is not a possible phone number: check the number of digits.", code="invalid"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def phone_national(e164: str) -> str:
    """How pages show a stored number: `0117 496 0123` for UK numbers, international otherwise. Kept: the
    record page shows two on every view and a search's first page the same customers to every CSA who types
    the same name, and parsing and formatting a number costs more than the rest of its row."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, None)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


def phone_search_key(text: str) -> str | None:
    """The E.164 form of a phone number typed into a search, or None if it is not one."""
    try:
        return parse_phone(text)
    except ValidationError:
        return None


def parse_twitter(value: Any) -> str:
    text = parse_text(value, max_length=16)
    match = TWITTER.match(text)
    if not match:
        raise ValidationError(
            "Enter a Twitter handle: up to 15 letters, digits or underscores, with or without @.",
            code="invalid",
        )
    return match.group(1)


def normalise_postcode(text: str) -> str:
    """`sw1a1aa` -> `SW1A 1AA`; the caller has checked it is a valid full UK postcode."""
    compact = re.sub(r"\s+", "", text).upper()
    return f"{compact[:-3]} {compact[-3:]}"


def parse_uk_postcode(value: Any) -> str:
    text = parse_text(value, max_length=100)
    compact = re.sub(r"\s+", "", text).upper()
    if not is_valid_postcode(compact):
        raise ValidationError(f"{text} is not a valid UK postcode, such as SW1A 1AA.", code="invalid")
    return normalise_postcode(compact)


def postcode_search_key(text: str) -> tuple[str, bool] | None:
    """A searched postcode, normalised: (`M1 1AE`, True) for a full one, (`M1`, False) for an outward code."""
    compact = re.sub(r"\s+", "", text or "").upper()
    if is_valid_postcode(compact):
        return normalise_postcode(compact), True
    if is_valid_partial_postcode(compact):
        return compact, False
    return None


def parse_uprn(value: Any) -> str:
    """A Unique Property Reference Number: 1 to 12 digits, stored without leading zeros."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValidationError("Enter a UPRN of 1 to 12 digits.", code="invalid")
    text = str(value).strip()
    if not DIGITS.match(text) or len(text) > 12:
        raise ValidationError("Enter a UPRN of 1 to 12 digits.", code="invalid")
    return str(int(text))


def parse_coordinate(value: Any, *, limit: int) -> Decimal:
    """A latitude (limit 90) or longitude (limit 180) in decimal degrees, kept to 6 places."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValidationError("Enter a number of decimal degrees.", code="invalid")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError("Enter a number of decimal degrees.", code="invalid") from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise ValidationError(f"Enter a number from -{limit} to {limit}.", code="out_of_range")
    return number.quantize(Decimal("0.000001"))


def parse_flag(value: Any) -> int:
    """0 or 1 (also `true`/`false`, and those as strings)."""
    return int(parse_bool(value))


def parse_bool(value: Any) -> bool:
    """Options take true/false, 1/0, or those as strings (SPEC 4.2)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in {"1", "true", "0", "false"}:
        return value.strip().lower() in {"1", "true"}
    raise ValidationError("Enter true or false (or 1 or 0).", code="invalid")


def parse_int_list(value: Any) -> list[int]:
    """A list of whole numbers, in order, no repeats: `[3, 1]`, `["3", "1"]` or the text `3,1`."""
    if isinstance(value, str):
        items: list[Any] = [part for part in value.split(",")]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise ValidationError("Enter a list such as 3,1.", code="invalid")
    numbers = []
    for item in items:
        if isinstance(item, str) and item.strip() == "":
            raise ValidationError("Enter a list such as 3,1, without empty entries.", code="invalid")
        numbers.append(parse_int(item))
    if len(set(numbers)) != len(numbers):
        raise ValidationError("Give each contact method once.", code="duplicate")
    return numbers
