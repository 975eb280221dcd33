"""Command dispatch: one protocol command → one facilitation service call.

`run_command` is the whole path a command takes inside a transaction: the room is
locked and the actor's seat re-read (so a seat removed a moment ago is refused), the
facilitator check is made for facilitator commands, then the service applies its rules.
The endpoint commits and answers `ok` only afterwards; the tests call this directly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import SessionStatus
from app.facilitation import (
    agenda_runner,
    backchannel,
    balance,
    floor,
    moderation,
    participation,
    polls,
    rounds,
)
from app.facilitation.room import Actor, Room, enter
from app.live import commands as c

Handler = Callable[[AsyncSession, Room, Any, datetime], Awaitable[Any]]
HANDLERS: dict[str, tuple[bool, Handler]] = {}  # command type → (facilitators only, handler)


def handles(*types: str, facilitators: bool) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in types:
            HANDLERS[name] = (facilitators, handler)
        return handler
    return register


async def run_command(db: AsyncSession, *, actor: Actor, command: c.Command, now: datetime) -> Any:
    facilitators_only, handler = HANDLERS[command.type]  # type: ignore[attr-defined]
    room = await enter(db, actor=actor, facilitator=facilitators_only)
    return await handler(db, room, command, now)


# The session and its agenda -------------------------------------------------------------

@handles("session_start", "session_pause", "session_resume", "session_end", facilitators=True)
async def _session(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    to = {"session_start": SessionStatus.live, "session_resume": SessionStatus.live,
          "session_pause": SessionStatus.paused, "session_end": SessionStatus.ended}[cmd.type]
    if cmd.type == "session_start" and room.session.status is SessionStatus.paused:
        to = SessionStatus.live  # "start" on a paused session resumes it
    return await moderation.set_status(db, room, to=to, reason=getattr(cmd, "reason", None), now=now)


@handles("agenda_next", "agenda_back", "agenda_go", facilitators=True)
async def _agenda_move(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    target = {"agenda_next": "next", "agenda_back": "back"}.get(cmd.type) or cmd.item_id
    return await agenda_runner.go(db, room, expected=cmd.current_item_id, target=target, now=now)


@handles("agenda_pause", "agenda_resume", "agenda_extend", facilitators=True)
async def _agenda_timer(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    if cmd.type == "agenda_extend":
        return await agenda_runner.extend(db, room, item_id=cmd.item_id, minutes=cmd.minutes, now=now)
    action = agenda_runner.pause if cmd.type == "agenda_pause" else agenda_runner.resume
    return await action(db, room, item_id=cmd.item_id, now=now)


# The floor ----------------------------------------------------------------------------------

@handles("hand_raise", facilitators=False)
async def _hand_raise(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await floor.raise_hand(db, room, now=now)


@handles("hand_lower", facilitators=False)
async def _hand_lower(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await floor.lower_hand(db, room, seat_id=cmd.seat_id, now=now)


@handles("floor_give", facilitators=True)
async def _floor_give(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await floor.give(db, room, seat_id=cmd.seat_id, seconds=cmd.seconds, now=now)


@handles("floor_take", facilitators=True)
async def _floor_take(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await floor.take(db, room, now=now)


@handles("queue_move", facilitators=True)
async def _queue_move(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await floor.move(db, room, seat_id=cmd.seat_id, position=cmd.position, now=now)


# Rounds -------------------------------------------------------------------------------------

@handles("round_start", facilitators=True)
async def _round_start(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await rounds.start(db, room, order=cmd.order, turn_seconds=cmd.turn_seconds, now=now)


@handles("round_reorder", facilitators=True)
async def _round_reorder(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await rounds.reorder(db, room, round_id=cmd.round_id, order=cmd.order, now=now)


@handles("round_skip", facilitators=True)
async def _round_skip(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await rounds.skip(db, room, round_id=cmd.round_id, seat_id=cmd.seat_id, now=now)


@handles("round_next", facilitators=True)
async def _round_next(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await rounds.next_turn(db, room, round_id=cmd.round_id, now=now)


@handles("round_end", facilitators=True)
async def _round_end(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await rounds.end(db, room, round_id=cmd.round_id, now=now)


@handles("round_done", facilitators=False)
async def _round_done(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await rounds.done(db, room, round_id=cmd.round_id, now=now)


@handles("round_pass", facilitators=False)
async def _round_pass(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await rounds.pass_turn(db, room, round_id=cmd.round_id, for_now=cmd.for_now, now=now)


# Polls and balance --------------------------------------------------------------------------

@handles("poll_open", facilitators=True)
async def _poll_open(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await polls.open_poll(db, room, question=cmd.question, options=cmd.options, multiple=cmd.multiple,
                                 anonymous=cmd.anonymous, now=now)


@handles("poll_answer", facilitators=False)
async def _poll_answer(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await polls.answer(db, room, poll_id=cmd.poll_id, choices=cmd.choices, now=now)


@handles("poll_close", facilitators=True)
async def _poll_close(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await polls.close(db, room, poll_id=cmd.poll_id, now=now)


@handles("balance", facilitators=True)
async def _balance(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await balance.balance(db, session_id=room.session_id, agenda_item_id=room.run.agenda_item_id)


# Moderation ---------------------------------------------------------------------------------

@handles("mute", facilitators=True)
async def _mute(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await moderation.mute(db, room, seat_id=cmd.seat_id, minutes=cmd.minutes, reason=cmd.reason, now=now)


@handles("unmute", facilitators=True)
async def _unmute(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await moderation.unmute(db, room, seat_id=cmd.seat_id, now=now)


@handles("send_to_lobby", "remove", "ban", facilitators=True)
async def _seat_action(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await moderation.take_seat_out(db, room, action=cmd.type, seat_id=cmd.seat_id, reason=cmd.reason, now=now)


@handles("hide", facilitators=True)
async def _hide(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await moderation.hide(db, room, statement_id=cmd.statement_id, reason=cmd.reason, now=now)


@handles("slow_mode", facilitators=True)
async def _slow_mode(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await moderation.slow_mode(db, room, seconds=cmd.seconds, now=now)


@handles("lock", facilitators=True)
async def _lock(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await moderation.lock(db, room, locked=cmd.locked, now=now)


# A participant's controls and private words -------------------------------------------------

@handles("react", facilitators=False)
async def _react(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await participation.react(db, room, statement_id=cmd.statement_id, reaction=cmd.reaction, on=cmd.on,
                                     now=now)


@handles("break_request", facilitators=False)
async def _break(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await participation.ask_for_break(db, room, now=now)


@handles("report", facilitators=False)
async def _report(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await participation.report(db, room, statement_id=cmd.statement_id, reason=cmd.reason, now=now)


@handles("withdraw", facilitators=False)
async def _withdraw(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await participation.withdraw(db, room, statement_id=cmd.statement_id, now=now)


@handles("backchannel", facilitators=True)
async def _backchannel(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await backchannel.backchannel(db, room, text=cmd.text, now=now)


@handles("check_in", facilitators=False)
async def _check_in(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await backchannel.check_in(db, room, seat_id=cmd.seat_id, text=cmd.text, now=now)


# Commands that put something before the room count against the seat's rate limit.
RATE_LIMITED = frozenset({"react", "break_request", "report", "check_in", "hand_raise", "poll_answer"})
