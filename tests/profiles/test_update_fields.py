"""SPEC 4.2: Update, the profile fields (the address rules are in test_update_addresses.py)."""

import datetime as dt

import pytest

from profiles.datanames import PROFILE_NAMES
from profiles.models import CUSTOM_FIELD_COUNT, ChangeRecord, Customer
from profiles.selectors import profile_get
from profiles.services import profile_change_email

from .support import VALID_CREATE, addresses_of, as_written, create, db_state, refused, update

FULL = VALID_CREATE  # the mandatory names a full Update carries

CLEARABLE = {
    # data name: (a value to set, the stored blank it clears to)
    "first_name": ("Jane", ""),
    "last_name": ("Smith", ""),
    "organisation_name": ("Acme", ""),
    "prefix_id": (6, None),
    "suffix_id": (1, None),
    "birth_date": ("1980-05-06", None),
    "alternative_email": ("alt@example.org", ""),
    "phone_number": ("0117 496 0123", ""),
    "mobile_number": ("07700 900123", ""),
    "twitter": ("@jane", ""),
    "notification_preference": ("3,1", []),
    "consent_to_share": (1, None),
    "preferred_language_id": (1, None),
    "data_location": ("eu-west", ""),
    "region": ("South West", ""),
    "custom_1": ("one", ""),
    "custom_28": ("twenty-eight", ""),
}


@pytest.fixture
def full_customer(csa, customer):
    """The `customer` with every clearable name set."""
    update(csa, customer.ucrn, {**FULL, **{name: value for name, (value, _) in CLEARABLE.items()}})
    customer.refresh_from_db()
    return customer


# --- absent, blank, given --------------------------------------------------------------------------


def test_absent_names_never_touched(csa, full_customer):
    before = profile_get(ucrn=full_customer.ucrn, user=csa)
    result = update(csa, full_customer.ucrn, {**FULL, "last_name": "Jones"})
    after = result.profile
    assert after["last_name"] == "Jones"
    for name in CLEARABLE:
        if name != "last_name":
            assert after[name] == before[name], name


@pytest.mark.parametrize("name", sorted(CLEARABLE))
@pytest.mark.parametrize("blank", ["", None, "   "])
def test_blank_clears_when_ignore_empty_entries_unticked(csa, full_customer, name, blank):
    """SPEC 4.2: unticked, a field given blank is cleared."""
    result = update(csa, full_customer.ucrn, {**FULL, name: blank})
    full_customer.refresh_from_db()
    assert getattr(full_customer, PROFILE_NAMES[name].attr) == CLEARABLE[name][1]
    assert [c["field"] for c in result.changes] == [name]


def test_empty_list_clears_notification_preference(csa, full_customer):
    update(csa, full_customer.ucrn, {**FULL, "notification_preference": []})
    full_customer.refresh_from_db()
    assert full_customer.notification_preference == []


@pytest.mark.parametrize("tick", [True, "true", 1, "1"])
def test_blank_left_alone_when_ignore_empty_entries_ticked(csa, full_customer, tick):
    """SPEC 4.2: ticked, a field given blank is left as stored."""
    before = db_state()
    result = update(csa, full_customer.ucrn, {**FULL, **{name: "" for name in CLEARABLE}, "ignore_empty_entries": tick})
    assert result.changes == []
    assert db_state() == before


@pytest.mark.parametrize("untick", [False, "false", 0, "0"])
def test_ignore_empty_entries_unticked_by_any_spelling(csa, full_customer, untick):
    update(csa, full_customer.ucrn, {**FULL, "first_name": "", "ignore_empty_entries": untick})
    full_customer.refresh_from_db()
    assert full_customer.first_name == ""


def test_ignore_empty_entries_still_applies_given_values(csa, full_customer):
    result = update(
        csa, full_customer.ucrn, {**FULL, "first_name": "Janet", "last_name": "", "ignore_empty_entries": True}
    )
    assert (result.profile["first_name"], result.profile["last_name"]) == ("Janet", "Smith")


def test_patch_defaults_ignore_empty_entries_to_true_and_can_be_overridden(csa, full_customer):
    """REST PATCH: ignore_empty_entries defaults to true (option_defaults), an explicit option wins."""
    result = update(
        csa, full_customer.ucrn, {"first_name": ""}, full=False, option_defaults={"ignore_empty_entries": True}
    )
    assert result.profile["first_name"] == "Jane"
    result = update(
        csa,
        full_customer.ucrn,
        {"first_name": "", "ignore_empty_entries": "false"},
        full=False,
        option_defaults={"ignore_empty_entries": True},
    )
    assert result.profile["first_name"] == ""


