"""Text no database stores (a lone surrogate, NUL) is refused by the profile service itself, whatever the
door: the API's parser refuses it first, but a JSON Lines import (or any later door) reaches the service
without that parser. The write is refused whole, with `invalid_text` on the name, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from profiles.models import Customer

from .support import create, db_state, refused, update

pytestmark = pytest.mark.django_db

LONE = "\ud800"


@pytest.mark.parametrize("name, raw", [
    ("first_name", f"Ann {LONE}"),
    ("custom_1", LONE),
    ("email_address", f"a{LONE}@example.org"),
    ("postcode", f"M1 {LONE}AE"),
    ("contact_type", LONE),
    ("notification_preference", [LONE]),
    ("birth_date", f"1990-01-0{LONE}"),
])
def test_a_lone_surrogate_is_refused_on_create_and_update(csa, customer, name, raw):
    before = db_state()
    assert refused(create, csa, **{name: raw}) == {name: ["invalid_text"]}
    assert refused(update, csa, customer.ucrn, {name: raw}, full=False) == {name: ["invalid_text"]}
    assert db_state() == before


def test_a_lone_surrogate_in_a_name_is_refused_and_named_printably(csa, customer):
    assert refused(update, csa, customer.ucrn, {f"first{LONE}": "Ann"}, full=False) == {
        "first\\ud800": ["invalid_text"]}


def test_a_json_lines_import_reports_the_record_and_writes_the_others(tmp_path, admin_user):
    path = tmp_path / "people.jsonl"
    good = {"contact_type": "Individual", "preferred_contact_method": 3, "email_address": "ok@example.org"}
    bad = {**good, "email_address": "bad@example.org", "first_name": LONE}
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")  # ensure_ascii: "\\ud800" in the file
    out = StringIO()
    call_command("import_profiles", str(path), "--matching", "email_address", stdout=out, stderr=StringIO())
    assert "1 were created" in out.getvalue() and "1 were error" in out.getvalue()
    assert list(Customer.objects.values_list("email_address", flat=True)) == ["ok@example.org"]


def test_a_json_lines_line_nested_too_deep_is_a_command_error(tmp_path, admin_user):
    from django.core.management import CommandError

    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(CommandError, match="line 1"):
        call_command("import_profiles", str(path), "--matching", "email_address", stdout=StringIO(),
                     stderr=StringIO())
