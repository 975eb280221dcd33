"""The agenda runner: moving through items, their clocks, nudges and breaks."""

from __future__ import annotations

import pytest

from app.errors import AppError
from app.facilitation import timers


async def tick(room) -> None:
    async with room.app.state.db.unit_of_work() as db:
        await timers.tick(db, session_id=room.session_id, now=room.clock.now())


async def test_a_facilitator_walks_the_agenda_forward_and_back(room):
    first = await room.act(room.facilitator, "agenda_next", current_item_id=None)
    assert first["item"]["position"] == 0 and first["running"] and first["item"]["kind"] == "check_in"
    assert first["remaining_seconds"] == first["item"]["planned_seconds"]
    second = await room.act(room.facilitator, "agenda_next", current_item_id=first["item"]["id"])
    assert second["item"]["position"] == 1
    back = await room.act(room.facilitator, "agenda_back", current_item_id=second["item"]["id"])
    assert back["item"]["id"] == first["item"]["id"]
    last_id = (
        await room.act(
            room.facilitator,
            "agenda_go",
            current_item_id=back["item"]["id"],
            item_id=first["item"]["id"] + first["count"] - 1,
        )
    )["item"]["id"]
    with pytest.raises(AppError) as at_end:
        await room.act(room.facilitator, "agenda_next", current_item_id=last_id)
    assert at_end.value.code == "agenda_at_end"
    event = await room.last("agenda_changed")
    assert event["audience"] == "all" and event["agenda"]["item"]["id"] == last_id and event["action"] == "go"


async def test_two_facilitators_pressing_next_at_once_move_the_agenda_once(room):
    first = await room.act(room.facilitator, "agenda_next", current_item_id=None)
    await room.act(room.facilitator, "agenda_next", current_item_id=first["item"]["id"])
    with pytest.raises(AppError) as moved:
        await room.act(room.co_facilitator, "agenda_next", current_item_id=first["item"]["id"])
    assert moved.value.code == "agenda_moved" and "already moved" in moved.value.message
    welcome = await room.welcome(room.people["nigar"])
    assert welcome["state"]["agenda"]["item"]["position"] == 1


async def test_the_clock_counts_down_pauses_extends_and_nudges_the_facilitators_once(room):
    item = (await room.act(room.facilitator, "agenda_next", current_item_id=None))["item"]
    planned = item["planned_seconds"]
    room.clock.advance(seconds=60)
    assert (await room.welcome(room.people["ani"]))["state"]["agenda"]["remaining_seconds"] == planned - 60
    paused = await room.act(room.facilitator, "agenda_pause", item_id=item["id"])
    assert not paused["running"] and paused["ends_at"] is None
    room.clock.advance(seconds=600)  # paused time does not count
    assert (await room.welcome(room.people["ani"]))["state"]["agenda"]["remaining_seconds"] == planned - 60
    resumed = await room.act(room.facilitator, "agenda_resume", item_id=item["id"])
    assert resumed["running"] and resumed["remaining_seconds"] == planned - 60
    room.clock.advance(seconds=planned - 60 - 1)
    await tick(room)
    assert not [e for e in await room.events() if e["type"] == "time_up"]
    room.clock.advance(seconds=2)
    await tick(room)
    await tick(room)  # a second instance ticking too: still one nudge
    nudges = [e for e in await room.events() if e["type"] == "time_up"]
    assert len(nudges) == 1 and nudges[0]["audience"] == "facilitators" and nudges[0]["item_id"] == item["id"]
    # Ids, never words: the console looks the title up in the welcome frame's agenda.
    assert set(nudges[0]) == {"type", "seq", "at", "audience", "item_id"}
    agenda = (await room.welcome(room.facilitator))["state"]["agenda_items"]
    assert [i["title"] for i in agenda if i["id"] == item["id"]] == [item["title"]]
    extended = await room.act(room.facilitator, "agenda_extend", item_id=item["id"], minutes=5)
    assert extended["remaining_seconds"] == pytest.approx(5 * 60 - 1)
    room.clock.advance(seconds=5 * 60)
    await tick(room)
    assert len([e for e in await room.events() if e["type"] == "time_up"]) == 2, "a new nudge after an extension"


