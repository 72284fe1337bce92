"""Extended data by source (SPEC 8.3) through the service, as the import or an event rule would call it, and
through the admin: the refusals with their codes, the limits at the boundary, replacing whole, keys unique
across sources, references, the change record, export and erasure."""
from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from profiles.models import ChangeRecord, ExtendedData, ExtendedReference, ExtendedSource
from profiles.selectors import profile_get
from profiles.selectors.extended import extended_get
from profiles.services.erasure import profile_erase
from profiles.services.export import profile_export
from profiles.services.extended import extended_put, size_of
from tests.factories import CustomerFactory, extended_sources

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources(db):
    return extended_sources()


def put(customer, source: str, data, user, channel: str = "import"):
    return extended_put(ucrn=customer.ucrn, source=source, data=data, user=user, channel=channel)


def code_of(error: ValidationError) -> dict[str, list[str]]:
    return {name: [e.code for e in errors] for name, errors in error.error_dict.items()}


def refused(customer, source, data, user) -> tuple[dict[str, list[str]], str]:
    with pytest.raises(ValidationError) as caught:
        put(customer, source, data, user)
    message = " ".join(m for errors in caught.value.message_dict.values() for m in errors)
    return code_of(caught.value), message


def test_each_refusal_has_its_code_at_the_service(csa, customer, sources):
    assert refused(customer, "water", {"a": 1}, csa)[0] == {"source": ["unknown_source"]}
    assert refused(customer, "internal", {"a": 1}, csa)[0] == {"source": ["reserved_source"]}
    assert refused(customer, "INTERNAL", {"a": 1}, csa)[0] == {"source": ["reserved_source"]}
    codes, message = refused(customer, "council_tax", {"a": "x" * 2000}, csa)
    assert codes == {"extended.council_tax": ["extended_too_large"]}
    assert f"{size_of({'a': 'x' * 2000})} bytes" in message
    assert refused(customer, "council_tax", {"a": 1, "b": 2, "c": 3, "d": 4}, csa)[0] == {
        "extended.council_tax": ["extended_too_many_keys"]}
    put(customer, "housing", {"tenancy": "T-1", "band": "C", "rent": 100}, csa)
    codes, message = refused(customer, "council_tax", {"band": "D", "rent": 1, "account": "1"}, csa)
    assert codes == {"extended.council_tax": ["extended_key_in_other_source"]}
    assert "band, rent" in message and "housing" in message
    assert refused(customer, "council_tax", [1, 2], csa)[0] == {"extended.council_tax": ["invalid"]}
    assert refused(customer, "council_tax", {"a": "\x00"}, csa)[0] == {"extended.council_tax": ["invalid_text"]}
    deep: dict = {}
    for _ in range(12):
        deep = {"a": deep}
    assert refused(customer, "housing", deep, csa)[0] == {"extended.housing": ["too_deep"]}
    assert not ExtendedData.objects.filter(source=sources["council_tax"]).exists()  # nothing written


def exactly(size: int) -> dict[str, str]:
    """An object of exactly `size` bytes of compact JSON: `{"a":"xxx..."}` is 8 bytes plus the text."""
    return {"a": "x" * (size - 8)}


def test_the_size_limit_at_the_boundary(csa, customer, sources):
    assert size_of(exactly(1024)) == 1024
    put(customer, "council_tax", exactly(1024), csa)  # exactly 1 KB passes
    assert refused(customer, "council_tax", exactly(1025), csa)[0] == {"extended.council_tax": ["extended_too_large"]}
    assert extended_get(ucrn=customer.ucrn, source="council_tax", user=csa) == exactly(1024)


def test_the_key_limit_at_the_boundary(csa, customer, sources):
    put(customer, "council_tax", {"a": 1, "b": 2, "c": 3}, csa)  # exactly 3 keys pass
    assert refused(customer, "council_tax", {"a": 1, "b": 2, "c": 3, "e": 4}, csa)[0] == {
        "extended.council_tax": ["extended_too_many_keys"]}


def test_a_put_replaces_the_source_whole_and_leaves_the_others(csa, customer, sources):
    put(customer, "housing", {"tenancy": "T-1", "band": "C"}, csa)
    put(customer, "council_tax", {"account": "CT1", "discount": True}, csa)
    put(customer, "council_tax", {"account": "CT1"}, csa)  # `discount` is gone: replaced whole
    assert profile_get(ucrn=customer.ucrn, user=csa)["extended"] == {
        "council_tax": {"account": "CT1"}, "housing": {"tenancy": "T-1", "band": "C"}}
    put(customer, "council_tax", {}, csa)  # an empty object removes it, and its reference
    assert profile_get(ucrn=customer.ucrn, user=csa)["extended"] == {"housing": {"tenancy": "T-1", "band": "C"}}
    assert not ExtendedReference.objects.filter(source=sources["council_tax"]).exists()