def test_bad_option_value_refused(csa, customer):
    before = db_state()
    codes = refused(
        update,
        csa,
        customer.ucrn,
        {**FULL, "first_name": "X", "ignore_empty_entries": "maybe", "update_primary_address": 2},
    )
    assert codes == {"ignore_empty_entries": ["invalid"], "update_primary_address": ["invalid"]}
    assert db_state() == before


# --- the mandatory names ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["contact_type", "preferred_contact_method"])
@pytest.mark.parametrize("full", [True, False])
@pytest.mark.parametrize("blank", ["", None])
def test_mandatory_blank_refused_unless_ignore_empty_entries(csa, customer, name, full, blank):
    """SPEC 4.2: the mandatory names can never be cleared."""
    before = db_state()
    assert refused(update, csa, customer.ucrn, {**FULL, name: blank, "first_name": "X"}, full=full) == {
        name: ["required"]
    }
    assert db_state() == before
    result = update(
        csa, customer.ucrn, {**FULL, name: blank, "first_name": "X", "ignore_empty_entries": True}, full=full
    )
    assert result.profile[name] == FULL[name]
    assert result.profile["first_name"] == "X"


@pytest.mark.parametrize("name", ["contact_type", "preferred_contact_method"])
def test_full_update_requires_mandatory_names(csa, customer, name):
    """SPEC 4.2: a full Update (PUT, forms) requires them as Create does."""
    data = {**FULL, "first_name": "X"}
    del data[name]
    before = db_state()
    assert refused(update, csa, customer.ucrn, data) == {name: ["required"]}
    assert refused(update, csa, customer.ucrn, {**data, "ignore_empty_entries": True}) == {name: ["required"]}
    assert db_state() == before


def test_partial_update_does_not_require_them(csa, customer):
    result = update(csa, customer.ucrn, {"first_name": "X"}, full=False)
    assert result.profile["first_name"] == "X"
    assert result.profile["contact_type"] == "Individual"


def test_mandatory_names_can_be_changed(csa, customer):
    result = update(csa, customer.ucrn, {"contact_type": "organization", "preferred_contact_method": "4"})
    assert (result.profile["contact_type"], result.profile["preferred_contact_method"]) == ("Organization", 4)
    codes = refused(update, csa, customer.ucrn, {"contact_type": "Robot", "preferred_contact_method": 0})
    assert codes == {"contact_type": ["invalid_choice"], "preferred_contact_method": ["invalid_choice"]}


# --- location and status ---------------------------------------------------------------------------


@pytest.mark.parametrize("ignore_empty", [True, False])
@pytest.mark.parametrize("blank", ["", None])
def test_location_given_blank_is_kept_always(csa, customer, ignore_empty, blank):
    """SPEC 1 and 4.2: location given blank is kept, whatever Ignore Empty Entries says."""
    update(csa, customer.ucrn, {**FULL, "location": 3})
    before = db_state()
    result = update(csa, customer.ucrn, {**FULL, "location": blank, "ignore_empty_entries": ignore_empty})
    assert result.profile["location"] == 3
    assert result.changes == []
    assert db_state() == before


def test_location_and_status_can_be_changed(csa, customer):
    result = update(csa, customer.ucrn, {**FULL, "location": "2", "status": "Inactive"})
    assert (result.profile["location"], result.profile["status"]) == (2, "Inactive")


def test_status_given_blank_is_kept(csa, customer):
    """status has no blank value (default Active): given blank it is kept rather than crashing."""
    update(csa, customer.ucrn, {**FULL, "status": "Deceased"})
    assert update(csa, customer.ucrn, {**FULL, "status": ""}).profile["status"] == "Deceased"


# --- email -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["someone.else@example.org", "", None])
def test_email_differing_refused_and_nothing_changed(csa, customer, given):
    """SPEC 4.2: an Update never changes the email; a differing one is refused, nothing is changed."""
    before = db_state()
    codes = refused(
        update, csa, customer.ucrn, {**FULL, "email_address": given, "first_name": "Changed", "street": "New Street"}
    )
    assert codes == {"email_address": ["email_not_updatable"]}
    assert db_state() == before


def test_email_same_value_in_other_case_accepted_and_ignored(csa, customer):
    stored_email = customer.email_address
    result = update(csa, customer.ucrn, {**FULL, "email_address": f"  {stored_email.upper()} ", "first_name": "New"})
    customer.refresh_from_db()
    assert customer.email_address == stored_email
    assert result.profile["first_name"] == "New"
    assert "email_address" not in [c["field"] for c in result.changes]


def test_email_blank_ignored_when_ignore_empty_entries_ticked(csa, customer):
    stored_email = customer.email_address
    update(csa, customer.ucrn, {**FULL, "email_address": "", "ignore_empty_entries": True})
    customer.refresh_from_db()
    assert customer.email_address == stored_email


