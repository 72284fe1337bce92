"""Property-based fuzzing of every parser of outside input: each returns a value or raises
Django's ValidationError, never anything else, and what it accepts round-trips (parsed, written out as the
hub stores or shows it, and parsed again, it is the same value). The API's JSON parser and the limits on
stored JSON are fuzzed with bodies nested thousands deep and text holding lone surrogates."""
from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ParseError

from core import jsonlimits
from core.api import JSONParser
from integrations import tokens
from profiles import values
from profiles.ucrn import is_valid_ucrn, new_ucrn_candidate

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text as a JSON "\ud800" escape can make it: Hypothesis's text() never holds a lone surrogate (U+D800..U+DFFF).
surrogate_text = st.lists(st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr), st.just("\x00")),
                          max_size=12).map("".join)
# Anything a JSON body or a form can carry, and text shaped like each kind of value.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text()
    | surrogate_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
digits = st.text("0123456789", min_size=1, max_size=14)
date_like = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: f"{d.month}/{d.day}/{d.year:04d}"),
    st.from_regex(r"\A\s*\d{1,4}[-/]\d{1,2}[-/]\d{1,4}\s*\Z"),
    st.text(max_size=12),
)
postcode_like = st.one_of(st.from_regex(r"\A[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}\Z"), st.text(max_size=10))
phone_like = st.one_of(st.from_regex(r"\A\+?[\d ()-]{1,20}\Z"), st.text(max_size=20))
number_like = st.one_of(st.from_regex(r"\A-?\d{1,4}(\.\d{0,9})?\Z"), st.floats(), st.integers(), st.text(max_size=10))
int_list_like = st.one_of(st.from_regex(r"\A\d{1,3}(,\s?\d{1,3}){0,5}\Z"),
                          st.lists(st.one_of(st.integers(), digits, st.text(max_size=3)), max_size=6))


def outcome(parser, raw):
    """The parser's value, or None for a ValidationError; any other exception fails the test."""
    try:
        return parser(raw)
    except ValidationError as error:
        assert error.messages and all(isinstance(m, str) and m for m in error.messages)
        return None


@FUZZ
@given(st.one_of(json_values, date_like))
def test_dates(raw):
    parsed = outcome(values.parse_date, raw)
    if parsed is not None:
        assert values.parse_date(parsed.isoformat()) == parsed
        assert values.parse_date(f"{parsed.month:02d}/{parsed.day:02d}/{parsed.year:04d}") == parsed
    birth = outcome(values.parse_birth_date, raw)
    if birth is not None:
        assert values.BIRTH_DATE_MIN <= birth <= values.today()
        assert values.parse_birth_date(birth.isoformat()) == birth


@FUZZ
@given(st.dates())
def test_every_real_date_is_accepted_in_both_formats(date):
    assert values.parse_date(date.isoformat()) == date
    if date.year >= 1000:
        assert values.parse_date(f"{date.month}/{date.day}/{date.year}") == date


@FUZZ
@given(st.one_of(json_values, postcode_like))
def test_postcodes(raw):
    parsed = outcome(values.parse_uk_postcode, raw)
    if parsed is not None:
        assert parsed == parsed.upper() and " " in parsed
        assert values.parse_uk_postcode(parsed) == parsed
        assert values.parse_uk_postcode(parsed.replace(" ", "").lower()) == parsed
        assert values.postcode_search_key(parsed) == (parsed, True)
    if isinstance(raw, str):
        values.postcode_search_key(raw)  # None or a key, never an exception


@FUZZ
@given(st.one_of(json_values, phone_like))
def test_phone_numbers(raw):
    parsed = outcome(values.parse_phone, raw)
    if parsed is not None:
        assert parsed.startswith("+")
        assert values.parse_phone(parsed) == parsed
        assert values.parse_phone(values.phone_national(parsed)) == parsed
    if isinstance(raw, str):
        assert values.phone_search_key(raw) == parsed


@FUZZ
@given(st.one_of(json_values, digits))
def test_uprns(raw):
    parsed = outcome(values.parse_uprn, raw)
    if parsed is not None:
        assert parsed.isdigit() and len(parsed) <= 12
        assert values.parse_uprn(parsed) == parsed


@FUZZ
@given(st.one_of(json_values, number_like), st.sampled_from([90, 180]))
def test_coordinates(raw, limit):
    parsed = outcome(lambda v: values.parse_coordinate(v, limit=limit), raw)
    if parsed is not None:
        assert -limit <= parsed <= limit
        assert values.parse_coordinate(str(parsed), limit=limit) == parsed
        assert parsed == parsed.quantize(Decimal("0.000001"))


@FUZZ
@given(st.one_of(json_values, st.from_regex(r"\A@?\w{0,17}\Z")))
def test_twitter_handles(raw):
    parsed = outcome(values.parse_twitter, raw)
    if parsed is not None:
        assert values.parse_twitter(parsed) == parsed
        assert values.parse_twitter("@" + parsed) == parsed


@FUZZ
@given(st.one_of(json_values, int_list_like))
def test_int_lists(raw):
    parsed = outcome(values.parse_int_list, raw)
    if parsed:  # [] is blank: the blank rule handles it before any parser
        assert len(set(parsed)) == len(parsed)
        assert values.parse_int_list(",".join(str(n) for n in parsed)) == parsed
        assert values.parse_int_list(parsed) == parsed


