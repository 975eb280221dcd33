"""Moderation: mutes, hiding, taking seats out of the room, slow mode, the lock; each told
to the person acted on, each in the audit log."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.accounts.models import User
from app.dialogues.models import DialogueSession, Invitation, Seat
from app.errors import AppError, SlowDown
from app.facilitation import audit, lobby, timers
from app.facilitation.room import Actor
from app.programmes.models import ProgrammeMember
from tests.factories import seat_for


async def _seat(room, actor) -> Seat:
    async with room.app.state.db.unit_of_work() as db:
        return await db.get(Seat, actor.seat_id)


async def test_a_muted_participant_is_refused_with_a_clear_error_until_unmuted(room):
    ani = room.people["ani"]
    result = await room.act(room.facilitator, "mute", seat_id=ani.seat_id, reason="Please take a moment.")
    assert result["muted"] and result["muted_until"] is None
    with pytest.raises(AppError) as muted:
        await room.say(ani, "But…")
    assert muted.value.code == "muted" and "muted" in muted.value.message
    told = await room.last("moderation")
    assert told["audience"] == f"seat:{ani.seat_id}" and told["action"] == "muted"
    assert told["reason"] == "Please take a moment."
    public = await room.last("seat_changed")
    assert public["audience"] == "all" and public["seat"]["muted"] and "reason" not in public["seat"]
    assert (await room.welcome(ani))["you"]["muted"] and ani.seat_id in (await room.welcome(ani))["state"]["muted"]
    await room.act(room.facilitator, "unmute", seat_id=ani.seat_id)
    await room.say(ani, "Thank you.")
    with pytest.raises(AppError) as not_muted:
        await room.act(room.facilitator, "unmute", seat_id=ani.seat_id)
    assert not_muted.value.code == "not_muted"


async def test_a_mute_for_a_time_runs_out_by_itself(room):
    rauf = room.people["rauf"]
    result = await room.act(room.facilitator, "mute", seat_id=rauf.seat_id, minutes=5)
    assert result["muted_until"] is not None
    room.clock.advance(minutes=5, seconds=1)
    await room.say(rauf, "I am back.")  # the mute is over even before the tick announces it
    async with room.app.state.db.unit_of_work() as db:
        await timers.tick(db, session_id=room.session_id, now=room.clock.now())
    lifted = await room.last("seat_changed")
    assert lifted["action"] == "unmuted" and not lifted["seat"]["muted"]


async def test_hiding_a_statement_removes_its_words_from_every_later_view(room):
    nigar = room.people["nigar"]
    said = await room.say(nigar, "Words that hurt.")
    await room.act(room.facilitator, "hide", statement_id=said.statement_id, reason="It broke ground rule 3.")
    frames = await room.events()
    original = next(f for f in frames if f["type"] == "statement" and f["statement_id"] == said.statement_id)
    assert original["statement"]["state"] == "hidden" and original["statement"]["text"] is None
    assert "Words that hurt." not in str(frames)
    told = await room.last("moderation")
    assert told["audience"] == f"seat:{nigar.seat_id}" and told["statement_id"] == said.statement_id
    assert told["reason"] == "It broke ground rule 3."
    with pytest.raises(AppError) as twice:
        await room.act(room.co_facilitator, "hide", statement_id=said.statement_id, reason="again")
    assert twice.value.code == "already_hidden"


@pytest.mark.parametrize(("action", "status"), [("send_to_lobby", "lobby"), ("remove", "removed"), ("ban", "banned")])
async def test_taking_a_seat_out_of_the_room(room, action, status):
    ani = room.people["ani"]
    await room.act(room.facilitator, action, seat_id=ani.seat_id, reason="We need to talk first.")
    frames = await room.events()
    told = [f for f in frames if f["type"] == "moderation"][-1]
    changed = [f for f in frames if f["type"] == "seat_changed"][-1]
    assert told["seq"] < changed["seq"], "told why before the room closes their connection"
    assert told["reason"] == "We need to talk first." and changed["seat"]["status"] == status
    with pytest.raises(AppError) as gone:
        await room.say(ani, "Still here?")
    assert gone.value.code == "not_admitted"
    seat = await _seat(room, ani)
    async with room.app.state.db.unit_of_work() as db:
        invitation = await db.get(Invitation, seat.invitation_id)
        row = await db.get(Seat, ani.seat_id)
        if action == "ban":
            assert invitation.revoked_at is not None
            with pytest.raises(AppError) as banned:
                await lobby.admit(db, seat=row, now=room.clock.now())
            assert banned.value.code == "seat_banned"
        else:
            assert invitation.revoked_at is None
            await lobby.admit(db, seat=row, now=room.clock.now())  # readmitted
    if action != "ban":
        await room.say(ani, "Back in the room.")


async def test_facilitators_and_oneself_cannot_be_moderated_and_participants_cannot_moderate(room):
    ani, nigar = room.people["ani"], room.people["nigar"]
    with pytest.raises(AppError) as facilitator:
        await room.act(room.co_facilitator, "remove", seat_id=room.facilitator.seat_id, reason="x")
    assert facilitator.value.code == "facilitator_target"
    with pytest.raises(AppError) as self_target:
        await room.act(room.facilitator, "mute", seat_id=room.facilitator.seat_id)
    assert self_target.value.code == "self_target"
    said = await room.say(nigar, "Hello")
    for command, fields in (
        ("mute", {"seat_id": nigar.seat_id}),
        ("unmute", {"seat_id": nigar.seat_id}),
        ("hide", {"statement_id": said.statement_id, "reason": "x"}),
        ("send_to_lobby", {"seat_id": nigar.seat_id, "reason": "x"}),
        ("remove", {"seat_id": nigar.seat_id, "reason": "x"}),
        ("ban", {"seat_id": nigar.seat_id, "reason": "x"}),
        ("slow_mode", {"seconds": 30}),
        ("lock", {"locked": True}),
        ("backchannel", {"text": "psst"}),
    ):
        with pytest.raises(AppError) as refused:
            await room.act(ani, command, **fields)
        assert refused.value.code == "facilitators_only", command
    with pytest.raises(AppError) as unknown:
        await room.act(room.facilitator, "mute", seat_id=99999)
    assert unknown.value.code == "unknown_seat"


async def test_a_facilitator_of_another_programme_has_no_place_in_the_room(room, make_room):
    other = await make_room()
    stranger = Actor(session_id=room.session_id, seat_id=other.facilitator.seat_id)  # their seat is elsewhere
    with pytest.raises(AppError) as refused:
        await room.act(stranger, "mute", seat_id=room.people["ani"].seat_id)
    assert refused.value.code == "not_admitted"


async def test_slow_mode_spaces_one_seats_statements(room):
    nigar = room.people["nigar"]
    await room.act(room.facilitator, "slow_mode", seconds=30)
    await room.say(nigar, "First.")
    room.clock.advance(seconds=10)
    with pytest.raises(SlowDown) as slow:
        await room.say(nigar, "Second, too soon.")
    assert slow.value.code == "slow_mode" and slow.value.retry_after == 20
    await room.say(room.people["ani"], "Another person is not held back.")
    await room.say(room.facilitator, "Nor are the facilitators.")
    room.clock.advance(seconds=20)
    await room.say(nigar, "Second, in time.")
    settings = await room.last("room_settings")
    assert settings["slow_mode_seconds"] == 30


async def test_the_lock_stops_new_admissions(room):
    await room.act(room.facilitator, "lock", locked=True)
    async with room.app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, room.session_id)
        member = (
            await db.exec(
                select(ProgrammeMember).where(
                    ProgrammeMember.programme_id == session.programme_id, ProgrammeMember.role == "facilitator"
                )
            )
        ).first()
        user = await db.get(User, member.user_id)
    with pytest.raises(AppError) as locked:
        await seat_for(room.app, facilitator=user, session=session, community="a", name="Latecomer")
    assert locked.value.code == "session_locked"
    assert (await room.welcome(room.people["ani"]))["state"]["locked"]
    await room.act(room.facilitator, "lock", locked=False)
    await seat_for(room.app, facilitator=user, session=session, community="a", name="Latecomer")


async def test_every_facilitator_action_is_in_the_audit_log(room):
    ani = room.people["ani"]
    said = await room.say(ani, "Hello")
    await room.act(room.facilitator, "mute", seat_id=ani.seat_id, minutes=2, reason="Cool down")
    await room.act(room.co_facilitator, "hide", statement_id=said.statement_id, reason="Rule 3")
    await room.act(room.facilitator, "slow_mode", seconds=10)
    await room.act(room.facilitator, "remove", seat_id=ani.seat_id, reason="Left the ground rules")
    async with room.app.state.db.unit_of_work() as db:
        log = await audit.entries(db, session_id=room.session_id)
    rows = [(e["action"], e["actor_seat_id"], e["target_seat_id"], e["reason"]) for e in log]
    assert rows == [
        ("mute", room.facilitator.seat_id, ani.seat_id, "Cool down"),
        ("hide", room.co_facilitator.seat_id, ani.seat_id, "Rule 3"),
        ("slow_mode", room.facilitator.seat_id, None, None),
        ("remove", room.facilitator.seat_id, ani.seat_id, "Left the ground rules"),
    ]
    assert log[0]["details"] == {"minutes": 2} and log[1]["target_statement_id"] == said.statement_id
    assert all(e["at"] == room.clock.now() for e in log)
