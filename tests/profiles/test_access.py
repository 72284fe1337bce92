"""SPEC 3 and 7: who may Get, Create and Update which customer."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from stdnum import damm

from profiles.models import Customer
from profiles.selectors import address_history, change_history, profile_get
from tests.factories import AddressFactory, CustomerFactory, UserFactory

from .support import VALID_CREATE, create, db_state, refused, update

# 9 digits with a valid Damm check digit, of no customer (the factories draw from 90 million random numbers).
UNKNOWN_VALID = "10000000" + damm.calc_check_digit("10000000")
MALFORMED = ["123456789", "12345678", "1234567890", "abcdefghi", "", " ", None, 123456789, ["x"], "\uff1012345678"]


@pytest.fixture
def other(db):
    return CustomerFactory()


def test_unknown_valid_is_a_valid_ucrn_of_no_customer(other):
    from profiles.ucrn import is_valid_ucrn

    assert is_valid_ucrn(UNKNOWN_VALID)
    assert not Customer.objects.filter(ucrn=UNKNOWN_VALID).exists()


def bad_check_digit(ucrn):
    return ucrn[:-1] + str((int(ucrn[-1]) + 1) % 10)


# --- Get -------------------------------------------------------------------------------------------


def test_citizen_gets_own_profile(citizen, customer):
    assert profile_get(ucrn=customer.ucrn, user=citizen)["ucrn"] == customer.ucrn


@pytest.mark.parametrize("role", ["csa", "admin"])
def test_csa_and_admin_get_any_profile(db, role, other):
    user = UserFactory(role=role)
    profile = profile_get(ucrn=other.ucrn, user=user)
    assert profile["ucrn"] == other.ucrn
    assert profile["last_name"] == other.last_name


def test_citizen_refused_another_ucrn_whether_it_exists_or_not(citizen, other):
    """SPEC 3: nothing about the customer, not even whether the UCRN exists, is revealed."""
    messages = set()
    for ucrn in [other.ucrn, UNKNOWN_VALID, bad_check_digit(other.ucrn), *MALFORMED]:
        with pytest.raises(PermissionDenied) as excinfo:
            profile_get(ucrn=ucrn, user=citizen)
        messages.add(str(excinfo.value))
    assert len(messages) == 1


@pytest.mark.parametrize("role", ["csa", "admin"])
def test_csa_unknown_or_malformed_ucrn_not_found(db, role, other):
    user = UserFactory(role=role)
    for ucrn in [UNKNOWN_VALID, bad_check_digit(other.ucrn), *MALFORMED]:
        with pytest.raises(Http404):
            profile_get(ucrn=ucrn, user=user)


@pytest.mark.parametrize("anonymous", [None, AnonymousUser()], ids=["none", "anonymous-user"])
def test_anonymous_refused(other, anonymous):
    for ucrn in [other.ucrn, UNKNOWN_VALID, "junk"]:
        with pytest.raises(PermissionDenied):
            profile_get(ucrn=ucrn, user=anonymous)


def test_user_without_a_role_refused(other):
    nobody = UserFactory()
    with pytest.raises(PermissionDenied):
        profile_get(ucrn=other.ucrn, user=nobody)


def test_citizen_without_a_linked_customer_refused(other):
    citizen = UserFactory(role="citizen")
    with pytest.raises(PermissionDenied):
        profile_get(ucrn=other.ucrn, user=citizen)


def test_inactive_csa_refused(other):
    user = UserFactory(role="csa", is_active=False)
    with pytest.raises(PermissionDenied):
        profile_get(ucrn=other.ucrn, user=user)


def test_citizen_linked_elsewhere_loses_access(citizen, customer, other):
    customer.portal_user = None
    customer.save()
    other.portal_user = citizen
    other.save()
    citizen = type(citizen).objects.get(pk=citizen.pk)
    with pytest.raises(PermissionDenied):
        profile_get(ucrn=customer.ucrn, user=citizen)
    assert profile_get(ucrn=other.ucrn, user=citizen)["ucrn"] == other.ucrn


def test_citizen_reads_own_history_only(citizen, customer, other):
    assert list(address_history(ucrn=customer.ucrn, user=citizen)) == list(customer.addresses.all())
    assert list(change_history(ucrn=customer.ucrn, user=citizen)) == []
    for read in (address_history, change_history):
        with pytest.raises(PermissionDenied):
            read(ucrn=other.ucrn, user=citizen)


# --- Update ----------------------------------------------------------------------------------------


def test_citizen_updates_own_profile(citizen, customer):
    result = update(citizen, customer.ucrn, {**VALID_CREATE, "first_name": "Mine"}, channel="portal")
    assert result.profile["first_name"] == "Mine"


def test_citizen_cannot_update_others(citizen, other):
    before = db_state()
    for ucrn in [other.ucrn, UNKNOWN_VALID, "junk"]:
        with pytest.raises(PermissionDenied):
            update(citizen, ucrn, {**VALID_CREATE, "first_name": "Theirs"}, channel="portal")
    assert db_state() == before


@pytest.mark.parametrize("anonymous", [None, AnonymousUser()], ids=["none", "anonymous-user"])
def test_anonymous_cannot_update(other, anonymous):
    before = db_state()
    with pytest.raises(PermissionDenied):
        update(anonymous, other.ucrn, {**VALID_CREATE, "first_name": "X"})
    assert db_state() == before


def test_csa_update_unknown_ucrn_not_found(csa, other):
    for ucrn in [UNKNOWN_VALID, bad_check_digit(other.ucrn), "junk"]:
        with pytest.raises(Http404):
            update(csa, ucrn, {**VALID_CREATE, "first_name": "X"})


def test_citizen_in_a_body_cannot_reach_another_ucrn(citizen, customer, other):
    """The UCRN addressed decides; a body `ucrn` of someone else is refused, not followed."""
    before = db_state()
    assert refused(update, citizen, customer.ucrn, {**VALID_CREATE, "ucrn": other.ucrn, "first_name": "X"}) == {
        "ucrn": ["ucrn_mismatch"]
    }
    assert db_state() == before


# --- Create ----------------------------------------------------------------------------------------


def test_csa_creates_without_linking(csa):
    result = create(csa, first_name="New")
    assert result.customer.portal_user is None
    csa.refresh_from_db()
    assert not Customer.objects.filter(portal_user=csa).exists()


def test_citizen_creates_own_profile_once_and_is_linked(db):
    citizen = UserFactory(role="citizen")
    result = create(citizen, first_name="Me")
    assert Customer.objects.get(ucrn=result.profile["ucrn"]).portal_user == citizen
    assert profile_get(ucrn=result.profile["ucrn"], user=citizen)["first_name"] == "Me"
    before = db_state()
    with pytest.raises(PermissionDenied):
        create(citizen, first_name="Me again")
    fresh = type(citizen).objects.get(pk=citizen.pk)
    with pytest.raises(PermissionDenied):
        create(fresh, first_name="Me again")
    assert db_state() == before


def test_linked_citizen_cannot_create(citizen):
    before = db_state()
    with pytest.raises(PermissionDenied):
        create(citizen, first_name="Second me")
    assert db_state() == before


@pytest.mark.parametrize("anonymous", [None, AnonymousUser()], ids=["none", "anonymous-user"])
def test_anonymous_cannot_create(db, anonymous):
    before = db_state()
    with pytest.raises(PermissionDenied):
        create(anonymous, first_name="Nobody")
    assert db_state() == before


def test_user_without_a_role_cannot_create(db):
    with pytest.raises(PermissionDenied):
        create(UserFactory(), first_name="Nobody")


def test_admin_creates(admin_user):
    assert create(admin_user).created


# --- query budget ----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 20])
@pytest.mark.usefixtures("warm_reference_lists")
def test_get_query_count_does_not_grow_with_addresses(csa, django_assert_max_num_queries, count):
    """The role, then the customer and its primary address in one query (the names of title, suffix and
    country from the cached reference lists): at most 3 queries."""
    customer = CustomerFactory(prefix_id=6, suffix_id=1)
    AddressFactory.create_batch(count - 1, customer=customer)
    csa = type(csa).objects.get(pk=csa.pk)  # no cached role
    with django_assert_max_num_queries(3):
        profile = profile_get(ucrn=customer.ucrn, user=csa)
    assert profile["name"].startswith("Dr ") and profile["name"].endswith(" Jr")
    assert profile["country"] == "United Kingdom"


@pytest.mark.parametrize("count", [1, 20])
@pytest.mark.usefixtures("warm_reference_lists")
def test_update_of_profile_fields_query_count_does_not_grow_with_addresses(csa, django_assert_max_num_queries, count):
    customer = CustomerFactory(prefix_id=6)
    AddressFactory.create_batch(count - 1, customer=customer)
    csa = type(csa).objects.get(pk=csa.pk)
    with django_assert_max_num_queries(12):
        update(csa, customer.ucrn, {**VALID_CREATE, "first_name": "X", "notification_preference": "1,2"})
