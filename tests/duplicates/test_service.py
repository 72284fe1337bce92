"""`profiles.selectors.duplicates` and `profiles.services.duplicates`: every reason, the exclusions, the
ranking, the query bound, the marks."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from profiles.models import NotSamePerson
from profiles.selectors.duplicates import MAX_CANDIDATES, find_duplicates
from profiles.services.duplicates import mark_not_same_person
from profiles.ucrn import new_ucrn_candidate
from tests.duplicates.conftest import BIRTH, person
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
POSTGRES = connection.vendor == "postgresql"


def reasons(duplicates, customer) -> list[str]:
    """The reason codes `customer` was found for (`[]` when not found)."""
    return next(([r.code for r in d.reasons] for d in duplicates if d.customer.pk == customer.pk), [])


# --- every reason, from the data of a Create -----------------------------------------------------


@pytest.mark.parametrize("data", [
    {"email_address": "JANE.Doubleday@example.org"},
    {"alternative_email": "jane.doubleday@EXAMPLE.org"},
])
def test_same_email_ignoring_case(jane, data):
    assert reasons(find_duplicates(data=data), jane) == ["same_email"]


@pytest.mark.parametrize("data", [
    {"phone_number": "01632 960123"},
    {"phone_number": "+44 (0)1632 960123"},
    {"mobile_number": "07700 900123"},
    {"phone_number": "07700900123"},  # a mobile given as the phone: any of the two against any of the two
    {"mobile_number": "01632960123"},
])
def test_same_phone_in_any_format_and_either_field(jane, data):
    assert reasons(find_duplicates(data=data), jane) == ["same_phone"]


def test_same_name_and_birth_date_ignoring_case_and_date_format(jane):
    data = {"first_name": "jane", "last_name": "DOUBLEDAY", "birth_date": "05/17/1970"}
    assert reasons(find_duplicates(data=data), jane) == ["same_name_birth_date"]
    assert reasons(find_duplicates(data={**data, "birth_date": "1970-05-18"}), jane) == []


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL plans")
def test_same_name_and_birth_date_is_one_range_of_one_index(jane):
    """Not a BitmapAnd of the first and last name indexes: thousands of entries each at a million."""
    with CaptureQueriesContext(connection) as captured:
        find_duplicates(data={"first_name": "Jane", "last_name": "Doubleday", "birth_date": "1970-05-17"})
    with connection.cursor() as cursor:
        # A test table is tiny: any index scanned whole costs about what a range costs, so ask whether this
        # index *can* serve the branch with the others out of the way (dropped inside the test's transaction,
        # rolled back with it; the constraints' own indexes stay).
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'profiles_customer' AND indexname <>"
                       " 'customer_birth_date_name_idx' AND indexname NOT IN (SELECT conname FROM pg_constraint)")
        cursor.execute(f"DROP INDEX {', '.join(row[0] for row in cursor.fetchall())}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + captured.captured_queries[0]["sql"])
        text = "\n".join(row[0] for row in cursor.fetchall())
    assert "using customer_birth_date_name_idx" in text, text
    assert "Index Cond: ((birth_date = '1970-05-17'::date) AND (upper((last_name)::text) = 'DOUBLEDAY'" in text, text


def test_same_name_and_primary_postcode_normalised(jane):
    data = {"First_Name": "Jane", "Last_Name": "Doubleday", "Postcode": "bs14dj"}
    assert reasons(find_duplicates(data=data), jane) == ["same_name_postcode"]
    assert reasons(find_duplicates(data={**data, "postcode": "BS1 4DK"}), jane) == []


@pytest.mark.parametrize("address", [
    {"postcode": "bs1 4dj", "house": "12"},
    {"uprn": "771234"},
    {"uprn": "000771234", "postcode": "M1 1AE"},  # UPRNs compare as numbers; the UPRN alone is enough
])
@pytest.mark.parametrize("name", [("Janet", "Doubleday"), ("J", "doubleday"), ("Jane", "Doubleday")])
def test_similar_name_at_the_same_address(jane, address, name):
    data = {"first_name": name[0], "last_name": name[1], **address}
    found = reasons(find_duplicates(data=data), jane)
    assert "similar_name_address" in found
    assert found in (["similar_name_address"], ["same_name_postcode", "similar_name_address"])


def test_a_different_name_at_the_same_address_or_the_same_name_elsewhere_is_not_similar(jane):
    assert find_duplicates(data={"first_name": "Robert", "last_name": "Ashworth", "postcode": "BS1 4DJ",
                                 "house": "12"}) == []
    assert find_duplicates(data={"first_name": "Janet", "last_name": "Doubleday", "postcode": "BS1 4DJ",
                                 "house": "14"}) == []


def test_the_same_address_needs_the_house_with_the_postcode(jane):
    assert find_duplicates(data={"first_name": "Janet", "last_name": "Doubleday", "postcode": "BS1 4DJ"}) == []


@pytest.mark.skipif(not POSTGRES, reason="trigram similarity is PostgreSQL's (pg_trgm)")
def test_postgres_finds_a_misspelt_surname_at_the_same_address(jane):
    data = {"first_name": "Jane", "last_name": "Dubbleday", "postcode": "BS1 4DJ", "house": "12"}
    assert reasons(find_duplicates(data=data), jane) == ["similar_name_address"]


@pytest.mark.skipif(POSTGRES, reason="the portable fallback of the other databases")
def test_elsewhere_similar_means_same_surname_and_first_initial(jane):
    data = {"first_name": "Jane", "last_name": "Dubbleday", "postcode": "BS1 4DJ", "house": "12"}
    assert find_duplicates(data=data) == []
    assert reasons(find_duplicates(data={**data, "first_name": "jo", "last_name": "DOUBLEDAY"}), jane) == [
        "similar_name_address"]


def test_organisations_compare_their_organisation_name():
    org = CustomerFactory(contact_type_id="Organization", organisation_name="Acme Widgets Ltd", first_name="",
                          last_name="", birth_date=None, address=False)
    person("", "", postcode="BS1 4DJ", house="1")  # no name: never a name match
    from tests.factories import AddressFactory

    AddressFactory(customer=org, is_primary=True, postcode="BS1 4DJ", house="Unit 3")
    data = {"contact_type": "Organization", "organisation_name": "ACME WIDGETS LTD", "postcode": "BS14DJ"}
    assert reasons(find_duplicates(data=data), org) == ["same_name_postcode"]
    assert len(find_duplicates(data=data)) == 1


def test_bad_values_in_the_data_are_ignored_not_raised(jane):
    data = {"first_name": "Jane", "last_name": "Doubleday", "birth_date": "yesterday", "phone_number": "call me",
            "postcode": "BS1 4DJ", "uprn": "x", "unknown": "y", 3: "z"}
    assert reasons(find_duplicates(data=data), jane) == ["same_name_postcode"]


def test_like_wildcards_in_the_data_are_plain_characters():
    underscore = person("Jo_n", "O%Neil", birth_date=BIRTH, postcode="BS1 4DJ", house="1_2")
    data = {"first_name": "JO_N", "last_name": "o%neil", "birth_date": BIRTH.isoformat(), "postcode": "BS1 4DJ",
            "house": "1_2"}
    assert reasons(find_duplicates(data=data), underscore) == [
        "same_name_birth_date", "same_name_postcode", "similar_name_address"]
    for first, last, house in (("John", "O%Neil", "9"), ("Jo_n", "OXNeil", "1x2"), ("%", "%", "%")):
        others = {**data, "first_name": first, "last_name": last, "house": house}
        assert find_duplicates(data=others) == [], others


def test_the_record_pages_probe_leaves_out_the_customer_and_its_marked_pairs_by_id(jane, csa):
    """The record page compares the Get output it has, naming the customer by its id (not read again)."""
    from profiles.selectors import profile_get_with_id

    twin = person("Jane", "Doubleday", birth_date=BIRTH)
    other_twin = person("Jane", "Doubleday", birth_date=BIRTH)
    profile, customer_id = profile_get_with_id(ucrn=jane.ucrn, user=csa)
    assert customer_id == jane.pk
    assert {d.customer for d in find_duplicates(data=profile, customer=customer_id)} == {twin, other_twin}
    mark_not_same_person(ucrn_a=jane.ucrn, ucrn_b=twin.ucrn, user=csa)  # jane first (the lower id)
    mark_not_same_person(ucrn_a=other_twin.ucrn, ucrn_b=jane.ucrn, user=csa)
    assert find_duplicates(data=profile, customer=customer_id) == []
    assert {d.customer for d in find_duplicates(data=profile)} == {jane, twin, other_twin}
    with pytest.raises(TypeError):
        find_duplicates(data=profile, customer=jane.ucrn)


def test_the_record_pages_probe_from_the_get_output_finds_what_the_stored_customer_finds(jane, csa):
    """Every reason, from the Get output's stored forms (E.164 phones, ISO dates, no parsing again)."""
    from profiles.selectors import profile_get_with_id
    from tests.factories import AddressFactory

    person("Jane", "Doubleday", birth_date=BIRTH)
    person("Other", "Person", phone_number="+447700900123")
    jane.alternative_email = "Jane.Alt@example.org"
    jane.save()
    person("Other", "Person", email_address="jane.alt@EXAMPLE.org")
    person("jane", "DOUBLEDAY", postcode="BS1 4DJ")
    person("Jan", "Doubleday", postcode="BS1 4DJ", house="12")
    org = CustomerFactory(contact_type_id="Organization", organisation_name="Acme Ltd", first_name="",
                          last_name="", birth_date=BIRTH, address=False)
    AddressFactory(customer=org, is_primary=True, postcode="BS1 4DJ", house="Unit 3")
    CustomerFactory(contact_type_id="Organization", organisation_name="ACME LTD", first_name="", last_name="",
                    birth_date=BIRTH, address=False)

    def found(duplicates):
        return [(d.customer.pk, [r.code for r in d.reasons]) for d in duplicates]

    for customer in (jane, org):
        profile, customer_id = profile_get_with_id(ucrn=customer.ucrn, user=csa)
        expected = found(find_duplicates(customer=customer))
        assert found(find_duplicates(data=profile, customer=customer_id)) == expected
        assert expected
    assert len(found(find_duplicates(customer=jane))) == 5


