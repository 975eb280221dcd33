"""The speaking floor and queue in a session that runs one."""

from __future__ import annotations

import pytest

from app.errors import AppError
from app.facilitation import timers
from app.main import create_app


async def test_hands_queue_in_order_and_the_floor_holder_alone_may_speak(queued_room):
    room, nigar, ani, rauf = queued_room, *(queued_room.people[n] for n in ("nigar", "ani", "rauf"))
    for person in (ani, nigar, rauf):
        await room.act(person, "hand_raise")
    await room.act(ani, "hand_raise")  # twice is harmless
    assert (await room.welcome(nigar))["state"]["floor"]["queue"] == [ani.seat_id, nigar.seat_id, rauf.seat_id]
    assert (await room.welcome(nigar))["you"]["hand_raised"]
    with pytest.raises(AppError) as waiting:
        await room.say(ani, "May I?")
    assert waiting.value.code == "not_your_floor"
    floor = await room.act(room.facilitator, "floor_give", seat_id=ani.seat_id, seconds=120)
    assert floor["seat_id"] == ani.seat_id and floor["queue"] == [nigar.seat_id, rauf.seat_id]
    said = await room.say(ani, "Thank you for the floor.")
    with pytest.raises(AppError):
        await room.say(nigar, "Me too")
    await room.say(room.facilitator, "Facilitators may always speak.")
    await room.act(nigar, "react", statement_id=said.statement_id, reaction="thank_you")  # others may still react
    taken = await room.act(room.facilitator, "floor_take")
    assert taken["seat_id"] is None
    with pytest.raises(AppError):
        await room.say(ani, "One more thing")


async def test_a_facilitator_moves_and_lowers_hands_and_a_participant_only_their_own(queued_room):
    room, nigar, ani, rauf = queued_room, *(queued_room.people[n] for n in ("nigar", "ani", "rauf"))
    for person in (nigar, ani, rauf):
        await room.act(person, "hand_raise")
    moved = await room.act(room.facilitator, "queue_move", seat_id=rauf.seat_id, position=1)
    assert moved["queue"] == [rauf.seat_id, nigar.seat_id, ani.seat_id]
    with pytest.raises(AppError) as not_theirs:
        await room.act(ani, "hand_lower", seat_id=nigar.seat_id)
    assert not_theirs.value.code == "facilitators_only"
    await room.act(ani, "hand_lower")
    lowered = await room.act(room.facilitator, "hand_lower", seat_id=nigar.seat_id)
    assert lowered["queue"] == [rauf.seat_id]
    with pytest.raises(AppError) as participant:
        await room.act(ani, "queue_move", seat_id=rauf.seat_id, position=2)
    assert participant.value.code == "facilitators_only"
    for command, fields in (("floor_give", {"seat_id": nigar.seat_id}), ("floor_take", {})):
        with pytest.raises(AppError) as refused:
            await room.act(nigar, command, **fields)
        assert refused.value.code == "facilitators_only"


async def test_a_turn_warns_before_its_end_and_then_the_floor_returns(queued_room):
    room, ani = queued_room, queued_room.people["ani"]
    await room.act(room.facilitator, "floor_give", seat_id=ani.seat_id, seconds=60)
    room.clock.advance(seconds=40)
    async with room.app.state.db.unit_of_work() as db:
        await timers.tick(db, session_id=room.session_id, now=room.clock.now())
    assert not [e for e in await room.events() if e["type"] == "turn_warning"]
    room.clock.advance(seconds=6)  # 14 s left: within the warning (15 s for a 60 s turn)
    for _ in range(2):
        async with room.app.state.db.unit_of_work() as db:
            await timers.tick(db, session_id=room.session_id, now=room.clock.now())
    warnings = [e for e in await room.events() if e["type"] == "turn_warning"]
    assert len(warnings) == 1 and warnings[0]["audience"] == f"seat:{ani.seat_id}" and warnings[0]["seconds_left"] == 14
    await room.say(ani, "Finishing my thought.")
    room.clock.advance(seconds=15)
    async with room.app.state.db.unit_of_work() as db:
        await timers.tick(db, session_id=room.session_id, now=room.clock.now())
    ended = await room.last("floor_changed")
    assert ended["action"] == "time_up" and ended["floor"]["seat_id"] is None and ended["seat_id"] == ani.seat_id
    with pytest.raises(AppError):
        await room.say(ani, "Too late")


