"""The Get output carries ISO codes beside the list ids: `country_code` (ISO 3166-1 alpha-2) and
`preferred_language_code` (ISO 639-1), read-only, so a GET, edit, PUT round trip still works (SPEC 4.2)."""
from __future__ import annotations

import pytest

from profiles.models import Country, Customer, Language
from profiles.selectors import primary_address, profile_data
from tests.api.conftest import token_client
from tests.factories import AddressFactory, CustomerFactory
from tests.systems.conftest import make_system

pytestmark = pytest.mark.django_db


@pytest.fixture
def welsh(db) -> Language:
    return Language.objects.get(code="cy")


def test_get_carries_the_country_and_language_codes(csa, welsh):
    customer = CustomerFactory(preferred_language_id=welsh.pk, address=False)
    AddressFactory(customer=customer, is_primary=True, country_id=Country.objects.get(alpha_2="FR").pk,
                   postcode="75001")
    profile = token_client(csa).get(f"/api/v1/profiles/{customer.ucrn}/").json()
    assert (profile["country_id"], profile["country_code"], profile["country"]) == (250, "FR", "France")
    assert (profile["preferred_language_id"], profile["preferred_language_code"]) == (welsh.pk, "cy")


def test_the_codes_are_null_without_an_address_or_a_language(csa):
    customer = CustomerFactory(address=False, preferred_language_id=None)
    profile = token_client(csa).get(f"/api/v1/profiles/{customer.ucrn}/").json()
    assert profile["country_code"] is None and profile["preferred_language_code"] is None


def test_the_codes_come_from_the_service_s_get_output_on_every_door(csa, welsh):
    """The selector makes them: the form runner's lookup and the portal read the same mapping."""
    customer = CustomerFactory(preferred_language_id=welsh.pk)
    data = profile_data(Customer.objects.get(pk=customer.pk), primary_address(customer))
    assert (data["country_code"], data["preferred_language_code"]) == ("GB", "cy")
    history = token_client(csa).get(f"/api/v1/profiles/{customer.ucrn}/addresses/").json()
    assert history[0]["country_code"] == "GB"


def test_get_edit_put_round_trip_with_the_codes_works(csa, welsh):
    customer = CustomerFactory(preferred_language_id=welsh.pk)
    api = token_client(csa)
    profile = api.get(f"/api/v1/profiles/{customer.ucrn}/").json()
    english = Language.objects.get(code="en")
    edited = {**profile, "first_name": "Edited", "preferred_language_id": english.pk}
    response = api.put(f"/api/v1/profiles/{customer.ucrn}/", edited, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["first_name"], response.json()["preferred_language_code"]) == ("Edited", "en")
    # A code in a write is ignored, never read as an instruction: the id decides.
    ignored = api.patch(f"/api/v1/profiles/{customer.ucrn}/", {"preferred_language_code": "fr", "country_code": "FR"},
                        format="json")
    assert ignored.status_code == 200, ignored.json()
    assert (ignored.json()["preferred_language_code"], ignored.json()["country_code"]) == ("en", "GB")


def test_the_countries_list_keeps_integer_ids_with_the_code_beside(csa):
    countries = token_client(csa).get("/api/v1/lists/countries/").json()
    uk = next(item for item in countries if item["id"] == 826)
    assert uk == {"id": 826, "name": uk["name"], "code": "GB"}
    assert all(isinstance(item["id"], int) and len(item["code"]) == 2 for item in countries)


def test_an_api_client_sees_a_code_only_with_the_id_it_derives_from(welsh):
    customer = CustomerFactory(preferred_language_id=welsh.pk)
    reader = make_system("reader", readable=["first_name", "country_id"])
    profile = reader.api.get(f"/api/v1/profiles/{customer.ucrn}/").json()
    assert profile["country_code"] == "GB"
    assert "preferred_language_code" not in profile and "preferred_language_id" not in profile
