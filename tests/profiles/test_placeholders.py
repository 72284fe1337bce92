"""Placeholders are refused (SPEC 8.4, seed 001): the built-in list, the administrator's entries, and the
service's doors (API Create/Update, import, the admin). Forms, pages and events: their own folders."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from profiles import placeholders
from profiles.models import Customer, Placeholder
from profiles.services import profile_change_email, profile_create, profile_update
from profiles.services.imports import import_records
from tests.api.conftest import codes, token_client
from tests.factories import CustomerFactory
from tests.profiles.support import db_state
from tests.profiles.test_admin import form_data

pytestmark = pytest.mark.django_db

NEW = {"contact_type": "Individual", "preferred_contact_method": 3, "first_name": "Nadia", "last_name": "Khan"}

# (data name, placeholder): each built-in value, on each name it applies to, in the spellings people type.
REFUSED = [
    ("email_address", "test@test.com"),
    ("email_address", "  TEST@Test.COM "),
    ("email_address", "noemail@council.gov.uk"),
    ("email_address", "NoEmail@example.org"),
    ("email_address", "anonymous@example.com"),
    ("alternative_email", "noemail@x.co"),
    ("phone_number", "00000 000000"),
    ("phone_number", "00000000000"),
    ("phone_number", "0000"),
    ("mobile_number", "+44 0000 000000"),
    ("mobile_number", "+1 000 000 0000"),
    ("first_name", "N/A"),
    ("first_name", "n/a"),
    ("last_name", "Unknown"),
    ("last_name", "  UNKNOWN  "),
    ("organisation_name", "unknown"),
    ("phone_number", "N/A"),  # `any`: refused as a placeholder, not just as a bad number
]

# Real values near the placeholders: none is refused.
ACCEPTED = [
    ("last_name", "Unknowles"),
    ("first_name", "Na"),
    ("organisation_name", "Unknown Pleasures Records"),
    ("email_address", "nadia@test.company.org"),
    ("email_address", "test@test.company.org"),
    ("email_address", "noemails@example.org"),
    ("email_address", "mynoemail@example.org"),
    ("email_address", "anonymous@example.org"),
    ("email_address", "nadia@example.com"),
    ("phone_number", "0117 496 0000"),
    ("mobile_number", "07700 900000"),
]


def create(user, **data):
    return profile_create(data={**NEW, **data}, user=user, channel="api")


def refused_codes(error: ValidationError, name: str) -> list[str]:
    return [e.code for e in error.error_dict[name]]


@pytest.mark.parametrize("name, value", REFUSED)
def test_placeholders_are_refused_on_create(csa, name, value):
    before = db_state()
    with pytest.raises(ValidationError) as caught:
        create(csa, **{name: value})
    assert refused_codes(caught.value, name) == ["placeholder_value"]
    assert db_state() == before


@pytest.mark.parametrize("name, value", ACCEPTED)
def test_real_values_near_a_placeholder_are_accepted(csa, name, value):
    result = create(csa, **{name: value})
    assert result.created and result.profile[name]


def test_the_api_create_answers_400_on_the_name(csa):
    response = token_client(csa).post("/api/v1/profiles/", {**NEW, "email_address": "test@test.com",
                                                            "first_name": "N/A", "phone_number": "00000 000000"},
                                      format="json")
    assert response.status_code == 400
    assert codes(response) == {"email_address": ["placeholder_value"], "first_name": ["placeholder_value"],
                               "phone_number": ["placeholder_value"]}
    assert not Customer.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch"])
def test_the_api_update_answers_400_and_changes_nothing(csa, method):
    customer = CustomerFactory()
    api = token_client(csa)
    body = api.get(f"/api/v1/profiles/{customer.ucrn}/").json() if method == "put" else {}
    body.update(last_name="Unknown", mobile_number="+44 0000 000000")
    before = db_state()
    response = getattr(api, method)(f"/api/v1/profiles/{customer.ucrn}/", body, format="json")
    assert response.status_code == 400, response.json()
    assert codes(response) == {"last_name": ["placeholder_value"], "mobile_number": ["placeholder_value"]}
    assert db_state() == before


def test_an_update_refuses_a_placeholder_the_customer_already_has_as_text(csa):
    """The same value stored before the rule existed is still refused when sent again: it is bogus data."""
    customer = CustomerFactory(first_name="N/A")
    with pytest.raises(ValidationError) as caught:
        profile_update(ucrn=customer.ucrn, data={"first_name": "N/A"}, user=csa, channel="api", full=False)
    assert refused_codes(caught.value, "first_name") == ["placeholder_value"]


@pytest.mark.parametrize("bulk", [True, False])
def test_the_import_refuses_a_record_and_writes_the_others(csa, bulk):
    records = [{**NEW, "email_address": "noemail@somewhere.org"},
               {**NEW, "email_address": "nadia@test.company.org", "first_name": "Unknown"},
               {**NEW, "email_address": "nadia.khan@example.org"}]
    outcomes = [o.as_dict() for o in import_records(records=records, matching="email_address", user=csa,
                                                    channel="api", bulk=bulk)]
    assert [o["status"] for o in outcomes] == ["error", "error", "created"]
    assert [e["code"] for e in outcomes[0]["errors"]["email_address"]] == ["placeholder_value"]
    assert [e["code"] for e in outcomes[1]["errors"]["first_name"]] == ["placeholder_value"]
    assert list(Customer.objects.values_list("email_address", flat=True)) == ["nadia.khan@example.org"]


def test_the_import_api_reports_the_record(csa):
    body = {"matching": "email_address", "records": [{**NEW, "email_address": "test@test.com"}]}
    response = token_client(csa).post("/api/v1/profiles/import", body, format="json")
    assert response.status_code == 200
    result = response.json()["results"][0]
    assert result["status"] == "error" and result["errors"]["email_address"][0]["code"] == "placeholder_value"


def test_the_administrators_entry_counts_at_once_and_its_removal_too(csa):
    """The list is cached: the entry's save and delete renew the generation, so each write sees the list."""
    create(csa, first_name="Tbc", email_address="a@example.org")  # read (and cached) before the entry exists
    entry = Placeholder.objects.create(value="TBC", kind=Placeholder.Kind.NAME)
    with pytest.raises(ValidationError) as caught:
        create(csa, first_name="tbc", email_address="b@example.org")
    assert refused_codes(caught.value, "first_name") == ["placeholder_value"]
    entry.delete()
    assert create(csa, first_name="Tbc", email_address="c@example.org").created


