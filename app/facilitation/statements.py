"""Posting a statement: stored, given its sequence number, acknowledged only after commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import Seat, SeatRole
from app.errors import Conflict, PermissionDenied, SlowDown, ValidationFailed
from app.events.log import append_event
from app.events.models import Statement
from app.events.schemas import StatementPosted
from app.facilitation import floor, rounds
from app.facilitation.agenda_runner import current_item, in_break
from app.facilitation.room import Actor, Room, enter, require_voice
from app.facilitation.views import pending_rule, statement_view
from app.messages import Msg
from app.programmes.models import Community
from app.security.text import HiddenText, check_room_text

# The longest statement, in characters (code points). The one source: the room command
# checks it, and the room page hands it to the browser in its data.
MAX_STATEMENT_CHARS = 2000


def statement_text(text: str, *, what: str = Msg("statement")) -> str:
    """The text as stored (stripped), or ValidationFailed with a stable code: empty_statement,
    hidden_direction_controls (U+202A–U+202E, U+2066–U+2069, which can show words in another
    order than they were written), control_characters, invisible_text (nothing but spaces,
    format characters, variation selectors, combining marks). Emoji sequences with joiners,
    flags, and the punctuation of every script pass. Also for back-channel and check-in words."""
    try:
        text = check_room_text(text, what=what)
    except HiddenText as exc:
        raise ValidationFailed(exc.message, code=exc.code) from exc
    if not text:
        raise ValidationFailed(Msg("A {what} cannot be empty.", what=what), code="empty_statement")
    return text


@dataclass(frozen=True)
class Posted:
    statement_id: int
    seq: int
    duplicate: bool


def refuse_if_muted(seat: Seat, now: datetime) -> None:
    """A muted seat is not heard: no statements, and no translations either."""
    if seat.is_muted(now):
        until = Msg(" until {time} UTC", time=f"{seat.muted_until:%H:%M}") if seat.muted_until else ""
        raise Conflict(
            Msg("A facilitator has muted you{until}; you can still read and react.", until=until), code="muted"
        )


def refuse_interpreter(seat: Seat) -> None:
    """Interpreters carry others' words; they do not speak in the dialogue themselves."""
    if seat.role is SeatRole.interpreter:
        raise PermissionDenied(
            Msg("Interpreters do not post statements of their own; translate a statement instead."),
            code="interpreters_translate",
        )


async def check_may_speak(db: AsyncSession, room: Room, *, now: datetime) -> bool:
    """The room's rules for who may speak now; facilitators may always speak.
    True when the speaker holds a round's turn (so the turn must note that they spoke)."""
    seat = room.seat
    require_voice(seat)
    refuse_interpreter(seat)
    refuse_if_muted(seat, now)
    if room.is_facilitator:
        return False
    if in_break(await current_item(db, room.run)):
        raise Conflict(Msg("The group is on a break; statements resume after it."), code="on_break")
    in_round = await rounds.may_speak(db, room)
    if not in_round:
        await floor.may_speak(db, room)
    if room.run.slow_mode_seconds:
        last = (await db.exec(select(func.max(Statement.created_at)).where(Statement.seat_id == seat.id))).one()
        if last is not None:
            wait = room.run.slow_mode_seconds - (now - last).total_seconds()
            if wait > 0:
                raise SlowDown(
                    Msg(
                        "Slow mode is on: one statement every {slow_mode_seconds} seconds.",
                        slow_mode_seconds=room.run.slow_mode_seconds,
                    ),
                    code="slow_mode",
                    retry_after=round(wait, 1),
                )
    return in_round


async def post_statement(
    db: AsyncSession,
    *,
    session_id: int,
    seat_id: int,
    client_id: str,
    text: str,
    reply_to: int | None,
    now: datetime,
    login_id: int | None = None,
) -> Posted:
    """Store a statement once per client id; a resend returns the first answer. `login_id`:
    the staff login a facilitator speaks with (it must still hold)."""
    existing = (
        await db.exec(select(Statement).where(Statement.seat_id == seat_id, Statement.client_id == client_id))
    ).first()
    if existing is not None:
        return Posted(statement_id=existing.id, seq=existing.seq, duplicate=True)
    room = await enter(db, actor=Actor(session_id=session_id, seat_id=seat_id, login_id=login_id))
    refuse_interpreter(room.seat)  # whatever the room's state: it is never their part
    room.require_live(Msg("post statements"))
    in_round = await check_may_speak(db, room, now=now)
    text = statement_text(text)
    seat = room.seat
    if reply_to is not None:
        target = await db.get(Statement, reply_to)
        if target is None or target.session_id != seat.session_id:
            raise ValidationFailed(Msg("The statement you reply to is not in this room."), code="unknown_reply_to")
    community = await db.get(Community, seat.community_id) if seat.community_id else None
    statement = Statement(
        session_id=seat.session_id,
        seat_id=seat_id,
        client_id=client_id,
        text=text,
        reply_to_id=reply_to,
        seq=0,
        created_at=now,
        agenda_item_id=room.run.agenda_item_id,
    )
    try:
        async with db.begin_nested():
            db.add(statement)
            await db.flush()
    except IntegrityError:  # the same resend, a moment earlier, on another connection
        first = (
            await db.exec(select(Statement).where(Statement.seat_id == seat_id, Statement.client_id == client_id))
        ).one()
        return Posted(statement_id=first.id, seq=first.seq, duplicate=True)
    rule = await pending_rule(db, seat.session_id)
    event = await append_event(
        db,
        session_id=seat.session_id,
        now=now,
        event=StatementPosted(
            statement_id=statement.id, statement=statement_view(statement, seat, community, rule=rule)
        ),
    )
    statement.seq = event.seq
    db.add(statement)
    await db.flush()
    if in_round:
        await rounds.note_statement(db, room, now=now)
    return Posted(statement_id=statement.id, seq=event.seq, duplicate=False)
