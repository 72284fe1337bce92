"""Property tests: random sequences of creates and updates keep the invariants of SPEC 2 and 4."""

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from profiles.models import Address, ChangeRecord

from .support import VALID_CREATE, create, db_state, primary_of, update

PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis folder in the project
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

BLANK = st.sampled_from(["", None, "  "])
POOLS = {
    "first_name": ["Jane", "JANE", "Ahmed"],
    "last_name": ["Smith", "O'Neill"],
    "twitter": ["@jane", "ahmed_1"],
    "birth_date": ["1980-01-02", "12/31/1999"],
    "phone_number": ["0117 496 0123", "+441174960999"],
    "notification_preference": ["3,1", [2]],
    "location": [2, "5"],
    "contact_type": ["Individual", "Organization"],
    "preferred_contact_method": [1, "4"],
    "custom_7": ["seven"],
    "house": ["1", "22"],
    "street": ["High Street", "high  street", "Mill Lane"],
    "town": ["Bath", "BATH"],
    "postcode": ["SW1A 1AA", "sw1a1aa", "M1 1AE", "XYZ"],
    "uprn": ["100", "0100", "200"],
    "country_id": [826, 372],
    "start_date": ["2019-05-01", "2031-01-01", "02/30/2020"],
    "end_date": ["2018-01-01", "2031-01-01"],
}
OPTION = st.sampled_from([0, 1, "true", "false"])


def value(pool):
    return st.one_of(st.sampled_from(pool), BLANK)


calls = st.fixed_dictionaries(
    {},
    optional={
        **{name: value(pool) for name, pool in POOLS.items()},
        "ignore_empty_entries": OPTION,
        "update_primary_address": OPTION,
        "address_is_primary": OPTION,
        "keep_empty_end_dates": OPTION,
    },
)
first_calls = st.fixed_dictionaries(
    {}, optional={name: st.sampled_from(POOLS[name]) for name in ["street", "postcode", "end_date", "first_name"]}
)


def content(state):
    """The stored data without the bookkeeping an update bumps (version, updated_at) or the log."""
    customers = [{k: v for k, v in c.items() if k not in ("version", "updated_at")} for c in state["customers"]]
    return customers, state["addresses"]


def check_invariants(customer):
    assert Address.objects.filter(customer=customer, is_primary=True).count() <= 1
    assert all(a.start_date is not None for a in Address.objects.filter(customer=customer))


@PROPERTY_SETTINGS
@given(first=first_calls, steps=st.lists(st.tuples(calls, st.booleans()), min_size=1, max_size=4))
def test_random_updates_keep_the_invariants(csa, first, steps):
    """One primary at most; no record deleted; one ChangeRecord per update that changed something, else none;
    a refused update changes nothing."""
    try:
        result = create(csa, **first)
    except ValidationError:
        return
    customer = result.customer
    check_invariants(customer)
    for data, full in steps:
        before = db_state()
        address_ids = set(Address.objects.filter(customer=customer).values_list("pk", flat=True))
        payload = {**VALID_CREATE, **data} if full else data
        try:
            result = update(csa, customer.ucrn, payload, full=full)
        except ValidationError:
            event("refused")
            assert db_state() == before
            continue
        after = db_state()
        check_invariants(customer)
        assert address_ids <= set(Address.objects.filter(customer=customer).values_list("pk", flat=True))
        new_records = after["change_records"] - before["change_records"]
        if content(after) != content(before):
            event("changed")
            assert new_records == 1
            assert result.changes
            assert ChangeRecord.objects.filter(customer=customer).order_by("-pk")[0].changes == result.changes
        else:
            event("unchanged")
            assert new_records == 0
            assert result.changes == []
            assert after == before
        primary = primary_of(customer)
        assert result.profile["street"] == (primary.street if primary else "")
        assert result.profile["start_date"] == (primary.start_date.isoformat() if primary else None)


@PROPERTY_SETTINGS
@given(
    first=first_calls,
    blanks=st.fixed_dictionaries({}, optional={name: BLANK for name in POOLS}),
    update_primary=OPTION,
    is_primary=OPTION,
    keep=OPTION,
    full=st.booleans(),
)
def test_ignore_empty_entries_with_only_blanks_changes_nothing(
    csa, first, blanks, update_primary, is_primary, keep, full
):
    """SPEC 4.2 and 4.3.1: blanks under Ignore Empty Entries leave everything as stored, whatever the options."""
    try:
        customer = create(csa, **first).customer
    except ValidationError:
        return
    data = {
        **blanks,
        "ignore_empty_entries": True,
        "update_primary_address": update_primary,
        "address_is_primary": is_primary,
        "keep_empty_end_dates": keep,
    }
    if full:
        data = {**VALID_CREATE, **data}
    before = db_state()
    result = update(csa, customer.ucrn, data, full=full)
    assert result.changes == []
    assert db_state() == before


@PROPERTY_SETTINGS
@given(steps=st.lists(calls, min_size=1, max_size=3))
def test_retrying_any_update_changes_nothing_more(csa, steps):
    """A retried call (the same data sent twice) adds nothing the second time: no duplicated addresses."""
    customer = create(csa, street="Start Street").customer
    for data in steps:
        data = {**VALID_CREATE, **data}
        try:
            first = update(csa, customer.ucrn, data)
        except ValidationError:
            continue
        if (first.profile["end_date"] or "9999") < "2020" or data.get("end_date") == "2018-01-01":
            continue  # an ended primary is no longer "already there" (SPEC 4.3.3): a retry may add a record
        before = db_state()
        again = update(csa, customer.ucrn, data)
        assert again.changes == []
        assert db_state() == before
