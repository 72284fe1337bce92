"""`core.prepared`: the record page's reads compiled once give what the ORM gives, for any customer."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.prepared import Prepared
from profiles.models import Address, ChangeRecord
from profiles.selectors import of_customer
from tests.web.conftest import customer_with

pytestmark = pytest.mark.django_db


def addresses_of(ucrn):
    return Address.objects.filter(customer__ucrn=ucrn).select_related("country").order_by("-start_date", "-id")


def test_the_same_instances_as_the_queryset_for_each_customer(django_assert_num_queries):
    prepared = Prepared(addresses_of)
    first, second = customer_with(addresses=3, history=1), customer_with(addresses=2, history=1)
    for customer in (first, second, first):  # compiled once, each run with its own UCRN
        expected = list(addresses_of(customer.ucrn))
        with django_assert_num_queries(1):
            found = prepared(customer.ucrn)
            assert [a.country.name for a in found] == [a.country.name for a in expected]  # joined, no query
        assert found == expected
        assert [(a.customer_id, a.street, a.start_date, a.is_primary) for a in found] == [
            (a.customer_id, a.street, a.start_date, a.is_primary) for a in expected]
    assert prepared("999999999") == []


def test_a_shape_is_compiled_on_its_own_and_deferred_fields_stay_deferred():
    prepared = Prepared(lambda ucrn, rows: ChangeRecord.objects.filter(customer__ucrn=ucrn)
                        .select_related("user").only("id", "created_at", "user__username")
                        .order_by("-created_at", "-id")[:rows])
    customer = customer_with(addresses=1, history=5)
    assert len(prepared(customer.ucrn, 2)) == 2 and len(prepared(customer.ucrn, 10)) == 5
    found = prepared(customer.ucrn, 3)
    expected = list(ChangeRecord.objects.filter(customer=customer).order_by("-created_at", "-id")[:3])
    assert [r.pk for r in found] == [r.pk for r in expected]
    assert "changes" in found[0].get_deferred_fields() and "created_at" not in found[0].get_deferred_fields()


def test_a_queryset_that_does_not_compare_its_text_is_refused():
    with pytest.raises(ValueError):
        Prepared(lambda ucrn: Address.objects.all())("123456789")


def test_by_id_or_by_ucrn_alike_and_by_id_without_the_customer_table():
    """A record page has the customer's id from its Get: its reads need no join on the UCRN."""
    prepared = Prepared(lambda key: Address.objects.filter(**of_customer(key)).order_by("-start_date", "-id"))
    first, second = customer_with(addresses=3, history=1), customer_with(addresses=2, history=1)
    for customer in (first, second):
        with CaptureQueriesContext(connection) as captured:
            by_id = prepared(customer.pk)
        assert by_id == prepared(customer.ucrn) == list(customer.addresses.order_by("-start_date", "-id"))
        assert "profiles_customer" not in captured.captured_queries[0]["sql"]
    assert prepared(first.pk + second.pk + 1000) == []
