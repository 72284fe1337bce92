"""Erasure: nothing personal is left anywhere in the database; the UCRN and the history's shape stay."""
from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from integrations.models import Case
from profiles.models import Address, ChangeRecord, Customer
from profiles.selectors import profile_search
from profiles.services import profile_update
from profiles.services.erasure import ERASED, profile_erase
from tests.privacy.conftest import NEEDLES, api_client
from tests.profiles.support import error_codes

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def leftovers(needles: list[str]) -> list[str]:
    """Every (table.column, needle) where a needle is found, in every text and JSON column of every model."""
    found = []
    for model in apps.get_models(include_auto_created=True):
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
    from profiles.factories import UserFactory

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


def test_erasing_a_survivor_leaves_nothing_in_its_merge_snapshot(full_customer, superuser, csa):
    from profiles.factories import CustomerFactory
    from profiles.services.merge import profile_merge

    other = CustomerFactory(last_name="Otherperson")
    merge = profile_merge(survivor_ucrn=full_customer.ucrn, merged_ucrn=other.ucrn, choices={}, user=csa,
                          channel="api")

    profile_erase(ucrn=full_customer.ucrn, user=superuser, channel="hub")

    assert leftovers(NEEDLES) == []
    merge.refresh_from_db()
    assert merge.merged_before["row"]["last_name"] == "Otherperson"  # the other person's snapshot is theirs


def test_erasing_a_merged_customer_scrubs_its_snapshot_and_keeps_it_resolving(full_customer, superuser, csa):
    from profiles.factories import CustomerFactory
    from profiles.services.merge import profile_merge

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
