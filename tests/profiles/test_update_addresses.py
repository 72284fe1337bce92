"""SPEC 4.3: Update, the address."""

import datetime as dt
import itertools
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from profiles.datanames import ADDRESS_NAMES
from profiles.models import Address, ChangeRecord
from profiles.selectors import profile_get
from tests.factories import AddressFactory, CustomerFactory

from .support import VALID_CREATE, addresses_of, db_state, primary_of, refused, update

FULL = VALID_CREATE
NEW = {"house": "7", "street": "New Road", "town": "Bristol", "postcode": "bs14dj"}
OLD_START = dt.date(2015, 6, 1)
ALL_BLANK = {name: "" for name in ADDRESS_NAMES}


def today():
    return timezone.localdate()


@pytest.fixture
def moved(db):
    """A customer with a primary address (no end date), an older record with no end date and one ended."""
    customer = CustomerFactory(address=False)
    AddressFactory(
        customer=customer, street="Ended Street", start_date=dt.date(2001, 1, 1), end_date=dt.date(2005, 1, 1)
    )
    AddressFactory(customer=customer, street="Open Street", start_date=dt.date(2005, 1, 1))
    AddressFactory(
        customer=customer,
        house="1",
        street="Primary Street",
        town="Bath",
        postcode="BA1 1AA",
        flat="Flat 2",
        uprn="100",
        lat="51.380000",
        lng="-2.360000",
        ward="Abbey",
        start_date=OLD_START,
        is_primary=True,
    )
    return customer


def options(update_primary=0, is_primary=1, keep=0, ignore=0):
    return {
        "update_primary_address": update_primary,
        "address_is_primary": is_primary,
        "keep_empty_end_dates": keep,
        "ignore_empty_entries": ignore,
    }


ALL_OPTIONS = [options(*combo) for combo in itertools.product([0, 1], repeat=4)]


def option_id(opts):
    return ",".join(f"{k[:6]}={v}" for k, v in opts.items())


# --- 4.3.1: no record without a non-date address field ---------------------------------------------


@pytest.mark.parametrize("opts", ALL_OPTIONS, ids=option_id)
@pytest.mark.parametrize(
    "address",
    [
        {},
        {"start_date": "2024-01-01"},
        {"end_date": "2024-01-01", "start_date": ""},
        {"country_id": 826},
        {"search_for_street_postcode": "SW1A 1AA"},
        {"street": "", "postcode": None, "house": "   "},
        ALL_BLANK,
    ],
    ids=["absent", "start-only", "end-only", "country-only", "search-helper", "blanks", "all-blank"],
)
def test_no_new_record_without_a_non_date_address_field(csa, moved, opts, address):
    """SPEC 4.3.1: with every non-date address field blank or absent, no record is added, whatever the options."""
    before = addresses_of(moved)
    update(csa, moved.ucrn, {**FULL, **address, **opts})
    after = addresses_of(moved)
    assert [a.pk for a in after] == [a.pk for a in before]
    assert [a.is_primary for a in after] == [a.is_primary for a in before]
    if not opts["update_primary_address"]:  # (in place, blanks may clear the primary's fields: tested below)
        assert [(a.street, a.start_date, a.end_date) for a in after] == [
            (a.street, a.start_date, a.end_date) for a in before
        ]


@pytest.mark.parametrize("update_primary", [0, 1])
@pytest.mark.parametrize("is_primary", [0, 1])
@pytest.mark.parametrize("keep", [0, 1])
def test_ignore_empty_entries_with_only_blanks_changes_nothing(csa, moved, update_primary, is_primary, keep):
    """The seed's duplicated-address bug: a form with every address field blank and IEE ticked."""
    before = db_state()
    result = update(csa, moved.ucrn, {**FULL, **ALL_BLANK, **options(update_primary, is_primary, keep, ignore=1)})
    assert result.changes == []
    assert db_state() == before


@pytest.mark.parametrize("is_primary", [0, 1])
def test_dates_alone_never_add_a_record_or_end_others(csa, moved, is_primary):
    before = db_state()
    update(csa, moved.ucrn, {**FULL, "start_date": "2024-02-02", "end_date": "2024-03-03", **options(0, is_primary)})
    assert db_state() == before


# --- 4.3.2: update_primary_address = 1 -------------------------------------------------------------


