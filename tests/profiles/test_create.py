"""SPEC 4.1: Create."""

import datetime as dt

import pytest
from django.utils import timezone
from stdnum import damm

from profiles.models import Address, ChangeRecord, Customer
from profiles.selectors import profile_get
from profiles.services import profile_create
from profiles.ucrn import is_valid_ucrn

from .support import VALID_CREATE, as_written, create, db_state, refused


@pytest.mark.parametrize("missing", ["contact_type", "preferred_contact_method"])
@pytest.mark.parametrize("how", ["absent", "blank", "none"])
def test_mandatory_names_required(csa, missing, how):
    """SPEC 4.1: contact_type and preferred_contact_method are required."""
    data = dict(VALID_CREATE)
    if how == "absent":
        del data[missing]
    else:
        data[missing] = "" if how == "blank" else None
    before = db_state()
    assert refused(profile_create, data=data, user=csa, channel="api") == {missing: ["required"]}
    assert db_state() == before


def test_mandatory_names_must_be_valid_values(csa):
    assert refused(create, csa, contact_type="Company", preferred_contact_method=5) == {
        "contact_type": ["invalid_choice"],
        "preferred_contact_method": ["invalid_choice"],
    }


def test_everything_else_optional(csa):
    result = create(csa)
    assert result.created
    profile = result.profile
    assert profile["first_name"] == profile["last_name"] == profile["email_address"] == ""
    assert profile["birth_date"] is None
    assert profile["notification_preference"] == []
    assert profile["street"] == "" and profile["start_date"] is None


def test_ucrn_issued_nine_digits_valid_check_digit_distinct(csa):
    """SPEC 1: issued by the hub, 9 digits whose last is a check digit; never reused."""
    ucrns = [create(csa).profile["ucrn"] for _ in range(30)]
    assert len(set(ucrns)) == 30
    for ucrn in ucrns:
        assert len(ucrn) == 9 and ucrn.isdigit() and ucrn[0] != "0"
        assert damm.is_valid(ucrn) and is_valid_ucrn(ucrn)
        assert Customer.objects.get(ucrn=ucrn)


def test_single_digit_typo_of_a_ucrn_is_not_valid(csa):
    ucrn = create(csa).profile["ucrn"]
    for position in range(9):
        for digit in "0123456789":
            typo = ucrn[:position] + digit + ucrn[position + 1 :]
            if typo != ucrn:
                assert not is_valid_ucrn(typo)
    swapped = ucrn[1] + ucrn[0] + ucrn[2:]
    if swapped != ucrn:
        assert not is_valid_ucrn(swapped)


def test_ucrn_in_the_data_is_ignored(csa):
    result = create(csa, ucrn="123456789")
    assert result.profile["ucrn"] != "123456789"
    assert is_valid_ucrn(result.profile["ucrn"])


def test_defaults_location_1_status_active(csa):
    profile = create(csa).profile
    assert profile["location"] == 1
    assert profile["status"] == "Active"
    profile = create(csa, location="", status=None).profile
    assert (profile["location"], profile["status"]) == (1, "Active")


def test_given_location_and_status_kept(csa):
    profile = create(csa, location="4", status="Inactive").profile
    assert (profile["location"], profile["status"]) == (4, "Inactive")


def test_returns_the_get_output(csa):
    result = create(
        csa,
        first_name="Jane",
        last_name="Smith",
        prefix_id=6,
        suffix_id=1,
        street="High St",
        house="1",
        postcode="m11ae",
        notification_preference="3,1",
    )
    assert result.profile == as_written(profile_get(ucrn=result.profile["ucrn"], user=csa))
    assert result.profile["name"] == "Dr Jane Smith Jr"
    assert result.profile["sort_name"] == "Smith, Jane"
    assert result.warnings == []


def test_organisation_name(csa):
    profile = create(csa, contact_type="Organization", organisation_name="Acme Ltd").profile
    assert profile["name"] == profile["sort_name"] == "Acme Ltd"


# --- the first address -----------------------------------------------------------------------------


def test_no_address_without_a_non_date_address_field(csa):
    """SPEC 4.1: only a non-date address field makes the first address record."""
    result = create(
        csa,
        start_date="2020-01-01",
        end_date="2030-01-01",
        country_id=826,
        flat="",
        street=None,
        search_for_street_postcode="SW1A 1AA",
    )
    assert Address.objects.filter(customer=result.customer).count() == 0
    assert result.profile["start_date"] is None


