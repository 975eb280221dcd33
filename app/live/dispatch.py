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
    alerts,
    backchannel,
    balance,
    breakout_reports,
    breakouts,
    floor,
    hidden,
    moderation,
    participation,
    polls,
    rounds,
    translations,
)
from app.facilitation.room import Actor, Room, enter
from app.facilitation.statement_batch import Asked
from app.facilitation.statements import Posted, post_statement
from app.live import commands as c

Handler = Callable[[AsyncSession, Room, Any, datetime], Awaitable[Any]]


def call(service: Callable[..., Awaitable[Any]], *fields: str) -> Handler:
    """A handler that passes the command's `fields` to `service` by name."""

    async def handler(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
        return await service(db, room, **{name: getattr(cmd, name) for name in fields}, now=now)

    return handler


async def _session(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    to = (
        SessionStatus.paused
        if cmd.type == "session_pause"
        else (SessionStatus.ended if cmd.type == "session_end" else SessionStatus.live)
    )  # start and resume
    return await moderation.set_status(db, room, to=to, reason=getattr(cmd, "reason", None), now=now)


async def _agenda_move(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    target = {"agenda_next": "next", "agenda_back": "back"}.get(cmd.type) or cmd.item_id
    return await agenda_runner.go(db, room, expected=cmd.current_item_id, target=target, now=now)


async def _agenda_clock(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    action = agenda_runner.pause if cmd.type == "agenda_pause" else agenda_runner.resume
    return await action(db, room, item_id=cmd.item_id, now=now)


async def _balance(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await balance.balance(db, session_id=room.session_id, agenda_item_id=room.run.agenda_item_id)


async def _seat_action(db: AsyncSession, room: Room, cmd: Any, now: datetime) -> Any:
    return await moderation.take_seat_out(db, room, action=cmd.type, seat_id=cmd.seat_id, reason=cmd.reason, now=now)


FACILITATORS, EVERYONE = True, False

# command type → (facilitators only, handler). docs/protocol.md has the same table for people.
HANDLERS: dict[str, tuple[bool, Handler]] = {
    **dict.fromkeys(("session_start", "session_pause", "session_resume", "session_end"), (FACILITATORS, _session)),
    **dict.fromkeys(("agenda_next", "agenda_back", "agenda_go"), (FACILITATORS, _agenda_move)),
    **dict.fromkeys(("agenda_pause", "agenda_resume"), (FACILITATORS, _agenda_clock)),
    "agenda_extend": (FACILITATORS, call(agenda_runner.extend, "item_id", "minutes")),
    "hand_raise": (EVERYONE, call(floor.raise_hand)),
    "hand_lower": (EVERYONE, call(floor.lower_hand, "seat_id")),
    "floor_give": (FACILITATORS, call(floor.give, "seat_id", "seconds")),
    "floor_take": (FACILITATORS, call(floor.take)),
    "floor_done": (EVERYONE, call(floor.done)),
    "queue_move": (FACILITATORS, call(floor.move, "seat_id", "position")),
    "round_start": (FACILITATORS, call(rounds.start, "order", "turn_seconds")),
    "round_reorder": (FACILITATORS, call(rounds.reorder, "round_id", "order")),
    "round_skip": (FACILITATORS, call(rounds.skip, "round_id", "seat_id")),
    "round_next": (FACILITATORS, call(rounds.next_turn, "round_id")),
    "round_end": (FACILITATORS, call(rounds.end, "round_id")),
    "round_done": (EVERYONE, call(rounds.done, "round_id")),
    "round_pass": (EVERYONE, call(rounds.pass_turn, "round_id", "for_now")),
    "poll_open": (FACILITATORS, call(polls.open_poll, "question", "options", "multiple", "anonymous")),
    "poll_answer": (EVERYONE, call(polls.answer, "poll_id", "choices")),
    "poll_close": (FACILITATORS, call(polls.close, "poll_id")),
    "balance": (FACILITATORS, _balance),
    "mute": (FACILITATORS, call(moderation.mute, "seat_id", "minutes", "reason")),
    "unmute": (FACILITATORS, call(moderation.unmute, "seat_id")),
    **dict.fromkeys(("send_to_lobby", "remove", "ban"), (FACILITATORS, _seat_action)),
    "hide": (FACILITATORS, call(moderation.hide, "statement_id", "reason")),
    "hidden_read": (FACILITATORS, call(hidden.read_hidden, "statement_id")),
    "unhide": (FACILITATORS, call(hidden.unhide, "statement_id")),
    "slow_mode": (FACILITATORS, call(moderation.slow_mode, "seconds")),
    "speaking_mode": (FACILITATORS, call(moderation.set_speaking_mode, "mode")),
    "lock": (FACILITATORS, call(moderation.lock, "locked")),
    "react": (EVERYONE, call(participation.react, "statement_id", "reaction", "on")),
    "break_request": (EVERYONE, call(participation.ask_for_break)),
    "report": (EVERYONE, call(participation.report, "statement_id", "reason")),
    "alert_done": (FACILITATORS, call(alerts.mark_done, "alert_seq")),
    "withdraw": (EVERYONE, call(participation.withdraw, "statement_id")),
    "translate": (EVERYONE, call(translations.translate, "statement_id", "language", "text", "client_id")),
    "backchannel": (FACILITATORS, call(backchannel.backchannel, "text")),
    "check_in": (EVERYONE, call(backchannel.check_in, "seat_id", "text")),
    "breakout_propose": (FACILITATORS, call(breakouts.propose_groups, "item_id")),
    "breakout_open": (FACILITATORS, call(breakouts.open_breakout, "item_id", "groups", "minutes")),
    "breakout_move": (FACILITATORS, call(breakouts.move, "breakout_id", "seat_id", "group_id")),
    "breakout_extend": (FACILITATORS, call(breakouts.extend, "breakout_id", "minutes")),
    "breakout_broadcast": (FACILITATORS, call(breakouts.broadcast, "breakout_id", "text")),
    "breakout_end": (FACILITATORS, call(breakouts.end, "breakout_id")),
    "breakout_glance": (FACILITATORS, call(breakouts.glance, "breakout_id")),
    "report_edit": (EVERYONE, call(breakout_reports.edit, "text", "version")),
    "report_ready": (EVERYONE, call(breakout_reports.ready, "version", "ready")),
}


async def _statement(db: AsyncSession, actor: Actor, cmd: Any, now: datetime) -> Posted:
    return await post_statement(
        db,
        session_id=actor.session_id,
        seat_id=actor.seat_id,
        client_id=cmd.client_id,
        text=cmd.text,
        reply_to=cmd.reply_to,
        now=now,
        login_id=actor.login_id,
    )


# Commands that enter the room themselves: a statement's resend is answered with its first
# acknowledgement before anything else is checked (even when the seat has left since).
ENTERING: dict[str, Callable[[AsyncSession, Actor, Any, datetime], Awaitable[Any]]] = {"statement": _statement}

# Commands that put something before the room count against the seat's rate limit.
RATE_LIMITED = frozenset(
    {"statement", "react", "break_request", "report", "check_in", "hand_raise", "poll_answer", "translate"}
)


async def run_command(db: AsyncSession, *, actor: Actor, command: c.ClientCommand, now: datetime) -> Any:
    entering = ENTERING.get(command.type)
    if entering is not None:
        return await entering(db, actor, command, now)
    facilitators_only, handler = HANDLERS[command.type]
    room = await enter(db, actor=actor, facilitator=facilitators_only)
    breakouts.check_group_room(room, command.type)
    return await handler(db, room, command, now)


def answer(command: c.ClientCommand, result: Any) -> dict[str, Any]:
    """The frame that tells the sender its command committed: `ack` for a statement (with its
    sequence number and id), `ok` with the handler's result for every other command."""
    if isinstance(result, Posted):
        return {"type": "ack", "client_id": result.client_id, "seq": result.seq, "statement_id": result.statement_id}
    return {"type": "ok", "ref": command.ref, "command": command.type, "result": result}


def asked(actor: Actor, command: c.ClientCommand, now: datetime) -> Asked | None:
    """A statement as the writer's fast path takes it (None for every other command)."""
    if not isinstance(command, c.PostStatement):
        return None
    return Asked(
        session_id=actor.session_id,
        seat_id=actor.seat_id,
        login_id=actor.login_id,
        client_id=command.client_id,
        text=command.text,
        reply_to=command.reply_to,
        now=now,
    )


def ids_of(command: c.ClientCommand) -> dict[str, str | None]:
    """What an error frame carries back so the client can match it: the ref, and a
    statement's client id."""
    client_id = getattr(command, "client_id", None) if command.type == "statement" else None
    return {"client_id": client_id, "ref": command.ref} if client_id else {"ref": command.ref}