def test_email_cannot_be_added_by_an_update(csa):
    ucrn = create(csa).profile["ucrn"]
    assert refused(update, csa, ucrn, {**FULL, "email_address": "new@example.org"}) == {
        "email_address": ["email_not_updatable"]
    }
    assert update(csa, ucrn, {**FULL, "email_address": ""}).profile["email_address"] == ""


def test_email_changed_by_csa_on_the_record_page_audited(csa, customer):
    result = profile_change_email(ucrn=customer.ucrn, email="New.Address@example.org", user=csa, channel="hub")
    assert result.profile["email_address"] == "New.Address@example.org"
    record = ChangeRecord.objects.get(customer=customer, action=ChangeRecord.Action.EMAIL_CHANGE)
    assert record.user == csa and record.channel == "hub"
    assert record.changes == [
        {"field": "email_address", "before": customer.email_address, "after": "New.Address@example.org"}
    ]


def test_email_change_refuses_taken_and_invalid_addresses(csa, customer):
    from tests.factories import CustomerFactory

    other = CustomerFactory(email_address="taken@example.org")
    before = db_state()
    codes = refused(profile_change_email, ucrn=customer.ucrn, email="TAKEN@example.org", user=csa, channel="hub")
    assert codes == {"email_address": ["email_already_exists"]}
    codes = refused(profile_change_email, ucrn=customer.ucrn, email="nope", user=csa, channel="hub")
    assert codes == {"email_address": ["invalid"]}
    assert db_state() == before
    assert other.email_address == "taken@example.org"


def test_email_change_not_for_citizens(citizen, customer):
    before = db_state()
    codes = refused(profile_change_email, ucrn=customer.ucrn, email="mine@example.org", user=citizen, channel="portal")
    assert codes == {"email_address": ["email_not_updatable"]}
    assert db_state() == before


def test_email_change_to_same_value_records_nothing(csa, customer):
    result = profile_change_email(ucrn=customer.ucrn, email=customer.email_address, user=csa, channel="hub")
    assert result.changes == []
    assert not ChangeRecord.objects.filter(customer=customer).exists()


# --- read-only names and the round trip ------------------------------------------------------------


def test_read_only_names_ignored(csa, customer):
    before = db_state()
    result = update(
        csa,
        customer.ucrn,
        {
            **FULL,
            "ucrn": customer.ucrn,
            "name": "Someone Else",
            "sort_name": "Else, Someone",
            "country": "France",
            "is_primary": False,
            "created_at": "2000-01-01T00:00:00Z",
            "updated_at": "x",
            "version": 99,
        },
    )
    assert result.changes == []
    assert db_state() == before


def test_get_output_fed_back_changes_nothing(csa, full_customer):
    """SPEC 4.2: a GET, edit, PUT round trip always works."""
    profile = profile_get(ucrn=full_customer.ucrn, user=csa)
    before = db_state()
    result = update(csa, full_customer.ucrn, profile)
    assert result.changes == []
    assert db_state() == before
    assert result.profile == as_written(profile)


def test_round_trip_with_an_edit(csa, full_customer):
    profile = profile_get(ucrn=full_customer.ucrn, user=csa)
    profile["first_name"] = "Janet"
    profile["lat"] = 51.501009
    profile["lng"] = -0.141588
    result = update(csa, full_customer.ucrn, profile, option_defaults={"update_primary_address": True})
    assert [c["field"] for c in result.changes] == ["first_name", "address.lat", "address.lng"]
    again = profile_get(ucrn=full_customer.ucrn, user=csa)
    assert update(csa, full_customer.ucrn, again).changes == []


def test_round_trip_without_an_address(csa):
    profile = create(csa, first_name="No", last_name="Address").profile
    before = db_state()
    result = update(csa, profile["ucrn"], profile)
    assert result.changes == []
    assert db_state() == before


@pytest.mark.parametrize("other", ["123456789", "", "not a ucrn"])
def test_ucrn_differing_from_the_one_addressed_refused(csa, customer, other):
    before = db_state()
    data = {**FULL, "ucrn": other, "first_name": "X"}
    if other == "":
        # A blank ucrn is just a read-only name given blank: ignored.
        assert update(csa, customer.ucrn, data).profile["ucrn"] == customer.ucrn
        return
    assert refused(update, csa, customer.ucrn, data) == {"ucrn": ["ucrn_mismatch"]}
    assert db_state() == before


def test_ucrn_same_as_addressed_accepted(csa, customer):
    assert (
        update(csa, customer.ucrn, {**FULL, "UCRN": f" {customer.ucrn} ", "first_name": "X"}).profile["first_name"]
        == "X"
    )


