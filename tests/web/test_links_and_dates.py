"""The record page's cheaper links (`hub.links`), dates (`profiles.display.show_moment`) and summary rows
(`{% summary_rows %}`) write exactly what `{% url %}`, the `date` filter and a template loop write."""
from __future__ import annotations

import datetime as dt

import pytest
from django.template import engines
from django.template.defaultfilters import date as date_filter
from django.urls import reverse, set_script_prefix
from django.utils import timezone
from django.utils.timezone import template_localtime

from hub.links import link
from profiles.display import show_moment


@pytest.mark.parametrize(("name", "argument"), [
    ("home", ""), ("logout", ""), ("hub:customer_search", ""), ("integrations:case_list", ""),
    ("hub:customer_record", "123456789"), ("hub:customer_edit", "123456789"),
    ("integrations:case_detail", "C000123"),
    ("integrations:case_detail", "a b?c&d"),  # quoted by `reverse` itself
    ("integrations:case_detail", "Ünïcode"),
])
def test_a_link_is_what_reverse_gives(name, argument):
    assert link(name, argument) == reverse(name, args=[argument] if argument else None)
    assert link(name, argument) == reverse(name, args=[argument] if argument else None)  # kept


def test_a_link_follows_the_script_prefix():
    try:
        set_script_prefix("/council/")
        assert link("hub:customer_record", "123456789") == "/council/hub/customers/123456789/"
        assert link("home") == reverse("home") == "/council/home/"
    finally:
        set_script_prefix("/")
    assert link("hub:customer_record", "123456789") == "/hub/customers/123456789/"


MOMENTS = [dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC), dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC),
           dt.datetime(2026, 10, 25, 0, 59, tzinfo=dt.UTC), dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.UTC),
           dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, 9, 5, tzinfo=dt.UTC),
           *[dt.datetime(2025, month, 9, 12, 0, tzinfo=dt.UTC) for month in range(1, 13)]]


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_moment_is_written_as_the_date_filter_writes_it(moment):
    for zone in ("Europe/London", "America/New_York", "UTC"):
        with timezone.override(zone):
            local = template_localtime(moment)
            assert show_moment(moment) == date_filter(local, "j M Y H:i")
            assert show_moment(moment, time=False) == date_filter(local, "j M Y")


def test_summary_rows_are_what_the_template_loop_wrote():
    rows = [("Name", "Ann & <Bob>"), ("Blank", ""), ("None", None), ("Quote", 'say "hi" it\'s'), ("Zero", 0),
            ("Number", 12), ("Safe?", "<b>no</b>")]
    loop = engines["django"].from_string(
        '{% for label, value in rows %}<div class="summary__row"><dt>{{ label }}</dt><dd>{{ value|default:"—" }}'
        '</dd></div>\n{% endfor %}\n')
    tag = engines["django"].from_string("{% load hub %}{% summary_rows rows %}")
    assert tag.render({"rows": rows}) == loop.render({"rows": rows})
    assert tag.render({"rows": []}) == "\n"
