"""The input parsers of SPEC sections 1 and 2, directly and through the data-name table."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from profiles import values
from profiles.datanames import ADDRESS_NAMES, PROFILE_NAMES
from profiles.models import Customer

from .support import create, db_state, refused


def code_of(parse, raw):
    with pytest.raises(ValidationError) as excinfo:
        parse(raw)
    return excinfo.value.code


# --- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1990-12-30", dt.date(1990, 12, 30)),
        ("12/30/1990", dt.date(1990, 12, 30)),
        ("1/2/1990", dt.date(1990, 1, 2)),
        (" 02/28/2000 ", dt.date(2000, 2, 28)),
        ("02/29/2000", dt.date(2000, 2, 29)),
        (dt.date(1990, 12, 30), dt.date(1990, 12, 30)),
        (dt.datetime(1990, 12, 30, 10, 0), dt.date(1990, 12, 30)),
    ],
)
def test_dates_iso_and_us_accepted(raw, expected):
    """SPEC 1: ISO YYYY-MM-DD or US MM/DD/YYYY."""
    assert values.parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "02/30/1990",  # no 30 February
        "02/29/1999",  # not a leap year
        "1990-02-30",
        "30/12/1990",  # day first: month 30 does not exist
        "13/01/1990",
        "1990/12/30",
        "12-30-1990",
        "30.12.1990",
        "30 Dec 1990",
        "19901230",
        "90-12-30",
        "12/30/90",
        "1990-1-2",
        "",
        "tomorrow",
        19901230,
        None,
    ],
)
def test_dates_other_formats_and_impossible_dates_refused(raw):
    assert code_of(values.parse_date, raw) == "invalid"


def test_birth_date_in_future_refused_today_accepted():
    tomorrow = values.today() + dt.timedelta(days=1)
    assert code_of(values.parse_birth_date, tomorrow.isoformat()) == "future_date"
    assert code_of(values.parse_birth_date, tomorrow.strftime("%m/%d/%Y")) == "future_date"
    assert values.parse_birth_date(values.today().isoformat()) == values.today()


def test_today_is_the_hub_time_zone_date(monkeypatch, settings):
    """SPEC 4.3.5: "today" is the local date in TIME_ZONE, not the UTC date: at 23:30 UTC on a summer
    evening it is already tomorrow in London."""
    from django.utils import timezone

    late_evening_utc = dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late_evening_utc)
    settings.TIME_ZONE = "Europe/London"
    assert values.today() == dt.date(2026, 7, 1)
    settings.TIME_ZONE = "UTC"
    assert values.today() == dt.date(2026, 6, 30)


def test_birth_date_in_future_refused_by_create(csa):
    before = db_state()
    tomorrow = (values.today() + dt.timedelta(days=1)).isoformat()
    assert refused(create, csa, birth_date=tomorrow) == {"birth_date": ["future_date"]}
    assert db_state() == before


def test_birth_date_output_is_iso(csa):
    result = create(csa, birth_date="07/04/1976")
    assert result.profile["birth_date"] == "1976-07-04"
    assert result.customer.birth_date == dt.date(1976, 7, 4)


# --- phones ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "0117 496 0123",
        "01174960123",
        "+44 117 496 0123",
        "+441174960123",
        "0044 117 496 0123",
        "(0117) 496-0123",
        "+44 (0)117 496 0123",
        " 0117-496-0123 ",
    ],
)
def test_phone_formats_stored_as_e164(raw):
    """SPEC 1: parsed with the UK as default region, stored in E.164."""
    assert values.parse_phone(raw) == "+441174960123"


def test_phone_mobile_and_foreign_numbers():
    assert values.parse_phone("07700 900123") == "+447700900123"
    assert values.parse_phone("+33 1 42 68 53 00") == "+33142685300"


@pytest.mark.parametrize("raw", ["0117 496 O123", "call me", "0117 496 0123 ext", "123", "+", "", 1174960123])
def test_phone_letters_and_impossible_numbers_refused(raw):
    assert code_of(values.parse_phone, raw) == "invalid"


def test_phone_national_display():
    assert values.phone_national("+441174960123") == "0117 496 0123"
    assert values.phone_national("") == ""


def test_phone_stored_e164_through_create(csa):
    result = create(csa, phone_number="(0117) 496-0123", mobile_number="07700 900123")
    assert result.profile["phone_number"] == "+441174960123"
    assert result.profile["mobile_number"] == "+447700900123"


# --- postcodes, UPRN, coordinates ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("SW1A 1AA", "SW1A 1AA"),
        (" sw1a  1aa ", "SW1A 1AA"),
        ("m11ae", "M1 1AE"),
        ("b338th", "B33 8TH"),
        ("EH1 1YZ", "EH1 1YZ"),
    ],
)
def test_uk_postcode_normalised(raw, expected):
    assert values.parse_uk_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["XYZ", "SW1A", "SW1A 1A", "12345", "SW1A 1AAA", "S W 1 A 1 A A X"])
def test_uk_postcode_invalid_refused(raw):
    assert code_of(values.parse_uk_postcode, raw) == "invalid"


def test_postcode_through_create_uk_and_non_uk(csa):
    """SPEC 2: UK postcodes validated and normalised; other countries free text."""
    assert create(csa, street="High St", postcode="sw1a1aa").profile["postcode"] == "SW1A 1AA"
    assert refused(create, csa, street="High St", postcode="XYZ") == {"postcode": ["invalid"]}
    assert refused(create, csa, street="High St", postcode="XYZ", country_id="0826") == {"postcode": ["invalid"]}
    irish = create(csa, street="O'Connell St", postcode="D01 F5P2 xyz", country_id=372)
    assert irish.profile["postcode"] == "D01 F5P2 xyz"
    assert irish.profile["country_id"] == 372
    assert irish.profile["country"] == "Ireland"


@pytest.mark.parametrize(
    "raw, expected",
    [("1", "1"), ("123456789012", "123456789012"), (100023336956, "100023336956"), (" 10033544614 ", "10033544614")],
)
def test_uprn_one_to_twelve_digits(raw, expected):
    assert values.parse_uprn(raw) == expected


@pytest.mark.parametrize("raw", ["1234567890123", "12a", "-1", "1.5", "", True, 1.0, None])
def test_uprn_otherwise_refused(raw):
    assert code_of(values.parse_uprn, raw) == "invalid"


@pytest.mark.parametrize(
    "name, raw, expected",
    [
        ("lat", "51.501009", Decimal("51.501009")),
        ("lat", -90, Decimal("-90")),
        ("lat", 90, Decimal("90")),
        ("lng", "-0.141588", Decimal("-0.141588")),
        ("lng", 180, Decimal("180")),
        ("lng", -180.0, Decimal("-180")),
        ("lat", 51.5, Decimal("51.5")),
    ],
)
def test_coordinates_in_range(name, raw, expected):
    assert ADDRESS_NAMES[name].clean(raw) == expected


@pytest.mark.parametrize(
    "name, raw, code",
    [
        ("lat", "90.000001", "out_of_range"),
        ("lat", -91, "out_of_range"),
        ("lng", 180.5, "out_of_range"),
        ("lng", "-181", "out_of_range"),
        ("lat", "NaN", "out_of_range"),
        ("lat", float("nan"), "out_of_range"),
        ("lng", float("inf"), "out_of_range"),
        ("lng", "-Infinity", "out_of_range"),
        ("lat", "north", "invalid"),
        ("lat", True, "invalid"),
        ("lng", [1], "invalid"),
    ],
)
def test_coordinates_out_of_range_or_not_numbers_refused(name, raw, code):
    assert code_of(ADDRESS_NAMES[name].clean, raw) == code


# --- twitter, lists, options -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected", [("@jane_doe", "jane_doe"), ("jane_doe", "jane_doe"), ("@" + "a" * 15, "a" * 15), ("A1_", "A1_")]
)
def test_twitter_handles(raw, expected):
    assert values.parse_twitter(raw) == expected


@pytest.mark.parametrize("raw", ["a" * 16, "@" + "a" * 16, "jane doe", "jane-doe", "@", "@@jane", "jané"])
def test_twitter_bad_handles_refused(raw):
    assert code_of(values.parse_twitter, raw) in {"invalid", "max_length"}


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("3,1", [3, 1]),
        (" 3, 1 ", [3, 1]),
        ([3, 1], [3, 1]),
        (["4", "2", "1"], [4, 2, 1]),
        ("2", [2]),
        ([1, 2, 3, 4], [1, 2, 3, 4]),
    ],
)
def test_notification_preference_ordered_lists(db, raw, expected):
    assert PROFILE_NAMES["notification_preference"].clean(raw) == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        ("3,3", "duplicate"),
        ([1, 2, 1], "duplicate"),
        ("5", "invalid_choice"),
        ([0, 1], "invalid_choice"),
        ("3,,1", "invalid"),
        ("3;1", "invalid"),
        ("Email", "invalid"),
        ([True], "invalid"),
        (3, "invalid"),
    ],
)
def test_notification_preference_repeats_and_unknown_methods_refused(db, raw, code):
    assert code_of(PROFILE_NAMES["notification_preference"].clean, raw) == code


@pytest.mark.parametrize(
    "raw, expected",
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("true", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("True", True),
        (" FALSE ", False),
    ],
)
def test_options_take_booleans_digits_and_strings(raw, expected):
    """SPEC 4.2: options take true/false, 1/0, or those as strings."""
    assert values.parse_bool(raw) is expected


@pytest.mark.parametrize("raw", ["yes", "on", 2, -1, "2", 1.5, [], "tru"])
def test_options_other_values_refused(raw):
    assert code_of(values.parse_bool, raw) == "invalid"


def test_consent_to_share_is_zero_or_one(csa):
    assert create(csa, consent_to_share="true").profile["consent_to_share"] == 1
    assert create(csa, consent_to_share=0).profile["consent_to_share"] == 0
    assert refused(create, csa, consent_to_share=2) == {"consent_to_share": ["invalid"]}


# --- reference lists -------------------------------------------------------------------------------


def test_reference_ids_checked_against_lists(csa):
    result = create(csa, contact_type="organization", prefix_id="6", suffix_id=1, status="deceased", location=5)
    assert result.profile["contact_type"] == "Organization"
    assert result.profile["prefix_id"] == 6
    assert result.profile["status"] == "Deceased"
    assert result.profile["location"] == 5
    codes = refused(
        create,
        csa,
        contact_type="Person",
        prefix_id=999,
        location=6,
        status="Gone",
        preferred_language_id=0,
        country_id=1,
        street="x",
    )
    assert codes == {
        "contact_type": ["invalid_choice"],
        "prefix_id": ["invalid_choice"],
        "location": ["invalid_choice"],
        "status": ["invalid_choice"],
        "preferred_language_id": ["invalid_choice"],
        "country_id": ["invalid_choice"],
    }


@pytest.mark.parametrize("raw", [10**20, "999999999999", 2**31, 1e300])
def test_huge_reference_ids_are_invalid_choices_not_crashes(csa, raw):
    """Bad input never causes a 500: an id beyond the database's integer range is refused (400)."""
    codes = refused(create, csa, prefix_id=raw)
    assert list(codes) == ["prefix_id"] and codes["prefix_id"][0] in {"invalid", "invalid_choice"}


