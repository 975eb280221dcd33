"""What a statement's checks need to know about its room, kept in memory per instance.

A statement is the room's most frequent command, and its checks read the same facts
every time: the session's status and speaking mode, the run (agenda item, a break, the
floor holder, slow mode), a running round's turn, the seats (status, role, mute,
community, language) and the rule of pending translations. Reading them costs several
queries per statement; keeping them costs nothing, if they are never trusted when stale.

The version of the facts is the session's `last_seq`. Every change in a room that matters
to these facts is a room event (a mute, an admission, the agenda moving, a round's turn, a
pause …), and every event bumps `last_seq` in the same transaction. So the statement path
bumps the counter first (which also locks the session's row until commit), and uses the
cached facts only when the counter stood at the cached version: an event of another
instance, of an HTTP route or of an earlier command in the same batch makes it re-read.
The database stays the truth; the cache only saves reading it again.

A batch that fails to commit forgets the facts of its sessions (the writer calls
`forget`), so a version that was never committed cannot match a later one by chance.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import AgendaItem, AgendaKind, DialogueSession, Seat, SessionStatus, SpeakingMode
from app.facilitation.models import Round, RoundStatus, RoundTurn, SessionRun, TurnOutcome
from app.facilitation.views import PendingRule, pending_rule
from app.programmes.models import Community

PENDING = TurnOutcome.pending  # a round turn still to come


@dataclass
class SeatFacts:
    seat: Seat  # a transient copy, attached to no database session
    community: Community | None


@dataclass
class RoomFacts:
    version: int  # the session's last_seq these facts are true at
    status: SessionStatus
    speaking_mode: SpeakingMode
    agenda_item_id: int | None
    on_break: bool
    floor_seat_id: int | None
    slow_mode_seconds: int
    round_id: int | None
    turn_id: int | None  # the current turn of the running round
    turn_seat_id: int | None
    turn_spoke: bool
    rule: PendingRule
    seats: dict[int, SeatFacts] = field(default_factory=dict)


_caches: weakref.WeakKeyDictionary[Engine, dict[int, RoomFacts]] = weakref.WeakKeyDictionary()

MAX_ROOMS = 2000  # rooms kept per database; beyond that the cache starts again


def _cache(db: AsyncSession) -> dict[int, RoomFacts]:
    return cache_of(db.get_bind())


def cache_of(engine: Any) -> dict[int, RoomFacts]:
    """The facts known of the rooms of one database (its engine, async or not)."""
    sync = getattr(engine, "sync_engine", engine)
    assert isinstance(sync, Engine)
    cache = _caches.get(sync)
    if cache is None:
        cache = _caches[sync] = {}
    return cache


def cached(db: AsyncSession, session_id: int, *, version: int) -> RoomFacts | None:
    """The facts of the room, if they are known at exactly `version`."""
    facts = _cache(db).get(session_id)
    return facts if facts is not None and facts.version == version else None


def keep(db: AsyncSession, facts: RoomFacts, session_id: int) -> None:
    cache = _cache(db)
    if len(cache) >= MAX_ROOMS and session_id not in cache:
        cache.clear()
    cache[session_id] = facts


def forget(engine: Any, session_ids: set[int] | None = None) -> None:
    """Drop what is known about these rooms (all rooms when None) of the database `engine`."""
    sync = getattr(engine, "sync_engine", engine)
    cache = _caches.get(sync)
    if cache is None:
        return
    if session_ids is None:
        cache.clear()
    for session_id in session_ids or ():
        cache.pop(session_id, None)


def _copy(row: Any) -> Any:
    """A transient copy of a row: attached to no session, so nothing can expire it."""
    return type(row)(**row.model_dump())


async def read_facts(db: AsyncSession, session_id: int, *, version: int) -> RoomFacts | None:
    """Read the room's facts (under the session's lock, which the caller holds); None when
    there is no such session."""
    session = (
        await db.exec(
            select(DialogueSession.status, DialogueSession.speaking_mode).where(DialogueSession.id == session_id)
        )
    ).first()
    if session is None:
        return None
    status, speaking_mode = session
    run_row = (
        await db.exec(
            select(SessionRun, AgendaItem.kind)
            .outerjoin(AgendaItem, col(AgendaItem.id) == col(SessionRun.agenda_item_id))
            .where(SessionRun.session_id == session_id)
        )
    ).first()
    run, kind = run_row if run_row is not None else (SessionRun(session_id=session_id), None)
    active = (
        await db.exec(select(Round.id).where(Round.session_id == session_id, Round.status == RoundStatus.active))
    ).first()
    current = None
    if active is not None:
        current = (
            await db.exec(
                select(RoundTurn)
                .where(RoundTurn.round_id == active, RoundTurn.outcome == PENDING)
                .order_by(col(RoundTurn.position), col(RoundTurn.id))
                .limit(1)
            )
        ).first()
    seats = (
        await db.exec(
            select(Seat, Community)
            .outerjoin(Community, col(Community.id) == col(Seat.community_id))
            .where(Seat.session_id == session_id)
        )
    ).all()
    return RoomFacts(
        version=version,
        status=SessionStatus(status),
        speaking_mode=SpeakingMode(speaking_mode),
        agenda_item_id=run.agenda_item_id,
        on_break=kind is AgendaKind.break_,
        floor_seat_id=run.floor_seat_id,
        slow_mode_seconds=run.slow_mode_seconds,
        round_id=active,
        turn_id=current.id if current else None,
        turn_seat_id=current.seat_id if current else None,
        turn_spoke=bool(current.spoke) if current else False,
        rule=await pending_rule(db, session_id),
        seats={seat.id: SeatFacts(_copy(seat), _copy(community) if community else None) for seat, community in seats},
    )