def test_in_place_given_fields_change_the_primary(csa, moved):
    primary = primary_of(moved)
    count = moved.addresses.count()
    result = update(csa, moved.ucrn, {**FULL, "street": "Renamed Street", "postcode": "ba11ab", **options(1)})
    assert moved.addresses.count() == count
    primary.refresh_from_db()
    assert (primary.street, primary.postcode) == ("Renamed Street", "BA1 1AB")
    assert (primary.house, primary.town, primary.flat, primary.uprn) == ("1", "Bath", "Flat 2", "100")
    assert primary.is_primary and primary.start_date == OLD_START and primary.end_date is None
    assert result.profile["street"] == "Renamed Street"
    assert {c["field"] for c in result.changes} == {"address.street", "address.postcode"}
    assert all(c["address_id"] == primary.pk for c in result.changes)


def test_in_place_leaves_other_records_untouched(csa, moved):
    others = [a for a in addresses_of(moved) if not a.is_primary]
    update(csa, moved.ucrn, {**FULL, **NEW, **options(1)})
    assert [a for a in addresses_of(moved) if not a.is_primary] == others
    assert [(a.street, a.end_date) for a in Address.objects.filter(pk__in=[o.pk for o in others]).order_by("pk")] == [
        (o.street, o.end_date) for o in others
    ]


def test_in_place_blank_clears_when_ignore_empty_entries_unticked(csa, moved):
    primary = primary_of(moved)
    update(
        csa,
        moved.ucrn,
        {
            **FULL,
            "street": "Kept",
            "flat": "",
            "uprn": None,
            "lat": "",
            "lng": "",
            "ward": "",
            "postcode": "",
            **options(1),
        },
    )
    primary.refresh_from_db()
    assert primary.street == "Kept"
    assert (primary.flat, primary.uprn, primary.lat, primary.lng, primary.ward, primary.postcode) == (
        "",
        "",
        None,
        None,
        "",
        "",
    )
    assert (primary.house, primary.town) == ("1", "Bath")  # absent: untouched


def test_in_place_blank_left_when_ignore_empty_entries_ticked(csa, moved):
    primary = primary_of(moved)
    update(
        csa,
        moved.ucrn,
        {**FULL, "street": "Only The Street", "flat": "", "postcode": "", "lat": None, **options(1, ignore=1)},
    )
    primary.refresh_from_db()
    assert (primary.street, primary.flat, primary.postcode, primary.lat) == (
        "Only The Street",
        "Flat 2",
        "BA1 1AA",
        Decimal("51.380000"),
    )


@pytest.mark.parametrize("ignore", [0, 1])
def test_in_place_start_date_never_reset_nor_cleared(csa, moved, ignore):
    """SPEC 4.3.2: the start date is not reset to today and never cleared."""
    primary = primary_of(moved)
    update(csa, moved.ucrn, {**FULL, "street": "Renamed", "start_date": "", **options(1, ignore=ignore)})
    primary.refresh_from_db()
    assert primary.start_date == OLD_START
    update(csa, moved.ucrn, {**FULL, "street": "Renamed again", **options(1, ignore=ignore)})
    primary.refresh_from_db()
    assert primary.start_date == OLD_START


def test_in_place_dates_given_change_it(csa, moved):
    primary = primary_of(moved)
    result = update(csa, moved.ucrn, {**FULL, "start_date": "06/15/2016", "end_date": "2099-01-01", **options(1)})
    primary.refresh_from_db()
    assert (primary.start_date, primary.end_date) == (dt.date(2016, 6, 15), dt.date(2099, 1, 1))
    assert moved.addresses.count() == 3
    assert result.warnings == []


def test_in_place_end_date_cleared(csa, moved):
    primary = primary_of(moved)
    update(csa, moved.ucrn, {**FULL, "end_date": "2099-01-01", **options(1)})
    update(csa, moved.ucrn, {**FULL, "end_date": "", **options(1, ignore=1)})
    primary.refresh_from_db()
    assert primary.end_date == dt.date(2099, 1, 1)
    update(csa, moved.ucrn, {**FULL, "end_date": None, **options(1)})
    primary.refresh_from_db()
    assert primary.end_date is None


def test_in_place_postcode_refused_when_invalid_for_uk(csa, moved):
    before = db_state()
    assert refused(update, csa, moved.ucrn, {**FULL, "postcode": "XYZ", **options(1)}) == {"postcode": ["invalid"]}
    assert db_state() == before