def test_unknown_name_refused_naming_it(csa, customer):
    before = db_state()
    codes = refused(update, csa, customer.ucrn, {**FULL, "first_name": "X", "shoe_size": 9, "Custom_29": "x"})
    assert codes == {"shoe_size": ["unknown_field"], "Custom_29": ["unknown_field"]}
    assert db_state() == before


def test_search_helper_accepted_and_not_stored(csa, customer):
    before = db_state()
    result = update(csa, customer.ucrn, {**FULL, "search_for_street_postcode": "High Street, SW1A 1AA"})
    assert result.changes == []
    assert db_state() == before


# --- particular fields -----------------------------------------------------------------------------


def test_twitter_set_changed_removed(csa, customer):
    """SPEC 1: an Update can set, change or remove the twitter handle."""
    assert update(csa, customer.ucrn, {**FULL, "twitter": "@first"}).profile["twitter"] == "first"
    assert update(csa, customer.ucrn, {**FULL, "twitter": "second_one"}).profile["twitter"] == "second_one"
    assert update(csa, customer.ucrn, {**FULL, "twitter": ""}).profile["twitter"] == ""
    assert refused(update, csa, customer.ucrn, {**FULL, "twitter": "@bad handle"}) == {"twitter": ["invalid"]}


def test_custom_fields_written_and_read(csa, customer):
    data = {f"custom_{n}": f"value {n}" for n in range(1, CUSTOM_FIELD_COUNT + 1)}
    result = update(csa, customer.ucrn, {**FULL, **data})
    for name, value in data.items():
        assert result.profile[name] == value
        assert getattr(Customer.objects.get(pk=customer.pk), name) == value
    assert len(result.changes) == CUSTOM_FIELD_COUNT


def test_notification_preference_order_kept(csa, customer):
    assert update(csa, customer.ucrn, {**FULL, "notification_preference": "4,2,3"}).profile[
        "notification_preference"
    ] == [4, 2, 3]
    assert refused(update, csa, customer.ucrn, {**FULL, "notification_preference": "4,4"}) == {
        "notification_preference": ["duplicate"]
    }


# --- one transaction, audited ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"birth_date": "02/30/1990"},
        {"phone_number": "letters"},
        {"postcode": "XYZ"},
        {"prefix_id": 999},
        {"custom_2": "x" * 256},
        {"lat": "95"},
        {"nonsense": "1"},
        {"contact_type": ""},
        {"uprn": "1234567890123"},
        {"start_date": "2020-13-01"},
    ],
)
@pytest.mark.parametrize("update_primary", [0, 1])
def test_one_bad_field_among_good_ones_changes_nothing(csa, customer, bad, update_primary):
    """SPEC 4.2: every Update is one transaction: it applies completely or not at all."""
    before = db_state()
    good = {
        **FULL,
        "first_name": "Changed",
        "twitter": "changed",
        "street": "New Street",
        "house": "99",
        "postcode": "M1 1AE",
        "start_date": "2000-01-01",
        "end_date": "2001-01-01",
        "update_primary_address": update_primary,
    }
    codes = refused(update, csa, customer.ucrn, {**good, **bad})
    assert list(codes) == list(bad)
    assert db_state() == before


def test_update_writes_one_change_record_with_before_and_after(csa, customer):
    old_first = customer.first_name
    result = update(csa, customer.ucrn, {**FULL, "first_name": "Changed", "birth_date": "1970-01-02"}, channel="portal")
    (record,) = ChangeRecord.objects.filter(customer=customer)
    assert record.action == ChangeRecord.Action.UPDATE
    assert record.channel == "portal" and record.user == csa
    assert {"field": "first_name", "before": old_first, "after": "Changed"} in record.changes
    assert {"field": "birth_date", "before": customer.birth_date.isoformat(), "after": "1970-01-02"} in record.changes
    assert record.changes == result.changes
    customer.refresh_from_db()
    assert customer.version == 2


def test_update_that_changes_nothing_records_nothing(csa, customer):
    before = db_state()
    result = update(
        csa, customer.ucrn, {**FULL, "first_name": customer.first_name, "phone_number": customer.phone_number}
    )
    assert result.changes == []
    assert db_state() == before


def test_update_keeps_the_addresses_when_only_profile_fields_change(csa, customer):
    before = addresses_of(customer)
    update(csa, customer.ucrn, {**FULL, "first_name": "X"})
    assert addresses_of(customer) == before
    assert [a.end_date for a in addresses_of(customer)] == [a.end_date for a in before]
    assert customer.addresses.get().start_date == dt.date(2020, 1, 1)
