"""A participant's own controls, and the words that never reach the room: reactions,
breaks, reports, withdrawal, the back-channel and check-ins."""

from __future__ import annotations

import pytest

from app.dialogues.models import SeatRole
from app.errors import AppError
from app.events.models import Statement


async def test_reactions_are_a_small_neutral_set_counted_per_statement(room):
    nigar, ani, rauf = (room.people[n] for n in ("nigar", "ani", "rauf"))
    said = await room.say(nigar, "I grew up near the border.")
    await room.act(ani, "react", statement_id=said.statement_id, reaction="hear_you")
    await room.act(ani, "react", statement_id=said.statement_id, reaction="hear_you")  # twice counts once
    result = await room.act(rauf, "react", statement_id=said.statement_id, reaction="hear_you")
    assert result["reactions"] == {"hear_you": 2}
    await room.act(rauf, "react", statement_id=said.statement_id, reaction="question")
    result = await room.act(ani, "react", statement_id=said.statement_id, reaction="hear_you", on=False)
    assert result["reactions"] == {"hear_you": 1, "question": 1}
    event = await room.last("reactions_changed")
    assert event["audience"] == "all" and event["reactions"] == {"hear_you": 1, "question": 1}
    statement = next(e for e in await room.events() if e["type"] == "statement")["statement"]
    assert statement["reactions"] == {"hear_you": 1, "question": 1}, "a newcomer sees the counts"
    with pytest.raises(AppError) as unknown:
        await room.act(ani, "react", statement_id=99999, reaction="thank_you")
    assert unknown.value.code == "unknown_statement"


async def test_a_break_request_and_a_report_reach_only_the_facilitators(room):
    nigar, ani = room.people["nigar"], room.people["ani"]
    said = await room.say(nigar, "Something sharp.")
    await room.act(ani, "break_request")
    report = await room.act(ani, "report", statement_id=said.statement_id, reason="This felt like an insult.")
    frames = await room.events()
    request = next(f for f in frames if f["type"] == "break_requested")
    made = next(f for f in frames if f["type"] == "report_made")
    assert request["audience"] == made["audience"] == "facilitators"
    assert request["seat_id"] == ani.seat_id
    assert made["report_id"] == report["report_id"] and made["reason"] == "This felt like an insult."
    with pytest.raises(AppError) as own:
        await room.act(nigar, "report", statement_id=said.statement_id)
    assert own.value.code == "own_statement"


async def test_withdrawing_ones_own_statement_erases_its_words(room):
    nigar, ani = room.people["nigar"], room.people["ani"]
    said = await room.say(nigar, "I said too much.")
    with pytest.raises(AppError) as not_theirs:
        await room.act(ani, "withdraw", statement_id=said.statement_id)
    assert not_theirs.value.code == "not_your_statement"
    await room.act(nigar, "withdraw", statement_id=said.statement_id)
    await room.act(nigar, "withdraw", statement_id=said.statement_id)  # again: nothing more happens
    frames = await room.events()
    assert [f["state"] for f in frames if f["type"] == "statement_changed"] == ["withdrawn"]
    original = next(f for f in frames if f["type"] == "statement")["statement"]
    assert original["state"] == "withdrawn" and original["text"] is None
    assert "too much" not in str(frames)
    async with room.app.state.db.unit_of_work() as db:
        assert (await db.get(Statement, said.statement_id)).text == "", "gone from the database too"
    with pytest.raises(AppError) as hide:
        await room.act(room.facilitator, "hide", statement_id=said.statement_id, reason="x")
    assert hide.value.code == "already_withdrawn"
    with pytest.raises(AppError) as react:
        await room.act(ani, "react", statement_id=said.statement_id, reaction="thank_you")
    assert react.value.code == "statement_gone"


async def test_the_back_channel_is_for_facilitators_only(room):
    await room.act(room.facilitator, "backchannel", text="Shall we take the break early?")
    await room.act(room.co_facilitator, "backchannel", text="Yes, in five minutes.")
    messages = [f for f in await room.events() if f["type"] == "private_message"]
    assert [m["audience"] for m in messages] == ["facilitators", "facilitators"]
    assert [m["message"]["text"] for m in messages] == ["Shall we take the break early?", "Yes, in five minutes."]
    assert all(m["channel"] == "backchannel" for m in messages)
    with pytest.raises(AppError) as refused:
        await room.act(room.people["ani"], "backchannel", text="Can I see?")
    assert refused.value.code == "facilitators_only"


async def test_a_check_in_is_between_one_participant_and_the_facilitators(room):
    ani, nigar = room.people["ani"], room.people["nigar"]
    await room.act(room.facilitator, "check_in", seat_id=ani.seat_id, text="How are you doing?")
    await room.act(ani, "check_in", text="I am fine, thank you.")
    messages = [f for f in await room.events() if f["type"] == "private_message"]
    assert [m["audience"] for m in messages] == [f"seat:{ani.seat_id}"] * 2
    assert [m["about_seat_id"] for m in messages] == [ani.seat_id] * 2
    with pytest.raises(AppError) as elsewhere:
        await room.act(ani, "check_in", seat_id=nigar.seat_id, text="Hi Nigar")
    assert elsewhere.value.code == "facilitators_only"
    with pytest.raises(AppError) as no_target:
        await room.act(room.facilitator, "check_in", text="To whom?")
    assert no_target.value.code == "seat_required"
    with pytest.raises(AppError) as facilitator:
        await room.act(room.facilitator, "check_in", seat_id=room.co_facilitator.seat_id, text="Hi")
    assert facilitator.value.code == "not_a_participant"


async def test_an_observer_follows_the_room_without_being_heard(queued_room):
    room = queued_room
    observer = await room.add_seat("Watcher", community=None, role=SeatRole.observer)
    said = await room.say(room.facilitator, "Welcome, everyone.")
    for attempt in (
        room.say(observer, "Hello"),
        room.act(observer, "hand_raise"),
        room.act(observer, "react", statement_id=said.statement_id, reaction="thank_you"),
    ):
        with pytest.raises(AppError) as refused:
            await attempt
        assert refused.value.code == "observer"
    await room.act(observer, "break_request")
    await room.act(observer, "report", statement_id=said.statement_id, reason="Checking how reports work.")