def test_an_entry_for_one_kind_leaves_the_others_alone(csa):
    Placeholder.objects.create(value="none@none.com", kind=Placeholder.Kind.EMAIL)
    Placeholder.objects.create(value="Mr Nobody", kind=Placeholder.Kind.NAME)
    with pytest.raises(ValidationError) as caught:
        create(csa, email_address="None@None.com", organisation_name="mr   nobody")
    assert set(caught.value.error_dict) == {"email_address", "organisation_name"}
    # A name entry does not refuse a custom field or an address line with the same text.
    assert create(csa, custom_1="Mr Nobody", street="Mr Nobody", postcode="M1 1AE").created


def test_exact_and_local_part_entries(csa):
    Placeholder.objects.create(value="nobody@council.gov.uk", kind=Placeholder.Kind.EMAIL)
    Placeholder.objects.create(value="donotreply", kind=Placeholder.Kind.EMAIL, match=Placeholder.Match.LOCAL_PART)
    assert placeholders.is_placeholder("email", "Nobody@Council.gov.uk")
    assert not placeholders.is_placeholder("email", "nobody@council.gov.uk.example.org")  # exact: the whole value
    assert not placeholders.is_placeholder("email", "nobody@another.gov.uk")
    assert placeholders.is_placeholder("email", "DoNotReply@any.org")  # local part: at any domain
    assert placeholders.is_placeholder("email", "donotreply@other.example")
    assert not placeholders.is_placeholder("email", "donotreply.team@any.org")
    assert not placeholders.is_placeholder("name", "donotreply")  # a local part is only an email's
    with pytest.raises(ValidationError) as caught:
        create(csa, email_address="donotreply@example.org")
    assert refused_codes(caught.value, "email_address") == ["placeholder_value"]


