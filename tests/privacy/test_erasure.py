"""Erasure: nothing personal is left anywhere in the database; the UCRN and the history's shape stay."""
from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models

from integrations.models import Case
from profiles.models import Address, ChangeRecord, Customer
from profiles.selectors import profile_search
from profiles.services import profile_update
from profiles.services.erasure import ERASED, profile_erase
from tests.privacy.conftest import NEEDLES, api_client
from tests.profiles.support import create, error_codes

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def leftovers(needles: list[str]) -> list[str]:
    """Every (table.column, needle) where a needle is found, in every text and JSON column of every model."""
    found = []
    tables = set(connection.introspection.table_names())  # the search keys' tables are PostgreSQL's only
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table not in tables:
            continue
        columns = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        for field in columns:
            for value in model._base_manager.values_list(field.attname, flat=True).iterator():
                is_json = isinstance(field, models.JSONField)
                text = json.dumps(value, ensure_ascii=False, default=str) if is_json else value
                for needle in needles:
                    if text and needle.lower() in str(text).lower():
                        found.append(f"{model._meta.db_table}.{field.column}: {needle}")
    return found


def test_the_search_finds_the_values_before_erasure(full_customer):
    """The leftover search itself works: before erasure it finds every needle somewhere."""
    found = {entry.rsplit(": ", 1)[1] for entry in leftovers(NEEDLES)}
    assert found == set(NEEDLES)


def test_erasure_leaves_no_personal_value_in_any_column(full_customer, superuser):
    customer = full_customer
    kept = ("pk", "start_date", "end_date", "is_primary")
    addresses_before = list(Address.objects.filter(customer=customer).order_by("pk").values(*kept))
    history_before = list(ChangeRecord.objects.filter(customer=customer).order_by("pk"))
    cases_before = Case.objects.filter(customer=customer).count()

    profile_erase(ucrn=customer.ucrn, user=superuser, channel="hub")

    assert leftovers(NEEDLES) == []
    customer.refresh_from_db()
    assert customer.ucrn and customer.erased_at is not None and customer.portal_user is None
    assert customer.status_id == "Inactive" and customer.birth_date is None and customer.notification_preference == []
    # Address records stay, with their dates, and no coordinates.
    after = Address.objects.filter(customer=customer).order_by("pk")
    assert list(after.values(*kept)) == addresses_before
    assert all(a.lat is None and a.lng is None and a.uprn == "" and str(a) == "" for a in after)
    assert Case.objects.filter(customer=customer).count() == cases_before
    # The history keeps its shape: the same records, by the same people, naming the same fields.
    records = list(ChangeRecord.objects.filter(customer=customer).order_by("pk"))
    assert [(r.pk, r.user_id, r.channel, r.action, r.created_at) for r in records[:-1]] == [
        (r.pk, r.user_id, r.channel, r.action, r.created_at) for r in history_before
    ]
    for old, new in zip(history_before, records[:-1], strict=True):
        assert [c["field"] for c in new.changes] == [c["field"] for c in old.changes]
        assert all(c["before"] in (None, "", [], ERASED) or isinstance(c["before"], dict) for c in new.changes)
    erase = records[-1]
    assert (erase.action, erase.user, erase.channel, erase.changes) == ("erase", superuser, "hub", [])


def test_an_erased_customer_cannot_be_updated_erased_again_or_found(full_customer, superuser, csa):
    ucrn = full_customer.ucrn
    profile_erase(ucrn=ucrn, user=superuser, channel="admin")
    with pytest.raises(ValidationError) as excinfo:
        profile_update(ucrn=ucrn, data={"first_name": "Back"}, user=csa, channel="api", full=False)
    assert error_codes(excinfo) == {"ucrn": ["erased"]}
    with pytest.raises(ValidationError) as excinfo:
        profile_erase(ucrn=ucrn, user=superuser, channel="admin")
    assert error_codes(excinfo) == {"ucrn": ["erased"]}
    assert not profile_search(user=csa).filter(ucrn=ucrn).exists()
    response = api_client(csa).patch(f"/api/v1/profiles/{ucrn}/", {"first_name": "Back"}, format="json")
    assert response.status_code == 400 and response.json()["ucrn"][0]["code"] == "erased"
    assert api_client(csa).get(f"/api/v1/profiles/?search={ucrn}").json()["count"] == 0
    assert api_client(csa).get(f"/api/v1/profiles/{ucrn}/").json()["first_name"] == ""  # still readable, empty