def test_in_place_postcode_free_text_abroad(csa, moved):
    primary = primary_of(moved)
    update(csa, moved.ucrn, {**FULL, "country_id": 372, "postcode": "D02 X285 dublin", **options(1)})
    primary.refresh_from_db()
    assert (primary.country_id, primary.postcode) == (372, "D02 X285 dublin")
    # Back to the UK with the country cleared: the blank country is the UK and the postcode is checked again.
    assert refused(update, csa, moved.ucrn, {**FULL, "country_id": "", "postcode": "D02 X285", **options(1)}) == {
        "postcode": ["invalid"]
    }


def test_in_place_postcode_checked_against_the_stored_country(csa, moved):
    primary = primary_of(moved)
    primary.country_id = 372
    primary.save()
    update(csa, moved.ucrn, {**FULL, "postcode": "free text", **options(1)})
    primary.refresh_from_db()
    assert primary.postcode == "free text"


@pytest.mark.parametrize("country", ["", 826, "0826"])
def test_in_place_move_to_the_uk_checks_the_kept_postcode(csa, db, country):
    """SPEC 2: a record moved to the UK (country given or cleared) keeps a postcode only if it is a UK one."""
    customer = CustomerFactory(address=False)
    AddressFactory(customer=customer, country_id=372, postcode="D02 X285", is_primary=True)
    before = db_state()
    assert refused(update, csa, customer.ucrn, {**FULL, "country_id": country, **options(1)}) == {
        "postcode": ["invalid"]
    }
    assert db_state() == before
    update(csa, customer.ucrn, {**FULL, "country_id": country, "postcode": "", **options(1)})
    assert (primary_of(customer).country_id, primary_of(customer).postcode) == (826, "")


def test_in_place_move_to_the_uk_normalises_a_valid_kept_postcode(csa, db):
    customer = CustomerFactory(address=False)
    AddressFactory(customer=customer, country_id=372, postcode="sw1a1aa", is_primary=True)
    update(csa, customer.ucrn, {**FULL, "country_id": 826, **options(1)})
    assert (primary_of(customer).country_id, primary_of(customer).postcode) == (826, "SW1A 1AA")


def test_in_place_blank_country_ignored_when_ignore_empty_entries_ticked(csa, db):
    customer = CustomerFactory(address=False)
    AddressFactory(customer=customer, country_id=372, postcode="D02 X285", is_primary=True)
    before = db_state()
    update(csa, customer.ucrn, {**FULL, "country_id": "", "postcode": "", **options(1, ignore=1)})
    assert db_state() == before


def test_in_place_without_a_primary_creates_one(csa, db):
    """SPEC 4.3.2: no primary address and a non-date field given: a new primary record, as in 3."""
    customer = CustomerFactory(address=False)
    old = AddressFactory(customer=customer, street="Old", start_date=dt.date(2010, 1, 1))
    result = update(csa, customer.ucrn, {**FULL, **NEW, **options(1)})
    new = primary_of(customer)
    assert new.pk != old.pk and new.street == "New Road" and new.postcode == "BS1 4DJ"
    assert new.start_date == today() and new.end_date is None
    old.refresh_from_db()
    assert not old.is_primary and old.end_date == today() and old.start_date == dt.date(2010, 1, 1)
    assert result.profile["street"] == "New Road"


def test_in_place_without_any_address_creates_one(csa, db):
    customer = CustomerFactory(address=False)
    update(csa, customer.ucrn, {**FULL, "street": "First Street", "start_date": "2020-02-02", **options(1)})
    (address,) = addresses_of(customer)
    assert address.is_primary and address.start_date == dt.date(2020, 2, 2)


def test_in_place_without_a_primary_dates_alone_add_nothing(csa, db):
    customer = CustomerFactory(address=False)
    update(csa, customer.ucrn, {**FULL, "start_date": "2020-02-02", "end_date": "2021-01-01", **options(1)})
    assert addresses_of(customer) == []


# --- 4.3.3: update_primary_address = 0 -------------------------------------------------------------


def test_new_record_start_today_end_blank(csa, moved):
    update(csa, moved.ucrn, {**FULL, **NEW})
    new = primary_of(moved)
    assert (new.house, new.street, new.town, new.postcode, new.country_id) == (
        "7",
        "New Road",
        "Bristol",
        "BS1 4DJ",
        826,
    )
    assert new.start_date == today()
    assert new.end_date is None
    assert moved.addresses.count() == 4