@pytest.mark.parametrize("raw", [[10**20], [3, 2**64], "999999999999,1"])
def test_huge_notification_preference_ids_are_invalid_choices_not_crashes(csa, raw):
    """Regression: `pk__in` with an id beyond 64 bits raised OverflowError (a 500) on SQLite."""
    codes = refused(create, csa, notification_preference=raw)
    assert list(codes) == ["notification_preference"]
    assert codes["notification_preference"][0] in {"invalid", "invalid_choice"}


def test_country_id_as_826_or_0826(csa):
    assert create(csa, street="a", country_id="0826").profile["country_id"] == 826
    assert create(csa, street="b", country_id=826).profile["country"] == "United Kingdom"


# --- lengths and control characters ----------------------------------------------------------------

LONG = "x" * 100_000


@pytest.mark.parametrize(
    "name, limit",
    [
        ("first_name", 100),
        ("last_name", 100),
        ("organisation_name", 100),
        ("data_location", 100),
        ("region", 100),
        ("custom_1", 255),
        ("custom_28", 255),
        ("street", 100),
        ("flat", 100),
        ("house", 100),
        ("locality", 100),
        ("town", 100),
        ("post_town", 100),
        ("county", 100),
        ("ward", 100),
    ],
)
def test_text_longer_than_its_limit_refused_never_truncated(csa, name, limit):
    """SPEC 1: every text field has a maximum length; longer input is refused (400), never truncated."""
    before = db_state()
    assert refused(create, csa, **{name: LONG}) == {name: ["max_length"]}
    assert refused(create, csa, **{name: "y" * (limit + 1)}) == {name: ["max_length"]}
    assert db_state() == before
    result = create(csa, **{name: "y" * limit})
    assert result.profile[name] == "y" * limit


