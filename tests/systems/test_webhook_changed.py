"""`changed` in profile webhooks: the data names the change altered, as the subscription's client may read them.

Each door's write is checked against what really changed: the Get output read before and after (every name
whose value differs must be named), plus the address records that changed beside the primary one (a move
end-dates the old record). Names that are not data (`is_primary`, merge links, cases) are never named.
"""
from __future__ import annotations

from typing import Any

import pytest

from profiles.models import Customer
from profiles.selectors import primary_address, profile_data
from profiles.services import profile_update
from profiles.services.imports import import_records
from profiles.services.merge import profile_merge
from systems.allowlists import ALWAYS_VISIBLE
from systems.models import READ_CHOICES, Delivery, Subscription
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

KINDS = ["profile.created", "profile.updated", "profile.merged"]


@pytest.fixture
def subscribed(system_factory):
    """Subscriptions by name: `all` reads every data name; the others read only what their name says."""
    lists = {"all": list(READ_CHOICES), "first_name": ["first_name"], "name": ["name"], "town": ["town"],
             "import": ["last_name", "street"], "unrelated": ["birth_date"]}
    for label, readable in lists.items():
        system = system_factory(name=f"sys-{label}", readable=readable)
        Subscription.objects.create(name=label, url="https://example.org/hook", kinds=KINDS, client=system.client,
                                    secret="s" * 40)
    return lists


def changed(ucrn: str) -> dict[str, list[str]]:
    """The `changed` of the one delivery about `ucrn` to each subscription, by subscription name."""
    deliveries = Delivery.objects.filter(customer_key=ucrn).select_related("subscription")
    seen = [(d.subscription.name, d.payload["changed"]) for d in deliveries]
    assert len(seen) == len(dict(seen)), seen  # one delivery per subscription
    return dict(seen)


def get_output(ucrn: str) -> dict[str, Any]:
    customer = Customer.objects.select_related("prefix", "suffix").get(ucrn=ucrn)
    return {k: v for k, v in profile_data(customer, primary_address(customer)).items() if k not in ALWAYS_VISIBLE}


def differing(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def update(csa, ucrn: str, data: dict) -> None:
    profile_update(ucrn=ucrn, data=data, user=csa, channel="api", full=False)


def test_an_update_of_a_plain_field_names_it_and_the_names_made_of_it(csa, subscribed):
    customer = CustomerFactory(first_name="Bea")
    before = get_output(customer.ucrn)
    update(csa, customer.ucrn, {"first_name": "Ann"})
    seen = changed(customer.ucrn)
    assert seen["all"] == ["first_name", "name", "sort_name"]
    assert differing(before, get_output(customer.ucrn)) <= set(seen["all"])
    assert seen["first_name"] == ["first_name"] and seen["name"] == ["name"]
    assert seen["town"] == [] and seen["unrelated"] == []  # nothing they may read changed


def test_an_address_corrected_in_place_names_the_fields_changed(csa, subscribed):
    customer = CustomerFactory()
    before = get_output(customer.ucrn)
    update(csa, customer.ucrn, {"town": "Leeds", "end_date": "2099-01-01", "update_primary_address": 1})
    seen = changed(customer.ucrn)
    assert seen["all"] == ["end_date", "town"] == sorted(differing(before, get_output(customer.ucrn)))
    assert seen["town"] == ["town"] and seen["first_name"] == []


def test_a_move_names_what_differs_from_the_old_address_and_the_old_records_end(csa, subscribed):
    customer = CustomerFactory()  # house (digits: never "9B"), street, town, postcode, uprn, since 2020
    before = get_output(customer.ucrn)
    update(csa, customer.ucrn, {"house": "9B", "street": "Other Street", "postcode": "M1 1AE"})
    seen = changed(customer.ucrn)
    # The town and the UPRN are blank at the new address: they changed too. The old record was end-dated.
    assert seen["all"] == ["end_date", "house", "postcode", "start_date", "street", "town", "uprn"]
    assert differing(before, get_output(customer.ucrn)) <= set(seen["all"])
    assert "is_primary" not in seen["all"] and "country_id" not in seen["all"]
    assert seen["town"] == ["town"]  # never [] when something it may read changed


def test_an_address_added_beside_the_primary_names_its_fields(csa, subscribed):
    customer = CustomerFactory()
    update(csa, customer.ucrn, {"house": "2", "street": "Side Road", "address_is_primary": 0})
    seen = changed(customer.ucrn)
    assert seen["all"] == ["country", "country_id", "house", "start_date", "street"]  # the new record's values
    assert seen["town"] == []


def test_a_merge_names_the_data_it_changed_never_its_links(csa, subscribed):
    survivor, other = CustomerFactory(first_name="Amy"), CustomerFactory(first_name="Zed")
    before = get_output(survivor.ucrn)
    profile_merge(survivor_ucrn=survivor.ucrn, merged_ucrn=other.ucrn, choices={"first_name": "merged"},
                  user=csa, channel="api")
    kept = changed(survivor.ucrn)
    assert {"first_name", "name", "sort_name"} <= set(kept["all"])
    assert differing(before, get_output(survivor.ucrn)) <= set(kept["all"])
    assert not {"merged_from", "merged_into", "cases", "portal_user", "is_primary"} & set(kept["all"])
    assert kept["first_name"] == ["first_name"] and kept["name"] == ["name"]
    assert changed(other.ucrn)["all"] == ["status"]


def test_an_import_names_what_each_record_changed(csa, subscribed):
    customer = CustomerFactory()
    before = get_output(customer.ucrn)
    [outcome] = import_records(records=[{"ucrn": customer.ucrn, "last_name": "Imported", "street": "Imp Street"}],
                               matching="ucrn", user=csa, channel="import")
    assert outcome.status == "updated"
    seen = changed(customer.ucrn)
    assert differing(before, get_output(customer.ucrn)) <= set(seen["all"])
    assert {"last_name", "name", "sort_name", "street", "town", "end_date"} <= set(seen["all"])
    assert seen["import"] == ["last_name", "street"] and seen["town"] == ["town"]


def test_without_a_client_a_subscription_reads_no_names(csa, system_factory):
    Subscription.objects.create(name="bare", url="https://example.org/hook", kinds=KINDS, secret="s" * 40)
    customer = CustomerFactory(first_name="Bea")
    update(csa, customer.ucrn, {"first_name": "Ann"})
    assert Delivery.objects.get().payload["changed"] == []  # no personal data at all, not even its names
