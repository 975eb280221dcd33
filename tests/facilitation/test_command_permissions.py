"""Every room command against every kind of actor: who may send it, and the clear refusal
everyone else gets. A command added to the dispatcher without a row here fails the test."""

from __future__ import annotations

from typing import get_args

import pytest
from sqlmodel import select

from app.dialogues.models import Seat
from app.errors import AppError
from app.facilitation.room import Actor
from app.live.commands import ClientCommand
from app.live.dispatch import HANDLERS
from app.programmes.models import ProgrammeMember

# Fields that make each command well-formed; "{seat}" and "{statement}" are filled in.
SAMPLES: dict[str, dict] = {
    "session_start": {},
    "session_pause": {"reason": "x"},
    "session_resume": {},
    "session_end": {},
    "agenda_next": {"current_item_id": None},
    "agenda_back": {"current_item_id": None},
    "agenda_go": {"current_item_id": None, "item_id": 1},
    "agenda_pause": {"item_id": 1},
    "agenda_resume": {"item_id": 1},
    "agenda_extend": {"item_id": 1, "minutes": 5},
    "hand_raise": {},
    "hand_lower": {},
    "floor_give": {"seat_id": "{seat}"},
    "floor_take": {},
    "floor_done": {},
    "queue_move": {"seat_id": "{seat}", "position": 1},
    "round_start": {},
    "round_reorder": {"round_id": 1, "order": ["{seat}"]},
    "round_skip": {"round_id": 1, "seat_id": "{seat}"},
    "round_next": {"round_id": 1},
    "round_end": {"round_id": 1},
    "round_done": {"round_id": 1},
    "round_pass": {"round_id": 1},
    "poll_open": {"question": "Q?", "options": ["A", "B"]},
    "poll_answer": {"poll_id": 1, "choices": [0]},
    "poll_close": {"poll_id": 1},
    "balance": {},
    "mute": {"seat_id": "{seat}"},
    "unmute": {"seat_id": "{seat}"},
    "send_to_lobby": {"seat_id": "{seat}", "reason": "x"},
    "remove": {"seat_id": "{seat}", "reason": "x"},
    "ban": {"seat_id": "{seat}", "reason": "x"},
    "hide": {"statement_id": "{statement}", "reason": "x"},
    "hidden_read": {"statement_id": "{statement}"},
    "unhide": {"statement_id": "{statement}"},
    "slow_mode": {"seconds": 10},
    "speaking_mode": {"mode": "queued"},
    "lock": {"locked": True},
    "react": {"statement_id": "{statement}", "reaction": "thank_you"},
    "break_request": {},
    "alert_done": {"alert_seq": 1},
    "report": {"statement_id": "{statement}"},
    "withdraw": {"statement_id": "{statement}"},
    "translate": {"statement_id": "{statement}", "language": "ru", "text": "x", "client_id": "client-0001"},
    "backchannel": {"text": "x"},
    "check_in": {"text": "x"},
    "breakout_propose": {"item_id": 1},
    "breakout_open": {"item_id": 1},
    "breakout_move": {"breakout_id": 1, "seat_id": "{seat}", "group_id": None},
    "breakout_extend": {"breakout_id": 1, "minutes": 5},
    "breakout_broadcast": {"breakout_id": 1, "text": "x"},
    "breakout_end": {"breakout_id": 1},
    "breakout_glance": {"breakout_id": 1},
    "report_edit": {"text": "x", "version": 0},  # in a group's room (tests/breakouts/)
    "report_ready": {"version": 0},
}
FACILITATORS_ONLY = sorted(name for name, (only, _) in HANDLERS.items() if only)


def test_every_command_of_the_protocol_has_a_handler_and_a_sample():
    models = get_args(get_args(ClientCommand)[0])
    types = {t for model in models for t in get_args(model.model_fields["type"].annotation)}
    assert types - {"statement", "fetch", "ping"} == set(HANDLERS), "handled by the endpoint itself"
    assert set(SAMPLES) == set(HANDLERS)


def _fields(name: str, seat: int, statement: int) -> dict:
    def fill(value):
        if isinstance(value, list):
            return [fill(v) for v in value]
        return {"{seat}": seat, "{statement}": statement}.get(value, value) if isinstance(value, str) else value

    return {key: fill(value) for key, value in SAMPLES[name].items()}


@pytest.mark.parametrize("name", FACILITATORS_ONLY)
async def test_a_participant_cannot_send_a_facilitators_command(room, name):
    said = await room.say(room.people["nigar"], "Something to act on.")
    with pytest.raises(AppError) as refused:
        await room.act(room.people["ani"], name, **_fields(name, room.people["nigar"].seat_id, said.statement_id))
    assert refused.value.code == "facilitators_only" and refused.value.message


@pytest.mark.parametrize("how", ["send_to_lobby", "remove", "ban"])
async def test_a_seat_out_of_the_room_is_refused_every_command(room, how):
    said = await room.say(room.people["ani"], "Before I go.")
    ani = room.people["ani"]
    await room.act(room.facilitator, how, seat_id=ani.seat_id, reason="Out for now.")
    for name in sorted(HANDLERS):
        with pytest.raises(AppError) as refused:
            await room.act(ani, name, **_fields(name, room.people["nigar"].seat_id, said.statement_id))
        assert refused.value.code == "not_admitted", name
    with pytest.raises(AppError) as statement:
        await room.say(ani, "Let me back in.")
    assert statement.value.code == "not_admitted" and "no longer in this room" in statement.value.message


async def test_a_seat_of_another_session_is_refused_every_command(room, make_room):
    other = await make_room()
    for actor in (other.facilitator, other.people["ani"]):  # a facilitator of another programme, a stranger
        stranger = Actor(session_id=room.session_id, seat_id=actor.seat_id)
        for name in sorted(HANDLERS):
            with pytest.raises(AppError) as refused:
                await room.act(stranger, name, **_fields(name, room.people["nigar"].seat_id, 1))
            assert refused.value.code == "not_admitted", name


async def test_a_facilitator_taken_off_the_programme_loses_the_commands_at_once(room):
    async with room.app.state.db.unit_of_work() as db:
        seat = await db.get(Seat, room.co_facilitator.seat_id)
        member = (await db.exec(select(ProgrammeMember).where(ProgrammeMember.user_id == seat.user_id))).one()
        await db.delete(member)
    with pytest.raises(AppError) as refused:
        await room.act(room.co_facilitator, "mute", seat_id=room.people["ani"].seat_id)
    assert refused.value.code == "facilitators_only" and "no longer a facilitator" in refused.value.message
    await room.act(room.facilitator, "mute", seat_id=room.people["ani"].seat_id)


async def test_a_muted_seat_is_refused_what_would_make_it_heard_and_keeps_the_rest(queued_room):
    room, ani = queued_room, queued_room.people["ani"]
    said = await room.say(room.facilitator, "Welcome.")
    await room.act(room.facilitator, "mute", seat_id=ani.seat_id, reason="A moment, please.")
    with pytest.raises(AppError) as statement:
        await room.say(ani, "Hello?")
    assert statement.value.code == "muted"
    with pytest.raises(AppError) as hand:
        await room.act(ani, "hand_raise")
    assert hand.value.code == "muted"
    await room.act(ani, "react", statement_id=said.statement_id, reaction="hear_you")
    await room.act(ani, "break_request")
    await room.act(ani, "check_in", text="I understand.")
