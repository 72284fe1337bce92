"""Profile events and rules (seed 000): only rules an administrator wrote change a profile."""
from __future__ import annotations

import pytest

from profiles.models import ChangeRecord, Channel
from systems.models import Event, Rule, RuleAction, RuleCondition
from tests.api.conftest import codes, token_client
from tests.factories import CustomerFactory
from tests.profiles.support import db_state

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"
S = RuleAction.Strategy


def rule(event_type: str, actions, conditions=(), *, client=None, name: str = "", order: int = 0) -> Rule:
    made = Rule.objects.create(name=name or f"{event_type} rule", event_type=event_type, client=client, order=order)
    for prop, data_name, strategy in actions:
        RuleAction.objects.create(rule=made, property=prop, data_name=data_name, strategy=strategy)
    for prop, operator, value in conditions:
        RuleCondition.objects.create(rule=made, property=prop, operator=operator, value=value)
    return made


def seed_000_rule() -> Rule:
    """The seed's example: a form event of `myForm` copies the first and last names."""
    return rule("form", [("theFirstName", "first_name", S.ALWAYS_SET), ("theLastName", "last_name", S.ALWAYS_SET)],
                [("formId", "equals", "myForm"), ("myFormId", "present", "")], name="myForm")


def send(api, ucrn: str, properties: dict, event_type: str = "form"):
    return api.post(EVENTS, {"type": event_type, "ucrn": ucrn, "properties": properties}, format="json")