def test_keys_move_between_sources_once_the_first_lets_them_go(csa, customer, sources):
    put(customer, "housing", {"band": "C"}, csa)
    put(customer, "housing", {"tenancy": "T-1"}, csa)
    put(customer, "council_tax", {"band": "D"}, csa)  # no longer housing's
    other = CustomerFactory()
    put(other, "council_tax", {"tenancy": "X"}, csa)  # another customer's keys are theirs alone
    assert profile_get(ucrn=customer.ucrn, user=csa)["extended"] == {"council_tax": {"band": "D"},
                                                                     "housing": {"tenancy": "T-1"}}
    assert profile_get(ucrn=other.ucrn, user=csa)["extended"] == {"council_tax": {"tenancy": "X"}}


def test_a_change_is_recorded_naming_the_source(csa, customer, sources):
    put(customer, "housing", {"tenancy": "T-1"}, csa)
    put(customer, "housing", {"tenancy": "T-1"}, csa)  # the same again: nothing changed, nothing recorded
    put(customer, "housing", {"tenancy": "T-2"}, csa)
    put(customer, "housing", {"tenancy": "T-2", "flag": 1}, csa)
    put(customer, "housing", {"flag": True, "tenancy": "T-2"}, csa)  # `true` is not `1`: a change
    records = list(ChangeRecord.objects.filter(customer=customer, channel="import").order_by("id"))
    assert [r.changes for r in records] == [
        [{"field": "extended.housing", "before": {}, "after": {"tenancy": "T-1"}}],
        [{"field": "extended.housing", "before": {"tenancy": "T-1"}, "after": {"tenancy": "T-2"}}],
        [{"field": "extended.housing", "before": {"tenancy": "T-2"}, "after": {"tenancy": "T-2", "flag": 1}}],
        [{"field": "extended.housing", "before": {"tenancy": "T-2", "flag": 1},
          "after": {"flag": True, "tenancy": "T-2"}}],
    ]


def test_a_unique_reference_belongs_to_one_customer(csa, customer, sources):
    put(customer, "council_tax", {"account": "CT-9"}, csa)
    codes, _ = refused(CustomerFactory(), "council_tax", {"account": "ct-9 "}, csa)
    assert codes == {"extended.council_tax": ["extended_reference_taken"]}
    put(CustomerFactory(), "housing", {"tenancy": "same"}, csa)
    put(CustomerFactory(), "housing", {"tenancy": "same"}, csa)  # not unique: shared
    assert ExtendedReference.objects.filter(source=sources["housing"], key="SAME").count() == 2


def test_only_csas_write_and_citizens_read_their_own(citizen, customer, sources, csa):
    put(customer, "housing", {"tenancy": "T-1"}, csa)
    with pytest.raises(Exception) as caught:
        put(customer, "housing", {"tenancy": "T-2"}, citizen)
    assert caught.type.__name__ == "PermissionDenied"
    assert extended_get(ucrn=customer.ucrn, source="housing", user=citizen) == {"tenancy": "T-1"}


def test_the_export_holds_it_and_erasure_removes_it(csa, admin_user, customer, sources):
    put(customer, "housing", {"tenancy": "T-1", "notes": "rent arrears"}, csa)
    put(customer, "council_tax", {"account": "CT-1"}, csa)
    exported = profile_export(ucrn=customer.ucrn, user=csa, channel="api")
    assert [(e["source"], e["data"]) for e in exported["extended"]] == [
        ("council_tax", {"account": "CT-1"}), ("housing", {"tenancy": "T-1", "notes": "rent arrears"})]
    profile_erase(ucrn=customer.ucrn, user=admin_user, channel="admin")
    assert not ExtendedData.objects.filter(customer=customer).exists()
    assert not ExtendedReference.objects.filter(customer=customer).exists()
    history = json.dumps(list(ChangeRecord.objects.filter(customer=customer).values_list("changes", flat=True)))
    assert "rent arrears" not in history and "CT-1" not in history
    assert profile_get(ucrn=customer.ucrn, user=csa)["extended"] == {}


def test_the_admin_refuses_the_reserved_slug(admin_user, client):
    client.force_login(admin_user)
    response = client.post("/admin/profiles/extendedsource/add/", {
        "slug": "internal", "name": "", "size_limit_kb": 16, "top_level_keys_limit": 50, "reference_key": ""})
    assert response.status_code == 200
    assert "cannot be used as an extended data source" in response.content.decode()
    assert not ExtendedSource.objects.exists()
    response = client.post("/admin/profiles/extendedsource/add/", {
        "slug": "council_tax", "name": "Council tax", "size_limit_kb": 16, "top_level_keys_limit": 50,
        "reference_key": "account", "reference_unique": "on"})
    assert response.status_code == 302
    assert ExtendedSource.objects.get().reference_unique