def test_new_record_dates_given(csa, moved):
    update(csa, moved.ucrn, {**FULL, **NEW, "start_date": "2023-04-05", "end_date": "12/31/2030"})
    new = primary_of(moved)
    assert (new.start_date, new.end_date) == (dt.date(2023, 4, 5), dt.date(2030, 12, 31))


def test_new_primary_ends_a_not_yet_started_record_on_its_start_date(csa, moved):
    """An older open record that starts after today ends the day it starts, not today: an end date before
    the start date is refused everywhere (SPEC 4.3.6), so a move must not make one either."""
    future = AddressFactory(customer=moved, street="Future Street", start_date=today() + dt.timedelta(days=30))
    update(csa, moved.ucrn, {**FULL, **NEW, **options(0, 1)})
    future.refresh_from_db()
    assert (future.start_date, future.end_date) == (today() + dt.timedelta(days=30), today() + dt.timedelta(days=30))
    assert all(a.end_date is None or a.end_date >= a.start_date for a in addresses_of(moved))


def test_new_primary_ends_every_open_older_record(csa, moved):
    """SPEC 4.3.3, address_is_primary 1: old blank end dates become today; set ones and start dates unchanged."""
    before = {a.pk: a for a in addresses_of(moved)}
    result = update(csa, moved.ucrn, {**FULL, **NEW, **options(0, 1)})
    after = {a.pk: a for a in addresses_of(moved)}
    (new_pk,) = set(after) - set(before)
    assert after[new_pk].is_primary
    assert [pk for pk, a in after.items() if a.is_primary] == [new_pk]
    for pk, old in before.items():
        assert after[pk].start_date == old.start_date
        assert after[pk].end_date == (old.end_date or today())
        assert (after[pk].street, after[pk].postcode) == (old.street, old.postcode)
    ended = Address.objects.get(customer=moved, street="Ended Street")
    assert ended.end_date == dt.date(2005, 1, 1)
    fields = [(c["field"], c.get("address_id")) for c in result.changes]
    old_primary = next(a for a in before.values() if a.is_primary)
    open_street = next(a for a in before.values() if a.street == "Open Street")
    assert ("address.is_primary", old_primary.pk) in fields
    assert ("address.end_date", old_primary.pk) in fields
    assert ("address.end_date", open_street.pk) in fields
    assert ("address", new_pk) in fields
    assert ("address.end_date", ended.pk) not in fields
    assert result.profile["street"] == "New Road"
    assert result.warnings == []


def test_keep_empty_end_dates(csa, moved):
    before = {a.pk: a for a in addresses_of(moved)}
    update(csa, moved.ucrn, {**FULL, **NEW, **options(0, 1, keep=1)})
    after = {a.pk: a for a in addresses_of(moved)}
    for pk, old in before.items():
        assert (after[pk].start_date, after[pk].end_date) == (old.start_date, old.end_date)
        assert not after[pk].is_primary
    assert sum(a.is_primary for a in after.values()) == 1


def test_default_options_make_a_new_primary_and_end_old_ones(csa, moved):
    """Defaults: update_primary_address 0, address_is_primary 1, keep_empty_end_dates false."""
    old_primary = primary_of(moved)
    update(csa, moved.ucrn, {**FULL, **NEW})
    old_primary.refresh_from_db()
    assert not old_primary.is_primary and old_primary.end_date == today()
    assert primary_of(moved).street == "New Road"


def test_new_non_primary_record_leaves_everything_else(csa, moved):
    """SPEC 4.3.3, address_is_primary 0: the primary and the other records are untouched."""
    before = addresses_of(moved)
    result = update(csa, moved.ucrn, {**FULL, **NEW, **options(0, 0)})
    after = addresses_of(moved)
    assert after[: len(before)] == before
    for old, now in zip(before, after, strict=False):
        assert (now.is_primary, now.start_date, now.end_date, now.street) == (
            old.is_primary,
            old.start_date,
            old.end_date,
            old.street,
        )
    new = after[-1]
    assert not new.is_primary and new.street == "New Road" and new.start_date == today()
    assert result.profile["street"] == "Primary Street"  # the Get output still flattens the primary
    assert [c["field"] for c in result.changes] == ["address"]