def test_always_set_copies_properties_through_the_update_service(csa, customer):
    seed_000_rule()
    response = send(token_client(csa), customer.ucrn, {"formId": "myForm", "myFormId": "Submit",
                                                        "theFirstName": "Antoine", "theLastName": "Dupont"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["outcome"] == "applied" and body["rules"] == ["myForm"]
    assert body["changed"] == ["first_name", "last_name"]
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name) == ("Antoine", "Dupont")
    record = ChangeRecord.objects.get(customer=customer)
    assert record.channel == Channel.EVENT and record.user == csa
    assert {c["field"] for c in record.changes} == {"first_name", "last_name"}
    event = Event.objects.get()
    assert event.outcome == "applied" and event.user == csa and event.customer == customer
    assert event.payload["properties"]["theFirstName"] == "Antoine"


def test_set_if_missing_keeps_a_value_already_there(csa):
    customer = CustomerFactory(first_name="Jane", custom_1="")
    rule("crm", [("first", "first_name", S.SET_IF_MISSING), ("ref", "custom_1", S.SET_IF_MISSING)])
    body = send(token_client(csa), customer.ucrn, {"first": "Other", "ref": "CRM-1"}, "crm").json()
    assert body["changed"] == ["custom_1"]
    customer.refresh_from_db()
    assert (customer.first_name, customer.custom_1) == ("Jane", "CRM-1")


def test_add_to_list_appends_without_repeats(csa):
    customer = CustomerFactory(notification_preference=[3, 1])
    rule("optin", [("channel", "notification_preference", S.ADD_TO_LIST)])
    api = token_client(csa)
    assert send(api, customer.ucrn, {"channel": 2}, "optin").json()["outcome"] == "applied"
    customer.refresh_from_db()
    assert customer.notification_preference == [3, 1, 2]
    assert send(api, customer.ucrn, {"channel": "3"}, "optin").json()["outcome"] == "unchanged"
    assert send(api, customer.ucrn, {"channel": [4, 1]}, "optin").json()["outcome"] == "applied"
    customer.refresh_from_db()
    assert customer.notification_preference == [3, 1, 2, 4]


def test_conditions_decide_and_an_unmatched_event_changes_nothing_and_says_so(csa, customer):
    seed_000_rule()
    api = token_client(csa)
    before = db_state()
    for properties in ({"formId": "otherForm", "myFormId": "Submit", "theFirstName": "X"},
                       {"formId": "myForm", "myFormId": "", "theFirstName": "X"},
                       {"formId": "myForm", "theFirstName": "X"}):
        response = send(api, customer.ucrn, properties)
        assert response.status_code == 201
        assert response.json()["outcome"] == "unmatched"
        assert "No rule matched" in response.json()["message"]
    assert send(api, customer.ucrn, {"formId": "myForm"}, event_type="pageView").json()["outcome"] == "unmatched"
    assert db_state() == before
    assert list(Event.objects.values_list("outcome", flat=True)) == ["unmatched"] * 4


def test_a_rule_failing_validation_rolls_back_the_whole_event(csa, customer):
    rule("signup", [("first", "first_name", S.ALWAYS_SET)], order=1)
    rule("signup", [("dob", "birth_date", S.ALWAYS_SET)], order=2)
    before = db_state()
    response = send(token_client(csa), customer.ucrn, {"first": "Rolled", "dob": "not a date"}, "signup")
    assert response.status_code == 400
    assert set(codes(response)) == {"birth_date"}
    assert db_state() == before  # the first rule's change is gone too, with its change record
    event = Event.objects.get()
    assert event.outcome == "error" and "birth_date" in event.errors and event.rules == ["signup rule"] * 2


def test_clearing_a_mandatory_name_fails_and_rolls_back(csa, customer):
    rule("bad", [("first", "first_name", S.ALWAYS_SET), ("kind", "contact_type", S.ALWAYS_SET)])
    before = db_state()
    response = send(token_client(csa), customer.ucrn, {"first": "X", "kind": ""}, "bad")
    assert response.status_code == 400 and codes(response) == {"contact_type": ["required"]}
    assert db_state() == before


def test_matching_finds_the_customer_as_the_import_does(csa, customer):
    rule("crm", [("ref", "custom_2", S.ALWAYS_SET)])
    api = token_client(csa)
    body = {"type": "crm", "matching": {"email_address": customer.email_address.upper()}, "properties": {"ref": "R"}}
    response = api.post(EVENTS, body, format="json")
    assert response.status_code == 201 and response.json()["ucrn"] == customer.ucrn
    customer.refresh_from_db()
    assert customer.custom_2 == "R"
    missing = api.post(EVENTS, {**body, "matching": {"email_address": "nobody@example.org"}}, format="json")
    assert missing.status_code == 404
    assert Event.objects.filter(outcome="not_found").count() == 1


def test_a_client_is_refused_a_rule_writing_outside_its_list(system_factory, customer):
    system = system_factory(writable=["first_name"])
    rule("form", [("first", "first_name", S.ALWAYS_SET), ("dob", "birth_date", S.ALWAYS_SET)])
    before = db_state()
    response = send(system.api, customer.ucrn, {"first": "X", "dob": "1990-01-01"})
    assert response.status_code == 403 and codes(response) == {"birth_date": ["field_not_allowed"]}
    assert db_state() == before
    assert Event.objects.get().outcome == "refused"


def test_a_rule_for_one_client_ignores_the_events_of_another(system_factory, customer):
    waste = system_factory("waste", writable=["custom_3"])
    housing = system_factory("housing", writable=["custom_3"])
    rule("bin", [("day", "custom_3", S.ALWAYS_SET)], client=waste.client)
    assert send(housing.api, customer.ucrn, {"day": "Monday"}, "bin").json()["outcome"] == "unmatched"
    assert send(waste.api, customer.ucrn, {"day": "Monday"}, "bin").json()["outcome"] == "applied"
    assert Event.objects.filter(client=waste.client, outcome="applied").exists()


def test_matching_by_a_name_the_client_cannot_read_is_refused(system_factory, customer):
    system = system_factory(writable=["custom_3"])
    body = {"type": "x", "matching": {"email_address": customer.email_address}, "properties": {}}
    response = system.api.post(EVENTS, body, format="json")
    assert response.status_code == 403 and codes(response) == {"email_address": ["field_not_allowed"]}


@pytest.mark.parametrize("body", [
    [], {"type": "x"}, {"type": "", "ucrn": "123"}, {"type": "x", "ucrn": 5},
    {"type": "x", "ucrn": "1", "matching": {"ucrn": "1"}}, {"type": "x", "matching": {"first_name": "A"}},
    {"type": "x", "ucrn": "1", "properties": []}, {"type": "x", "ucrn": "1", "extra": 1},
    {"type": "x" * 101, "ucrn": "1"}, {"type": "x", "matching": {"email_address": {"a": 1}}},
    {"type": "x", "ucrn": "1", "properties": {"a": ["nul \u0000 inside"]}},
])
def test_malformed_events_are_400_and_not_stored(csa, body):
    response = token_client(csa).post(EVENTS, body, format="json")
    assert response.status_code == 400, response.json()
    assert not Event.objects.exists()


def test_a_lone_surrogate_is_400_not_500(csa):
    raw = '{"type": "x", "ucrn": "1", "properties": {"lone \\ud800 surrogate": 1}}'
    response = token_client(csa).post(EVENTS, raw, content_type="application/json")
    assert response.status_code == 400
    assert not Event.objects.exists()


def test_unknown_ucrn_is_404_and_citizens_may_not_send_events(csa, citizen, customer):
    assert send(token_client(csa), "123456789", {}).status_code == 404
    assert send(token_client(citizen), customer.ucrn, {}).status_code == 403


def nested(levels: int) -> dict:
    """Properties `levels` objects deep: nested(1) == {"a": "1"}."""
    value: object = "1"
    for _ in range(levels):
        value = {"a": value}
    return value  # type: ignore[return-value]


def test_properties_ten_levels_deep_are_taken(csa, customer):
    rule("deep", [("a.a.a.a.a.a.a.a.a.a", "custom_4", S.ALWAYS_SET)])
    response = send(token_client(csa), customer.ucrn, nested(10), "deep")
    assert response.status_code == 201, response.json()
    customer.refresh_from_db()
    assert customer.custom_4 == "1"


@pytest.mark.parametrize("levels", [11, 30, 470])
def test_properties_nested_deeper_than_ten_are_400_and_not_stored(csa, customer, levels):
    """About 470 levels used to be stored (201), then crash the customer's erasure."""
    import json

    raw = json.dumps({"type": "x", "ucrn": customer.ucrn, "properties": nested(levels)})
    response = token_client(csa).post(EVENTS, raw, content_type="application/json")
    assert response.status_code == 400 and codes(response) == {"properties": ["too_deep"]}
    assert not Event.objects.exists()


def test_properties_over_64_kb_are_400_and_not_stored(csa, customer):
    big = {"notes": "x" * (64 * 1024)}
    response = send(token_client(csa), customer.ucrn, big)
    assert response.status_code == 400 and codes(response) == {"properties": ["too_large"]}
    assert not Event.objects.exists()
    assert send(token_client(csa), customer.ucrn, {"notes": "x" * 60_000}).status_code == 201


def test_the_service_applies_the_same_limits_whatever_the_door(csa, customer):
    from django.core.exceptions import ValidationError

    from systems.services.events import event_receive

    for properties, code in ((nested(11), "too_deep"), ({"n": "\ud800"}, "invalid_text")):
        with pytest.raises(ValidationError) as refused:
            event_receive(body={"type": "x", "ucrn": customer.ucrn, "properties": properties}, user=csa, client=None)
        assert {name: [e.code for e in errors] for name, errors in refused.value.error_dict.items()} == {
            "properties": [code]}
    assert not Event.objects.exists()


def test_every_part_of_the_body_is_held_to_the_same_limits(csa, customer):
    """The whole body is kept as the event's payload, so a huge UCRN or matching value is refused too."""
    for body, name in (({"type": "x", "ucrn": "1" * 70_000}, "ucrn"),
                       ({"type": "x", "matching": {"email_address": "a" * 70_000}}, "matching")):
        response = token_client(csa).post(EVENTS, body, format="json")
        assert response.status_code == 400 and codes(response)[name] == ["too_large"], response.json()
    assert not Event.objects.exists()
