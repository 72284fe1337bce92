"""An event whose rule would write a placeholder is refused (SPEC 8.4) and changes nothing."""
from __future__ import annotations

import pytest

from profiles.models import Placeholder
from systems.models import Event, RuleAction
from tests.api.conftest import codes, token_client
from tests.profiles.support import db_state
from tests.systems.test_events import rule, send

pytestmark = pytest.mark.django_db

S = RuleAction.Strategy


def test_an_event_writing_a_placeholder_is_refused(csa, customer):
    rule("crm", [("first", "first_name", S.ALWAYS_SET), ("mobile", "mobile_number", S.ALWAYS_SET)])
    before = db_state()
    response = send(token_client(csa), customer.ucrn, {"first": "Unknown", "mobile": "07000 000000"}, "crm")
    assert response.status_code == 400
    assert codes(response) == {"first_name": ["placeholder_value"]}
    assert db_state() == before
    assert Event.objects.get().outcome == "error"


def test_an_event_meets_the_administrators_entries(csa, customer):
    rule("crm", [("email", "alternative_email", S.ALWAYS_SET)])
    api = token_client(csa)
    Placeholder.objects.create(value="none", kind=Placeholder.Kind.EMAIL, match=Placeholder.Match.LOCAL_PART)
    response = send(api, customer.ucrn, {"email": "none@crm.example"}, "crm")
    assert response.status_code == 400 and codes(response) == {"alternative_email": ["placeholder_value"]}
    Placeholder.objects.filter(value="none").delete()
    assert send(api, customer.ucrn, {"email": "none@crm.example"}, "crm").status_code == 201
