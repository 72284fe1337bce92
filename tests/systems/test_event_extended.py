"""Event rules writing other systems' data (`extended.<source>`, SPEC 8.3): the property's object replaces the
source's whole through the extended data service, with its codes; set if missing; allow-lists by source;
the admin offers and checks the sources."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from profiles.models import ChangeRecord, ExtendedData, ExtendedSource
from profiles.selectors import profile_get
from profiles.services.extended import extended_put
from systems.admin import RuleActionForm
from systems.models import RuleAction, check_action
from tests.api.conftest import token_client
from tests.factories import CustomerFactory
from tests.systems.conftest import make_system
from tests.systems.test_events import rule, send

pytestmark = pytest.mark.django_db
S = RuleAction.Strategy


@pytest.fixture
def sources(db):
    return {
        "council_tax": ExtendedSource.objects.create(slug="council_tax", top_level_keys_limit=2,
                                                     reference_key="account", reference_unique=True),
        "housing": ExtendedSource.objects.create(slug="housing"),
    }


def test_a_rule_replaces_a_sources_object_with_the_event_channel(csa, sources):
    customer = CustomerFactory(first_name="Jane")
    rule("billing", [("account", "extended.council_tax", S.ALWAYS_SET), ("first", "first_name", S.ALWAYS_SET)])
    response = send(token_client(csa), customer.ucrn, {"account": {"account": "CT-7", "band": "B"},
                                                       "first": "Janet"}, "billing")
    assert response.status_code == 201, response.json()
    assert response.json()["changed"] == ["first_name", "extended.council_tax"]
    assert profile_get(ucrn=customer.ucrn, user=csa)["extended"] == {"council_tax": {"account": "CT-7", "band": "B"}}
    record = ChangeRecord.objects.filter(customer=customer).latest("id")
    assert record.channel == "event" and [c["field"] for c in record.changes] == ["extended.council_tax"]


def test_set_if_missing_leaves_a_source_already_held(csa, sources):
    customer = CustomerFactory()
    extended_put(ucrn=customer.ucrn, source="housing", data={"tenancy": "T-1"}, user=csa, channel="api")
    rule("tenancy", [("housing", "extended.housing", S.SET_IF_MISSING)])
    body = send(token_client(csa), customer.ucrn, {"housing": {"tenancy": "T-2"}}, "tenancy").json()
    assert body["outcome"] == "unchanged"
    assert ExtendedData.objects.get(customer=customer).data == {"tenancy": "T-1"}


def test_the_extended_data_codes_refuse_the_whole_event(csa, sources):
    customer = CustomerFactory(first_name="Jane")
    rule("billing", [("first", "first_name", S.ALWAYS_SET), ("account", "extended.council_tax", S.ALWAYS_SET)])
    api = token_client(csa)
    response = send(api, customer.ucrn, {"first": "Janet", "account": {"a": 1, "b": 2, "c": 3}}, "billing")
    assert response.status_code == 400
    assert {e["code"] for e in response.json()["extended.council_tax"]} == {"extended_too_many_keys"}
    response = send(api, customer.ucrn, {"first": "Janet", "account": "CT-7"}, "billing")
    assert {e["code"] for e in response.json()["extended.council_tax"]} == {"invalid"}
    customer.refresh_from_db()
    assert customer.first_name == "Jane" and not ExtendedData.objects.exists()  # nothing of the event applied


def test_a_client_needs_the_source_writable(sources):
    customer = CustomerFactory()
    rule("billing", [("account", "extended.council_tax", S.ALWAYS_SET)])
    blind = make_system("blind", writable=["first_name"])
    response = send(blind.api, customer.ucrn, {"account": {"account": "CT-7"}}, "billing")
    assert response.status_code == 403
    assert "extended.council_tax" in response.json()
    writer = make_system("writer", writable=["extended.council_tax"])
    assert send(writer.api, customer.ucrn, {"account": {"account": "CT-7"}}, "billing").status_code == 201


def test_a_rule_may_name_registered_sources_only(sources):
    check_action(data_name="extended.housing", strategy=S.ALWAYS_SET, client=None)
    for name, strategy in (("extended.water", S.ALWAYS_SET), ("extended.housing", S.ADD_TO_LIST)):
        with pytest.raises(ValidationError):
            check_action(data_name=name, strategy=strategy, client=None)


def test_the_rule_admin_offers_each_registered_source(sources):
    offered = {value for value, _ in RuleActionForm().fields["data_name"].choices}
    assert {"extended.council_tax", "extended.housing"} <= offered and "extended.water" not in offered
