"""The room's texts in the programme's languages: a facilitator opens a poll in four
languages (or in one, as a plain string), a stranger language is refused with a clear code,
a poll item's prompt becomes the question in every language it has, rounds go around on the
item's prompt in all of them, and the welcome frame carries the programme's languages and
the session's texts as maps, while room events carry ids, never the words."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from app.dialogues.agenda import agenda_of
from app.dialogues.models import AgendaKind
from app.dialogues.schemas import SessionUpdate
from app.dialogues.sessions import session_access, update_session
from app.errors import AppError
from app.facilitation.timers import tick
from app.programmes.texts import pick
from app.web.i18n import LANGUAGE_COOKIE

LANGUAGES = ["en", "ru", "az", "hy"]  # the test programme's (tests/factories.py: make_programme)

QUESTION = {
    "en": "Shall we meet again?",
    "ru": "Встретимся ещё раз?",
    "az": "Yenidən görüşək?",
    "hy": "Կհանդիպե՞նք նորից",
}
YES = {"en": "Yes", "ru": "Да", "az": "Bəli", "hy": "Այո"}
NOT_YET = {"en": "Not yet", "ru": "Пока нет", "az": "Hələ yox", "hy": "Դեռ ոչ"}


async def _refused(awaitable: Any) -> AppError:
    with pytest.raises(AppError) as caught:
        await awaitable
    return caught.value


async def _polls_seen(room: Any) -> list[dict]:
    return (await room.welcome(room.people["nigar"]))["state"]["polls"]


# Polls -----------------------------------------------------------------------------------


async def test_a_poll_in_every_language_reaches_everyone_as_maps(room) -> None:
    poll = await room.act(room.facilitator, "poll_open", question=QUESTION, options=[YES, NOT_YET])

    assert poll["question"] == QUESTION
    assert poll["options"] == [YES, NOT_YET]
    assert (await room.last("poll_changed"))["poll"]["question"] == QUESTION
    assert (await _polls_seen(room))[0]["options"] == [YES, NOT_YET]
    answered = await room.act(room.people["ani"], "poll_answer", poll_id=poll["id"], choices=[1])
    assert answered["your_choices"] == [1]


async def test_a_plain_string_is_the_programme_s_first_language_and_maps_may_mix_with_it(room) -> None:
    poll = await room.act(
        room.facilitator,
        "poll_open",
        question="  Shall we meet again? ",
        options=["Yes", {"en": "Not yet", "hy": "Դեռ ոչ", "ru": "  "}],
    )

    assert poll["question"] == {"en": "Shall we meet again?"}
    # Empty texts are left out: that language is simply not written yet.
    assert poll["options"] == [{"en": "Yes"}, {"en": "Not yet", "hy": "Դեռ ոչ"}]


async def test_a_reader_whose_language_is_missing_gets_the_programme_s_order_marked_as_a_fallback(room) -> None:
    poll = await room.act(
        room.facilitator, "poll_open", question={"ru": "Встретимся?", "az": "Görüşək?"}, options=["A", "B"]
    )

    shown = pick(poll["question"], "hy", LANGUAGES)
    assert (shown.text, shown.language, shown.fallback) == ("Встретимся?", "ru", True)
    own = pick(poll["question"], "az", LANGUAGES)
    assert (own.text, own.language, own.fallback) == ("Görüşək?", "az", False)


async def test_a_text_in_a_language_the_programme_does_not_have_is_refused(room) -> None:
    for fields in (
        {"question": {"en": "Meet again?", "ka": "შევხვდეთ?"}, "options": ["Yes", "No"]},
        {"question": {"az-AZ": "Görüşək?"}, "options": ["Yes", "No"]},
        {"question": "Meet again?", "options": ["Yes", {"en": "No", "de": "Nein"}]},
    ):
        error = await _refused(room.act(room.facilitator, "poll_open", **fields))
        assert error.code == "unknown_language"
        assert "not a language of this programme" in error.message and "en, ru, az, hy" in error.message
    assert await _polls_seen(room) == []  # nothing half-done was stored


async def test_options_are_unique_within_each_language(room) -> None:
    same_in_russian = [{"en": "Yes", "ru": "Да"}, {"en": "Rather yes", "ru": " да "}]
    error = await _refused(room.act(room.facilitator, "poll_open", question="Q?", options=same_in_russian))
    assert error.code == "bad_options"
    empty = await _refused(room.act(room.facilitator, "poll_open", question="Q?", options=[YES, {"ru": "  "}]))
    assert empty.code == "bad_options"

    # The same word in two languages is two different options' words, not a repetition.
    poll = await room.act(room.facilitator, "poll_open", question="Q?", options=[{"en": "Da"}, {"ru": "Da"}])
    assert poll["options"] == [{"en": "Da"}, {"ru": "Da"}]


async def test_a_poll_item_s_prompt_in_every_language_becomes_the_question(room) -> None:
    async with room.app.state.db.unit_of_work() as db:
        items = await agenda_of(db, session_id=room.session_id)
    item = next(i for i in items if i.kind is AgendaKind.poll)
    expected = item.prompt or item.title
    assert len(expected) > 1, "the built-in agenda's poll item is written in several languages"

    await room.act(room.facilitator, "agenda_go", current_item_id=None, item_id=item.id)
    poll = await room.act(room.facilitator, "poll_open", options=[YES, NOT_YET])

    assert poll["question"] == expected
    assert poll["agenda_item_id"] == item.id


async def test_poll_texts_with_control_characters_are_refused_in_maps_too(room) -> None:
    with pytest.raises(ValidationError) as caught:
        await room.act(room.facilitator, "poll_open", question={"en": "Q\x00?"}, options=["A", "B"])
    assert caught.value.errors()[0]["type"] == "control_characters"
    with pytest.raises(ValidationError):
        await room.act(room.facilitator, "poll_open", question="Q?", options=["A", {"en": "B", "ru": "x" * 201}])


# Rounds and the agenda ------------------------------------------------------------------


async def test_a_round_goes_around_on_the_item_s_prompt_in_every_language(room) -> None:
    check_in = await room.act(room.facilitator, "agenda_next", current_item_id=None)
    agenda = await room.act(room.facilitator, "agenda_next", current_item_id=check_in["item"]["id"])
    assert set(agenda["item"]["title"]) == set(LANGUAGES) and set(agenda["item"]["prompt"]) == set(LANGUAGES)

    started = await room.act(room.facilitator, "round_start")

    assert started["prompt"] == agenda["item"]["prompt"]
    assert (await room.welcome(room.people["ani"]))["state"]["round"]["prompt"] == agenda["item"]["prompt"]


# The welcome frame ------------------------------------------------------------------------


async def _set_texts(room: Any, **texts: Any) -> None:
    async with room.app.state.db.unit_of_work() as db:
        access = await session_access(db, user=room.facilitator_user, session_id=room.session_id, facilitator=True)
        await update_session(
            db, actor=room.facilitator_user, access=access, data=SessionUpdate(**texts), now=room.clock.now()
        )


async def test_the_welcome_carries_the_languages_and_the_session_s_texts_as_maps(room) -> None:
    await _set_texts(
        room,
        title={"hy": "Առաջին հանդիպում"},
        pause_message={"en": "A short break; we are back in ten minutes.", "ru": "Короткий перерыв."},
        lobby_message={"az": "Fasilitator sizi tezliklə qəbul edəcək."},
    )

    state = (await room.welcome(room.people["nigar"]))["state"]

    assert state["languages"] == LANGUAGES
    assert state["title"] == {"en": "First meeting", "hy": "Առաջին հանդիպում"}  # an edit merges languages
    assert state["pause_message"] == {"en": "A short break; we are back in ten minutes.", "ru": "Короткий перерыв."}
    assert state["lobby_message"] == {"az": "Fasilitator sizi tezliklə qəbul edəcək."}
    items = state["agenda_items"]
    assert [i["position"] for i in items] == list(range(len(items)))
    assert all(set(i) == {"id", "position", "kind", "title"} and isinstance(i["title"], dict) for i in items)


async def test_a_session_without_messages_sends_empty_maps(room) -> None:
    state = (await room.welcome(room.facilitator))["state"]
    assert state["pause_message"] == {} and state["lobby_message"] == {}
    assert isinstance(state["title"], dict) and state["title"]["en"] == "First meeting"


async def test_room_events_carry_ids_not_the_agenda_s_words(room) -> None:
    item = (await room.act(room.facilitator, "agenda_next", current_item_id=None))["item"]
    room.clock.advance(seconds=item["planned_seconds"] + 1)
    async with room.app.state.db.unit_of_work() as db:
        await tick(db, session_id=room.session_id, now=room.clock.now())
    nudge = await room.last("time_up")
    assert nudge["item_id"] == item["id"] and "title" not in nudge
    for text in item["title"].values():
        assert text not in json.dumps(nudge, ensure_ascii=False)


# The room page ----------------------------------------------------------------------------


async def test_the_room_page_shows_the_title_in_the_reader_s_language_or_marks_the_fallback(room, new_client) -> None:
    await _set_texts(room, title={"en": "First meeting", "ru": "Первая встреча"})
    browser = new_client()
    for language, shown, fallback in (("ru", "Первая встреча", False), ("hy", "First meeting", True)):
        page = await browser.get(
            f"/sessions/{room.session_id}/room",
            headers={"Cookie": f"{room.cookies['nigar']}; {LANGUAGE_COOKIE}={language}"},
        )
        assert page.status_code == 200
        heading = page.text.split("<h1", 1)[1].split("</h1>", 1)[0]
        assert shown in heading
        assert ('lang="en"' in heading) is fallback  # the text's own language, where it is not the page's
        assert ("Not translated yet" in heading or "not-translated" in heading) is fallback
        data = json.loads(page.text.split('id="room-data">', 1)[1].split("</script>", 1)[0])
        assert set(data["language_names"]) == set(LANGUAGES) and data["language_names"]["hy"] == "Հայերեն"
