"""Name, outward-code, sector and fuzzy searches: the same customers in the same order on both databases
(PostgreSQL by the search keys of migration 0014, kept by triggers; SQLite by the customer's columns), and
the keys kept true by every kind of write."""
from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from profiles.models import Customer, SearchKey
from profiles.services.erasure import profile_erase
from profiles.services.imports import import_records
from profiles.services.merge import profile_merge
from tests.api.conftest import url
from tests.factories import AddressFactory, CustomerFactory

pytestmark = pytest.mark.django_db

PEOPLE = {
    # label: (first, last, organisation, primary postcode)
    "john": ("John", "Smith", "", "M1 1AE"),
    "jane": ("Jane", "Smith", "", "M1 2WD"),
    "anna": ("anna", "smith", "", "M1 1BB"),
    "alan": ("Alan", "Smithson", "", "M11 1AA"),
    "smita": ("Smita", "Patel", "", "M1 3AB"),
    "johnny": ("Johnny", "Walker", "", "BS1 4DJ"),
    "li": ("Li", "Wu", "", "M12 4QX"),
    "mary": ("Mary", "Smyth", "", "BS1 4DJ"),
    "acme": ("", "", "Smith & Co Ltd", "M1 2WD"),
    "old": ("Old", "Smith", "", "BS1 5AA"),  # an earlier address in M1, not the primary one
}


@pytest.fixture
def people(db) -> dict[str, str]:
    ucrns = {}
    for label, (first, last, organisation, postcode) in PEOPLE.items():
        customer = CustomerFactory(
            first_name=first, last_name=last, organisation_name=organisation, address__postcode=postcode,
            contact_type_id="Organization" if organisation else "Individual",
        )
        ucrns[label] = customer.ucrn
    AddressFactory(customer=Customer.objects.get(ucrn=ucrns["old"]), postcode="M1 1AE", is_primary=False)
    erased = CustomerFactory(first_name="Erin", last_name="Smith", address__postcode="M1 1AE")
    Customer.objects.filter(pk=erased.pk).update(erased_at=timezone.now())
    return ucrns


def found(client, **params) -> list[str]:
    response = client.get(url(), params)
    assert response.status_code == 200, response.json()
    return [r["ucrn"] for r in response.json()["results"]]


EXPECTED = [
    # names: every word the start of a first, last or organisation name; surname order, any case
    ({"search": "Smi"}, ["acme", "smita", "anna", "jane", "john", "old", "alan"]),
    ({"search": "smith"}, ["acme", "anna", "jane", "john", "old", "alan"]),
    ({"search": "Smithso"}, ["alan"]),
    ({"search": "John Smi"}, ["john"]),
    ({"search": "Smith J"}, ["jane", "john"]),
    ({"search": "j"}, ["jane", "john", "johnny"]),
    ({"search": "Li"}, ["li"]),
    ({"search": "Smith Co"}, []),  # `Co` starts no name: a word inside a name is not its start
    ({"search": "Jo Jo"}, ["john", "johnny"]),
    ({"search": "Smith John"}, ["john"]),  # two words of 3 letters or more: their pair key
    ({"search": "joh smith"}, ["john"]),
    ({"search": "Jane Smithson"}, []),
    ({"search": "Patel Smita"}, ["smita"]),
    ({"search": "Smi Smita"}, ["smita"]),  # the same first letters: one name may start with both
    ({"search": "Zed"}, []),
    # outward code, sector, full postcode: the primary address only, surname order
    ({"postcode": "M1"}, ["acme", "smita", "anna", "jane", "john"]),
    ({"search": "m1"}, ["acme", "smita", "anna", "jane", "john"]),
    ({"postcode": "M1 1"}, ["anna", "john"]),
    ({"search": "M1 2"}, ["acme", "jane"]),
    ({"postcode": "m11ae"}, ["john"]),
    ({"postcode": "M11"}, ["alan"]),
    # two searches by key together: both hold, one order, no customer twice
    ({"search": "Smi", "postcode": "M1"}, ["acme", "smita", "anna", "jane", "john"]),
    ({"search": "Smith J", "postcode": "M1 1", "last_name": "smi"}, ["john"]),
    # fuzzy: most similar first, then surname order
    ({"name": "Smyth"}, ["mary", "anna", "jane", "john", "old"]),
    ({"name": "Jon Smyth"}, ["mary", "john", "jane", "anna", "old"]),
    ({"name": "Smyth", "postcode": "M1"}, ["anna", "jane", "john"]),
]


