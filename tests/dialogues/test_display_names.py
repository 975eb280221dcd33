"""Display names that could pass for someone else are refused: roles and pseudonym words in
the four UI languages (as the pages render them), look-alike letters, full-width forms,
hidden characters, and names that look like another seat's in the same session."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.dialogues.seats import PSEUDONYM_WORDS, normalise_display_name
from app.errors import ValidationFailed
from app.facilitation.entry import facilitator_seat
from app.security.names import name_key
from app.security.text import skeleton
from tests.factories import api_login, make_world, schedule

ROOT = Path(__file__).resolve().parents[2]
# The role words as the interface shows them, read from the catalogs (what people see).
ROLE_MSGIDS = ("participant", "facilitator", "co-facilitator", "observer", "organiser")


def refusal(name: str, *, facilitator: bool = False) -> str:
    with pytest.raises(ValidationFailed) as caught:
        normalise_display_name(name, facilitator=facilitator)
    assert caught.value.details and caught.value.details[0]["field"] == "display_name"
    return caught.value.code


IMPERSONATIONS = [
    "Ｆａｃｉｌｉｔａｔｏｒ",  # full-width
    "F\u0430cilitator 1",  # a Cyrillic а
    "Participant3",
    "Participant 3",
    "Facilitator Ani",
    "Модератор",
    "Фасилитатор",
    "Մոդերատոր",
    "Moderator",
    "Fasilitator",
    "İştirakçı 3",
    "Участник 3",
    "Մասնակից 3",
    "P a r t i c i p a n t",  # spaced out
    "Facilitat0r",  # a zero for the o
    "1Facilitator",
    "Co-facilitator",
    "ADMIN",
    "Admin-team",
    "\u0555bserver",  # an Armenian Օ
    "Ani (facilitator)",  # a role as a word of its own
    "Nigar, organiser",
    "Roundtable",
    "Interpreter",
    "Iştirakçı",  # typed with a plain I
    "Fàcilitator",  # an accent does not make it another word
    "\u041coderator",  # a Cyrillic capital М, which lower-cases apart from Latin m
    "\u043coderator",  # a small Cyrillic м
]


@pytest.mark.parametrize("name", IMPERSONATIONS)
def test_a_name_that_passes_for_a_role_or_a_pseudonym_is_refused(name):
    assert refusal(name) == "reserved_display_name"


@pytest.mark.parametrize(
    "name", ["Nigar", "Нигяр", "Նիգար", "Ani-Maria", "O'Connor", "Əli", "Şəbnəm", "Վարդան", "Ани 2", "Leyla ❤️"]
)
def test_ordinary_names_in_three_scripts_pass(name):
    shown, key = normalise_display_name(name)
    assert shown == name and key


def test_every_pseudonym_word_is_reserved():
    for word in set(PSEUDONYM_WORDS.values()):
        assert refusal(word) == "reserved_display_name"
        assert refusal(f"{word} 7") == "reserved_display_name"


@pytest.mark.parametrize("language", ["en", "ru", "az", "hy"])
def test_the_roles_as_each_language_shows_them_are_reserved(language):
    if language == "en":
        words = list(ROLE_MSGIDS)
    else:
        catalog = (ROOT / "frontend" / "translations" / language / "LC_MESSAGES" / "messages.po").read_text()
        found = [re.search(rf'^msgid "{m}"\nmsgstr "(.+)"$', catalog, re.M) for m in ROLE_MSGIDS]
        assert all(found), f"a role is not translated in {language}"
        words = [m.group(1) for m in found if m]
    for word in words:
        for name in (word, word.title(), f"{word.upper()} 3", f"{word}2"):
            assert refusal(name) == "reserved_display_name", name


@pytest.mark.parametrize(
    "name",
    [
        "Ani\u200b",  # zero-width space
        "A\u202eni",  # right-to-left override
        "An\u2066i",  # isolate
        "Ani\u3164",  # Hangul filler: a letter that draws nothing
        "Ani\u00ad",  # soft hyphen
        "Ani\x07",
        "Ani\ue000",  # private use
        "\u2800\u2800",
    ],
)
def test_names_with_hidden_characters_are_refused(name):
    assert refusal(name) == "bad_display_name"


def test_a_facilitator_may_say_so_but_not_as_a_pseudonym_nor_as_another_role():
    assert normalise_display_name("Facilitator Ani", facilitator=True)[0] == "Facilitator Ani"
    assert normalise_display_name("Moderator", facilitator=True)[0] == "Moderator"
    for name in ("Facilitator 2", "Fасilitator 1", "Participant 3", "Observer", "Участник", "Organiser Ani"):
        assert refusal(name, facilitator=True) == "reserved_display_name", name


def test_look_alike_names_share_a_key():
    assert name_key("Ani") == name_key("\u0410ni") == name_key("ＡＮＩ") == name_key("A n i") == name_key("Ani.")
    assert name_key("Nigar") != name_key("Nigor")
    # Capitals of one script that look like another's: the key is taken before case folding.
    for latin, mixed in (
        ("Maria", "\u041caria"),
        ("Tom", "\u0422om"),
        ("Karen", "\u041aaren"),
        ("Hasan", "\u041d\u0430san"),
        ("Mamed", "\u041c\u0430m\u0435d"),
    ):
        assert name_key(latin) == name_key(mixed), (latin, mixed)
    assert skeleton("Ani 2") != skeleton("Ani 3")


# Through the join flow ----------------------------------------------------------------------


async def _invite(client, world, fac, community="a"):
    response = await client.post(
        f"/api/sessions/{world.session.id}/invitations",
        json={"role": "participant", "community": community},
        headers={"X-CSRF-Token": fac},
    )
    assert response.status_code == 201, response.text
    return response.json()["link"].rsplit("/", 1)[1]


async def _join(browser, token, name):
    await browser.post("/api/join", json={"token": token})
    consent = await browser.post(
        "/api/join/consent",
        json={"token": token, "rules_version": 1, "accept_rules": True, "accept_transcript": True},
    )
    assert consent.status_code == 200, consent.text
    return await browser.post("/api/join/claim", json={"token": token, "display_name": name})


@pytest.fixture
async def world(app, make_account):
    world = await make_world(app, make_account)
    await schedule(app, world.session)
    return world


async def test_a_name_that_looks_like_anothers_in_the_session_is_taken(client, new_client, world):
    fac = await api_login(client, world.facilitator)
    assert (await _join(new_client(), await _invite(client, world, fac), "Ani")).status_code == 200
    for look_alike in ("\u0410ni", "ＡＮＩ", "A-ni", "Ani\ufe0f"):
        clash = await _join(new_client(), await _invite(client, world, fac, "b"), look_alike)
        assert clash.status_code == 422, look_alike
        assert clash.json()["error"]["code"] == "display_name_taken"


async def test_a_participant_cannot_take_the_name_a_facilitator_shows(app, client, new_client, world):
    fac = await api_login(client, world.facilitator)
    async with app.state.db.unit_of_work() as db:
        seat = await facilitator_seat(db, session=world.session, user=world.facilitator.user, now=app.state.clock.now())
    assert seat.display_name == "Test"  # the first word of "Test Facilitator"
    clash = await _join(new_client(), await _invite(client, world, fac), "Tеst")  # a Cyrillic е
    assert clash.status_code == 422 and clash.json()["error"]["code"] == "display_name_taken"


async def test_the_join_answer_says_why_a_role_name_is_refused(client, new_client, world):
    fac = await api_login(client, world.facilitator)
    refused = await _join(new_client(), await _invite(client, world, fac), "Ｆａｃｉｌｉｔａｔｏｒ")
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "reserved_display_name" and "choose another" in error["message"]
    assert error["details"][0]["field"] == "display_name"
