"""Small helpers shared by the profile service tests."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from profiles.models import Address, ChangeRecord, Customer
from profiles.services import profile_create, profile_update

VALID_CREATE = {"contact_type": "Individual", "preferred_contact_method": 3}


def as_written(profile: dict) -> dict:
    """A Get output as a write answers it: without `extended` (other systems' data, SPEC 8.3), which a
    profile write neither changes nor reads back; it has its own endpoint."""
    return {name: value for name, value in profile.items() if name != "extended"}


def create(user, **data):
    """Create through the service, with the mandatory names unless the test overrides them."""
    return profile_create(data={**VALID_CREATE, **data}, user=user, channel="api")


def update(user, ucrn, data, **kwargs):
    return profile_update(ucrn=ucrn, data=data, user=user, channel=kwargs.pop("channel", "api"), **kwargs)


def error_codes(excinfo_or_error) -> dict[str, list[str]]:
    """`{data name: [codes]}` of a ValidationError raised by a service."""
    error = getattr(excinfo_or_error, "value", excinfo_or_error)
    assert isinstance(error, ValidationError)
    return {name: [e.code for e in errors] for name, errors in error.error_dict.items()}


def refused(call, *args, **kwargs) -> dict[str, list[str]]:
    """Run a service call that must raise ValidationError; return its codes by data name."""
    with pytest.raises(ValidationError) as excinfo:
        call(*args, **kwargs)
    return error_codes(excinfo)


def db_state() -> dict:
    """Everything a write can touch, for "nothing changed" assertions."""
    return {
        "customers": [
            model_to_dict(c) | {"ucrn": c.ucrn, "version": c.version, "updated_at": c.updated_at}
            for c in Customer.objects.order_by("pk")
        ],
        "addresses": [model_to_dict(a) | {"created_at": a.created_at} for a in Address.objects.order_by("pk")],
        "change_records": ChangeRecord.objects.count(),
    }


def addresses_of(customer):
    return list(Address.objects.filter(customer=customer).order_by("pk"))


def primary_of(customer):
    return Address.objects.filter(customer=customer, is_primary=True).first()
