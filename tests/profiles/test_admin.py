"""The admin is a door to the profile service: its saves are audited and obey the service's rules."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from profiles.models import (
    Address,
    ChangeRecord,
    ContactMethod,
    ContactType,
    Country,
    Customer,
    Language,
    Location,
    Status,
    Suffix,
    Title,
)
from tests.factories import CustomerFactory
from tests.profiles.support import db_state

REFERENCE_MODELS = [Title, Suffix, Country, Language, Location, ContactMethod, ContactType, Status]


@pytest.fixture
def admin_client(client, admin_user):
    assert client.login(username=admin_user.username, password="demo-password")
    return client


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """The POST a browser would send back from a rendered change or add page, unchanged."""
    data = {}
    for field in response.context["adminform"].form:
        value = field.value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
            continue
        data[field.html_name] = str(value)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({f.html_name: f.value() for f in management})
    return data


def test_changelists_and_change_pages_render(admin_client, customer):
    ChangeRecord.objects.create(customer=customer, channel="api", action="create", changes=[])
    objects = [customer, customer.addresses.get(), ChangeRecord.objects.get()]
    objects += [model.objects.order_by("pk").first() for model in REFERENCE_MODELS]
    for obj in objects:
        assert admin_client.get(url(type(obj), "changelist")).status_code == 200, type(obj)
        assert admin_client.get(url(type(obj), "change", obj.pk)).status_code == 200, type(obj)
    assert admin_client.get(url(Customer, "add")).status_code == 200


def test_customer_changelist_searches_by_ucrn_name_and_email(admin_client, customer):
    for query in (customer.ucrn, customer.last_name, customer.email_address.upper()):
        response = admin_client.get(url(Customer, "changelist"), {"q": query})
        assert list(response.context["cl"].result_list) == [customer], query


def test_adding_a_customer_goes_through_the_service(admin_client, admin_user):
    data = form_data(admin_client.get(url(Customer, "add")))
    data.update(contact_type="Individual", preferred_contact_method="3", first_name="Ada",
                last_name="Lovelace", email_address="ada@example.org", phone_number="0117 496 0123",
                notification_preference="3,1")
    response = admin_client.post(url(Customer, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    customer = Customer.objects.get(last_name="Lovelace")
    assert len(customer.ucrn) == 9
    assert customer.phone_number == "+441174960123"  # parsed by the service, not stored as typed
    assert customer.notification_preference == [3, 1]
    record = ChangeRecord.objects.get(customer=customer)
    assert (record.channel, record.action, record.user) == ("admin", "create", admin_user)


def test_adding_a_likely_duplicate_warns_as_every_door_does(admin_client, customer):
    """The service's Create warns a CSA of likely duplicates; the admin shows its warnings."""
    data = form_data(admin_client.get(url(Customer, "add")))
    data.update(contact_type="Individual", preferred_contact_method="3", first_name=customer.first_name,
                last_name=customer.last_name, birth_date=customer.birth_date.isoformat())
    response = admin_client.post(url(Customer, "add"), data, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any(m.startswith(f"Possible duplicate of customer {customer.ucrn}") for m in shown), shown
    assert Customer.objects.count() == 2


def test_adding_without_the_mandatory_names_shows_errors(admin_client):
    data = form_data(admin_client.get(url(Customer, "add")))
    data.update(first_name="Ada", contact_type="", preferred_contact_method="")
    response = admin_client.post(url(Customer, "add"), data)
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) >= {"contact_type", "preferred_contact_method"}
    assert not Customer.objects.exists()


def test_editing_a_name_writes_a_change_record(admin_client, customer):
    data = form_data(admin_client.get(url(Customer, "change", customer.pk)))
    data["first_name"] = "Grace"
    response = admin_client.post(url(Customer, "change", customer.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.first_name == "Grace"
    record = ChangeRecord.objects.get(customer=customer)
    assert (record.channel, record.action) == ("admin", "update")
    assert [c["field"] for c in record.changes] == ["first_name"]  # untouched fields are not rewritten


def test_changing_the_email_is_an_audited_email_change(admin_client, customer):
    data = form_data(admin_client.get(url(Customer, "change", customer.pk)))
    data["email_address"] = "new.address@example.org"
    response = admin_client.post(url(Customer, "change", customer.pk), data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.email_address == "new.address@example.org"
    assert ChangeRecord.objects.get(customer=customer).action == "email_change"


def test_an_invalid_value_is_shown_beside_its_field_and_changes_nothing(admin_client, customer):
    data = form_data(admin_client.get(url(Customer, "change", customer.pk)))
    before = db_state()
    data.update(first_name="Grace", birth_date=(dt.date.today() + dt.timedelta(days=30)).isoformat())
    response = admin_client.post(url(Customer, "change", customer.pk), data)
    assert response.status_code == 200
    assert "cannot be in the future" in str(response.context["adminform"].form.errors["birth_date"])
    assert db_state() == before


def test_an_email_taken_by_another_customer_is_refused_beside_the_field(admin_client, customer):
    other = CustomerFactory()
    data = form_data(admin_client.get(url(Customer, "change", customer.pk)))
    before = db_state()
    data.update(first_name="Grace", email_address=other.email_address.upper())
    response = admin_client.post(url(Customer, "change", customer.pk), data)
    assert response.status_code == 200
    assert "email_address" in response.context["adminform"].form.errors
    assert db_state() == before  # the name change was undone with the refused email


def test_a_change_refused_after_the_service_ran_is_undone(admin_client, customer):
    """The service saves while the form validates; if the (read-only) inlines then fail, nothing stays."""
    data = form_data(admin_client.get(url(Customer, "change", customer.pk)))
    data = {key: value for key, value in data.items() if not key.startswith("addresses-")}
    before = db_state()
    data["first_name"] = "Grace"
    response = admin_client.post(url(Customer, "change", customer.pk), data)
    assert response.status_code == 200
    assert db_state() == before


def test_customers_cannot_be_deleted(admin_client, customer):
    assert admin_client.get(url(Customer, "delete", customer.pk)).status_code == 403
    assert admin_client.post(url(Customer, "delete", customer.pk), {"post": "yes"}).status_code == 403
    response = admin_client.get(url(Customer, "changelist"))
    assert "delete_selected" not in response.content.decode()
    assert Customer.objects.filter(pk=customer.pk).exists()


@pytest.mark.parametrize("model", [Address, ChangeRecord])
def test_history_is_read_only(admin_client, customer, model):
    ChangeRecord.objects.create(customer=customer, channel="api", action="create", changes=[])
    obj = model.objects.filter(customer=customer).first()
    assert admin_client.get(url(model, "add")).status_code == 403
    assert admin_client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert admin_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403


def test_reference_lists_are_editable(admin_client):
    title = Title.objects.get(name="Dr")
    response = admin_client.post(url(Title, "change", title.pk), {"name": "Doctor", "sort_order": "5"})
    assert response.status_code == 302
    title.refresh_from_db()
    assert (title.pk, title.name) == (6, "Doctor")
    response = admin_client.get(url(Title, "changelist"), {"q": "doc"})
    assert list(response.context["cl"].result_list) == [title]


def test_users_list_shows_roles(admin_client, csa):
    response = admin_client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 200
    assert "csa" in response.content.decode()