@pytest.mark.parametrize("role", ["csa", "citizen"])
def test_only_a_superuser_may_erase(full_customer, role, csa):
    from tests.factories import UserFactory

    user = csa if role == "csa" else UserFactory(username="someone", role="citizen")
    with pytest.raises(PermissionDenied):
        profile_erase(ucrn=full_customer.ucrn, user=user, channel="hub")
    assert Customer.objects.get(pk=full_customer.pk).erased_at is None
    assert not ChangeRecord.objects.filter(action="erase").exists()


def test_erasing_an_unknown_ucrn_is_not_found(superuser):
    from django.http import Http404

    with pytest.raises(Http404):
        profile_erase(ucrn="000000000", user=superuser, channel="hub")


def test_erasure_through_the_api(full_customer, superuser, csa):
    """POST /api/v1/profiles/{ucrn}/erase/: administrators only; the same erasure as the page and the admin."""
    url = f"/api/v1/profiles/{full_customer.ucrn}/erase/"
    assert api_client(csa).post(url).status_code == 403
    assert leftovers(NEEDLES) != []
    response = api_client(superuser).post(url)
    assert response.status_code == 200 and response.json()["ucrn"] == full_customer.ucrn
    assert leftovers(NEEDLES) == []
    assert api_client(superuser).post(url).status_code == 400  # already erased


def test_erasing_a_survivor_keeps_the_snapshot_of_a_merge_undone(full_customer, superuser, csa):
    """Undone, the merge joined two different people: the other one's snapshot is theirs, not erased."""
    from profiles.services.merge import merge_undo, profile_merge
    from tests.factories import CustomerFactory

    other = CustomerFactory(last_name="Otherperson")
    merge = profile_merge(survivor_ucrn=full_customer.ucrn, merged_ucrn=other.ucrn, choices={}, user=csa,
                          channel="api")
    merge_undo(merge_id=merge.pk, user=csa, channel="api")

    profile_erase(ucrn=full_customer.ucrn, user=superuser, channel="hub")

    assert leftovers(NEEDLES) == []
    merge.refresh_from_db()
    assert merge.merged_before["row"]["last_name"] == "Otherperson"  # the other person's snapshot is theirs
    other.refresh_from_db()
    assert other.erased_at is None and other.last_name == "Otherperson"


def test_erasing_the_merged_side_of_an_undone_merge_scrubs_the_survivors_records_of_it(full_customer, superuser,
                                                                                      csa):
    """Undone, the merge left the other person's history saying what it took from this customer (their
    values as it took them, and as the undo gave them back): those entries are this customer's data."""
    from profiles.services.merge import merge_undo, profile_merge

    survivor = create(csa, first_name="Keptsurvivor", last_name="Otherperson").customer
    merge = profile_merge(survivor_ucrn=survivor.ucrn, merged_ucrn=full_customer.ucrn,
                          choices={"first_name": "merged"}, user=csa, channel="api")
    merge_undo(merge_id=merge.pk, user=csa, channel="api")
    assert any("Quorvantis" in json.dumps(r.changes) for r in ChangeRecord.objects.filter(customer=survivor))

    profile_erase(ucrn=full_customer.ucrn, user=superuser, channel="hub")

    assert leftovers(NEEDLES) == []
    survivor.refresh_from_db()
    assert (survivor.first_name, survivor.erased_at) == ("Keptsurvivor", None)
    [first_name] = [c for r in ChangeRecord.objects.filter(customer=survivor, action="merge") for c in r.changes
                    if c["field"] == "first_name"]
    assert (first_name["before"], first_name["after"]) == ("Keptsurvivor", ERASED)  # its own value stays
    merge.refresh_from_db()
    assert merge.survivor_before["row"]["first_name"] == "Keptsurvivor"