def test_new_non_primary_becomes_primary_when_there_is_none(csa, db):
    customer = CustomerFactory(address=False)
    old = AddressFactory(customer=customer, street="Old", start_date=dt.date(2010, 1, 1))
    update(csa, customer.ucrn, {**FULL, **NEW, **options(0, 0)})
    new = primary_of(customer)
    assert new is not None and new.street == "New Road"
    old.refresh_from_db()
    assert old.end_date is None and not old.is_primary


def test_first_address_by_update_is_primary(csa, db):
    customer = CustomerFactory(address=False)
    result = update(csa, customer.ucrn, {**FULL, "postcode": "sw1a1aa", **options(0, 0)})
    (address,) = addresses_of(customer)
    assert address.is_primary and address.postcode == "SW1A 1AA"
    assert result.profile["postcode"] == "SW1A 1AA"


def test_new_record_postcode_checked(csa, moved):
    before = db_state()
    assert refused(update, csa, moved.ucrn, {**FULL, **NEW, "postcode": "XYZ"}) == {"postcode": ["invalid"]}
    assert db_state() == before
    update(csa, moved.ucrn, {**FULL, **NEW, "postcode": "75008 Paris", "country_id": 250})
    assert primary_of(moved).postcode == "75008 Paris"


# --- 4.3.3: a retried call adds nothing ------------------------------------------------------------


@pytest.mark.parametrize(
    "retry",
    [
        {
            "house": "1",
            "street": "Primary Street",
            "town": "Bath",
            "postcode": "BA1 1AA",
            "flat": "Flat 2",
            "uprn": "100",
            "lat": "51.38",
            "lng": "-2.36",
            "ward": "Abbey",
        },
        {
            "house": " 1 ",
            "street": "primary   STREET",
            "town": "BATH",
            "postcode": "ba11aa",
            "flat": "flat  2",
            "uprn": "0100",
            "lat": 51.38,
            "lng": -2.36,
            "ward": "abbey",
            "country_id": "0826",
        },
        {
            "house": "1",
            "street": "Primary Street",
            "town": "Bath",
            "postcode": "BA1 1AA",
            "flat": "Flat 2",
            "uprn": "100",
            "lat": "51.38",
            "lng": "-2.36",
            "ward": "Abbey",
            "start_date": "2024-01-01",
            "end_date": "",
            "country_id": "",
        },
    ],
    ids=["same", "case-space-postcode-folded", "dates-differ"],
)
@pytest.mark.parametrize("is_primary", [0, 1])
def test_retried_identical_address_adds_nothing(csa, moved, retry, is_primary):
    before = db_state()
    result = update(csa, moved.ucrn, {**FULL, **retry, **options(0, is_primary)})
    assert result.changes == []
    assert db_state() == before


def test_retried_new_address_twice_adds_one_record(csa, moved):
    update(csa, moved.ucrn, {**FULL, **NEW})
    before = db_state()
    update(csa, moved.ucrn, {**FULL, **NEW})
    update(csa, moved.ucrn, {**FULL, **{k: v.upper() for k, v in NEW.items()}})
    assert db_state() == before


def test_retried_non_primary_address_adds_nothing(csa, moved):
    """With address_is_primary 0 any record that has not ended counts as "already there"."""
    update(csa, moved.ucrn, {**FULL, **NEW, **options(0, 0)})
    before = db_state()
    update(csa, moved.ucrn, {**FULL, **NEW, **options(0, 0)})
    open_street = Address.objects.get(customer=moved, street="Open Street")
    same = {
        "house": open_street.house,
        "street": open_street.street,
        "town": open_street.town,
        "postcode": open_street.postcode.lower(),
        "uprn": open_street.uprn,
    }
    update(csa, moved.ucrn, {**FULL, **same, **options(0, 0)})
    assert db_state() == before


def test_a_different_field_is_a_different_address(csa, moved):
    for change in [{"flat": "Flat 3"}, {"country_id": 372, "postcode": "BA1 1AA"}, {"uprn": "101"}]:
        count = moved.addresses.count()
        data = {
            "house": "1",
            "street": "Primary Street",
            "town": "Bath",
            "postcode": "BA1 1AA",
            "flat": "Flat 2",
            "uprn": "100",
            "lat": "51.38",
            "lng": "-2.36",
            "ward": "Abbey",
            **change,
        }
        update(csa, moved.ucrn, {**FULL, **data, **options(0, 0)})
        assert moved.addresses.count() == count + 1


