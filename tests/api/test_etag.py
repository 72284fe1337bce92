"""Optimistic concurrency over REST: ETag from the version, If-Match -> 412, If-None-Match -> 304."""
from __future__ import annotations

import pytest

from profiles.models import ChangeRecord, Customer
from profiles.services import VersionConflict, profile_update
from tests.api.conftest import url

pytestmark = pytest.mark.django_db


def test_get_returns_the_version_as_etag(csa_api, customer):
    response = csa_api.get(url(customer.ucrn))
    assert response.status_code == 200
    assert response["ETag"] == f'"v{customer.version}"'
    assert response.json()["version"] == customer.version


def test_if_none_match_answers_304_while_unchanged(csa_api, csa, customer):
    tag = csa_api.get(url(customer.ucrn))["ETag"]
    response = csa_api.get(url(customer.ucrn), HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == tag
    assert csa_api.get(url(customer.ucrn), HTTP_IF_NONE_MATCH=f"W/{tag}").status_code == 304
    profile_update(ucrn=customer.ucrn, data={"first_name": "Changed"}, user=csa, channel="api", full=False)
    response = csa_api.get(url(customer.ucrn), HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 200
    assert response["ETag"] != tag


def test_if_none_match_does_not_bypass_access(citizen_api, other_customer):
    response = citizen_api.get(url(other_customer.ucrn), HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 403


@pytest.mark.parametrize("method", ["put", "patch"])
def test_if_match_current_version_updates(csa_api, customer, method):
    tag = csa_api.get(url(customer.ucrn))["ETag"]
    body = {"first_name": "Matched", "contact_type": "Individual", "preferred_contact_method": 3}
    response = getattr(csa_api, method)(url(customer.ucrn), body, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 200, response.json()
    assert response["ETag"] == f'"v{customer.version + 1}"'
    assert response.json()["version"] == customer.version + 1


@pytest.mark.parametrize("method", ["put", "patch"])
def test_if_match_stale_version_is_412_and_changes_nothing(csa_api, csa, customer, method):
    tag = csa_api.get(url(customer.ucrn))["ETag"]
    profile_update(ucrn=customer.ucrn, data={"last_name": "Other"}, user=csa, channel="hub", full=False)
    records = ChangeRecord.objects.count()
    body = {"first_name": "Stale", "contact_type": "Individual", "preferred_contact_method": 3}
    response = getattr(csa_api, method)(url(customer.ucrn), body, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 412
    assert response.json()["detail"][0]["code"] == "precondition_failed"
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.first_name == customer.first_name
    assert stored.last_name == "Other"
    assert ChangeRecord.objects.count() == records


@pytest.mark.parametrize("header", ['W/"v1"', "v1", '"x1"', "garbage \u00e9", '"v99999999999999"', '""', ",", "1"])
def test_malformed_or_weak_if_match_is_412_never_500(csa_api, customer, header):
    response = csa_api.patch(url(customer.ucrn), {"first_name": "X"}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 412
    assert Customer.objects.get(pk=customer.pk).first_name == customer.first_name


def test_if_match_star_and_several_tags(csa_api, customer):
    response = csa_api.patch(url(customer.ucrn), {"first_name": "Star"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    response = csa_api.patch(url(customer.ucrn), {"first_name": "Two"}, format="json", HTTP_IF_MATCH='"v1", "v2"')
    assert response.status_code == 400
    response = csa_api.patch(url(customer.ucrn), {"first_name": "One"}, format="json", HTTP_IF_MATCH='"v2", W/"v7"')
    assert response.status_code == 200


def test_citizen_stale_if_match_on_someone_else_is_403_not_412(citizen_api, other_customer):
    response = citizen_api.patch(url(other_customer.ucrn), {"first_name": "X"}, format="json", HTTP_IF_MATCH='"v0"')
    assert response.status_code == 403


def test_service_refuses_a_stale_expected_version(csa, customer):
    with pytest.raises(VersionConflict) as conflict:
        profile_update(ucrn=customer.ucrn, data={"first_name": "X"}, user=csa, channel="api", full=False,
                       expected_version=customer.version + 1)
    assert conflict.value.current_version == customer.version
    result = profile_update(ucrn=customer.ucrn, data={"first_name": "X"}, user=csa, channel="api", full=False,
                            expected_version=customer.version)
    assert result.customer.version == customer.version + 1
