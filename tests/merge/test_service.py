"""`profiles.services.merge`: per-field choices, what moves, the old UCRN, undo and its refusals."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from integrations.models import Case
from profiles.models import Address, ChangeRecord, Customer, Merge
from profiles.selectors import profile_get
from profiles.services import merge as merge_service
from profiles.services import profile_change_email
from profiles.services.erasure import profile_erase
from profiles.services.merge import UndoConflict, merge_preview, merge_undo, profile_merge
from tests.factories import CustomerFactory, UserFactory
from tests.merge.conftest import full_state
from tests.profiles.support import db_state, error_codes, refused, update

pytestmark = pytest.mark.django_db


def do_merge(csa, survivor, duplicate, choices=None, channel="api") -> Merge:
    return profile_merge(survivor_ucrn=survivor.ucrn, merged_ucrn=duplicate.ucrn, choices=choices, user=csa,
                         channel=channel)


def undo(csa, merge, **kwargs):
    return merge_undo(merge_id=merge.pk, user=csa, channel="api", **kwargs)


def fresh(customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


# --- choices -------------------------------------------------------------------------------------


def test_defaults_keep_the_survivors_value_else_take_the_merged_ones(csa, survivor, duplicate):
    merge = do_merge(csa, survivor, duplicate)
    kept = fresh(survivor)
    assert kept.last_name == "Smith"  # both have one: the survivor's
    assert kept.phone_number == "+441174960001"
    assert kept.mobile_number == "+447700900123"  # only the merged record has one
    assert kept.birth_date == dt.date(1980, 5, 17)
    assert kept.custom_3 == "legacy-42"
    assert kept.email_address == "jane@example.org"
    assert merge.choices["last_name"] == "survivor" and merge.choices["mobile_number"] == "merged"
    assert merge.choices["address"] == "survivor"
    assert "first_name" not in merge.choices  # the same on both: nothing to choose


def test_per_field_choices_win_over_the_defaults(csa, survivor, duplicate):
    merge = do_merge(csa, survivor, duplicate, {"last_name": "merged", "mobile_number": "survivor",
                                                "First_Name": "merged"})
    kept = fresh(survivor)
    assert kept.last_name == "Smyth"
    assert kept.mobile_number == ""  # the survivor's (blank) value, as chosen
    assert merge.choices["last_name"] == "merged" and merge.choices["mobile_number"] == "survivor"
    record = ChangeRecord.objects.get(customer=survivor, action="merge")
    fields = {c["field"]: c for c in record.changes}
    assert fields["last_name"]["before"] == "Smith" and fields["last_name"]["after"] == "Smyth"
    assert "mobile_number" not in fields


def test_the_email_moves_when_chosen_and_the_merged_record_lets_go_of_it(csa, survivor, duplicate):
    do_merge(csa, survivor, duplicate, {"email_address": "merged"})
    assert fresh(survivor).email_address == "j.smyth@example.org"
    assert fresh(duplicate).email_address == ""
    record = ChangeRecord.objects.get(customer=duplicate, action="merge")
    assert {"field": "email_address", "before": "j.smyth@example.org", "after": ""} in record.changes


def test_a_survivor_without_email_takes_the_merged_ones_by_default(csa, survivor, duplicate):
    profile_change_email(ucrn=survivor.ucrn, email="", user=csa, channel="hub")
    do_merge(csa, survivor, duplicate)
    assert fresh(survivor).email_address == "j.smyth@example.org"
    assert fresh(duplicate).email_address == ""


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        ({"nickname": "merged"}, {"nickname": ["unknown_field"]}),
        ({"ucrn": "merged"}, {"ucrn": ["read_only"]}),
        ({"name": "merged", "version": "survivor"}, {"name": ["read_only"], "version": ["read_only"]}),
        ({"street": "merged"}, {"street": ["unknown_field"]}),
        ({"last_name": "both"}, {"last_name": ["invalid_choice"]}),
        ({"last_name": ["merged"]}, {"last_name": ["invalid_choice"]}),
        ({"address": None}, {"address": ["invalid_choice"]}),
        ({"last_name": "merged", "LAST_NAME": "survivor"}, {"last_name": ["duplicate_field"]}),
        (["last_name"], {"choices": ["invalid"]}),
    ],
)
def test_bad_choices_are_refused_by_name_with_a_code_and_change_nothing(csa, survivor, duplicate, choices, expected):
    before = db_state()
    assert refused(do_merge, csa, survivor, duplicate, choices) == expected
    assert db_state() == before and not Merge.objects.exists()


def test_taking_an_email_another_customer_has_is_refused(csa, survivor, duplicate, monkeypatch):
    # The unique constraint makes this a race (another customer takes it meanwhile): simulated here.
    monkeypatch.setattr(merge_service, "_email_taken", lambda *args: True)
    assert refused(do_merge, csa, survivor, duplicate, {"email_address": "merged"}) == {
        "email_address": ["email_already_exists"]}


# --- what moves ----------------------------------------------------------------------------------


def test_addresses_move_as_history_and_the_survivors_primary_stays(csa, survivor, duplicate):
    s_primary = Address.objects.get(customer=survivor, is_primary=True)
    moved = list(Address.objects.filter(customer=duplicate).order_by("pk"))
    merge = do_merge(csa, survivor, duplicate)
    assert merge.moved["addresses"] == [a.pk for a in moved]
    addresses = Address.objects.filter(customer=survivor)
    assert addresses.count() == 3 and not Address.objects.filter(customer=duplicate).exists()
    assert list(addresses.filter(is_primary=True)) == [s_primary]
    record = Address.objects.get(pk=moved[0].pk)
    assert (record.start_date, record.end_date, record.postcode) == (dt.date(2021, 6, 1), None, "M1 1AE")
    assert profile_get(ucrn=survivor.ucrn, user=csa)["postcode"] == "BS1 4DJ"


def test_choosing_the_merged_address_makes_it_the_one_primary(csa, survivor, duplicate):
    s_primary = Address.objects.get(customer=survivor, is_primary=True)
    m_primary = Address.objects.get(customer=duplicate, is_primary=True)
    do_merge(csa, survivor, duplicate, {"address": "merged"})
    assert list(Address.objects.filter(customer=survivor, is_primary=True)) == [m_primary]
    s_primary.refresh_from_db()
    assert not s_primary.is_primary and s_primary.end_date is None  # no end date invented
    assert profile_get(ucrn=survivor.ucrn, user=csa)["postcode"] == "M1 1AE"


def test_a_survivor_without_address_takes_the_merged_primary_by_default(csa, duplicate):
    survivor = CustomerFactory(address=False)
    m_primary = Address.objects.get(customer=duplicate, is_primary=True)
    merge = do_merge(csa, survivor, duplicate)
    assert merge.choices["address"] == "merged"
    assert list(Address.objects.filter(customer=survivor, is_primary=True)) == [m_primary]


def test_cases_history_and_portal_account_move_to_the_survivor(csa, survivor, duplicate):
    citizen = UserFactory(role="citizen")
    Customer.objects.filter(pk=duplicate.pk).update(portal_user=citizen)
    cases = set(Case.objects.filter(customer=duplicate).values_list("pk", flat=True))
    records = set(ChangeRecord.objects.filter(customer=duplicate).values_list("pk", flat=True))
    merge = do_merge(csa, survivor, duplicate)
    assert set(Case.objects.filter(customer=survivor).values_list("pk", flat=True)) > cases
    assert set(ChangeRecord.objects.filter(customer=survivor).values_list("pk", flat=True)) > records
    assert fresh(survivor).portal_user == citizen and fresh(duplicate).portal_user is None
    assert merge.moved["portal_user"] == citizen.pk
    # The citizen now sees the survivor: the same person, their own profile.
    assert profile_get(ucrn=survivor.ucrn, user=citizen)["ucrn"] == survivor.ucrn


def test_a_portal_account_stays_when_the_survivor_has_one(csa, survivor, duplicate):
    own, other = UserFactory(role="citizen"), UserFactory(role="citizen")
    Customer.objects.filter(pk=survivor.pk).update(portal_user=own)
    Customer.objects.filter(pk=duplicate.pk).update(portal_user=other)
    do_merge(csa, survivor, duplicate)
    assert fresh(survivor).portal_user == own and fresh(duplicate).portal_user == other
    # That citizen still sees only their own (merged) record, never the survivor's data.
    profile = profile_get(ucrn=duplicate.ucrn, user=other)
    assert profile["ucrn"] == duplicate.ucrn and "merged_from" not in profile and profile["status"] == "Merged"
    with pytest.raises(PermissionDenied):
        profile_get(ucrn=survivor.ucrn, user=other)
    with pytest.raises(ValidationError) as excinfo:
        update(other, duplicate.ucrn, {"first_name": "X"}, full=False)
    assert error_codes(excinfo) == {"ucrn": ["merged"]} and survivor.ucrn not in str(excinfo.value)


def test_the_merged_record_is_marked_and_both_are_audited_with_snapshots(csa, survivor, duplicate):
    s_version, m_version = survivor.version, duplicate.version
    merge = do_merge(csa, survivor, duplicate, channel="hub")
    merged, kept = fresh(duplicate), fresh(survivor)
    assert merged.status_id == "Merged" and merged.merged_into == kept
    assert kept.version == s_version + 1 == merge.survivor_version and merged.version == m_version + 1
    assert merge.survivor_before["row"]["last_name"] == "Smith"
    assert merge.merged_before["row"]["last_name"] == "Smyth" and merge.merged_before["row"]["status_id"] == "Active"
    assert len(merge.merged_before["addresses"]) == 1 and len(merge.survivor_before["addresses"]) == 2
    for customer, field, other in ((kept, "merged_from", merged), (merged, "merged_into", kept)):
        record = ChangeRecord.objects.filter(customer=customer).first()  # the newest
        assert (record.action, record.channel, record.user) == ("merge", "hub", csa)
        assert record.changes[0] == {"field": field, "before": None, "after": other.ucrn, "merge_id": merge.pk}


def test_a_failure_half_way_changes_nothing(csa, survivor, duplicate, monkeypatch):
    before = db_state(), set(Case.objects.values_list("pk", "customer_id"))
    real = merge_service.write_customer

    def fail_on_the_second(**kwargs):
        if kwargs["customer"].pk == duplicate.pk:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(merge_service, "write_customer", fail_on_the_second)
    with pytest.raises(RuntimeError):
        do_merge(csa, survivor, duplicate, {"email_address": "merged", "address": "merged"})
    assert (db_state(), set(Case.objects.values_list("pk", "customer_id"))) == before
    assert not Merge.objects.exists()


# --- refusals ------------------------------------------------------------------------------------


def test_merging_a_customer_into_itself_is_refused(csa, survivor):
    assert refused(do_merge, csa, survivor, survivor) == {"merge": ["merge_self"]}


def test_an_unknown_or_malformed_other_ucrn_is_a_400_and_an_unknown_survivor_a_404(csa, survivor):
    other = CustomerFactory.build().ucrn
    assert refused(profile_merge, survivor_ucrn=survivor.ucrn, merged_ucrn=other, choices=None, user=csa,
                   channel="api") == {"merge": ["not_found"]}
    assert refused(profile_merge, survivor_ucrn=survivor.ucrn, merged_ucrn="12345", choices=None, user=csa,
                   channel="api") == {"merge": ["invalid"]}
    assert refused(profile_merge, survivor_ucrn=survivor.ucrn, merged_ucrn=None, choices=None, user=csa,
                   channel="api") == {"merge": ["required"]}
    with pytest.raises(Http404):
        profile_merge(survivor_ucrn=other, merged_ucrn=survivor.ucrn, choices=None, user=csa, channel="api")


def test_already_merged_chains_and_erased_customers_are_refused(csa, admin_user, survivor, duplicate):
    do_merge(csa, survivor, duplicate)
    third = CustomerFactory()
    assert refused(do_merge, csa, third, duplicate) == {"merge": ["already_merged"]}
    with pytest.raises(ValidationError) as excinfo:
        do_merge(csa, duplicate, third)  # into a merged customer: a chain
    assert error_codes(excinfo) == {"merge": ["merge_chain"]} and survivor.ucrn in str(excinfo.value)
    profile_erase(ucrn=third.ucrn, user=admin_user, channel="admin")
    assert refused(do_merge, csa, survivor, third) == {"merge": ["erased"]}
    assert refused(do_merge, csa, third, CustomerFactory()) == {"merge": ["erased"]}


def test_only_csas_merge_and_undo(csa, citizen, customer, survivor, duplicate):
    before = db_state()
    for user in (citizen, None, UserFactory()):
        with pytest.raises(PermissionDenied):
            do_merge(user, customer, duplicate)
        with pytest.raises(PermissionDenied):
            merge_preview(survivor_ucrn=customer.ucrn, merged_ucrn=duplicate.ucrn, user=user)
    assert db_state() == before
    merge = do_merge(csa, survivor, duplicate)
    with pytest.raises(PermissionDenied):
        undo(citizen, merge)
    assert fresh(duplicate).merged_into_id == survivor.pk


def test_the_preview_lists_the_differing_fields_with_defaults_and_runs_the_same_checks(csa, survivor, duplicate):
    preview = merge_preview(survivor_ucrn=survivor.ucrn, merged_ucrn=duplicate.ucrn, user=csa)
    rows = {row.name: row for row in preview.rows}
    assert rows["last_name"].default == "survivor" and rows["mobile_number"].default == "merged"
    assert "first_name" not in rows and "ucrn" not in rows
    assert preview.counts == {"addresses": 1, "cases": 2, "change_records": 1}
    assert refused(merge_preview, survivor_ucrn=survivor.ucrn, merged_ucrn=survivor.ucrn, user=csa) == {
        "merge": ["merge_self"]}


# --- the old UCRN --------------------------------------------------------------------------------


def test_a_get_of_the_old_ucrn_returns_the_survivor_and_says_so(csa, survivor, duplicate):
    do_merge(csa, survivor, duplicate)
    profile = profile_get(ucrn=duplicate.ucrn, user=csa)
    assert profile["ucrn"] == survivor.ucrn and profile["merged_from"] == duplicate.ucrn
    assert "merged_from" not in profile_get(ucrn=survivor.ucrn, user=csa)


def test_writes_to_the_old_ucrn_are_refused_naming_the_survivor(csa, survivor, duplicate):
    do_merge(csa, survivor, duplicate)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        update(csa, duplicate.ucrn, {"first_name": "Janet"}, full=False)
    assert error_codes(excinfo) == {"ucrn": ["merged"]} and survivor.ucrn in str(excinfo.value)
    assert refused(profile_change_email, ucrn=duplicate.ucrn, email="x@example.org", user=csa,
                   channel="hub") == {"ucrn": ["merged"]}
    assert db_state() == before


def test_a_later_merge_of_the_survivor_is_followed_and_blocks_the_first_undo(csa, survivor, duplicate):
    first = do_merge(csa, survivor, duplicate)
    final = CustomerFactory()
    second = do_merge(csa, final, survivor)
    assert profile_get(ucrn=duplicate.ucrn, user=csa)["ucrn"] == final.ucrn
    assert refused(undo, csa, first) == {"merge": ["survivor_merged"]}
    undo(csa, second)
    undo(csa, first)
    assert fresh(duplicate).merged_into is None and fresh(survivor).merged_into is None


# --- undo ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("choices", [None, {"email_address": "merged", "address": "merged", "last_name": "merged"}])
def test_merge_then_undo_leaves_both_records_exactly_as_before(csa, survivor, duplicate, choices):
    citizen = UserFactory(role="citizen")
    Customer.objects.filter(pk=duplicate.pk).update(portal_user=citizen)
    before = full_state(survivor), full_state(duplicate)
    versions = fresh(survivor).version, fresh(duplicate).version
    merge = do_merge(csa, survivor, duplicate, choices)
    assert full_state(survivor) != before[0]
    done = undo(csa, merge)
    assert (full_state(survivor), full_state(duplicate)) == before
    assert done.undone_at is not None and done.undone_by == csa
    assert fresh(survivor).version == versions[0] + 2 and fresh(duplicate).version == versions[1] + 2
    for customer in (survivor, duplicate):
        assert ChangeRecord.objects.filter(customer=customer).first().action == "unmerge"
    assert profile_get(ucrn=duplicate.ucrn, user=csa)["ucrn"] == duplicate.ucrn


def test_undo_twice_is_refused(csa, survivor, duplicate):
    merge = do_merge(csa, survivor, duplicate)
    undo(csa, merge)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        undo(csa, merge)
    assert error_codes(excinfo) == {"merge": ["already_undone"]} and "csa" in str(excinfo.value)
    assert db_state() == before


def test_undo_of_an_unknown_merge_or_through_another_customer_is_404(csa, survivor, duplicate):
    merge = do_merge(csa, survivor, duplicate)
    for merge_id, ucrn in ((merge.pk + 1, None), ("x", None), (-1, None), (merge.pk, CustomerFactory().ucrn)):
        with pytest.raises(Http404):
            merge_undo(merge_id=merge_id, ucrn=ucrn, user=csa, channel="api")
    undo(csa, merge, ucrn=duplicate.ucrn)  # either customer's UCRN names it


def test_undo_is_refused_after_a_change_to_a_field_the_merge_set(csa, survivor, duplicate):
    merge = do_merge(csa, survivor, duplicate, {"last_name": "merged"})
    other = UserFactory(username="second-csa", role="csa")
    update(other, survivor.ucrn, {"last_name": "Smythe"}, full=False, channel="hub")
    before = db_state()
    with pytest.raises(UndoConflict) as excinfo:
        undo(csa, merge)
    codes = error_codes(excinfo)
    assert codes == {"merge": ["merge_conflict"], "last_name": ["merge_conflict"]}
    message = " ".join(excinfo.value.error_dict["last_name"][0].messages)
    assert "Last name was changed since the merge" in message and "second-csa" in message and "Hub page" in message
    assert db_state() == before and Merge.objects.get().undone_at is None


def test_undo_is_refused_after_a_change_to_a_moved_address(csa, survivor, duplicate):
    merge = do_merge(csa, survivor, duplicate, {"address": "merged"})
    update(csa, survivor.ucrn, {"street": "Park Lane East", "update_primary_address": True}, full=False)
    with pytest.raises(UndoConflict) as excinfo:
        undo(csa, merge)
    assert error_codes(excinfo) == {"merge": ["merge_conflict"], "address": ["merge_conflict"]}


def test_undo_keeps_a_later_change_to_an_unrelated_field(csa, survivor, duplicate):
    before = full_state(duplicate)
    merge = do_merge(csa, survivor, duplicate, {"last_name": "merged"})
    update(csa, survivor.ucrn, {"first_name": "Janet", "twitter": "@janet"}, full=False)
    undo(csa, merge)
    kept = fresh(survivor)
    assert (kept.first_name, kept.twitter) == ("Janet", "janet")  # the later edit stays
    assert kept.last_name == "Smith" and kept.mobile_number == ""  # what the merge set goes back
    assert full_state(duplicate) == before


def test_undo_after_a_later_new_address_on_the_survivor_keeps_it(csa, survivor, duplicate):
    Address.objects.filter(customer=duplicate).update(end_date=dt.date(2022, 1, 1))  # moved ones have ended
    before = full_state(duplicate)
    merge = do_merge(csa, survivor, duplicate)
    update(csa, survivor.ucrn, {"house": "5", "street": "New Street", "postcode": "BS3 1AA"}, full=False)
    undo(csa, merge)
    assert full_state(duplicate) == before
    assert Address.objects.get(customer=survivor, is_primary=True).street == "New Street"


def test_undo_is_refused_when_the_survivors_old_email_was_taken_meanwhile(csa, survivor, duplicate):
    merge = do_merge(csa, survivor, duplicate, {"email_address": "merged"})
    CustomerFactory(email_address="jane@example.org")
    with pytest.raises(UndoConflict) as excinfo:
        undo(csa, merge)
    assert error_codes(excinfo) == {"merge": ["merge_conflict"], "email_address": ["merge_conflict"]}


def test_undo_refused_for_an_erased_customer(csa, admin_user, survivor, duplicate):
    merge = do_merge(csa, survivor, duplicate)
    profile_erase(ucrn=survivor.ucrn, user=admin_user, channel="admin")
    assert refused(undo, csa, merge) == {"merge": ["erased"]}
