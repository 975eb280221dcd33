"""Facilitators' texts in every programme language: normalising, editing, and what a reader gets."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from app.programmes.texts import (
    TitleTexts,
    merged,
    missing_languages,
    pick,
    pick_text,
    texts_of,
    unknown_languages,
)

LANGUAGES = ["hy", "az", "en"]


def test_a_plain_string_is_the_programme_s_first_language():
    assert texts_of("Բարի գալուստ", "hy") == {"hy": "Բարի գալուստ"}
    assert texts_of("   ", "hy") == {}
    assert texts_of(None, "hy") == {}
    assert texts_of({"az": "Xoş gəlmisiniz", "hy": " "}, "hy") == {"az": "Xoş gəlmisiniz"}


def test_an_edit_replaces_the_languages_it_names_and_keeps_the_others():
    current = {"hy": "Բարև", "az": "Salam"}
    assert merged(current, {"az": " Salam! \r\n"}) == {"hy": "Բարև", "az": "Salam!"}
    assert merged(current, {"hy": ""}) == {"az": "Salam"}
    assert merged(current, {"en": "Hello"}) == {"hy": "Բարև", "az": "Salam", "en": "Hello"}


def test_missing_and_unknown_languages_are_named_in_the_programme_s_order():
    assert missing_languages({"az": "Salam"}, LANGUAGES) == ["hy", "en"]
    assert unknown_languages({"ru": "Привет", "az": "Salam"}, LANGUAGES) == ["ru"]


@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        ("az", ("Salam", "az", False)),
        ("hy", ("Բարև", "hy", False)),
        # Not in the reader's language: the programme's languages in order, marked as a fallback.
        ("ru", ("Բարև", "hy", True)),
        ("en", ("Բարև", "hy", True)),
    ],
)
def test_a_reader_gets_their_language_or_a_marked_fallback(reader, expected):
    shown = pick({"az": "Salam", "hy": "Բարև"}, reader, LANGUAGES)
    assert (shown.text, shown.language, shown.fallback) == expected


def test_a_text_in_a_language_outside_the_programme_is_still_shown_rather_than_nothing():
    shown = pick({"ka": "გამარჯობა"}, "en", LANGUAGES)
    assert (shown.text, shown.fallback) == ("გამარჯობა", True)
    assert pick_text({}, "en", LANGUAGES) == ""
    assert pick("Old single text", "az", LANGUAGES).text == "Old single text"


class Body(BaseModel):
    title: TitleTexts


def test_request_bodies_take_a_map_or_a_plain_string_and_check_each_text():
    assert Body(title="Hello").title == "Hello"
    assert Body(title={"hy": "Բարև", "az": "Salam"}).title == {"hy": "Բարև", "az": "Salam"}
    for bad in ({"hy": "x" * 201}, {"not a language": "x"}, {"hy": "  ", "az": ""}, "", {}):
        with pytest.raises(ValidationError):
            Body(title=bad)
