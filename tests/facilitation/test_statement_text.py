"""Statement text that hides: direction controls that reorder what is shown, control
characters, or nothing visible at all, are refused with a stable code (in the service, and
as an `error` frame over the room's socket); ordinary text in every script, emoji sequences
and the punctuation of Armenian and Azerbaijani pass untouched."""

from __future__ import annotations

import json
import unicodedata

import pytest
from pydantic import ValidationError
from sqlmodel import select

from app.errors import ValidationFailed
from app.events.models import Statement
from app.facilitation.models import PrivateMessage
from app.security import text as room_text
from tests.live.conftest import live_room, server, server_factory  # noqa: F401  (the live room's fixtures)
from tests.live.room_client import open_room

DIRECTION_CONTROLS = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]


@pytest.mark.parametrize("control", DIRECTION_CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
async def test_a_statement_with_a_direction_control_is_refused(room, control):
    with pytest.raises(ValidationFailed) as caught:
        await room.say(room.people["nigar"], f"I agree with {control}what was said")
    assert caught.value.code == "hidden_direction_controls"
    assert "direction" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "\u200b",  # zero-width space
        "\u200b\u200c\u200d\u2060",  # joiners and a word joiner
        "\ufe0f\ufe0f",  # variation selectors
        "\u00ad",  # soft hyphen
        "\u3164\u3164",  # Hangul fillers
        "\u2800",  # blank Braille cell
        " \u00a0\u3000 ",  # spaces only
        "\u0301\u0301",  # combining marks on nothing
        "\ufeff\u200e",
    ],
)
async def test_a_statement_of_invisible_characters_only_is_refused(room, text):
    with pytest.raises(ValidationFailed) as caught:
        await room.say(room.people["nigar"], text)
    assert caught.value.code in ("invisible_text", "empty_statement")


async def test_control_characters_are_refused_but_lines_and_tabs_pass(room):
    with pytest.raises(ValidationFailed) as caught:
        await room.say(room.people["nigar"], "bell\x07 and nul\x00")
    assert caught.value.code == "control_characters"
    posted = await room.say(room.people["nigar"], "first line\nsecond\tline")
    assert posted.statement_id


GOOD = [
    "Мы говорили о море и о детстве.",
    "Biz məktəb haqqında danışdıq — çox maraqlı idi!",
    "Մենք խոսեցինք այգու մասին։ Իսկ դու՞ ինչ ես կարծում, «ընկեր»։",
    "Bəli, “razıyam”; amma… sualım var?",
    "👩‍👩‍👧 👍🏽 🇦🇲 🇦🇿 🏴󠁧󠁢󠁳󠁣󠁴󠁿 ❤️",
    "Ani\u200fsaid\u200e ok",  # left-to-right and right-to-left marks are fine
    "ﷺ Ｆｕｌｌ-width and ﬁ ligatures",
]


@pytest.mark.parametrize("text", GOOD)
async def test_ordinary_text_and_emoji_pass_unchanged(room, text):
    posted = await room.say(room.people["ani"], text)
    async with room.app.state.db.unit_of_work() as db:
        stored = (await db.exec(select(Statement).where(Statement.id == posted.statement_id))).one()
    assert stored.text == text


async def test_back_channel_and_check_in_words_are_checked_too(room):
    for kind, fields, actor in (
        ("backchannel", {}, room.facilitator),
        ("check_in", {"seat_id": room.people["ani"].seat_id}, room.facilitator),
        ("check_in", {}, room.people["ani"]),
    ):
        for text in ("psst \u202eesrever", "\u200b\u200b"):
            with pytest.raises(ValidationError) as caught:
                await room.act(actor, kind, text=text, **fields)
            assert caught.value.errors()[0]["type"] in ("hidden_direction_controls", "invisible_text")
        await room.act(actor, kind, text="Все в порядке? Ամեն ինչ լա՞վ է։ 👩‍👩‍👧", **fields)
    async with room.app.state.db.unit_of_work() as db:
        texts = [m.text for m in (await db.exec(select(PrivateMessage))).all()]
    assert len(texts) == 3 and not any("\u202e" in t for t in texts)


async def test_over_the_socket_a_hidden_statement_gets_an_error_frame_with_a_stable_code(server, live_room):  # noqa: F811
    nigar = await open_room(server, live_room.session_id, live_room.people["nigar"].cookie)
    await nigar.until(lambda f: f["type"] == "welcome")
    for text, code in (
        ("I said \u202eno\u202c", "hidden_direction_controls"),
        ("\u2066\u2069", "hidden_direction_controls"),
        ("\u200b\ufe0f", "invisible_text"),
    ):
        client_id = await nigar.say(text)
        error = await nigar.until(lambda f: f["type"] in ("error", "ack"))
        assert (error["type"], error["code"], error["client_id"]) == ("error", code, client_id), error
        assert error["message"]
    await nigar.socket.send(json.dumps({"type": "check_in", "ref": "r-1", "text": "\u202ehi"}))
    error = await nigar.until(lambda f: f["type"] in ("error", "ok"))
    assert (error["type"], error["ref"]) == ("error", "r-1") and "direction" in error["message"]
    client_id = await nigar.say("Մենք խոսեցինք։ 👩‍👩‍👧")
    ack = await nigar.until(lambda f: f["type"] in ("error", "ack"))
    assert (ack["type"], ack["client_id"]) == ("ack", client_id)
    await nigar.socket.close()


def test_the_text_checks_patterns_are_unicodes_categories_over_every_code_point():
    """app/security/text.py looks for direction controls and control characters with regular
    expressions; they must find exactly what unicodedata says, for every code point."""
    for code in range(0x110000):
        ch = chr(code)
        category = unicodedata.category(ch)
        control = (category == "Cc" and ch not in room_text.ALLOWED_CONTROLS) or category == "Cs"
        assert bool(room_text._CONTROL.search(ch)) is control, f"U+{code:04X}"
        assert bool(room_text._BIDI.search(ch)) is (ch in room_text.BIDI_CONTROLS), f"U+{code:04X}"
