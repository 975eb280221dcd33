"""Interpretation in the room, in-process: an interpreter translates what participants say,
an author may translate their own words, and translations leave with their statement.
(tests/live/test_translations.py runs the same over real sockets.)"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlmodel import select

from app.dialogues.models import SeatRole
from app.errors import AppError
from app.events.log import read_events
from app.events.models import Translation
from app.facilitation.translations import MAX_TRANSLATION_CHARS
from app.facilitation.views import hydrate
from app.live.commands import COMMANDS
from app.live.protocol import SERVER_FRAMES
from tests.factories import InRoom


def cid() -> str:
    return uuid.uuid4().hex


async def translate(room: InRoom, actor, statement_id: int, language: str, text: str, client_id: str | None = None):
    return await room.act(
        actor, "translate", statement_id=statement_id, language=language, text=text, client_id=client_id or cid()
    )


async def refused(code: str, action) -> AppError:
    with pytest.raises(AppError) as caught:
        await action
    assert caught.value.code == code, (caught.value.code, caught.value.message)
    assert caught.value.message
    return caught.value


async def statement_of(room: InRoom, statement_id: int) -> dict[str, Any]:
    return next(e for e in await room.events() if e["type"] == "statement" and e["statement_id"] == statement_id)[
        "statement"
    ]


async def rows(room: InRoom) -> list[Translation]:
    async with room.app.state.db.unit_of_work() as db:
        return list((await db.exec(select(Translation).where(Translation.session_id == room.session_id))).all())


@pytest.fixture
async def interpreted(room: InRoom) -> InRoom:
    room.people["lena"] = await room.add_seat("Lena", community=None, role=SeatRole.interpreter)
    return room


# Who may translate, and what -----------------------------------------------------------------


async def test_an_interpreter_translates_any_statement_but_posts_none_of_their_own(interpreted):
    room = interpreted
    lena, nigar = room.people["lena"], room.people["nigar"]
    await refused("interpreters_translate", room.say(lena, "My own opinion."))
    said = await room.say(nigar, "Mən sərhədin yanında böyümüşəm.")

    result = await translate(room, lena, said.statement_id, "hy", "Ես մեծացել եմ սահմանի մոտ։")

    assert result["by"] == "interpreter" and result["statement_id"] == said.statement_id
    assert result["language"] == "hy" and result["seq"] > said.seq and result["duplicate"] is False
    event = await room.last("translation_posted")
    assert event["seq"] == result["seq"] and event["audience"] == "all"
    assert event["translation"] == {
        "translation_id": result["translation_id"],
        "language": "hy",
        "text": "Ես մեծացել եմ սահմանի մոտ։",
        "by": "interpreter",
    }
    statement = await statement_of(room, said.statement_id)
    assert statement["translations"] == [event["translation"]], "a newcomer sees it with the statement"


async def test_the_log_keeps_ids_only_and_the_frame_read_back_is_the_one_that_went_out(interpreted):
    room = interpreted
    published: list[Any] = []
    previous = room.app.state.db.publisher

    async def keep(items: list[Any]) -> None:
        published.extend(items)
        if previous is not None:
            await previous(items)

    said = await room.say(room.people["ani"], "Words in their own table.")
    room.app.state.db.publisher = keep
    try:
        await translate(room, room.people["lena"], said.statement_id, "ru", "Слова в своей таблице.")
    finally:
        room.app.state.db.publisher = previous
    live = next(p.frame for p in published if p.frame["type"] == "translation_posted")
    async with room.app.state.db.unit_of_work() as db:
        events = [
            e for e in await read_events(db, session_id=room.session_id, after=0) if e.type == "translation_posted"
        ]
        read_back = (await hydrate(db, events))[0]
    assert set(events[0].payload) == {"statement_id", "translation_id", "language", "by"}
    assert "таблице" not in str(events[0].payload)
    assert read_back == live
    SERVER_FRAMES.validate_python(read_back)


async def test_a_participant_translates_only_their_own_statements(interpreted):
    room = interpreted
    nigar, ani = room.people["nigar"], room.people["ani"]
    own = await room.say(nigar, "I hope we can listen.")
    other = await room.say(ani, "So do I.")

    mine = await translate(room, nigar, own.statement_id, "az", "Ümid edirəm ki, bir-birimizi dinləyə bilərik.")
    assert mine["by"] == "author"
    await refused("not_your_statement", translate(room, nigar, other.statement_id, "az", "Mən də."))
    view = await statement_of(room, own.statement_id)
    assert [(t["language"], t["by"]) for t in view["translations"]] == [("az", "author")]


async def test_a_co_facilitator_and_a_facilitator_translate_any_statement(interpreted):
    # Often the bilingual co-facilitator carries the conversation between the two languages.
    room = interpreted
    co = await room.add_seat("Aram", community="b", role=SeatRole.co_facilitator)
    said = await room.say(room.people["ani"], "Let us begin.")
    theirs = await room.say(co, "Welcome, everyone.")

    assert (await translate(room, co, said.statement_id, "ru", "Давайте начнём."))["by"] == "facilitator"
    assert (await translate(room, co, theirs.statement_id, "ru", "Добро пожаловать."))["by"] == "author"
    assert (await translate(room, room.facilitator, said.statement_id, "az", "Başlayaq."))["by"] == "facilitator"


async def test_an_observer_cannot_translate(interpreted):
    room = interpreted
    observer = await room.add_seat("Watcher", community=None, role=SeatRole.observer)
    said = await room.say(room.people["ani"], "Hello.")
    await refused("observer", translate(room, observer, said.statement_id, "ru", "Привет."))


async def test_the_language_must_be_one_of_the_programmes(interpreted):
    room = interpreted
    said = await room.say(room.people["ani"], "Hello.")
    error = await refused("unknown_language", translate(room, room.people["lena"], said.statement_id, "ka", "x"))
    assert "en, ru, az, hy" in error.message
    with pytest.raises(ValueError):  # not a language tag at all: the command is refused as malformed
        COMMANDS.validate_python(
            {"type": "translate", "statement_id": 1, "language": "../en", "text": "x", "client_id": cid()}
        )
    with pytest.raises(ValueError):
        COMMANDS.validate_python(
            {
                "type": "translate",
                "statement_id": 1,
                "language": "ru",
                "text": "x" * (MAX_TRANSLATION_CHARS + 1),
                "client_id": cid(),
            }
        )


async def test_a_translation_of_nothing_visible_or_of_another_rooms_statement_is_refused(interpreted, make_room):
    room = interpreted
    said = await room.say(room.people["ani"], "Hello.")
    await refused("empty_statement", translate(room, room.people["lena"], said.statement_id, "ru", "   "))
    await refused(
        "hidden_direction_controls", translate(room, room.people["lena"], said.statement_id, "ru", "a\u202eb")
    )
    other = await make_room()
    elsewhere = await other.say(other.people["ani"], "Elsewhere.")
    await refused("unknown_statement", translate(room, room.people["lena"], elsewhere.statement_id, "ru", "Где-то."))


async def test_a_muted_interpreter_cannot_translate_until_unmuted(interpreted):
    room = interpreted
    lena = room.people["lena"]
    said = await room.say(room.people["ani"], "Hello.")
    await room.act(room.facilitator, "mute", seat_id=lena.seat_id, reason="A moment, please.")
    await refused("muted", translate(room, lena, said.statement_id, "ru", "Привет."))
    await room.act(room.facilitator, "unmute", seat_id=lena.seat_id)
    await translate(room, lena, said.statement_id, "ru", "Привет.")


async def test_an_interpreter_can_be_removed_like_any_seat(interpreted):
    room = interpreted
    lena = room.people["lena"]
    said = await room.say(room.people["ani"], "Hello.")
    await room.act(room.facilitator, "remove", seat_id=lena.seat_id, reason="Thank you for today.")
    await refused("not_admitted", translate(room, lena, said.statement_id, "ru", "Привет."))


async def test_a_paused_session_takes_no_translations(interpreted):
    room = interpreted
    said = await room.say(room.people["ani"], "Hello.")
    await room.act(room.facilitator, "session_pause", reason="Tea.")
    await refused("session_paused", translate(room, room.people["lena"], said.statement_id, "ru", "Привет."))


# One per statement and language, idempotent per client id -------------------------------------


async def test_a_resend_with_the_same_client_id_stores_nothing_more(interpreted):
    room = interpreted
    lena = room.people["lena"]
    said = await room.say(room.people["ani"], "Hello.")
    first = await translate(room, lena, said.statement_id, "ru", "Привет.", client_id="resend-0001")
    again = await translate(room, lena, said.statement_id, "ru", "Привет.", client_id="resend-0001")
    assert again == {**first, "duplicate": True}
    assert len([e for e in await room.events() if e["type"] == "translation_posted"]) == 1
    assert len(await rows(room)) == 1


async def test_a_late_resend_never_brings_back_words_someone_replaced_since(interpreted):
    room = interpreted
    lena = room.people["lena"]
    said = await room.say(room.people["ani"], "Hello.")
    first = await translate(room, lena, said.statement_id, "ru", "Привет.", client_id="late-resend-1")
    await translate(room, room.facilitator, said.statement_id, "ru", "Здравствуйте.", client_id="correction-1")
    # Lena's connection dropped before her ack: she sends the same command once more.
    again = await translate(room, lena, said.statement_id, "ru", "Привет.", client_id="late-resend-1")
    assert again == {**first, "duplicate": True}
    assert [t.text for t in await rows(room)] == ["Здравствуйте."]
    assert len([e for e in await room.events() if e["type"] == "translation_posted"]) == 2


async def test_a_new_translation_replaces_the_text_and_the_translator(interpreted):
    room = interpreted
    said = await room.say(room.people["ani"], "We were neighbours.")
    first = await translate(room, room.people["lena"], said.statement_id, "az", "Biz qonşu idik.")
    second = await translate(room, room.facilitator, said.statement_id, "az", "Biz qonşu olmuşuq.")
    assert second["translation_id"] == first["translation_id"] and second["by"] == "facilitator"
    view = await statement_of(room, said.statement_id)
    assert [(t["text"], t["by"]) for t in view["translations"]] == [("Biz qonşu olmuşuq.", "facilitator")]
    events = [e for e in await room.events() if e["type"] == "translation_posted"]
    assert [e["by"] for e in events] == ["interpreter", "facilitator"], "each event says who posted it then"
    assert all(e["translation"]["text"] == "Biz qonşu olmuşuq." for e in events), "read back: the words as they are now"


# Withdrawn and hidden with the statement ------------------------------------------------------


async def test_withdrawing_a_statement_erases_its_translations(interpreted):
    room = interpreted
    nigar, lena = room.people["nigar"], room.people["lena"]
    said = await room.say(nigar, "Something I regret.")
    await translate(room, lena, said.statement_id, "hy", "Մի բան, որի համար ափսոսում եմ։")
    await translate(room, nigar, said.statement_id, "ru", "То, о чём я жалею.")

    await room.act(nigar, "withdraw", statement_id=said.statement_id)

    frames = await room.events()
    assert "ափսոսում" not in str(frames) and "жалею" not in str(frames)
    assert all(t.text == "" for t in await rows(room)), "erased, not only hidden"
    view = await statement_of(room, said.statement_id)
    assert view["translations"] == [] and view["translation_pending"] is False
    assert all(e["translation"] is None for e in frames if e["type"] == "translation_posted")
    await refused("statement_gone", translate(room, lena, said.statement_id, "az", "Peşman olduğum bir şey."))


async def test_a_hidden_statements_translations_are_shown_nowhere(interpreted):
    room = interpreted
    lena = room.people["lena"]
    said = await room.say(room.people["ani"], "Words a facilitator will hide.")
    await translate(room, lena, said.statement_id, "az", "Fasilitatorun gizlədəcəyi sözlər.")

    await room.act(room.facilitator, "hide", statement_id=said.statement_id, reason="Off topic.")

    frames = await room.events()
    assert "gizlədəcəyi" not in str(frames)
    assert (await statement_of(room, said.statement_id))["translations"] == []
    assert [e["translation"] for e in frames if e["type"] == "translation_posted"] == [None]
    await refused("statement_gone", translate(room, lena, said.statement_id, "ru", "Слова."))


# Waiting for translation ----------------------------------------------------------------------


async def test_a_statement_waits_for_translation_into_its_readers_languages_while_an_interpreter_is_in(room):
    leyla = await room.add_seat("Leyla", community="a", role=SeatRole.participant, language="az")
    anush = await room.add_seat("Anush", community="b", role=SeatRole.participant, language="hy")
    plain = await room.say(leyla, "Tərcüməçi hələ yoxdur.")
    assert (await statement_of(room, plain.statement_id))["waiting_for"] == []

    lena = await room.add_seat("Lena", community=None, role=SeatRole.interpreter, language="ru")
    said = await room.say(leyla, "İndi biri var.")
    # Readers chose az, hy and (the room's other seats) en: all but the author's own, in the programme's order.
    assert (await statement_of(room, said.statement_id))["waiting_for"] == ["en", "hy"]
    assert (await statement_of(room, said.statement_id))["translation_pending"] is True

    # A language nobody in the room reads is not awaited; one that is, is no longer once done.
    await translate(room, lena, said.statement_id, "ru", "Теперь он есть.")
    assert (await room.last("translation_posted"))["waiting_for"] == ["en", "hy"]
    await translate(room, lena, said.statement_id, "hy", "Հիմա կա։")
    assert (await room.last("translation_posted"))["waiting_for"] == ["en"]
    await translate(room, lena, said.statement_id, "en", "Now there is one.")
    assert (await room.last("translation_posted"))["translation_pending"] is False
    assert (await statement_of(room, said.statement_id))["waiting_for"] == []

    answer = await room.say(anush, "Լսում եմ։")
    assert (await statement_of(room, answer.statement_id))["waiting_for"] == ["en", "az"]
    await room.act(room.facilitator, "remove", seat_id=lena.seat_id, reason="Thank you.")
    assert (await statement_of(room, answer.statement_id))["translation_pending"] is False


# Not a participant: no turn in rounds, no share in the balance --------------------------------


async def test_an_interpreter_takes_no_turn_in_a_round_and_no_share_in_the_balance(interpreted):
    room = interpreted
    lena = room.people["lena"]
    said = await room.say(room.people["ani"], "one two three")
    before = await room.act(room.facilitator, "balance")
    await translate(room, lena, said.statement_id, "ru", "раз два три четыре пять шесть")
    assert await room.act(room.facilitator, "balance") == before

    check_in = await room.act(room.facilitator, "agenda_next", current_item_id=None)
    await room.act(room.facilitator, "agenda_next", current_item_id=check_in["item"]["id"])
    await refused("bad_order", room.act(room.facilitator, "round_start", order=[lena.seat_id]))
    started = await room.act(room.facilitator, "round_start")
    assert lena.seat_id not in [t["seat_id"] for t in started["turns"]]
    assert sorted(t["seat_id"] for t in started["turns"]) == sorted(
        room.people[n].seat_id for n in ("nigar", "ani", "rauf", "lusine")
    )
    # During the round the interpreter translates whoever speaks; the turn stays with the speaker.
    speaking = await room.say(room.people["nigar"], "My turn.")
    await translate(room, lena, speaking.statement_id, "hy", "Իմ հերթն է։")
    assert (await room.last("round_changed"))["round"]["current_seat_id"] == room.people["nigar"].seat_id


async def test_an_interpreter_neither_raises_a_hand_nor_reacts(queued_room):
    room = queued_room
    lena = await room.add_seat("Lena", community=None, role=SeatRole.interpreter)
    said = await room.say(room.facilitator, "Welcome, everyone.")
    await refused("interpreters_translate", room.act(lena, "hand_raise"))
    await refused(
        "interpreters_translate", room.act(lena, "react", statement_id=said.statement_id, reaction="hear_you")
    )