@FUZZ
@given(json_values)
def test_options_flags_ints_texts_emails(raw):
    option = outcome(values.parse_bool, raw)
    if option is not None:
        assert values.parse_bool(str(option).lower()) is option
        assert values.parse_flag(raw) == int(option)
    number = outcome(values.parse_int, raw)
    if number is not None:
        assert values.parse_int(str(number)) == number
    text = outcome(lambda v: values.parse_text(v, max_length=100), raw)
    if text is not None:
        assert values.parse_text(text, max_length=100) == text
    email = outcome(values.parse_email, raw)
    if email is not None:
        assert values.parse_email(email) == email


@FUZZ
@given(st.one_of(json_values, st.from_regex(r"\A\d{9}\Z")))
def test_ucrns(raw):
    assert is_valid_ucrn(raw) in (True, False)


@FUZZ
@given(st.integers(min_value=0, max_value=8), st.integers(min_value=0, max_value=9))
def test_ucrn_catches_every_single_digit_typo(position, digit):
    ucrn = new_ucrn_candidate()
    assert is_valid_ucrn(ucrn)
    typo = ucrn[:position] + str(digit) + ucrn[position + 1:]
    assert is_valid_ucrn(typo) == (typo == ucrn)


field_names = st.from_regex(r"\A[A-Za-z][A-Za-z0-9_]{0,6}\Z")


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("{}ab_ 1Xx,")), max_size=30),
       st.dictionaries(field_names, st.one_of(st.none(), st.text(max_size=8), st.lists(st.integers(0, 5), max_size=3),
                                              st.booleans(), st.integers(), st.dates()), max_size=5))
def test_token_templates(template, submitted):
    """A template renders, or names a field the form lacks (which the admin refuses); nothing else."""
    lookup = {k.lower() for k in submitted}
    try:
        result = tokens.render(template, submitted)
    except tokens.UnknownToken as missing:
        assert missing.args[0] not in lookup
        return
    assert set(tokens.tokens_in(template)) <= lookup
    if not isinstance(result, str):  # a lone token passes its value through
        assert tokens.TOKEN.fullmatch(template.strip())
    # Filling every token makes the template render.
    full = {**{name: "v" for name in tokens.tokens_in(template)}, **submitted}
    tokens.render(template, full)


@pytest.mark.parametrize("raw", ["2024-02-30", "13/01/2020", "0000-01-01", "", "  ", "2024-1-1"])
def test_examples_that_must_be_refused(raw):
    with pytest.raises(ValidationError):
        values.parse_date(raw)


def test_a_future_birth_date_is_refused():
    with pytest.raises(ValidationError):
        values.parse_birth_date((values.today() + dt.timedelta(days=1)).isoformat())


# --- JSON bodies: the API's parser and the limits on stored JSON ----------------------------------------


def nest(inner: str, wrappers: list[str]) -> str:
    """`inner` inside each wrapper in turn, written as text: json.dumps would itself recurse too deep."""
    opening = {"list": "[", "object": '{"k": ', "pair": '{"a": 1, "b": '}
    closing = {"list": "]", "object": "}", "pair": "}"}
    return "".join(opening[w] for w in wrappers) + inner + "".join(closing[w] for w in reversed(wrappers))


# A leaf as JSON text (surrogates as escapes), nested 0 to 3,000 deep; or the same cut short.
raw_bodies = st.builds(
    nest,
    st.one_of(json_values, surrogate_text).map(json.dumps),
    st.one_of(st.lists(st.sampled_from(["list", "object", "pair"]), max_size=40),
              st.integers(0, 3000).map(lambda n: ["list"] * n),
              st.integers(0, 3000).map(lambda n: ["object"] * n)),
) | st.builds(lambda body, cut: body[:cut], st.integers(900, 1100).map(lambda n: "[" * n + "]" * n),
              st.integers(0, 2200))


def depth(value) -> int:
    """Nesting depth, without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest


def texts(value) -> list[str]:
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend([*item, *item.values()])
        elif isinstance(item, list):
            stack.extend(item)
    return found


@FUZZ
@given(raw_bodies)
def test_the_api_parser_takes_a_body_or_refuses_it_with_codes(raw):
    """What the parser passes is within the depth limit and all storable text; anything else is a
    ParseError (a 400) whose every message carries a code: never RecursionError, never UnicodeError."""
    try:
        data = JSONParser().parse(io.BytesIO(raw.encode()), "application/json", {})
    except ParseError as error:
        details = error.get_full_details()
        problems = details.values() if isinstance(details, dict) and "code" not in details else [[details]]
        assert all(p["code"] and p["message"] for items in problems for p in items)
        return
    assert depth(data) <= jsonlimits.REQUEST_MAX_DEPTH
    assert all(jsonlimits.is_storable_text(text) for text in texts(data))
    json.dumps(data, ensure_ascii=False).encode()  # the body can be echoed and stored


@FUZZ
@given(st.one_of(json_values, st.integers(0, 40).map(lambda n: json.loads(nest("1", ["object"] * n)))))
def test_stored_json_is_within_its_limits_or_refused_by_name(value):
    try:
        jsonlimits.check_stored_json(value, name="properties")
    except ValidationError as error:
        assert list(error.error_dict) == ["properties"]
        assert error.error_dict["properties"][0].code in ("too_deep", "too_large", "invalid_text")
        return
    assert depth(value) <= jsonlimits.STORED_MAX_DEPTH
    assert len(json.dumps(value, ensure_ascii=False).encode()) <= jsonlimits.STORED_MAX_BYTES


@FUZZ
@given(raw_bodies)
def test_load_json_takes_a_value_or_raises_a_validation_error(raw):
    try:
        data = jsonlimits.load_json(raw)
    except ValidationError as error:
        assert error.code in ("parse_error", "too_deep", "invalid_text")
        return
    assert depth(data) <= jsonlimits.REQUEST_MAX_DEPTH
