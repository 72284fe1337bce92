"""A merge and its undo with contact permissions, subscriptions and extended data (SPEC 8).

The rules: a refusal on either record stays a refusal on the survivor (the safe side wins, said in its
change entry) and ends the survivor's subscriptions on that channel; otherwise the survivor's permission
stands, or the merged record's when the survivor's is `unknown`. A current subscription of the merged record
moves to the survivor unless the survivor already has that topic on that channel (or may not be contacted on
it). Extended data: the survivor keeps its own sources and takes the merged record's sources it lacks, with
their references. An undo puts every one of them back."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from profiles.models import (
    ChangeRecord,
    Customer,
    ExtendedData,
    ExtendedReference,
    ExtendedSource,
    Merge,
    Subscription,
    Topic,
)
from profiles.selectors import profile_get
from profiles.services.erasure import profile_erase
from profiles.services.export import profile_export
from profiles.services.extended import extended_put
from profiles.services.merge import UndoConflict, merge_undo, profile_merge
from profiles.services.subscriptions import subscribe
from tests.profiles.support import update

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics(db) -> dict[str, Topic]:
    return {
        "bins": Topic.objects.create(slug="bin-reminders", name="Bin collection reminders", channels=["email", "sms"]),
        "tax": Topic.objects.create(slug="council-tax", name="Council tax e-billing", channels=["email"]),
    }


@pytest.fixture
def sources(db) -> dict[str, ExtendedSource]:
    return {
        "council_tax": ExtendedSource.objects.create(slug="council_tax", reference_key="account",
                                                     reference_unique=True),
        "housing": ExtendedSource.objects.create(slug="housing", reference_key="tenancy", reference_unique=True),
    }


def do_merge(csa, survivor, duplicate, choices=None):
    return profile_merge(survivor_ucrn=survivor.ucrn, merged_ucrn=duplicate.ucrn, choices=choices, user=csa,
                         channel="hub")


def current(customer) -> set[tuple[str, str]]:
    return set(Subscription.objects.filter(customer=customer, ended_at__isnull=True)
               .values_list("topic__slug", "channel"))


def sub(csa, customer, topic, channel="email"):
    return subscribe(ucrn=customer.ucrn, topic=topic, channel=channel, user=csa, door="hub").subscription


def fresh(customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


def test_subscriptions_move_unless_the_survivor_has_the_topic_and_undo_puts_them_back(
        csa, survivor, duplicate, topics):
    sub(csa, survivor, "bin-reminders")
    on_both = sub(csa, duplicate, "bin-reminders")
    moved = sub(csa, duplicate, "council-tax")
    by_sms = sub(csa, duplicate, "bin-reminders", "sms")

    merge = do_merge(csa, survivor, duplicate)

    assert current(survivor) == {("bin-reminders", "email"), ("council-tax", "email"), ("bin-reminders", "sms")}
    assert Subscription.objects.get(pk=on_both.pk).customer_id == duplicate.pk  # the survivor's own stands
    assert Subscription.objects.get(pk=moved.pk).address == duplicate.email_address  # as used then
    record = ChangeRecord.objects.filter(customer=survivor, action="merge").get()
    entries = [e for e in record.changes if e["field"] == "subscription"]
    assert {e["after"]["id"] for e in entries} == {moved.pk, by_sms.pk}
    assert fresh(survivor).permission_sms == "granted"  # the merged record's, the survivor's was unknown

    merge_undo(merge_id=merge.pk, user=csa, channel="hub")
    assert current(survivor) == {("bin-reminders", "email")}
    assert current(duplicate) == {("bin-reminders", "email"), ("council-tax", "email"), ("bin-reminders", "sms")}
    assert fresh(survivor).permission_sms == "unknown"


def test_a_refusal_on_the_merged_record_wins_over_a_grant_even_when_chosen(csa, survivor, duplicate, topics):
    sub(csa, survivor, "bin-reminders")  # grants the survivor's email
    update(csa, duplicate.ucrn, {"permission_email": "refused"}, full=False)

    merge = do_merge(csa, survivor, duplicate, {"permission_email": "survivor"})

    assert fresh(survivor).permission_email == "refused"
    assert merge.choices["permission_email"] == "merged"
    assert current(survivor) == set()  # refusing a channel ends its subscriptions
    record = ChangeRecord.objects.filter(customer=survivor, action="merge").get()
    [entry] = [e for e in record.changes if e["field"] == "permission_email"]
    assert (entry["before"], entry["after"]) == ("granted", "refused")
    assert "refused" in entry["note"]
    assert any(e["field"] == "subscription" and e["after"] is None for e in record.changes)

    merge_undo(merge_id=merge.pk, user=csa, channel="hub")
    assert fresh(survivor).permission_email == "granted"
    assert current(survivor) == {("bin-reminders", "email")}
    record = ChangeRecord.objects.filter(customer=survivor, action="unmerge").get()
    [entry] = [e for e in record.changes if e["field"] == "subscription"]
    assert entry["before"] is None and entry["after"]["topic"] == "bin-reminders"  # current again


def test_the_survivors_refusal_stands_and_the_merged_records_subscriptions_stay_behind(
        csa, survivor, duplicate, topics):
    update(csa, survivor.ucrn, {"permission_email": "refused"}, full=False)
    sub(csa, duplicate, "council-tax")

    merge = do_merge(csa, survivor, duplicate, {"permission_email": "merged"})

    assert fresh(survivor).permission_email == "refused"
    assert merge.choices["permission_email"] == "survivor"
    assert current(survivor) == set()
    assert current(duplicate) == {("council-tax", "email")}  # left on the merged record: mailings skip it


def test_a_weaker_permission_may_be_chosen(csa, survivor, duplicate):
    update(csa, survivor.ucrn, {"permission_phone": "granted"}, full=False)
    do_merge(csa, survivor, duplicate, {"permission_phone": "merged"})
    assert fresh(survivor).permission_phone == "unknown"  # an explicit choice of a weaker value is allowed


def test_by_default_the_survivors_grant_stands_over_the_merged_records_unknown(csa, survivor, duplicate):
    update(csa, survivor.ucrn, {"permission_phone": "granted"}, full=False)
    do_merge(csa, survivor, duplicate)
    assert fresh(survivor).permission_phone == "granted"


def test_extended_data_the_survivor_keeps_its_sources_and_takes_the_ones_it_lacks(
        csa, survivor, duplicate, sources):
    extended_put(ucrn=survivor.ucrn, source="council_tax", data={"account": "CT-1"}, user=csa, channel="api")
    extended_put(ucrn=duplicate.ucrn, source="council_tax", data={"account": "CT-2"}, user=csa, channel="api")
    extended_put(ucrn=duplicate.ucrn, source="housing", data={"tenancy": "H-9", "rent": 100}, user=csa,
                 channel="api")

    merge = do_merge(csa, survivor, duplicate)

    profile = profile_get(ucrn=survivor.ucrn, user=csa)
    assert profile["extended"] == {"council_tax": {"account": "CT-1"}, "housing": {"tenancy": "H-9", "rent": 100}}
    assert ExtendedReference.objects.get(source=sources["housing"]).customer_id == survivor.pk
    # The merged record's own council tax object stays with it, reference and all: references stay unique.
    assert ExtendedData.objects.get(customer=duplicate, source=sources["council_tax"]).data == {"account": "CT-2"}
    assert ExtendedReference.objects.filter(source=sources["council_tax"], key="CT-2").get().customer_id == duplicate.pk
    record = ChangeRecord.objects.filter(customer=survivor, action="merge").get()
    assert {e["field"] for e in record.changes} >= {"extended.housing"}

    merge_undo(merge_id=merge.pk, user=csa, channel="hub")
    assert profile_get(ucrn=survivor.ucrn, user=csa)["extended"] == {"council_tax": {"account": "CT-1"}}
    assert profile_get(ucrn=duplicate.ucrn, user=csa)["extended"] == {"council_tax": {"account": "CT-2"},
                                                           "housing": {"tenancy": "H-9", "rent": 100}}
    assert ExtendedReference.objects.get(source=sources["housing"]).customer_id == duplicate.pk


def test_a_source_whose_keys_the_survivor_uses_elsewhere_stays_behind(csa, survivor, duplicate, sources):
    extended_put(ucrn=survivor.ucrn, source="council_tax", data={"account": "CT-1", "band": "C"}, user=csa,
                 channel="api")
    extended_put(ucrn=duplicate.ucrn, source="housing", data={"tenancy": "H-9", "band": "x"}, user=csa,
                 channel="api")
    do_merge(csa, survivor, duplicate)
    assert set(profile_get(ucrn=survivor.ucrn, user=csa)["extended"]) == {"council_tax"}
    assert ExtendedData.objects.filter(customer=duplicate, source=sources["housing"]).exists()


def test_export_and_erasure_still_reach_everything_after_a_merge(csa, admin_user, survivor, duplicate, topics,
                                                                  sources):
    sub(csa, duplicate, "council-tax")
    sub(csa, duplicate, "bin-reminders")  # moves
    sub(csa, survivor, "council-tax")  # the duplicate's stays behind on the merged record
    extended_put(ucrn=duplicate.ucrn, source="council_tax", data={"account": "CT-2"}, user=csa, channel="api")
    extended_put(ucrn=duplicate.ucrn, source="housing", data={"tenancy": "H-1"}, user=csa, channel="api")  # moves
    extended_put(ucrn=survivor.ucrn, source="council_tax", data={"account": "CT-1"}, user=csa, channel="api")
    do_merge(csa, survivor, duplicate)

    export = profile_export(ucrn=survivor.ucrn, user=csa, channel="api")
    assert len(export["subscriptions"]) == 3
    assert {str(row["data"]) for row in export["extended"]} == {
        str({"account": "CT-1"}), str({"account": "CT-2"}), str({"tenancy": "H-1"})}

    profile_erase(ucrn=survivor.ucrn, user=admin_user, channel="admin")
    assert not ExtendedData.objects.exists() and not ExtendedReference.objects.exists()
    moved = Merge.objects.get().moved  # the merge's record of what moved keeps ids, not values
    assert moved["extended"] == {"housing": {"tenancy": "[erased]"}}
    assert len(moved["subscriptions"]["moved"]) == 1 and isinstance(moved["subscriptions"]["moved"][0], int)
    assert not Subscription.objects.filter(ended_at__isnull=True).exists()


def test_a_grant_without_its_contact_is_refused_and_nothing_merges(csa, survivor, duplicate):
    update(csa, duplicate.ucrn, {"permission_sms": "granted"}, full=False)
    with pytest.raises(ValidationError) as caught:
        do_merge(csa, survivor, duplicate, {"mobile_number": "survivor"})  # the survivor has no mobile
    assert [e.code for e in caught.value.error_dict["permission_sms"]] == ["contact_missing"]
    assert fresh(duplicate).merged_into_id is None and fresh(survivor).permission_sms == "unknown"


def test_undo_is_refused_when_a_moved_source_changed_since(csa, survivor, duplicate, sources):
    extended_put(ucrn=duplicate.ucrn, source="housing", data={"tenancy": "H-9"}, user=csa, channel="api")
    merge = do_merge(csa, survivor, duplicate)
    extended_put(ucrn=survivor.ucrn, source="housing", data={"tenancy": "H-10"}, user=csa, channel="api")
    with pytest.raises(UndoConflict) as caught:
        merge_undo(merge_id=merge.pk, user=csa, channel="hub")
    assert [e.code for e in caught.value.error_dict["extended.housing"]] == ["merge_conflict"]
    assert ExtendedData.objects.get(source=sources["housing"]).customer_id == survivor.pk
