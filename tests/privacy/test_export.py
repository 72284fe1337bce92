"""Subject access export over the API: everything held, for whom it may be, audited without values."""
from __future__ import annotations

import pytest

from profiles.factories import CustomerFactory, UserFactory
from profiles.models import ChangeRecord
from tests.api.conftest import token_client
from tests.privacy.conftest import CUSTOM, api_client


def url(ucrn: str) -> str:
    return f"/api/v1/profiles/{ucrn}/export/"


def test_a_csa_exports_everything_held(full_customer, csa):
    response = token_client(csa).get(url(full_customer.ucrn))
    assert response.status_code == 200
    data = response.json()
    assert data["ucrn"] == full_customer.ucrn and data["erased_at"] is None
    assert data["portal_account"]["username"] == "erasure-citizen"
    profile = data["profile"]
    assert {name: profile[name] for name in CUSTOM} == CUSTOM
    assert profile["last_name"] == "Quorvantis" and profile["birth_date"] == "1961-03-17"
    assert [a["street"] for a in data["addresses"]] == ["Quorvantis Road", "Quorvantis Close", "Quorvantis Lane"]
    assert {"create", "update", "email_change", "export"} <= {r["action"] for r in data["change_history"]}
    assert any(c["before"] == "Zebediahq" for r in data["change_history"] for c in r["changes"])
    [case] = data["cases"]
    assert case["data"]["Details"].startswith("Zqcasedetails") and case["results"][0]["kind"] == "update"


def test_each_export_is_audited_without_values(customer, csa):
    token_client(csa).get(url(customer.ucrn))
    record = ChangeRecord.objects.filter(customer=customer).latest("pk")
    assert (record.action, record.user, record.channel, record.changes) == ("export", csa, "api", [])


def test_a_citizen_exports_their_own_record_only(customer, citizen):
    client = token_client(citizen)
    assert client.get(url(customer.ucrn)).json()["ucrn"] == customer.ucrn
    other = CustomerFactory()
    for ucrn in (other.ucrn, "000000000", "nonsense"):
        response = client.get(url(ucrn))
        assert response.status_code == 403 and ucrn not in response.content.decode()
    assert not ChangeRecord.objects.filter(customer=other).exists()


def test_anonymous_and_unknown(db, csa):
    assert api_client(None).get(url("000000000")).status_code in (401, 403)
    assert token_client(csa).get(url("000000000")).status_code == 404


@pytest.mark.parametrize("role", ["admin"])
def test_an_administrator_exports_any_customer(customer, role):
    assert token_client(UserFactory(username="boss", role=role)).get(url(customer.ucrn)).status_code == 200


def _json_schema(node):
    """OpenAPI 3.0 to JSON Schema: `nullable: true` becomes a union with null."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _json_schema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def test_the_export_matches_its_openapi_schema(full_customer, csa, superuser):
    """What schemathesis checks in CI, here too: the documented shape is the real one, erased or not."""
    import jsonschema

    schema = api_client(None).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    document = {"components": _json_schema(schema["components"]), "$ref": "#/components/schemas/ProfileExport"}
    jsonschema.validate(token_client(csa).get(url(full_customer.ucrn)).json(), document)
    from profiles.services.erasure import profile_erase

    profile_erase(ucrn=full_customer.ucrn, user=superuser, channel="admin")
    jsonschema.validate(token_client(csa).get(url(full_customer.ucrn)).json(), document)
