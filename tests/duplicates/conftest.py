"""Customers who may be one person twice, and clients of every role for the duplicate endpoints."""
from __future__ import annotations

import datetime as dt

import pytest

from profiles.models import Customer
from tests.api.conftest import token_client
from tests.factories import AddressFactory, CustomerFactory


def person(first: str, last: str, *, postcode: str | None = None, house: str = "", uprn: str = "",
           **kwargs) -> Customer:
    """A customer with unique contact details unless given, and a primary address when a postcode is."""
    kwargs.setdefault("phone_number", "")  # the factory's sequence of numbers comes round to everyone's
    customer = CustomerFactory(first_name=first, last_name=last, address=False, **kwargs)
    if postcode is not None:
        AddressFactory(customer=customer, is_primary=True, postcode=postcode, house=house, uprn=uprn)
    return customer


BIRTH = dt.date(1970, 5, 17)


@pytest.fixture
def jane(db) -> Customer:
    return person("Jane", "Doubleday", postcode="BS1 4DJ", house="12", uprn="771234", birth_date=BIRTH,
                  email_address="jane.doubleday@example.org", phone_number="+441632960123",
                  mobile_number="+447700900123")


@pytest.fixture
def anon_api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def csa_api(csa):
    return token_client(csa)


@pytest.fixture
def citizen_api(citizen):
    return token_client(citizen)


@pytest.fixture
def csa_client(csa):
    from tests.web.conftest import signed_in

    return signed_in(csa)