@pytest.mark.parametrize("params, labels", EXPECTED, ids=[str(p) for p, _ in EXPECTED])
def test_the_same_customers_in_the_same_order(csa_api, people, params, labels):
    assert found(csa_api, **params) == [people[label] for label in labels]


def test_a_renamed_customer_is_found_by_the_new_name_only(csa_api, people):
    response = csa_api.patch(url(people["johnny"]), {"last_name": "Smithy"}, format="json")
    assert response.status_code == 200, response.json()
    assert people["johnny"] in found(csa_api, search="Smithy J")
    assert found(csa_api, search="Walker") == []


def test_a_moved_customer_is_found_in_the_new_district_only(csa_api, people):
    response = csa_api.patch(url(people["mary"]), {"postcode": "M1 1ZZ", "update_primary_address": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert found(csa_api, postcode="M1 1") == [people["anna"], people["john"], people["mary"]]
    assert people["mary"] not in found(csa_api, postcode="BS1")


def test_an_imported_customer_is_found(csa_api, csa, people):
    record = {"contact_type": "Individual", "preferred_contact_method": 3, "first_name": "Iris",
              "last_name": "Importer", "email_address": "iris@example.org", "postcode": "m1 9zz"}
    import_records(records=[record], matching="email_address", user=csa, channel="api")
    ucrn = Customer.objects.get(email_address="iris@example.org").ucrn
    assert found(csa_api, search="Iris Imp") == [ucrn]
    assert ucrn in found(csa_api, postcode="M1 9")


def test_an_erased_customer_is_not_found(csa_api, people, admin_user):
    profile_erase(ucrn=people["li"], user=admin_user, channel="hub")
    assert found(csa_api, search="Li") == []
    assert people["li"] not in found(csa_api, postcode="M12")
    assert found(csa_api, name="Wu") == []


def test_a_similar_name_of_a_crowd_ranks_every_one_of_its_customers(csa_api, settings):
    """The fuzzy search reads at most 100 customers of each similar name: the best 100 are among them."""
    smiths = [CustomerFactory(first_name=f"A{n:03d}", last_name="Smith").ucrn for n in range(105)]
    smyth = CustomerFactory(first_name="Zed", last_name="Smyth").ucrn
    CustomerFactory(first_name="B", last_name="smith")
    body = csa_api.get(url(), {"name": "Smyth", "page_size": 100}).json()
    assert body["count"] == 100
    assert [r["ucrn"] for r in body["results"]] == [smyth, *smiths[:99]]


def test_a_merge_keeps_the_keys_true(csa_api, csa, people):
    profile_merge(survivor_ucrn=people["jane"], merged_ucrn=people["johnny"], choices={"first_name": "merged"},
                  user=csa, channel="hub")
    assert people["jane"] in found(csa_api, search="Johnny Smi")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the distinct names are PostgreSQL's")
def test_an_erasure_takes_its_names_out_of_the_distinct_names_unless_shared(people, admin_user):
    profile_erase(ucrn=people["li"], user=admin_user, channel="hub")  # the only Wu
    profile_erase(ucrn=people["john"], user=admin_user, channel="hub")  # one Smith of several
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM profiles_search_name WHERE kind = 'l' AND name IN ('Wu', 'Smith')")
        assert [row[0] for row in cursor.fetchall()] == ["Smith"]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the search keys are PostgreSQL's")
def test_two_names_have_one_pair_key_the_lesser_start_first(people):
    """`Smith John` and `John Smith` both look for `p:JOH\\x1fSMI` (migration 0017): one row, not one each way."""
    pairs = SearchKey.objects.filter(key__startswith="p:")
    assert sorted(pairs.filter(customer__ucrn=people["john"]).values_list("key", flat=True)) == ["p:JOH\x1fSMI"]
    assert sorted(pairs.filter(customer__ucrn=people["smita"]).values_list("key", flat=True)) == ["p:PAT\x1fSMI"]
