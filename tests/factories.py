"""factory-boy factories with realistic UK data, for the tests and the benchmark (test code: not in the app).

They write rows directly (fast, any state wanted); tests of the rules go through the services.
"""
from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from core.roles import Role, assign_role
from profiles.models import UK_COUNTRY_ID, Address, Customer, ExtendedSource
from profiles.ucrn import new_ucrn_candidate

# Real UK postcodes that no test names, so a test searching by postcode never finds a factory-made neighbour.
POSTCODES = ["CR2 6XH", "DN55 1PT", "NE1 7RU", "L1 8JQ", "G1 1XQ", "BT1 5GS", "NG1 5FS", "S1 2HE",
             "OX1 2JD", "YO1 7HH", "PL1 2AA", "AB10 1XG", "IV1 1QY", "TR1 2SN", "CB2 1TN", "EX1 1HS"]


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("demo-password")

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        """`UserFactory(role="csa")` gives the user that role."""
        if create and extracted:
            assign_role(obj, Role(extracted))


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    ucrn = factory.LazyFunction(new_ucrn_candidate)
    contact_type_id = "Individual"
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    birth_date = factory.Faker("date_of_birth", minimum_age=18, maximum_age=95)
    email_address = factory.LazyAttributeSequence(
        lambda o, n: f"{o.first_name}.{o.last_name}.{n}@example.org".lower().replace(" ", "").replace("'", "")
    )
    phone_number = factory.Sequence(lambda n: f"+44117496{n % 10000:04d}")
    preferred_contact_method_id = 3
    notification_preference = factory.LazyFunction(lambda: [3, 1])

    @factory.post_generation
    def address(obj, create, extracted, **kwargs):
        """A primary address unless `address=False`."""
        if create and extracted is not False:
            AddressFactory(customer=obj, is_primary=True, **kwargs)


class AddressFactory(DjangoModelFactory):
    class Meta:
        model = Address

    customer = factory.SubFactory(CustomerFactory, address=False)
    house = factory.Faker("building_number", locale="en_GB")
    street = factory.Faker("street_name", locale="en_GB")
    town = factory.Faker("city", locale="en_GB")
    postcode = factory.Iterator(POSTCODES)
    uprn = factory.Sequence(lambda n: str(100000000 + n))
    country_id = UK_COUNTRY_ID
    start_date = factory.LazyFunction(lambda: dt.date(2020, 1, 1))
    end_date = None
    is_primary = False


def form_journey_customer() -> Customer:
    """Rita Runner, who consented, with a landline, preferences, and an address since 2019-05-01: the
    customer the form journeys are run with, in process and in the browser."""
    customer = CustomerFactory(first_name="Rita", last_name="Runner", consent_to_share=1,
                               phone_number="+441174960239", mobile_number="", notification_preference=[3, 1],
                               address=False)
    AddressFactory(customer=customer, is_primary=True, flat="", house="7", street="Mill Lane", town="Bristol",
                   postcode="BS1 4DJ", start_date=dt.date(2019, 5, 1))
    return customer


def extended_sources() -> dict[str, ExtendedSource]:
    """Two other systems (SPEC 8.3): council tax, small limits and a unique reference; housing, a reference."""
    return {
        "council_tax": ExtendedSource.objects.create(slug="council_tax", name="Council tax", size_limit_kb=1,
                                                     top_level_keys_limit=3, reference_key="account",
                                                     reference_unique=True),
        "housing": ExtendedSource.objects.create(slug="housing", name="Housing", reference_key="tenancy"),
    }
