"""One date-time style across every output of the API: UTC with `Z` and microseconds
(`2026-11-30T08:32:58.123456Z`), whatever `TIME_ZONE` is: profiles, history, export (cases, events, merges
and their snapshots, marks, the portal account), events, merges, erasure."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from integrations.models import Case, Form
from profiles.timestamps import api_datetime
from tests.api.conftest import token_client
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

STYLE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
LOOKS_LIKE_A_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def moments(value: Any, where: str = "") -> dict[str, str]:
    """Every string of `value` that is a date-time, by where it is."""
    found = {}
    if isinstance(value, dict):
        for key, item in value.items():
            found.update(moments(item, f"{where}.{key}" if where else str(key)))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found.update(moments(item, f"{where}[{n}]"))
    elif isinstance(value, str) and LOOKS_LIKE_A_MOMENT.match(value):
        found[where] = value
    return found


def test_api_datetime_writes_utc_with_z():
    india = dt.timezone(dt.timedelta(hours=5, minutes=30))
    assert api_datetime(dt.datetime(2026, 7, 1, 12, 0, tzinfo=india)) == "2026-07-01T06:30:00.000000Z"
    assert api_datetime(dt.datetime(2026, 7, 1, 12, 0, 0, 5, tzinfo=dt.UTC)) == "2026-07-01T12:00:00.000005Z"
    assert api_datetime(None) is None


@pytest.fixture
def far_from_utc(settings):
    """A time zone always ahead of UTC: an output left in local time shows `+05:30`."""
    settings.TIME_ZONE = "Asia/Kolkata"


def test_every_date_time_the_api_emits_is_utc_with_z(far_from_utc, admin_user):
    api = token_client(admin_user)
    citizen = UserFactory(username="jane", role="citizen")
    customer, other = CustomerFactory(portal_user=citizen), CustomerFactory()
    ucrn = customer.ucrn
    citizen.last_login = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
    citizen.save()
    outputs: dict[str, Any] = {}

    outputs["get"] = api.get(f"/api/v1/profiles/{ucrn}/").json()
    outputs["patch"] = api.patch(f"/api/v1/profiles/{ucrn}/", {"first_name": "Jo"}, format="json").json()
    outputs["search"] = api.get("/api/v1/profiles/", {"last_name": customer.last_name}).json()
    outputs["history"] = api.get(f"/api/v1/profiles/{ucrn}/history/").json()
    event = api.post("/api/v1/events/", {"type": "visit", "ucrn": ucrn}, format="json").json()
    outputs["event"] = api.get(f"/api/v1/events/{event['id']}/").json()
    Form.objects.create(name="Note", slug="note", audience=Form.Audience.BOTH, allow_anonymous=True)
    outputs["submission"] = api.post("/api/v1/forms/note/submissions/", {}, format="json").json()
    marked = api.post(f"/api/v1/profiles/{ucrn}/not-duplicate/", {"ucrn": CustomerFactory().ucrn}, format="json")
    outputs["not_duplicate"] = marked.json()
    merge = api.post(f"/api/v1/profiles/{ucrn}/merge/", {"merge": other.ucrn}, format="json").json()
    outputs["merge"] = merge
    outputs["undo"] = api.post(merge["undo"]).json()
    outputs["merge_get"] = api.get(f"/api/v1/profiles/{ucrn}/merge/{merge['id']}/").json()
    outputs["export"] = api.get(f"/api/v1/profiles/{other.ucrn}/export/").json()  # the merged side: snapshots
    outputs["export_survivor"] = api.get(f"/api/v1/profiles/{ucrn}/export/").json()
    outputs["erase"] = api.post(f"/api/v1/profiles/{other.ucrn}/erase/").json()

    found = moments(outputs)
    wrong = {where: value for where, value in found.items() if not STYLE.match(value)}
    assert wrong == {}
    expected = [
        "get.created_at", "get.updated_at", "patch.updated_at",
        "history[0].when", "event.received_at", "not_duplicate.marked_at", "merge.created_at",
        "merge.profile.updated_at", "undo.undone_at", "merge_get.created_at", "merge_get.undone_at",
        "export.exported_at", "export.merges[0].created_at", "export.merges[0].undone_at",
        "export.merges[0].merged_before.row.created_at", "export.addresses[0].created_at",
        "export.change_history[0].when", "export_survivor.events[0].received_at",
        "export_survivor.portal_account.last_login", "export_survivor.portal_account.date_joined",
        "export_survivor.not_same_person[0].created_at", "erase.erased_at",
    ]
    assert [where for where in expected if where not in found] == []


def test_case_date_times_in_the_export_are_utc_with_z(far_from_utc, csa, customer):
    form = Form.objects.create(name="Note", slug="note", audience=Form.Audience.BOTH, allow_anonymous=True)
    Case.objects.create(form=form, customer=customer, data={}, results=[])
    export = token_client(csa).get(f"/api/v1/profiles/{customer.ucrn}/export/").json()
    assert export["cases"] and all(STYLE.match(export["cases"][0][key]) for key in ("created_at", "updated_at"))
