"""The form runner and case pages through Django's client (the browser journeys are in tests/web)."""
from html import escape

import pytest
from django.test import Client

from integrations.models import Case
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def citizen_client(citizen):
    client = Client()
    client.force_login(citizen)
    return client


def post(client, url, **values):
    return client.post(url, values)


def test_the_form_list_shows_the_forms_a_csa_may_fill(csa_client, change_of_address):
    response = csa_client.get("/hub/forms/")
    assert response.status_code == 200
    assert "Change Of Address" in response.content.decode()


def test_every_runner_page_is_refused_to_citizens_and_sends_anonymous_to_sign_in(citizen_client, change_of_address):
    for url in ["/hub/forms/", "/hub/forms/change-of-address/", "/hub/cases/"]:
        assert citizen_client.get(url).status_code == 403
        assert Client().get(url).status_code == 302


def test_lookup_fills_the_fields(csa_client, change_of_address, customer):
    response = post(csa_client, "/hub/forms/change-of-address/", action="lookup", Ucrn=customer.ucrn)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{escape(customer.first_name)}"' in page
    assert f'value="{customer.addresses.get().postcode}"' in page


def test_looking_up_an_unknown_ucrn_says_so_beside_the_field(csa_client, change_of_address):
    response = post(csa_client, "/hub/forms/change-of-address/", action="lookup", Ucrn="123456789")
    assert response.status_code == 200
    assert "No customer has the UCRN 123456789" in response.content.decode()


def test_submit_updates_the_customer_and_keeps_a_case(csa_client, change_of_address, customer):
    response = post(csa_client, "/hub/forms/change-of-address/", action="submit", Ucrn=customer.ucrn,
                    Contact_Type="Individual", Preferred_Contact_Method="3", First_Name="Renamed", House="",
                    Street="Elm Road", Postcode="", Moved="1")
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/hub/cases/{case.reference}/"
    customer.refresh_from_db()
    assert customer.first_name == "Renamed" and customer.addresses.get().street == "Elm Road"
    detail = csa_client.get(response.url).content.decode()
    assert "First Name: " in detail and "Renamed" in detail and "first_name" not in detail


def test_an_invalid_value_is_shown_beside_its_field_and_nothing_is_saved(csa_client, change_of_address, customer):
    response = post(csa_client, "/hub/forms/change-of-address/", action="submit", Ucrn=customer.ucrn,
                    Contact_Type="Individual", Preferred_Contact_Method="3", First_Name="X", Street="A",
                    Postcode="XYZ", Moved="0")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_Postcode-error"' in page and "not a valid UK postcode" in page
    assert not Case.objects.exists()
    customer.refresh_from_db()
    assert customer.first_name != "X"


def test_a_required_field_left_blank_is_refused_by_the_form(csa_client, register):
    register.fields.filter(data_name="Last_Name").update(required=True)
    response = post(csa_client, "/hub/forms/register/", action="submit", Contact_Type="Individual",
                    Preferred_Contact_Method="3", First_Name="A", Last_Name="")
    assert response.status_code == 200 and "This field is required" in response.content.decode()


def test_save_keeps_a_draft_and_reopening_shows_the_changed_values(csa_client, change_of_address, customer):
    change_of_address.integrations.filter(kind="update").update(when="pre_submission")
    post(csa_client, "/hub/forms/change-of-address/", action="save", Ucrn=customer.ucrn, Contact_Type="Individual",
         Preferred_Contact_Method="3", First_Name="Draftname", Street="", Postcode="", Moved="1")
    case = Case.objects.get()
    assert case.status == Case.Status.DRAFT
    reopened = csa_client.get(f"/hub/cases/{case.reference}/edit/").content.decode()
    assert 'value="Draftname"' in reopened


def test_case_list_filters_and_linking_an_anonymous_case(csa_client, db, csa):
    from integrations.demo import install_demo_forms
    from integrations.models import Form
    from integrations.runner import submit

    install_demo_forms()
    result = submit(form=Form.objects.get(slug="report-missed-bin"),
                    values={"House": "1", "Street": "High St", "Postcode": "M1 1AE", "Bin_Type": "garden"},
                    user=csa, channel="form")
    reference = result.case.reference
    assert reference in csa_client.get("/hub/cases/?anonymous=yes").content.decode()
    assert reference not in csa_client.get("/hub/cases/?anonymous=no").content.decode()
    customer = CustomerFactory()
    response = csa_client.post(f"/hub/cases/{reference}/link/", {"ucrn": customer.ucrn})
    assert response.status_code == 302
    assert Case.objects.get(reference=reference).customer == customer
    record = csa_client.get(f"/hub/customers/{customer.ucrn}/").content.decode()
    assert reference in record


def test_linking_a_case_writes_a_change_record_on_the_customer(csa_client, db, csa):
    """The link is a service with its change record: the customer's history says who linked which case."""
    from integrations.demo import install_demo_forms
    from integrations.models import Form
    from integrations.runner import submit
    from profiles.models import ChangeRecord

    install_demo_forms()
    reference = submit(form=Form.objects.get(slug="report-missed-bin"),
                       values={"House": "1", "Street": "High St", "Postcode": "M1 1AE", "Bin_Type": "garden"},
                       user=csa, channel="form").case.reference
    customer = CustomerFactory()
    csa_client.post(f"/hub/cases/{reference}/link/", {"ucrn": customer.ucrn})
    record = ChangeRecord.objects.get(customer=customer, action=ChangeRecord.Action.CASE_LINK)
    assert (record.user, record.channel) == (csa, "hub")
    assert record.changes == [{"field": "cases", "before": None, "after": reference}]
    csa_client.post(f"/hub/cases/{reference}/link/", {"ucrn": "123456789"})  # no such customer: nothing changes
    assert ChangeRecord.objects.filter(action=ChangeRecord.Action.CASE_LINK).count() == 1


def test_a_citizen_form_is_prefilled_from_their_own_profile(citizen_client, customer, db):
    from integrations.demo import install_demo_forms

    install_demo_forms()
    page = citizen_client.get("/portal/forms/update-contact-preferences/").content.decode()
    assert f'value="{customer.ucrn}"' in page


def test_a_citizen_cannot_look_up_another_ucrn(citizen_client, customer, db):
    from integrations.demo import install_demo_forms

    install_demo_forms()
    other = CustomerFactory()
    response = post(citizen_client, "/portal/forms/update-contact-preferences/", action="lookup", Ucrn=other.ucrn)
    assert response.status_code == 403
    response = post(citizen_client, "/portal/forms/update-contact-preferences/", action="submit", Ucrn=other.ucrn,
                    Contact_Type="Individual", Preferred_Contact_Method="1")
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_a_citizen_submits_their_own_form(citizen_client, customer, db):
    from integrations.demo import install_demo_forms

    install_demo_forms()
    response = post(citizen_client, "/portal/forms/update-contact-preferences/", action="submit", Ucrn=customer.ucrn,
                    Contact_Type="Individual", Preferred_Contact_Method="2", Mobile_Number="07700 900456")
    assert response.status_code == 302 and response.url == "/portal/profile/"
    customer.refresh_from_db()
    assert customer.mobile_number == "+447700900456"
    assert Case.objects.get().customer == customer


def test_a_user_without_a_role_is_refused(db, change_of_address):
    client = Client()
    client.force_login(UserFactory(username="norole"))
    assert client.get("/hub/forms/change-of-address/").status_code == 403
