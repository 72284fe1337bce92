"""Bad input is a 400 (or 404/415) in the one error shape, never a 500, and never saves part of a change."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profiles.datanames import ADDRESS_NAMES, OPTION_DEFAULTS, PROFILE_NAMES
from profiles.models import ChangeRecord
from tests.api.conftest import codes, url

pytestmark = pytest.mark.django_db

NAMES = [*PROFILE_NAMES, *ADDRESS_NAMES, *OPTION_DEFAULTS, "ucrn", "name", "is_primary"]
FULLWIDTH_DIGITS = "".join(chr(0xFF11 + n) for n in range(9))  # looks like 123456789
BAD_VALUES = [
    "x" * 100_000,
    "nul\x00byte",
    "\x00",
    10**40,
    -(10**40),
    1e308,
    -1,
    True,
    [1, [2]],
    {"nested": {"deeper": [1, 2]}},
    "2024-02-30",
    "💥" * 300,
    "' OR 1=1 --",
    0.5,
]


def assert_error_shape(response) -> None:
    body = response.json()
    assert isinstance(body, dict) and body
    for errors in body.values():
        assert errors and all(set(e) == {"message", "code"} for e in errors)


def send(client, method, path, raw: str):
    return getattr(client, method)(path, raw, content_type="application/json")


@pytest.mark.parametrize("raw", ["{bad", "", "[]", "[1, 2]", '"text"', "42", "null", "NaN", '{"a": NaN}',
                                 '{"first_name": Infinity}', "{" * 10_000, '{"a": 1}' * 2, "\x00"])
@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_malformed_bodies(csa_api, customer, raw, method):
    path = url() if method == "post" else url(customer.ucrn)
    response = send(csa_api, method, path, raw)
    if raw == "" and method == "patch":  # no body: an empty partial update, which changes nothing
        assert response.status_code == 200
        return
    assert response.status_code == 400, response.content
    assert_error_shape(response)
    assert not ChangeRecord.objects.exists()


def test_not_json_is_415(csa_api):
    response = csa_api.post(url(), "first_name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert_error_shape(response)


@pytest.mark.parametrize("value", BAD_VALUES, ids=[repr(v)[:20] for v in BAD_VALUES])
def test_bad_values_in_every_name(csa_api, customer, value):
    """Every name at once: the service parses each one and collects every error."""
    before = ChangeRecord.objects.count()
    for method, path in (("post", url()), ("patch", url(customer.ucrn)), ("put", url(customer.ucrn))):
        response = getattr(csa_api, method)(path, {name: value for name in NAMES}, format="json")
        assert response.status_code in (400, 413), (value, response.content)
        assert_error_shape(response)
    assert ChangeRecord.objects.count() == before


def test_an_empty_list_is_blank_everywhere(csa_api, customer):
    """[] is blank: a PATCH (ignore_empty_entries) keeps everything; a PUT must still get the mandatory."""
    body = {name: [] for name in NAMES}
    assert csa_api.patch(url(customer.ucrn), body, format="json").status_code == 200
    response = csa_api.put(url(customer.ucrn), body, format="json")
    assert response.status_code == 400
    assert codes(response) == {
        "contact_type": ["required"], "preferred_contact_method": ["required"], "email_address": ["email_not_updatable"]
    }


def test_a_body_over_the_upload_limit_is_413(csa_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = csa_api.post(url(), {"first_name": "x" * 2000}, format="json")
    assert response.status_code == 413
    assert_error_shape(response)


@pytest.mark.parametrize("key", ["x" * 100_000, "nul\x00", "", " ", "FIRST_NAME", "first_name "])
def test_odd_keys(csa_api, customer, key):
    response = csa_api.patch(url(customer.ucrn), {key: "value"}, format="json")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert_error_shape(response)


@pytest.mark.parametrize("ucrn", ["x" * 10_000, "%00", "0" * 9, "-1", "1e9", FULLWIDTH_DIGITS])
def test_odd_ucrns_are_404(csa_api, ucrn):
    assert csa_api.get(url(ucrn)).status_code == 404


@pytest.mark.parametrize("name", ["search", "last_name", "postcode", "email_address", "phone_number", "uprn",
                                  "status", "contact_type", "page", "page_size"])
@pytest.mark.parametrize("value", ["x" * 100_000, "nul\x00", "%", "_", "'", "-1", "0", "99999999999999999999",
                                   "💥"])
def test_odd_search_parameters(csa_api, customer, name, value):
    response = csa_api.get(url(), {name: value})
    assert response.status_code in (200, 400, 404), response.content
    if response.status_code != 200:
        assert_error_shape(response)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.dictionaries(
        st.sampled_from(NAMES) | st.text(max_size=5),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
            lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=3), kids, max_size=2),
            max_leaves=5,
        ),
        max_size=6,
    )
)
def test_random_bodies_never_500(csa_api, customer, body):
    raw = json.dumps(body)
    for method, path in (("post", url()), ("patch", url(customer.ucrn)), ("put", url(customer.ucrn))):
        response = send(csa_api, method, path, raw)
        assert response.status_code in (200, 201, 400), (method, body, response.content)


@pytest.mark.parametrize("path", [url(), url("123456789"), url("123456789", "addresses"), "/api/v1/lists/titles/"])
def test_options_and_unsupported_methods(csa_api, path):
    assert csa_api.options(path).status_code in (200, 404)
    response = csa_api.delete(path)
    assert response.status_code == 405
    assert_error_shape(response)