DUPLICATE = {"first_name": "Zqdupfirst", "last_name": "Zqduplast", "email_address": "zqdup@example.org",
             "mobile_number": "07700 900555", "house": "Zqduphouse", "street": "Zqdupstreet",
             "postcode": "ZE3 1DP", "custom_5": "Zqdupcustom"}
DUPLICATE_NEEDLES = ["Zqdup", "7700900555", "ZE3 1DP"]


def test_erasing_a_survivor_erases_the_records_merged_into_it_and_every_snapshot(full_customer, superuser, csa):
    """A merged record's UCRN resolves to the survivor: erasing the survivor erases it too, and every
    snapshot of the merge (both rows, what moved), since both are the same person."""
    from profiles.services.merge import profile_merge

    duplicate = create(csa, **DUPLICATE).customer
    merge = profile_merge(survivor_ucrn=full_customer.ucrn, merged_ucrn=duplicate.ucrn,
                          choices={"custom_5": "merged"}, user=csa, channel="api")
    assert "Zqduphouse" in json.dumps(merge.moved["addresses_after"])

    profile_erase(ucrn=full_customer.ucrn, user=superuser, channel="hub")

    assert leftovers([*NEEDLES, *DUPLICATE_NEEDLES]) == []
    duplicate.refresh_from_db()
    assert duplicate.erased_at is not None and duplicate.email_address == "" and duplicate.first_name == ""
    assert (duplicate.status_id, duplicate.merged_into_id) == ("Merged", full_customer.pk)  # still resolves
    assert ChangeRecord.objects.filter(customer=duplicate, action="erase").count() == 1
    merge.refresh_from_db()
    assert set(merge.moved["addresses_after"]) == {str(pk) for pk in merge.moved["addresses"]}  # ids kept


def test_erasure_makes_the_portal_account_unusable_and_anonymous(full_customer, superuser):
    from django.test import Client
    from rest_framework.authtoken.models import Token

    account = full_customer.portal_user
    account.email, account.first_name, account.last_name = "zq.account@example.org", "Zebediahacct", "Quorvantis"
    account.save()
    Token.objects.create(user=account)
    assert Client().login(username="erasure-citizen", password="demo-password")

    profile_erase(ucrn=full_customer.ucrn, user=superuser, channel="hub")

    account.refresh_from_db()
    assert account.username != "erasure-citizen" and account.username.startswith("erased-")
    assert (account.email, account.first_name, account.last_name, account.last_login) == ("", "", "", None)
    assert not account.is_active and not account.has_usable_password()
    assert not Token.objects.filter(user=account).exists()
    assert not Client().login(username="erasure-citizen", password="demo-password")
    assert leftovers([*NEEDLES, "erasure-citizen"]) == []


def test_erasure_only_unlinks_a_staff_account(customer, csa, superuser):
    """A CSA who is also a customer keeps their working account: only the link to the customer goes."""
    customer.portal_user = csa
    customer.save(update_fields=["portal_user"])

    profile_erase(ucrn=customer.ucrn, user=superuser, channel="hub")

    csa.refresh_from_db()
    assert csa.username == "csa" and csa.is_active and csa.has_usable_password()
    assert Customer.objects.get(pk=customer.pk).portal_user_id is None