def test_a_matching_ended_record_does_not_count(csa, moved):
    ended = Address.objects.get(customer=moved, street="Ended Street")
    data = {
        "house": ended.house,
        "street": ended.street,
        "town": ended.town,
        "postcode": ended.postcode,
        "uprn": ended.uprn,
    }
    update(csa, moved.ucrn, {**FULL, **data, **options(0, 0)})
    assert moved.addresses.count() == 4


def test_a_matching_non_primary_record_does_not_stop_a_new_primary(csa, moved):
    """With address_is_primary 1 only the primary record counts as "already there"."""
    open_street = Address.objects.get(customer=moved, street="Open Street")
    data = {
        "house": open_street.house,
        "street": open_street.street,
        "town": open_street.town,
        "postcode": open_street.postcode,
        "uprn": open_street.uprn,
    }
    update(csa, moved.ucrn, {**FULL, **data, **options(0, 1)})
    assert moved.addresses.count() == 4
    assert primary_of(moved).street == "Open Street" and primary_of(moved).pk != open_street.pk


# --- 4.3.4: warnings -------------------------------------------------------------------------------


def test_primary_with_past_end_date_warns(csa, moved):
    yesterday = today() - dt.timedelta(days=1)
    result = update(csa, moved.ucrn, {**FULL, "end_date": yesterday.isoformat(), **options(1)})
    assert [w["code"] for w in result.warnings] == ["primary_address_ended"]
    assert result.warnings[0]["message"]
    assert primary_of(moved).end_date == yesterday  # allowed
    # Any later write while it stays so carries the warning too.
    assert [w["code"] for w in update(csa, moved.ucrn, {**FULL, "first_name": "X"}).warnings] == [
        "primary_address_ended"
    ]


@pytest.mark.parametrize("days", [0, 1, 365])
def test_primary_ending_today_or_later_does_not_warn(csa, moved, days):
    end = today() + dt.timedelta(days=days)
    assert update(csa, moved.ucrn, {**FULL, "end_date": end.isoformat(), **options(1)}).warnings == []


def test_new_primary_with_past_end_date_warns(csa, moved):
    result = update(csa, moved.ucrn, {**FULL, **NEW, "start_date": "2019-01-01", "end_date": "2020-01-01"})
    assert [w["code"] for w in result.warnings] == ["primary_address_ended"]


def test_ended_non_primary_record_does_not_warn(csa, moved):
    dates = {"start_date": "2019-01-01", "end_date": "2020-01-01"}
    result = update(csa, moved.ucrn, {**FULL, **NEW, **dates, **options(0, 0)})
    assert result.warnings == []
    assert update(csa, moved.ucrn, {**FULL, "first_name": "Y"}).warnings == []


# --- 4.3.5: today in the hub's time zone -----------------------------------------------------------


def test_today_is_the_london_date_not_the_utc_date(csa, moved, settings):
    """At 23:30 UTC on 30 June it is already 1 July in London (BST): new records start on 1 July."""
    assert settings.TIME_ZONE == "Europe/London"
    late_utc = dt.datetime(2024, 6, 30, 23, 30, tzinfo=dt.UTC)
    with mock.patch("django.utils.timezone.now", return_value=late_utc):
        update(csa, moved.ucrn, {**FULL, **NEW})
    assert primary_of(moved).start_date == dt.date(2024, 7, 1)
    assert Address.objects.get(customer=moved, street="Primary Street").end_date == dt.date(2024, 7, 1)


def test_get_flattens_the_primary_address(csa, moved):
    profile = profile_get(ucrn=moved.ucrn, user=csa)
    primary = primary_of(moved)
    assert (profile["street"], profile["postcode"], profile["start_date"], profile["end_date"]) == (
        "Primary Street",
        "BA1 1AA",
        OLD_START.isoformat(),
        None,
    )
    assert profile["country_id"] == 826 and profile["country"] == "United Kingdom"
    assert profile["uprn"] == primary.uprn and profile["lat"] == 51.38


def test_address_change_records(csa, moved):
    update(csa, moved.ucrn, {**FULL, **NEW})
    assert ChangeRecord.objects.filter(customer=moved).count() == 1