@pytest.mark.parametrize(
    "name",
    [
        "email_address",
        "alternative_email",
        "phone_number",
        "mobile_number",
        "twitter",
        "postcode",
        "contact_type",
        "status",
    ],
)
def test_very_long_values_of_other_text_names_refused(csa, name):
    before = db_state()
    codes = refused(create, csa, **{name: LONG, "street": "High St"})
    assert list(codes) == [name]
    assert codes[name][0] in {"max_length", "invalid"}
    assert db_state() == before


def test_email_max_254(csa):
    email_255 = "c" * 64 + "@" + "d" * 63 + "." + "e" * 63 + "." + "f" * 58 + ".org"
    assert len(email_255) == 255
    assert refused(create, csa, email_address=email_255) == {"email_address": ["max_length"]}
    assert refused(create, csa, email_address="not an email") == {"email_address": ["invalid"]}


@pytest.mark.parametrize(
    "name",
    [
        "first_name",
        "street",
        "postcode",
        "custom_3",
        "email_address",
        "phone_number",
        "twitter",
        "birth_date",
        "uprn",
        "notification_preference",
        "lat",
    ],
)
def test_nul_characters_refused(csa, name):
    """PostgreSQL cannot store NUL; it must be a 400, not a crash, on both databases."""
    before = db_state()
    raw = {
        "birth_date": "1990-01-01\x00",
        "uprn": "12\x003",
        "notification_preference": "3,\x001",
        "lat": "51.5\x00",
    }.get(name, "ab\x00cd")
    codes = refused(create, csa, **{name: raw, "street": "High St"} if name != "street" else {name: raw})
    assert list(codes) == [name]
    assert db_state() == before


def test_text_trimmed_and_other_control_characters_refused():
    assert values.parse_text("  Jane  ", max_length=100) == "Jane"
    assert code_of(lambda v: values.parse_text(v, max_length=100), "a\x1bb") == "invalid"
    assert code_of(lambda v: values.parse_text(v, max_length=100), 12) == "invalid"
    assert values.parse_text("line one\nline two", max_length=100) == "line one\nline two"


def test_blank_means_empty_string_none_or_empty_list():
    assert all(values.is_blank(v) for v in ["", "   ", None, [], ()])
    assert not any(values.is_blank(v) for v in ["0", 0, False, [0], "x"])


def test_nothing_created_when_any_value_is_bad(csa):
    before = Customer.objects.count()
    refused(create, csa, first_name="Jane", phone_number="not a phone")
    assert Customer.objects.count() == before