async def test_timer_commands_name_the_current_item_and_refuse_what_does_not_fit(room):
    with pytest.raises(AppError) as not_started:
        await room.act(room.facilitator, "agenda_pause", item_id=1)
    assert not_started.value.code == "agenda_not_started"
    item = (await room.act(room.facilitator, "agenda_next", current_item_id=None))["item"]
    with pytest.raises(AppError) as running:
        await room.act(room.facilitator, "agenda_resume", item_id=item["id"])
    assert running.value.code == "timer_running"
    with pytest.raises(AppError) as stale:
        await room.act(room.facilitator, "agenda_extend", item_id=item["id"] + 1, minutes=1)
    assert stale.value.code == "agenda_moved"
    with pytest.raises(AppError) as unknown:
        await room.act(room.facilitator, "agenda_go", current_item_id=item["id"], item_id=99999)
    assert unknown.value.code == "unknown_agenda_item"


async def test_a_break_item_pauses_statements_but_not_the_facilitators(room):
    first = await room.act(room.facilitator, "agenda_next", current_item_id=None)
    agenda = first
    while agenda["item"]["kind"] != "break":
        agenda = await room.act(room.facilitator, "agenda_next", current_item_id=agenda["item"]["id"])
    with pytest.raises(AppError) as on_break:
        await room.say(room.people["nigar"], "Before we stop…")
    assert on_break.value.code == "on_break"
    await room.say(room.facilitator, "We are back in ten minutes.")
    await room.act(room.facilitator, "agenda_next", current_item_id=agenda["item"]["id"])
    await room.say(room.people["nigar"], "Back again.")


async def test_participants_cannot_run_the_agenda(room):
    for command, fields in (
        ("agenda_next", {"current_item_id": None}),
        ("agenda_pause", {"item_id": 1}),
        ("agenda_extend", {"item_id": 1, "minutes": 5}),
        ("session_pause", {}),
        ("session_end", {}),
    ):
        with pytest.raises(AppError) as refused:
            await room.act(room.people["ani"], command, **fields)
        assert refused.value.code == "facilitators_only", command


async def test_pausing_the_session_stops_the_clock_and_all_participant_activity(room):
    item = (await room.act(room.facilitator, "agenda_next", current_item_id=None))["item"]
    said = await room.say(room.people["nigar"], "Something to react to.")
    room.clock.advance(seconds=30)
    assert (await room.act(room.facilitator, "session_pause", reason="A short pause to breathe."))["status"] == "paused"
    status = await room.last("session_status")
    assert status["status"] == "paused" and status["reason"] == "A short pause to breathe."
    # Everyone's clock stops with it: the agenda comes along, not running, its time banked.
    stopped = await room.last("agenda_changed")
    assert stopped["action"] == "pause" and stopped["seq"] > status["seq"]
    assert not stopped["agenda"]["running"] and stopped["agenda"]["ends_at"] is None
    assert stopped["agenda"]["remaining_seconds"] == item["planned_seconds"] - 30
    # Who connects during the pause is told why, too.
    assert (await room.welcome(room.people["ani"]))["state"]["pause_reason"] == "A short pause to breathe."
    for attempt in (
        room.say(room.people["ani"], "Hello?"),
        room.act(room.people["ani"], "react", statement_id=said.statement_id, reaction="hear_you"),
    ):
        with pytest.raises(AppError) as paused:
            await attempt
        assert paused.value.code == "session_paused"
    room.clock.advance(seconds=300)
    await room.act(room.facilitator, "session_resume")
    started = await room.last("agenda_changed")
    assert started["action"] == "resume" and started["agenda"]["running"] and started["agenda"]["ends_at"]
    assert started["agenda"]["remaining_seconds"] == item["planned_seconds"] - 30
    state = (await room.welcome(room.people["ani"]))["state"]
    agenda = state["agenda"]
    assert state["pause_reason"] is None
    assert agenda["running"] and agenda["remaining_seconds"] == item["planned_seconds"] - 30
    await room.say(room.people["ani"], "Thank you for the pause.")


async def test_a_tick_with_nothing_due_changes_nothing(room):
    item = (await room.act(room.facilitator, "agenda_next", current_item_id=None))["item"]
    before = await room.events()
    room.clock.advance(seconds=item["planned_seconds"] - 1)
    assert await tick_result(room) is False
    assert await room.events() == before


async def tick_result(room) -> bool:
    async with room.app.state.db.unit_of_work() as db:
        return await timers.tick(db, session_id=room.session_id, now=room.clock.now())
