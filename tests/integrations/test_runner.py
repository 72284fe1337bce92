"""Lookup, submit and pre-submission through the runner (SPEC section 5)."""
import pytest
from django.core.exceptions import PermissionDenied

from integrations.models import Case
from integrations.runner import lookup, submit
from profiles.models import Address, ChangeRecord, Customer


def values_for(customer, **changes):
    primary = customer.addresses.get(is_primary=True)
    return {"Ucrn": customer.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": "3",
            "First_Name": customer.first_name, "House": primary.house, "Street": primary.street,
            "Postcode": primary.postcode, "Moved": "0", **changes}


def test_lookup_fills_every_field_whose_data_name_matches(change_of_address, customer, csa):
    filled = lookup(change_of_address, customer.ucrn, csa).values
    primary = customer.addresses.get(is_primary=True)
    assert filled["First_Name"] == customer.first_name
    assert filled["Postcode"] == primary.postcode
    assert filled["Contact_Type"] == "Individual"
    assert "Moved" not in filled  # no Get output is called Moved


def test_a_citizen_cannot_look_up_another_ucrn(change_of_address, citizen, db):
    from tests.factories import CustomerFactory

    other = CustomerFactory()
    with pytest.raises(PermissionDenied):
        lookup(change_of_address, other.ucrn, citizen)


def test_submit_with_ignore_empty_entries_and_a_blank_postcode_keeps_it(change_of_address, customer, csa):
    postcode = customer.addresses.get(is_primary=True).postcode
    result = submit(form=change_of_address, values=values_for(customer, Postcode="", Street="New Street", Moved="1"),
                    user=csa, channel="form")
    assert result.ok, result.errors
    primary = customer.addresses.get(is_primary=True)
    assert (primary.street, primary.postcode) == ("New Street", postcode)
    assert customer.addresses.count() == 1
    assert result.case.customer == customer and result.case.status == Case.Status.SUBMITTED


def test_moved_adds_an_address_and_end_dates_the_old(change_of_address, customer, csa):
    result = submit(form=change_of_address, values=values_for(customer, House="9", Street="Elm Road", Postcode="m11ae"),
                    user=csa, channel="form")
    assert result.ok, result.errors
    assert customer.addresses.count() == 2
    new = customer.addresses.get(is_primary=True)
    assert (new.street, new.postcode) == ("Elm Road", "M1 1AE")
    assert customer.addresses.get(is_primary=False).end_date is not None
    assert result.outcomes[0]["changes"]


def test_an_invalid_value_is_shown_beside_its_field_and_nothing_is_saved(change_of_address, customer, csa):
    before = (Case.objects.count(), ChangeRecord.objects.count(), Address.objects.count())
    result = submit(form=change_of_address, values=values_for(customer, Postcode="XYZ", First_Name="Changed"),
                    user=csa, channel="form")
    assert not result.ok and result.case is None
    assert list(result.errors) == ["Postcode"]
    assert (Case.objects.count(), ChangeRecord.objects.count(), Address.objects.count()) == before
    customer.refresh_from_db()
    assert customer.first_name != "Changed"


def test_a_case_raised_while_creating_a_customer_is_linked_to_it(register, csa):
    result = submit(form=register, values={"Contact_Type": "Individual", "Preferred_Contact_Method": "3",
                                           "First_Name": "Ada", "Last_Name": "Lovelace", "Email": "ada@example.org",
                                           "Postcode": "SW1A1AA", "Street": "Downing Street"}, user=csa, channel="form")
    assert result.ok, result.errors
    created = Customer.objects.get(ucrn=result.outcomes[0]["ucrn"])
    assert result.case.customer == created and result.outcomes[0]["created"]
    assert created.addresses.get().postcode == "SW1A 1AA"


def test_a_missing_mandatory_value_is_an_error_beside_its_field(register, csa):
    result = submit(form=register, values={"Contact_Type": "", "Preferred_Contact_Method": "3", "First_Name": "A",
                                           "Last_Name": "B", "Email": "", "Postcode": "", "Street": ""},
                    user=csa, channel="form")
    assert "Contact_Type" in result.errors
    assert Customer.objects.count() == 0 and Case.objects.count() == 0


def test_pre_submission_keeps_a_draft_and_reopening_shows_the_changed_values(change_of_address, customer, csa):
    change_of_address.integrations.filter(kind="update").update(when="pre_submission")
    draft = submit(form=change_of_address, values=values_for(customer, First_Name="Edited", Moved="1"),
                   user=csa, channel="form", final=False)
    assert draft.ok, draft.errors
    assert draft.case.status == Case.Status.DRAFT and draft.case.data["First_Name"] == "Edited"
    customer.refresh_from_db()
    assert customer.first_name == "Edited"
    final = submit(form=change_of_address, values=draft.case.data, user=csa, channel="form", case=draft.case)
    assert final.ok and final.case.pk == draft.case.pk and final.case.status == Case.Status.SUBMITTED


def test_a_form_for_csas_only_is_refused_to_a_citizen(change_of_address, citizen, customer):
    with pytest.raises(PermissionDenied):
        submit(form=change_of_address, values=values_for(customer), user=citizen, channel="portal")


def test_the_demo_forms_install_once_and_run(csa, customer):
    from integrations.demo import DEMO_FORMS, install_demo_forms
    from integrations.models import Form

    assert len(install_demo_forms()) == len(DEMO_FORMS)
    assert install_demo_forms() == []
    prefs = Form.objects.get(slug="update-contact-preferences")
    result = submit(form=prefs, values={"Ucrn": customer.ucrn, "Contact_Type": "Individual",
                                        "Preferred_Contact_Method": "2", "Phone_Number": "",
                                        "Mobile_Number": "07700 900123",
                                        "Notification_Preference": ["2", "3"], "Consent_To_Share": "1",
                                        "Preferred_Language_Id": "", "Permission_Email": "",
                                        "Permission_Phone": "", "Permission_Sms": "granted",
                                        "Permission_Post": ""}, user=csa, channel="form")
    assert result.ok, result.errors
    customer.refresh_from_db()
    assert customer.mobile_number == "+447700900123" and customer.notification_preference == [2, 3]
    assert customer.phone_number  # blank with Ignore Empty Entries ticked: kept
    assert (customer.permission_sms, customer.permission_email) == ("granted", "unknown")  # a blank answer keeps it
    missed_bin = Form.objects.get(slug="report-missed-bin")
    anonymous = submit(form=missed_bin, values={"Ucrn": "", "First_Name": "", "Last_Name": "", "House": "1",
                                                "Street": "High St", "Postcode": "M1 1AE", "Bin_Type": "garden",
                                                "Details": ""}, user=csa, channel="form")
    assert anonymous.ok and anonymous.case.customer is None


def test_a_mapping_naming_a_removed_field_is_an_error_not_a_crash(change_of_address, customer, csa):
    """The admin refuses removing a field a token uses; a removal made elsewhere still saves nothing."""
    change_of_address.fields.filter(data_name="Street").delete()
    before = (Case.objects.count(), ChangeRecord.objects.count())
    values = values_for(customer)
    values.pop("Street")
    result = submit(form=change_of_address, values=values, user=csa, channel="form")
    assert not result.ok and "{street}" in result.errors["__all__"][0]
    assert (Case.objects.count(), ChangeRecord.objects.count()) == before
