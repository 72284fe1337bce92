"""Subject access export over the API: everything held, for whom it may be, audited without values."""
from __future__ import annotations

import pytest

from profiles.models import ChangeRecord
from profiles.timestamps import api_datetime
from tests.api.conftest import token_client
from tests.factories import CustomerFactory, UserFactory
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


def test_the_export_holds_everything_erasure_would_touch(full_customer, csa):
    """Events about the customer (and those naming its email with no customer), merges with their
    snapshots, the records merged into it, "not the same person" marks and the portal account."""
    import datetime as dt

    from profiles.services.duplicates import mark_not_same_person
    from profiles.services.merge import profile_merge
    from systems.models import Event
    from tests.privacy.test_erasure import DUPLICATE
    from tests.profiles.support import create

    ucrn = full_customer.ucrn
    sent = token_client(csa).post("/api/v1/events/", {"type": "visit", "ucrn": ucrn,
                                                      "properties": {"note": "Zqeventnote"}}, format="json")
    assert sent.status_code == 201
    Event.objects.create(type="visit", outcome=Event.Outcome.NOT_FOUND, payload={
        "type": "visit", "matching": {"email_address": "zq.changed@example.org"}, "properties": {"note": "Zqlost"}})
    Event.objects.create(type="visit", outcome=Event.Outcome.NOT_FOUND, payload={
        "type": "visit", "matching": {"email_address": "someone@example.org"}, "properties": {"note": "Other"}})
    duplicate = create(csa, **DUPLICATE).customer
    merge = profile_merge(survivor_ucrn=ucrn, merged_ucrn=duplicate.ucrn, choices={}, user=csa, channel="api")
    other = CustomerFactory()
    mark_not_same_person(ucrn_a=ucrn, ucrn_b=other.ucrn, user=csa)
    account = full_customer.portal_user
    account.email, account.last_login = "zq.account@example.org", dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    account.save()

    response = token_client(csa).get(url(ucrn))
    data = response.json()

    assert data["portal_account"] == {
        "username": "erasure-citizen", "email": "zq.account@example.org", "first_name": "", "last_name": "",
        "last_login": "2026-01-02T03:04:05.000000Z", "date_joined": api_datetime(account.date_joined),
        "is_active": True}
    assert account.password.split("$")[-1] not in response.content.decode()  # never the password hash
    assert sorted(e["payload"]["properties"]["note"] for e in data["events"]) == ["Zqeventnote", "Zqlost"]
    [event] = [e for e in data["events"] if e["payload"]["properties"]["note"] == "Zqeventnote"]
    assert (event["ucrn"], event["type"], event["outcome"]) == (ucrn, "visit", "unmatched")
    [exported] = data["merges"]
    assert (exported["id"], exported["survivor"], exported["merged"]) == (merge.pk, ucrn, duplicate.ucrn)
    assert exported["survivor_before"]["row"]["last_name"] == "Quorvantis"
    assert exported["merged_before"]["row"]["first_name"] == "Zqdupfirst"
    assert "Zqduphouse" in str(exported["moved"]["addresses_after"])
    [record] = data["merged_records"]
    assert (record["ucrn"], record["merged_into"], record["profile"]["first_name"]) == (
        duplicate.ucrn, ucrn, "Zqdupfirst")
    assert [r["action"] for r in record["change_history"]] == ["merge"]  # the rest moved to the survivor
    assert [(m["ucrn"], m["marked_by"]) for m in data["not_same_person"]] == [(other.ucrn, "csa")]
    check_schema(data)


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


def check_schema(data) -> None:
    """What schemathesis checks in CI, here too: the documented shape is the real one."""
    import jsonschema

    schema = api_client(None).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    document = {"components": _json_schema(schema["components"]), "$ref": "#/components/schemas/ProfileExport"}
    jsonschema.validate(data, document)


def test_the_export_matches_its_openapi_schema(full_customer, csa, superuser):
    check_schema(token_client(csa).get(url(full_customer.ucrn)).json())
    from profiles.services.erasure import profile_erase

    profile_erase(ucrn=full_customer.ucrn, user=superuser, channel="admin")
    check_schema(token_client(csa).get(url(full_customer.ucrn)).json())


def test_a_citizen_is_not_shown_another_persons_ucrn(customer, citizen, csa):
    from profiles.services.duplicates import mark_not_same_person

    other = CustomerFactory()
    mark_not_same_person(ucrn_a=customer.ucrn, ucrn_b=other.ucrn, user=csa)
    assert token_client(csa).get(url(customer.ucrn)).json()["not_same_person"][0]["ucrn"] == other.ucrn
    response = token_client(citizen).get(url(customer.ucrn))
    assert [m["ucrn"] for m in response.json()["not_same_person"]] == [None]
    assert other.ucrn not in response.content.decode()


def test_the_export_of_the_merged_side_of_an_undone_merge_holds_the_survivors_records_of_it(full_customer, csa):
    from profiles.services.merge import merge_undo, profile_merge
    from tests.profiles.support import create

    survivor = create(csa, first_name="Keptsurvivor", last_name="Otherperson").customer
    merge = profile_merge(survivor_ucrn=survivor.ucrn, merged_ucrn=full_customer.ucrn,
                          choices={"first_name": "merged"}, user=csa, channel="api")
    merge_undo(merge_id=merge.pk, user=csa, channel="api")

    data = token_client(csa).get(url(full_customer.ucrn)).json()

    [exported] = data["merges"]
    assert exported["survivor_before"] is None and exported["merged_before"]["row"]["last_name"] == "Quorvantis"
    assert sorted(r["action"] for r in exported["survivor_history"]) == ["merge", "unmerge"]
    assert "Quorvantis" in str(exported["survivor_history"])
    assert "Keptsurvivor" not in str(exported)  # the other person's own values, replaced and given back
    check_schema(data)
