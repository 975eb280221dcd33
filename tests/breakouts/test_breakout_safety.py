"""Safety holds in every group's room: a person's place and voice are the main room's (a ban,
a removal, a mute made there holds in their group at once), what only the main room decides is
refused in a group, a group's call for help reaches the facilitators in the main room, and
the facilitators' message reaches every group."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.errors import AppError
from app.events.models import RoomEvent
from app.facilitation.breakouts import MAIN_ROOM_ONLY
from tests.breakouts.conftest import Breakout
from tests.facilitation.test_command_permissions import SAMPLES, _fields

# Commands of the main room's facilitators that a group's room refuses: its status and
# agenda, taking seats out, and the breakout's own controls.
BREAKOUT_CONTROLS = sorted(name for name in SAMPLES if name.startswith("breakout_"))


@pytest.mark.parametrize(("how", "status"), [("ban", "banned"), ("remove", "removed"), ("send_to_lobby", "lobby")])
async def test_taking_a_seat_out_of_the_main_room_takes_it_out_of_the_group(caucus: Breakout, how, status):
    room = caucus.room
    group = caucus.group_of("ani")
    ani = await caucus.member("ani")
    await caucus.say(ani, "Before anything happened.")
    await room.act(room.facilitator, how, seat_id=caucus.seat("ani"), reason="Ground rule 2.")

    seat = await caucus.child(group["session_id"], caucus.seat("ani"))
    assert seat is not None and seat.status.value == status
    changed = [e for e in await caucus.events(group["session_id"]) if e["type"] == "seat_changed"][-1]
    assert changed["action"] == how and changed["seat"]["seat_id"] == ani.seat_id
    assert changed["seat"]["status"] == status
    with pytest.raises(AppError) as refused:
        await caucus.say(ani, "Can I still speak here?")
    assert refused.value.code == "not_admitted"
    with pytest.raises(AppError) as command:
        await caucus.act(ani, "report_edit", text="Our report.", version=0)
    assert command.value.code == "not_admitted"
    assert await caucus.texts(group["session_id"]) == ["Before anything happened."]
    # Lusine, in the same group, goes on.
    await caucus.say(await caucus.member("lusine"), "We carry on.")


async def test_a_mute_in_the_main_room_holds_in_the_group_until_it_is_lifted(caucus: Breakout):
    room = caucus.room
    group = caucus.group_of("rauf")
    rauf = await caucus.member("rauf")
    await room.act(room.facilitator, "mute", seat_id=caucus.seat("rauf"), reason="A moment, please.")
    seat = await caucus.child(group["session_id"], caucus.seat("rauf"))
    assert seat.muted
    muted = [e for e in await caucus.events(group["session_id"]) if e["type"] == "seat_changed"][-1]
    assert muted["action"] == "muted" and muted["seat"]["seat_id"] == rauf.seat_id
    assert (await caucus.welcome(rauf))["you"]["muted"]
    with pytest.raises(AppError) as refused:
        await caucus.say(rauf, "In my caucus I may speak?")
    assert refused.value.code == "muted" and refused.value.message
    with pytest.raises(AppError) as hand:
        await caucus.act(rauf, "hand_raise")
    assert hand.value.code == "muted"

    await room.act(room.facilitator, "unmute", seat_id=caucus.seat("rauf"))
    assert not (await caucus.child(group["session_id"], caucus.seat("rauf"))).muted
    unmuted = [e for e in await caucus.events(group["session_id"]) if e["type"] == "seat_changed"][-1]
    assert unmuted["action"] == "unmuted"
    await caucus.say(rauf, "Thank you; now I can.")
    assert await caucus.texts(group["session_id"]) == ["Thank you; now I can."]


async def test_a_mute_that_runs_out_in_the_main_room_is_lifted_in_the_group(caucus: Breakout):
    room = caucus.room
    rauf = await caucus.member("rauf")
    await room.act(room.facilitator, "mute", seat_id=caucus.seat("rauf"), minutes=1)
    with pytest.raises(AppError):
        await caucus.say(rauf, "Too soon.")
    caucus.clock.advance(seconds=61)
    await caucus.tick()
    await caucus.say(rauf, "The minute is over.")


async def test_someone_muted_before_the_groups_open_is_muted_in_their_group(make_breakout):
    caucus: Breakout = await make_breakout(open=False)
    room = caucus.room
    await room.act(room.facilitator, "mute", seat_id=caucus.seat("lusine"))
    await caucus.open()
    with pytest.raises(AppError) as refused:
        await caucus.say(await caucus.member("lusine"), "Hello, caucus.")
    assert refused.value.code == "muted"


async def test_a_person_moved_to_another_group_stays_muted_there(caucus: Breakout):
    room = caucus.room
    await room.act(room.facilitator, "mute", seat_id=caucus.seat("nigar"))
    two = caucus.view["groups"][1]
    moved = await room.act(
        room.facilitator, "breakout_move", breakout_id=caucus.id, seat_id=caucus.seat("nigar"), group_id=two["id"]
    )
    with pytest.raises(AppError) as refused:
        await caucus.say(await caucus.member("nigar", caucus.group_of("nigar", moved)), "A fresh start?")
    assert refused.value.code == "muted"


@pytest.mark.parametrize("name", sorted(MAIN_ROOM_ONLY | set(BREAKOUT_CONTROLS)))
async def test_what_holds_in_every_group_is_done_in_the_main_room(caucus: Breakout, name):
    group = caucus.view["groups"][0]
    visitor = await caucus.visit(group)
    said = await caucus.say(await caucus.member("nigar"), "Something to act on.")
    fields = _fields(name, (await caucus.member("rauf")).seat_id, said.statement_id)
    if "item_id" in fields:
        fields["item_id"] = caucus.item_id
    if "breakout_id" in fields:
        fields["breakout_id"] = caucus.id
    with pytest.raises(AppError) as refused:
        await caucus.act(visitor, name, **fields)
    assert refused.value.code == "main_room_only" and refused.value.message
    assert await caucus.status(group["session_id"]) == "live"
    assert (await caucus.current())["status"] == "open"


async def test_a_participant_in_a_group_is_refused_the_facilitators_commands_as_anywhere(caucus: Breakout):
    nigar = await caucus.member("nigar")
    for name in ("ban", "breakout_end", "mute"):
        with pytest.raises(AppError) as refused:
            await caucus.act(nigar, name, **_fields(name, (await caucus.member("rauf")).seat_id, 1))
        assert refused.value.code == "facilitators_only", name


async def test_a_break_request_in_a_group_alerts_the_facilitators_in_the_main_room(caucus: Breakout):
    room = caucus.room
    group = caucus.group_of("ani")
    await caucus.act(await caucus.member("ani"), "break_request")
    alert = [e for e in await caucus.events(room.session_id) if e["type"] == "group_alert"][-1]
    assert (alert["group_id"], alert["kind"], alert["audience"]) == (group["id"], "break_requested", "facilitators")
    assert "seat_id" not in alert, "which group, not who: the details stay in the group's room"
    asked = [e for e in await caucus.events(group["session_id"]) if e["type"] == "break_requested"]
    assert [(e["seat_id"], e["audience"]) for e in asked] == [((await caucus.member("ani")).seat_id, "facilitators")]
    assert not [e for e in await caucus.events(caucus.view["groups"][0]["session_id"]) if e["type"] == "group_alert"]

    done = await room.act(room.facilitator, "alert_done", alert_seq=alert["seq"])
    assert done == {"alert_seq": alert["seq"], "done": True}
    marked = await room.last("alert_done")
    assert marked["alert_seq"] == alert["seq"] and marked["audience"] == "facilitators"


async def test_a_statement_reported_in_a_group_alerts_the_main_room_without_its_words(caucus: Breakout):
    room = caucus.room
    group = caucus.group_of("nigar")
    said = await caucus.say(await caucus.member("nigar"), "Words that hurt someone.")
    await caucus.act(await caucus.member("rauf"), "report", statement_id=said.statement_id, reason="That hurt.")
    alert = [e for e in await caucus.events(room.session_id) if e["type"] == "group_alert"][-1]
    assert (alert["group_id"], alert["kind"], alert["audience"]) == (group["id"], "report_made", "facilitators")
    main_log = str(await caucus.events(room.session_id))
    assert "That hurt." not in main_log and "Words that hurt someone." not in main_log
    made = [e for e in await caucus.events(group["session_id"]) if e["type"] == "report_made"]
    assert made and made[-1]["reason"] == "That hurt." and made[-1]["audience"] == "facilitators"
    await room.act(room.co_facilitator, "alert_done", alert_seq=alert["seq"])
    assert (await room.last("alert_done"))["alert_seq"] == alert["seq"]


async def test_a_broadcast_reaches_every_group_and_the_log_keeps_no_words(caucus: Breakout):
    room = caucus.room
    sent = await room.act(room.facilitator, "breakout_broadcast", breakout_id=caucus.id, text="Five minutes left.")
    assert sent == {"sent": 2}
    for group in caucus.view["groups"]:
        frames = [e for e in await caucus.events(group["session_id"]) if e["type"] == "broadcast"]
        assert [(f["text"], f["audience"]) for f in frames] == [("Five minutes left.", "all")], group["number"]
        async with caucus.app.state.db.unit_of_work() as db:
            stored = (
                await db.exec(
                    select(RoomEvent).where(RoomEvent.session_id == group["session_id"], RoomEvent.type == "broadcast")
                )
            ).one()
        assert "text" not in stored.payload and "Five minutes left." not in str(stored.payload)
        assert stored.payload["message_id"] == frames[0]["message_id"]
    assert not [e for e in await caucus.events(room.session_id) if e["type"] == "broadcast"], "the groups only"
    assert (await caucus.audit("breakout_broadcast"))[0].details == {"breakout_id": caucus.id}
    with pytest.raises(AppError) as participant:
        await room.act(room.people["ani"], "breakout_broadcast", breakout_id=caucus.id, text="Me too.")
    assert participant.value.code == "facilitators_only"
