"""A customer with distinctive personal values everywhere the hub keeps them, for export and erasure."""
from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from rest_framework.test import APIClient

from integrations.runner import lookup, submit
from profiles.models import Customer
from profiles.services import profile_change_email, profile_create, profile_update
from profiles.services.export import profile_export
from tests.factories import UserFactory
from tests.integrations.conftest import ADDRESS_FIELDS, UPDATE_MAPPING, build_form

CUSTOM = {f"custom_{n}": f"Zqcustomvalue{n:02d}" for n in range(1, 29)}
PROFILE = {
    "contact_type": "Individual", "preferred_contact_method": 3, "prefix_id": 1, "first_name": "Zebediahq",
    "last_name": "Quorvantis", "organisation_name": "Quorvantis Holdings", "birth_date": "1961-03-17",
    "email_address": "zq.quorvantis@example.org", "alternative_email": "zq.alternative@example.net",
    "phone_number": "0117 496 0871", "mobile_number": "07700 900871", "twitter": "@zqtwitterhandle",
    "notification_preference": [3, 1], "consent_to_share": 1, "data_location": "Zqdatalocation",
    "region": "Zqregionvalue", **CUSTOM,
    "flat": "Flat Zq9", "house": "Zqhousename", "street": "Quorvantis Lane", "locality": "Zqlocality",
    "town": "Zqtownname", "post_town": "Zqposttown", "county": "Zqcountyname", "postcode": "ZE2 9QX",
    "uprn": "987654321012", "ward": "Zqwardname", "lat": "50.123456", "lng": "-5.654321",
}
MOVED = {"house": "Zqsecondhouse", "street": "Quorvantis Close", "postcode": "ZE2 9QY", "uprn": "987654321013",
         "flat": "Zqsecondflat", "lat": "51.234567", "lng": "-4.765432"}
CASE_VALUES = {"First_Name": "Zebediahcase", "House": "Zqcasehouse", "Street": "Quorvantis Road",
               "Postcode": "ZE2 9QZ", "Moved": "0", "Details": "Zqcasedetails: born 03/17/1961"}

# Every personal value above, as the hub may store or show it (E.164 phones, ISO and US dates).
NEEDLES = [
    "Zebediah", "Quorvantis", "1961-03-17", "03/17/1961", "zq.", "1174960871", "7700900871", "zqtwitterhandle",
    "Zqdatalocation", "Zqregionvalue", "Zqcustomvalue", "Flat Zq9", "Zqhousename", "Zqlocality", "Zqtownname",
    "Zqposttown", "Zqcountyname", "ZE2 9Q", "987654321012", "987654321013", "Zqwardname", "50.123456",
    "5.654321", "Zqsecond", "51.234567", "4.765432", "Zqcase", "Zebediahcase",
]


@pytest.fixture
def superuser(db):
    return UserFactory(username="erasure-admin", role="admin")


@pytest.fixture
def full_customer(db, csa, superuser) -> Customer:
    """Distinctive values in the profile, two address records, history, an email change, cases, admin log."""
    portal_user = UserFactory(username="erasure-citizen", role="citizen")
    customer = profile_create(data=PROFILE, user=csa, channel="api").customer
    profile_update(ucrn=customer.ucrn, data={"first_name": "Zebediahr", **MOVED}, user=csa, channel="api", full=False)
    profile_change_email(ucrn=customer.ucrn, email="zq.changed@example.org", user=csa, channel="hub")
    form = build_form("change-of-address", [*ADDRESS_FIELDS, ("Details", "textarea")],
                      [("update", "submission", UPDATE_MAPPING, {"ignore_empty_entries": True})])
    values = {"Ucrn": customer.ucrn, "Contact_Type": "Individual", "Preferred_Contact_Method": "3", **CASE_VALUES}
    # Looked up first, as a CSA would: the case then also keeps what the lookup filled.
    result = submit(form=form, values=values, user=csa, channel="form", looked_up=lookup(form, customer.ucrn, csa))
    assert result.ok, result.errors
    Customer.objects.filter(pk=customer.pk).update(portal_user=portal_user)
    customer.refresh_from_db()
    LogEntry.objects.create(
        user=superuser, content_type=ContentType.objects.get_for_model(Customer), object_id=str(customer.pk),
        object_repr=str(customer)[:200], action_flag=CHANGE, change_message='[{"changed": {"fields": ["First name"]}}]',
    )
    profile_export(ucrn=customer.ucrn, user=csa, channel="hub")
    return customer


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
