"""`manage.py purge_expired`: cases untouched for longer than the retention period go; --dry-run shows it."""
from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from integrations.models import Case, Form

pytestmark = pytest.mark.django_db


def case_aged(form: Form, days: int) -> Case:
    case = Case.objects.create(form=form, data={"Details": "x"})
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now() - dt.timedelta(days=days))
    return case


@pytest.fixture
def cases():
    bins = Form.objects.create(name="Missed bin", slug="missed-bin")
    moves = Form.objects.create(name="Change of address", slug="moves")
    return {"old": [case_aged(bins, 2200), case_aged(bins, 2191), case_aged(moves, 3000)],
            "kept": [case_aged(bins, 2189), case_aged(moves, 10)]}


def purge(*args: str) -> str:
    out = StringIO()
    call_command("purge_expired", *args, stdout=out)
    return out.getvalue()


def test_dry_run_reports_and_removes_nothing(cases):
    output = purge("--dry-run")
    assert "Would remove 3 case(s)" in output and "Missed bin: 2" in output and "Change of address: 1" in output
    assert Case.objects.count() == 5


def test_purge_removes_only_the_expired_cases(cases):
    output = purge()
    assert "Removed 3 case(s) untouched for more than 2190 days" in output
    assert set(Case.objects.values_list("pk", flat=True)) == {c.pk for c in cases["kept"]}
    assert "Removed 0 case(s)" in purge()


def test_the_period_comes_from_the_setting_or_days(cases, settings):
    settings.CASE_RETENTION_DAYS = 100
    assert "Would remove 4 case(s)" in purge("--dry-run")
    assert "Removed 5 case(s)" in purge("--days", "0")
    assert Case.objects.count() == 0
