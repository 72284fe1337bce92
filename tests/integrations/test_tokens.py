"""The token template engine (SPEC section 5)."""
import datetime as dt

import pytest

from integrations.tokens import UnknownToken, render, tokens_in


def test_literal_text_passes_through():
    assert render("Individual", {}) == "Individual"


def test_one_token_passes_the_value_unchanged():
    assert render("{Notification_Preference}", {"Notification_Preference": ["3", "1"]}) == ["3", "1"]
    assert render("{Birth_Date}", {"Birth_Date": dt.date(1990, 2, 28)}) == dt.date(1990, 2, 28)


def test_several_tokens_and_literals_make_text():
    assert render("{House} {Street}", {"House": "12", "Street": "High Street"}) == "12 High Street"
    assert render("Flat {Flat}, {House}", {"Flat": "2", "House": "Rose Court"}) == "Flat 2, Rose Court"


def test_tokens_match_case_insensitively():
    assert render("{first_name}", {"First_Name": "Jane"}) == "Jane"
    assert tokens_in("{First_Name} {FIRST_NAME} {Last_Name}") == ["first_name", "last_name"]


def test_a_blank_field_gives_a_blank_value():
    assert render("{Postcode}", {"Postcode": ""}) == ""
    assert render("{Postcode}", {"Postcode": None}) == ""
    assert render("{House} {Street}", {"House": "", "Street": "  "}) == ""
    assert render("Flat {Flat}", {"Flat": ""}) == ""


def test_one_blank_among_several_tokens_leaves_the_others():
    assert render("{House} {Street}", {"House": "", "Street": "High Street"}) == "High Street"


def test_unknown_tokens_are_refused():
    with pytest.raises(UnknownToken):
        render("{Nope}", {"First_Name": "Jane"})


def test_braces_that_name_nothing_are_literal_text():
    assert render("{ not a token } {}", {}) == "{ not a token } {}"
    assert tokens_in("{1abc} {a b} {") == []
    assert render("{{First_Name}}", {"First_Name": "Jo"}) == "{Jo}"


def test_lists_and_flags_in_text_are_rendered():
    assert render("prefs: {Prefs}", {"Prefs": [3, 1]}) == "prefs: 3,1"
    assert render("x{Tick}", {"Tick": True}) == "x1"