def test_candidates_come_with_their_primary_address_and_its_country(jane):
    twin = person("Janet", "Doubleday", birth_date=BIRTH, postcode="BS1 4DJ", house="12")
    [found] = find_duplicates(customer=jane)
    assert found.customer == twin and found.primary.postcode == "BS1 4DJ" and found.primary.house == "12"
    assert found.customer.primary_addresses == [found.primary]
    summary = found.as_dict()
    assert summary["postcode"] == "BS1 4DJ" and summary["country"] == "United Kingdom"
    assert summary["country_code"] == "GB"  # as the search results give it


def test_nothing_to_compare_finds_nothing_and_asks_nothing(jane, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert find_duplicates(data={"contact_type": "Individual", "first_name": "Jane"}) == []


# --- an existing customer --------------------------------------------------------------------------


def test_an_existing_customer_is_compared_with_everyone_else_but_itself(jane):
    twin = person("Jane", "Doubleday", postcode="BS1 4DJ", house="12", birth_date=BIRTH,
                  alternative_email="Jane.Doubleday@example.org", phone_number="+447700900123")
    found = find_duplicates(customer=twin)
    assert [d.customer for d in found] == [jane]
    assert reasons(found, jane) == ["same_email", "same_phone", "same_name_birth_date", "same_name_postcode",
                                    "similar_name_address"]
    # Others' alternative emails are not searched (no index): seen from Jane, the email is no reason.
    found = find_duplicates(customer=jane)
    assert [d.customer for d in found] == [twin]
    assert reasons(found, twin) == ["same_phone", "same_name_birth_date", "same_name_postcode",
                                    "similar_name_address"]
    assert [d.customer for d in find_duplicates(customer=jane.ucrn)] == [twin]  # by UCRN too
    assert find_duplicates(customer="123456789") == []


def test_excludes_erased_merged_and_not_same_person_pairs(jane, csa):
    same = {"first": "Jane", "last": "Doubleday", "birth_date": BIRTH}
    erased = person(**same, erased_at=timezone.now())
    merged_status = person(**same, status_id="Merged")
    survivor = person(**same)
    merged_into = person(**same, merged_into=survivor)
    kept = person(**same)
    assert {d.customer for d in find_duplicates(customer=jane)} == {survivor, kept}
    assert erased and merged_status and merged_into
    mark_not_same_person(ucrn_a=kept.ucrn, ucrn_b=jane.ucrn, user=csa)
    mark_not_same_person(ucrn_a=jane.ucrn, ucrn_b=survivor.ucrn, user=csa)
    assert find_duplicates(customer=jane) == []
    assert {d.customer for d in find_duplicates(customer=kept)} == {survivor}  # only that pair is excluded
    # New data is compared with everyone: the marks are about two stored customers.
    data = {"first_name": "Jane", "last_name": "Doubleday", "birth_date": BIRTH.isoformat()}
    assert {d.customer for d in find_duplicates(data=data)} == {jane, survivor, kept}


def test_ranked_by_the_strength_of_the_reasons_then_ucrn(jane):
    phone_and_birth = person("Jane", "Doubleday", birth_date=BIRTH, phone_number="+441632960123")
    phone_only = person("Amy", "Else", mobile_number="+441632960123")
    name_postcode = person("Jane", "Doubleday", postcode="BS1 4DJ", house="99")
    name_birth = person("Jane", "Doubleday", birth_date=BIRTH)
    found = find_duplicates(customer=jane)
    assert [d.customer for d in found] == [phone_and_birth, phone_only, name_birth, name_postcode]
    assert [d.score for d in found] == [150, 80, 70, 50]
    ties = [person("Jane", "Doubleday", birth_date=BIRTH) for _ in range(3)]
    ranked = [d.customer.ucrn for d in find_duplicates(customer=jane) if d.score == 70]
    assert ranked == sorted([name_birth.ucrn, *(t.ucrn for t in ties)])


def test_the_list_is_short(jane):
    for _ in range(MAX_CANDIDATES + 5):
        person("Jane", "Doubleday", birth_date=BIRTH)
    assert len(find_duplicates(customer=jane)) == MAX_CANDIDATES
    assert len(find_duplicates(customer=jane, limit=3)) == 3


@pytest.mark.parametrize("count", [1, 40])
def test_a_bounded_number_of_queries(jane, django_assert_max_num_queries, count, warm_reference_lists):
    for n in range(count):
        person("Jane", "Doubleday", postcode="BS1 4DJ", house="12", birth_date=BIRTH, uprn="771234",
               phone_number="+441632960123", alternative_email=f"x{n}@example.org")
    with django_assert_max_num_queries(3):  # its primary address, the reasons (one UNION), the candidates
        found = find_duplicates(customer=jane)
    assert len(found) == min(count, MAX_CANDIDATES)
    data = {"first_name": "Jane", "last_name": "Doubleday", "birth_date": "1970-05-17", "postcode": "BS1 4DJ",
            "house": "12", "uprn": "771234", "phone_number": "01632 960123", "email_address": "x0@example.org"}
    with django_assert_max_num_queries(2):
        assert len(find_duplicates(data=data)) == min(count + 1, MAX_CANDIDATES)


# --- not the same person ---------------------------------------------------------------------------


def test_mark_is_stored_once_lower_id_first_and_idempotent(jane, csa):
    other = person("Janet", "Doubleday")
    mark, created = mark_not_same_person(ucrn_a=other.ucrn, ucrn_b=jane.ucrn, user=csa)
    assert created and (mark.first, mark.second) == (jane, other) and mark.marked_by == csa
    again, created = mark_not_same_person(ucrn_a=jane.ucrn, ucrn_b=other.ucrn, user=csa)
    assert not created and again.pk == mark.pk
    assert NotSamePerson.objects.count() == 1


def test_mark_refuses_a_customer_paired_with_itself(jane, csa):
    with pytest.raises(ValidationError) as error:
        mark_not_same_person(ucrn_a=jane.ucrn, ucrn_b=jane.ucrn, user=csa)
    assert error.value.error_dict["ucrn"][0].code == "same_customer"
    assert not NotSamePerson.objects.exists()


def test_mark_is_for_csas_only(jane, citizen, customer):
    with pytest.raises(PermissionDenied):  # a citizen, even naming their own customer
        mark_not_same_person(ucrn_a=customer.ucrn, ucrn_b=jane.ucrn, user=citizen)
    with pytest.raises(PermissionDenied):
        mark_not_same_person(ucrn_a=customer.ucrn, ucrn_b=jane.ucrn, user=None)
    assert not NotSamePerson.objects.exists()


def test_mark_of_an_unknown_customer_is_not_found_and_a_bad_other_one_is_bad_input(jane, csa):
    unknown = new_ucrn_candidate()
    with pytest.raises(Http404):
        mark_not_same_person(ucrn_a=unknown, ucrn_b=jane.ucrn, user=csa)
    bad_values = [(unknown, "not_found"), ("123456789", "invalid"), ("nonsense", "invalid"), (None, "required"),
                  (" ", "required"), (123456789, "invalid")]
    for bad, code in bad_values:
        with pytest.raises(ValidationError) as error:
            mark_not_same_person(ucrn_a=jane.ucrn, ucrn_b=bad, user=csa)
        assert error.value.error_dict["ucrn"][0].code == code, bad
    assert not NotSamePerson.objects.exists()