async def test_in_an_open_session_a_hand_asks_to_be_heard_and_speaking_stays_free(room):
    ani, nigar = room.people["ani"], room.people["nigar"]
    raised = await room.act(ani, "hand_raise")
    assert raised["queue"] == [ani.seat_id]
    assert (await room.welcome(ani))["you"]["hand_raised"]
    await room.say(nigar, "Everyone may speak in an open room, hands up or not.")
    given = await room.act(room.facilitator, "floor_give", seat_id=ani.seat_id)
    assert given["seat_id"] == ani.seat_id and given["queue"] == []
    await room.say(nigar, "Still free to speak while Ani has the floor.")


async def test_the_holder_says_they_are_done_and_nobody_else_can_for_them(queued_room):
    room, ani, nigar = queued_room, queued_room.people["ani"], queued_room.people["nigar"]
    await room.act(room.facilitator, "floor_give", seat_id=ani.seat_id)
    with pytest.raises(AppError) as not_yours:
        await room.act(nigar, "floor_done")
    assert not_yours.value.code == "not_holder" and not_yours.value.message
    done = await room.act(ani, "floor_done")
    assert done["seat_id"] is None
    event = await room.last("floor_changed")
    assert event["action"] == "done" and event["seat_id"] == ani.seat_id
    with pytest.raises(AppError) as again:
        await room.act(ani, "floor_done")
    assert again.value.code == "not_holder"


async def test_the_facilitator_switches_the_room_between_open_and_queued_during_the_session(room):
    ani, nigar = room.people["ani"], room.people["nigar"]
    await room.act(ani, "hand_raise")
    queued = await room.act(room.facilitator, "speaking_mode", mode="queued")
    assert queued["speaking_mode"] == "queued"
    event = await room.last("room_settings")
    assert event["speaking_mode"] == "queued"
    assert (await room.welcome(nigar))["state"]["speaking_mode"] == "queued"
    assert (await room.welcome(nigar))["state"]["floor"]["queue"] == [ani.seat_id], "the hands raised stay"
    with pytest.raises(AppError) as waiting:
        await room.say(nigar, "Not my turn now.")
    assert waiting.value.code == "not_your_floor"
    with pytest.raises(AppError) as same:
        await room.act(room.facilitator, "speaking_mode", mode="queued")
    assert same.value.code == "already_done"
    await room.act(room.facilitator, "speaking_mode", mode="open")
    await room.say(nigar, "Open again.")


async def test_the_queue_is_refused_clearly_for_the_muted(queued_room):
    ani = queued_room.people["ani"]
    await queued_room.act(ani, "hand_raise")
    await queued_room.act(queued_room.facilitator, "mute", seat_id=ani.seat_id, reason="Let us cool down.")
    assert ani.seat_id not in (await queued_room.welcome(ani))["state"]["floor"]["queue"], "muting lowers the hand"
    with pytest.raises(AppError) as muted:
        await queued_room.act(ani, "hand_raise")
    assert muted.value.code == "muted"
    with pytest.raises(AppError) as give:
        await queued_room.act(queued_room.facilitator, "floor_give", seat_id=ani.seat_id)
    assert give.value.code == "muted"
    with pytest.raises(AppError) as to_facilitator:
        await queued_room.act(queued_room.facilitator, "floor_give", seat_id=queued_room.co_facilitator.seat_id)
    assert to_facilitator.value.code == "not_a_speaker"


async def test_the_floor_survives_a_restart_of_the_app(queued_room, settings, clock):
    room, ani = queued_room, queued_room.people["ani"]
    await room.act(room.people["nigar"], "hand_raise")
    await room.act(room.facilitator, "floor_give", seat_id=ani.seat_id, seconds=300)
    before = (await room.welcome(ani))["state"]
    fresh = create_app(settings, clock=clock)  # a new process would see the same database
    async with fresh.router.lifespan_context(fresh):
        room.app = fresh
        after = (await room.welcome(ani))["state"]
    assert after["floor"] == before["floor"] and after["floor"]["seat_id"] == ani.seat_id