def test_erasure_drops_the_cached_get_output_on_commit(full_customer, superuser, csa,
                                                        django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from profiles import caching
    from profiles.selectors import profile_get

    for _ in range(2):  # stored from the second read on
        assert profile_get(ucrn=full_customer.ucrn, user=csa)["last_name"] == "Quorvantis"
    assert "Quorvantis" in str(cache.get(caching.profile_key(full_customer.ucrn)))

    with django_capture_on_commit_callbacks(execute=True):
        profile_erase(ucrn=full_customer.ucrn, user=superuser, channel="hub")

    assert cache.get(caching.profile_key(full_customer.ucrn)) is None


def test_erasure_reaches_rows_without_a_customer_that_carry_its_email_or_phone(full_customer, superuser):
    """Events that matched no one and anonymous cases, naming the customer by email or phone (any format)."""
    from integrations.models import Form
    from systems.models import Event

    def event(matching, note):
        return Event.objects.create(type="t", outcome=Event.Outcome.NOT_FOUND,
                                    payload={"type": "t", "matching": matching, "properties": {"note": note}})

    by_email = event({"email_address": "ZQ.Changed@Example.org"}, "Zqeventnote")
    by_phone = event({"phone_number": "+44 (0)117 496-0871"}, "Zqphonenote")
    someone = event({"email_address": "someone@example.org"}, "Kept note")
    form = Form.objects.create(name="Anonymous", slug="anonymous", allow_anonymous=True)
    case = Case.objects.create(form=form, data={"Caller": "Zqanoncaller", "Phone": "07700900871"})
    other_case = Case.objects.create(form=form, data={"Caller": "Someone else", "Phone": "07700900872"})

    profile_erase(ucrn=full_customer.ucrn, user=superuser, channel="hub")

    assert leftovers([*NEEDLES, "Zqeventnote", "Zqphonenote", "Zqanoncaller"]) == []
    for row in (by_email, by_phone):
        row.refresh_from_db()
        assert row.payload["type"] == "t" and "0871" not in json.dumps(row.payload)
    case.refresh_from_db()
    assert case.data == {"Caller": ERASED, "Phone": ERASED}
    someone.refresh_from_db()
    other_case.refresh_from_db()
    assert someone.payload["properties"] == {"note": "Kept note"}
    assert other_case.data == {"Caller": "Someone else", "Phone": "07700900872"}


def test_erasing_a_merged_customer_scrubs_its_snapshot_and_keeps_it_resolving(full_customer, superuser, csa):
    from profiles.services.merge import profile_merge
    from tests.factories import CustomerFactory

    survivor = CustomerFactory(last_name="Survivorperson")
    merge = profile_merge(survivor_ucrn=survivor.ucrn, merged_ucrn=full_customer.ucrn, choices={}, user=csa,
                          channel="api")

    profile_erase(ucrn=full_customer.ucrn, user=superuser, channel="hub")

    merge.refresh_from_db()
    snapshot = json.dumps(merge.merged_before, ensure_ascii=False).lower()
    assert [needle for needle in NEEDLES if needle.lower() in snapshot] == []
    assert merge.survivor_before["row"]["last_name"] == "Survivorperson"
    full_customer.refresh_from_db()
    assert (full_customer.status_id, full_customer.merged_into_id) == ("Merged", survivor.pk)


@pytest.mark.parametrize(("value", "carried"), [
    ("ANN@Example.org", True), ("write to ann@example.org.", True), ({"to": ["x", "ann@example.org"]}, True),
    ({"ann@example.org": 1}, True), ("0117 496 0871", True), ("+44 (0)117 496-0871", True),
    ("00441174960871", True), (1174960871, True), ("joann@example.org", False), ("ann@example.org.uk", False),
    ("ann@example.organic", False), ("011749608712", False), ("91174960871", False), ("0117 496 0872", False),
    ({"n": 1, "b": True}, False),
])
def test_rows_without_a_customer_are_the_subjects_only_for_a_whole_email_or_number(customer, value, carried):
    """Someone else's longer address or number is not the customer's: their rows are left alone."""
    from profiles.registry import subject_of

    customer.email_address, customer.alternative_email = "ann@example.org", ""
    customer.phone_number, customer.mobile_number = "+441174960871", ""
    assert subject_of(customer).carries(value) is carried
