"""Posting a statement: stored, given its sequence number, acknowledged only after commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import Seat, SeatRole, SpeakingMode
from app.errors import AppError, Conflict, NotFound, PermissionDenied, SlowDown, ValidationFailed
from app.events.log import SESSION_COUNTERS, append_event_row
from app.events.models import Statement
from app.events.schemas import StatementPosted
from app.facilitation import room_facts, rounds
from app.facilitation.models import RoundTurn
from app.facilitation.room import check_place, is_facilitator, require_live, require_voice
from app.facilitation.room_facts import RoomFacts
from app.facilitation.views import statement_view
from app.messages import Msg
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
    client_id: str = ""


# What the hot path inserts (the rest of the row keeps its defaults: not hidden, not withdrawn).
STATEMENT_COLUMNS = ("session_id", "seat_id", "client_id", "text", "reply_to_id", "seq", "created_at", "agenda_item_id")


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


def _refuse_slow(slow_mode_seconds: int, last: datetime | None, now: datetime) -> None:
    if last is None:
        return
    wait = slow_mode_seconds - (now - last).total_seconds()
    if wait > 0:
        raise SlowDown(
            Msg(
                "Slow mode is on: one statement every {slow_mode_seconds} seconds.", slow_mode_seconds=slow_mode_seconds
            ),
            code="slow_mode",
            retry_after=round(wait, 1),
        )


async def _check_may_speak(db: AsyncSession, facts: RoomFacts, seat: Seat, *, now: datetime) -> bool:
    """The room's rules for who may speak now; facilitators may always speak.
    True when the speaker holds a round's turn (so the turn must note that they spoke)."""
    require_voice(seat)
    refuse_interpreter(seat)
    refuse_if_muted(seat, now)
    if is_facilitator(seat):
        return False
    if facts.on_break:
        raise Conflict(Msg("The group is on a break; statements resume after it."), code="on_break")
    if facts.round_id is not None:
        if facts.turn_seat_id != seat.id:  # the words of the refusal need the round's turns
            rounds.refuse_turn(await rounds.turns_of(db, facts.round_id), seat.id)
    elif facts.speaking_mode is SpeakingMode.queued and facts.floor_seat_id != seat.id:
        raise Conflict(Msg("Raise your hand and wait for the floor to speak."), code="not_your_floor")
    if facts.slow_mode_seconds:
        last = (await db.exec(select(func.max(Statement.created_at)).where(Statement.seat_id == seat.id))).one()
        _refuse_slow(facts.slow_mode_seconds, last, now)
    return facts.round_id is not None


_STATEMENTS = Statement.__table__  # type: ignore[attr-defined]
_sessions = SESSION_COUNTERS


async def _bump(db: AsyncSession, session_id: int, by: int) -> int | None:
    """Add `by` to the session's counter (locking its row until commit); the new value."""
    row = (
        await db.exec(
            update(_sessions)
            .where(_sessions.c.id == session_id)
            .values(last_seq=_sessions.c.last_seq + by)
            .returning(_sessions.c.last_seq)
        )
    ).first()
    return None if row is None else int(row[0])


async def _first_answer(db: AsyncSession, seat_id: int, client_id: str) -> Posted | None:
    row = (
        await db.exec(
            select(Statement.id, Statement.seq).where(Statement.seat_id == seat_id, Statement.client_id == client_id)
        )
    ).first()
    return None if row is None else Posted(statement_id=row[0], seq=row[1], duplicate=True, client_id=client_id)


def insert_once(dialect: str) -> Any:
    """INSERT … ON CONFLICT (seat, client id) DO NOTHING, in the database's own words (both
    paths of a statement use it)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(_STATEMENTS).on_conflict_do_nothing(index_elements=["seat_id", "client_id"])


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
    the staff login a facilitator speaks with (it must still hold).

    The hot path of the room, in plain SQL: the counter bumped first (the row lock, and the
    version of the room's cached facts, app/facilitation/room_facts.py), the checks made on
    those facts, the statement inserted with its sequence number, the event inserted. A
    refusal or a resend gives the number back, so the log never has a gap."""
    seq = await _bump(db, session_id, 1)
    if seq is None:
        raise NotFound(Msg("There is no such session."))
    try:
        facts = room_facts.cached(db, session_id, version=seq - 1)
        if facts is None or seat_id not in facts.seats:  # unknown, stale, or a seat made since
            facts = await room_facts.read_facts(db, session_id, version=seq - 1)
            assert facts is not None  # the row was just bumped, under its lock
            room_facts.keep(db, facts, session_id)
        known = facts.seats.get(seat_id)
        seat = known.seat if known is not None else None
        await check_place(db, seat, session_id=session_id, login_id=login_id)
        assert seat is not None and known is not None
        refuse_interpreter(seat)  # whatever the room's state: it is never their part
        require_live(facts.status, Msg("post statements"))
        in_round = await _check_may_speak(db, facts, seat, now=now)
        text = statement_text(text)
        if reply_to is not None:
            target = (await db.exec(select(Statement.session_id).where(Statement.id == reply_to))).first()
            if target is None or target != session_id:
                raise ValidationFailed(Msg("The statement you reply to is not in this room."), code="unknown_reply_to")
    except AppError:
        first = await _first_answer(db, seat_id, client_id)  # a resend after the seat left: its answer
        if first is None:
            raise
        await _bump(db, session_id, -1)
        return first
    statement = Statement(
        session_id=session_id,
        seat_id=seat_id,
        client_id=client_id,
        text=text,
        reply_to_id=reply_to,
        seq=seq,
        created_at=now,
        agenda_item_id=facts.agenda_item_id,
    )
    values = {name: getattr(statement, name) for name in STATEMENT_COLUMNS}
    inserted = (
        await db.exec(insert_once(db.get_bind().dialect.name).values(**values).returning(_STATEMENTS.c.id))
    ).first()
    if inserted is None:  # the same resend, a moment earlier (another connection, another instance)
        await _bump(db, session_id, -1)
        first = await _first_answer(db, seat_id, client_id)
        assert first is not None
        return first
    statement.id = int(inserted[0])
    view = statement_view(statement, seat, known.community, rule=facts.rule)
    await append_event_row(
        db, session_id=session_id, seq=seq, now=now, event=StatementPosted(statement_id=statement.id, statement=view)
    )
    if in_round and facts.turn_id is not None and not facts.turn_spoke:
        await db.exec(update(RoundTurn).where(col(RoundTurn.id) == facts.turn_id).values(spoke=True))
        facts.turn_spoke = True
    facts.version = seq  # a statement changes none of the facts: they hold at the new count too
    return Posted(statement_id=statement.id, seq=seq, duplicate=False, client_id=client_id)
