"""Any text in the address search is a list of suggestions or a 400 naming `search` with a code: never a 500,
on SQLite and PostgreSQL (wildcards, NUL, surrogates, very long text, postcode and street shapes)."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profiles.selectors.address_search import address_suggestions, parse_address_text

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
address_like = st.one_of(
    st.text(max_size=260),
    st.lists(st.sampled_from(["12", "Old", "Road", "LS1", "4AP", "ls14ap", ",", "%", "_", "\\", "ß", "\x00",
                              "\ud800", " ", "M1 1", "12a", "Ünïcode"]), max_size=8).map(" ".join),
)


@FUZZ
@given(text=address_like)
def test_any_text_is_suggestions_or_a_coded_refusal(csa, text):
    try:
        parse_address_text(text)
    except ValidationError as error:
        assert error.code in {"required", "max_length", "invalid"}
        return
    assert isinstance(address_suggestions(text=text, user=csa), list)