def test_a_phone_entry_matches_however_its_digits_are_spaced(csa):
    Placeholder.objects.create(value="01234 567890", kind=Placeholder.Kind.PHONE)
    assert placeholders.is_placeholder("phone", "01234567890")
    assert placeholders.is_placeholder("phone", "01234 567 890")
    assert not placeholders.is_placeholder("phone", "01234 567891")


def test_the_built_in_list_is_installed_and_editable():
    values = set(Placeholder.objects.values_list("value", "kind", "match"))
    assert {("test@test.com", "email", "exact"), ("noemail", "email", "local_part"),
            ("anonymous@example.com", "email", "exact"), ("00000 000000", "phone", "exact"),
            ("N/A", "any", "exact"), ("Unknown", "any", "exact")} <= values
    Placeholder.objects.filter(value="Unknown").delete()
    assert not placeholders.is_placeholder("name", "Unknown")
    assert placeholders.is_placeholder("phone", "000 0000 0000")  # all-zero numbers: a rule, not an entry


def test_an_entry_checks_its_own_shape():
    with pytest.raises(ValidationError):
        Placeholder(value="nobody", kind=Placeholder.Kind.NAME, match=Placeholder.Match.LOCAL_PART).clean()
    with pytest.raises(ValidationError):
        Placeholder(value="a@b.org", kind=Placeholder.Kind.EMAIL, match=Placeholder.Match.LOCAL_PART).clean()
    entry = Placeholder(value="  no   reply@ ", kind=Placeholder.Kind.EMAIL, match=Placeholder.Match.LOCAL_PART)
    entry.clean()
    assert entry.value == "no reply"


def test_the_admin_edits_the_list_and_its_entries_count(client, admin_user, csa):
    assert client.login(username=admin_user.username, password="demo-password")
    add = reverse("admin:profiles_placeholder_add")
    response = client.post(add, {"value": "Not given", "kind": "any", "match": "exact", "note": "Call scripts"})
    assert response.status_code == 302
    assert client.get(reverse("admin:profiles_placeholder_changelist")).status_code == 200
    with pytest.raises(ValidationError) as caught:
        create(csa, last_name="NOT GIVEN")
    assert refused_codes(caught.value, "last_name") == ["placeholder_value"]
    entry = Placeholder.objects.get(value="Not given")
    response = client.post(reverse("admin:profiles_placeholder_delete", args=[entry.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert create(csa, last_name="Not given").created


def test_the_admins_customer_form_refuses_a_placeholder(client, admin_user, customer):
    assert client.login(username=admin_user.username, password="demo-password")
    change = reverse("admin:profiles_customer_change", args=[customer.pk])
    data = form_data(client.get(change))
    before = db_state()
    response = client.post(change, {**data, "first_name": "Unknown"})
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert [e.code for e in form.errors.as_data()["first_name"]] == ["placeholder_value"]
    assert db_state() == before


def test_the_email_change_refuses_a_placeholder(csa, customer):
    with pytest.raises(ValidationError) as caught:
        profile_change_email(ucrn=customer.ucrn, email="anonymous@example.com", user=csa, channel="hub")
    assert refused_codes(caught.value, "email_address") == ["placeholder_value"]


def test_a_write_reads_the_list_once_then_no_more(csa):
    """The list is read from the database once per generation: later writes only read the cache."""
    create(csa, email_address="first@example.org")
    customer = CustomerFactory()
    with CaptureQueriesContext(connection) as captured:
        profile_update(ucrn=customer.ucrn, user=csa, channel="api", full=False,
                       data={"first_name": "Ann", "last_name": "Lee", "phone_number": "0117 496 0123"})
    assert not [q for q in captured.captured_queries if "profiles_placeholder" in q["sql"]]