@pytest.mark.parametrize(
    "name, value",
    [
        ("flat", "2"),
        ("house", "10"),
        ("street", "High St"),
        ("locality", "Clifton"),
        ("town", "Bristol"),
        ("post_town", "BRISTOL"),
        ("county", "Avon"),
        ("postcode", "bs14dj"),
        ("uprn", "123"),
        ("ward", "Central"),
        ("lat", "51.45"),
        ("lng", "-2.58"),
    ],
)
def test_any_non_date_address_field_makes_the_primary_address(csa, name, value):
    result = create(csa, **{name: value})
    (address,) = Address.objects.filter(customer=result.customer)
    assert address.is_primary
    assert address.start_date == timezone.localdate()
    assert address.end_date is None
    assert address.country_id == 826  # an address given without a country is in the UK


def test_first_address_dates_given(csa):
    result = create(csa, street="High St", start_date="03/01/2019", end_date="2031-12-31")
    (address,) = Address.objects.filter(customer=result.customer)
    assert (address.start_date, address.end_date) == (dt.date(2019, 3, 1), dt.date(2031, 12, 31))
    assert result.profile["start_date"] == "2019-03-01"
    assert result.profile["end_date"] == "2031-12-31"


def test_first_address_with_past_end_date_warns(csa):
    """SPEC 4.3.4: a primary address that has ended is allowed, with a warning."""
    result = create(csa, street="High St", start_date="2000-01-01", end_date="2001-01-01")
    assert [w["code"] for w in result.warnings] == ["primary_address_ended"]
    assert Address.objects.get(customer=result.customer).is_primary


# --- email -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["jane@example.org", "JANE@Example.ORG", " jane@example.org "])
def test_email_already_exists_case_insensitive(csa, given):
    create(csa, email_address="Jane@example.org")
    before = db_state()
    assert refused(create, csa, email_address=given, street="High St") == {"email_address": ["email_already_exists"]}
    assert db_state() == before


def test_distinct_emails_accepted(csa):
    create(csa, email_address="jane@example.org")
    assert create(csa, email_address="john@example.org").profile["email_address"] == "john@example.org"
    assert create(csa, email_address="").profile["email_address"] == ""
    assert create(csa, email_address="").profile["email_address"] == ""  # blank is never "taken"


# --- refusals save nothing -------------------------------------------------------------------------


def test_unknown_name_refused_naming_it(csa):
    """SPEC 4.2: any name that is not a data name or an option is refused with 400 naming it."""
    before = db_state()
    assert refused(create, csa, favourite_colour="blue", first_name="Jane") == {"favourite_colour": ["unknown_field"]}
    assert db_state() == before


def test_names_match_case_insensitively(csa):
    """SPEC 1: form fields use First_Name for first_name; matching is case-insensitive."""
    result = create(csa, First_Name="Jane", STREET="High St")
    assert result.profile["first_name"] == "Jane"
    assert result.profile["street"] == "High St"
    assert refused(create, csa, First_Name="Jane", first_name="Janet") == {"first_name": ["duplicate_field"]}


def test_every_error_reported_at_once_and_nothing_saved(csa):
    before = db_state()
    codes = refused(
        create,
        csa,
        contact_type="",
        birth_date="02/30/1990",
        phone_number="abc",
        postcode="XYZ",
        street="High St",
        bogus=1,
    )
    assert codes == {
        "contact_type": ["required"],
        "birth_date": ["invalid"],
        "phone_number": ["invalid"],
        "postcode": ["invalid"],
        "bogus": ["unknown_field"],
    }
    assert db_state() == before


@pytest.mark.parametrize("data", [[("first_name", "x")], "first_name=x", None])
def test_data_not_a_mapping_refused(csa, data):
    before = db_state()
    assert refused(profile_create, data=data, user=csa, channel="api") == {"non_field_errors": ["invalid"]}
    assert db_state() == before


# --- audit -----------------------------------------------------------------------------------------


def test_change_record_written(csa):
    result = create(csa, first_name="Jane", street="High St", postcode="sw1a1aa")
    record = ChangeRecord.objects.get(customer=result.customer)
    assert record.action == ChangeRecord.Action.CREATE
    assert record.channel == "api"
    assert record.user == csa
    fields = {c["field"]: c for c in record.changes}
    assert fields["first_name"] == {"field": "first_name", "before": None, "after": "Jane"}
    assert fields["address"]["after"]["postcode"] == "SW1A 1AA"
    assert fields["address"]["after"]["is_primary"] is True
    assert fields["address"]["address_id"] == Address.objects.get(customer=result.customer).pk


def test_channel_recorded_as_given(csa):
    result = profile_create(data=VALID_CREATE, user=csa, channel="form")
    assert ChangeRecord.objects.get(customer=result.customer).channel == "form"
