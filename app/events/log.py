"""Appending to and reading from a session's event log.

`append_event` runs inside the caller's transaction: it bumps the session's counter
(an UPDATE that also locks the session's row until commit, so events of one session
commit in sequence order) and stores the event. The unit of work publishes the
events it collected only after the commit succeeds (see app/db.py).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import DialogueSession, Seat
from app.events.models import RoomEvent, Statement
from app.facilitation.models import PrivateMessage, Reaction
from app.programmes.models import Community

PENDING_KEY = "room_events"


class Published:
    """What goes to the broker after commit: the frame, built once, and who may see it."""

    __slots__ = ("audience", "event", "frame", "seq", "session_id")

    def __init__(self, event: RoomEvent, frame: dict[str, Any]) -> None:
        self.event = event
        self.session_id = event.session_id
        self.seq = event.seq
        self.audience = event.audience
        self.frame = frame

    @property
    def stored(self) -> bool:
        """False when a savepoint around the append rolled back: then it never happened."""
        return sa_inspect(self.event).persistent

    def encode(self) -> bytes:
        return json.dumps(
            {"session_id": self.session_id, "seq": self.seq, "audience": self.audience, "frame": self.frame},
            separators=(",", ":"), ensure_ascii=False,
        ).encode()


async def append_event(
    db: AsyncSession,
    *,
    session_id: int,
    type: str,
    now: datetime,
    payload: dict[str, Any] | None = None,
    audience: str = "all",
    frame_extra: dict[str, Any] | None = None,
) -> RoomEvent:
    """Store an event with the session's next sequence number; publish after commit.

    `frame_extra` goes into the live frame but not into the log (statement text lives
    in its own table so that withdrawing it removes it everywhere)."""
    seq = (
        await db.exec(
            update(DialogueSession)
            .where(col(DialogueSession.id) == session_id)
            .values(last_seq=DialogueSession.last_seq + 1)
            .returning(DialogueSession.last_seq)
        )
    ).scalar_one()
    event = RoomEvent(session_id=session_id, seq=seq, type=type, audience=audience,
                      payload=payload or {}, created_at=now)
    db.add(event)
    await db.flush()
    frame = event_frame(event, extra=frame_extra)
    db.info.setdefault(PENDING_KEY, []).append(Published(event, frame))
    return event


def event_frame(event: RoomEvent, *, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": event.type, "seq": event.seq, "at": event.created_at.isoformat(), **event.payload, **(extra or {})}


def take_committed(db: AsyncSession) -> list[Published]:
    """The events to publish now that the transaction committed."""
    return [p for p in db.info.pop(PENDING_KEY, []) if p.stored]


def discard_pending(db: AsyncSession) -> None:
    db.info.pop(PENDING_KEY, None)


async def last_seq(db: AsyncSession, *, session_id: int) -> int:
    value = (await db.exec(select(DialogueSession.last_seq).where(DialogueSession.id == session_id))).first()
    return value or 0


async def read_events(
    db: AsyncSession, *, session_id: int, after: int, upto: int | None = None, limit: int = 5000
) -> list[RoomEvent]:
    query = select(RoomEvent).where(RoomEvent.session_id == session_id, RoomEvent.seq > after)
    if upto is not None:
        query = query.where(RoomEvent.seq <= upto)
    rows = await db.exec(query.order_by(col(RoomEvent.seq)).limit(limit))
    return list(rows.all())


async def statement_view(db: AsyncSession, statement_ids: set[int]) -> dict[int, dict[str, Any]]:
    """Statements as the room shows them, by id (joined in when events are read back)."""
    if not statement_ids:
        return {}
    rows = await db.exec(
        select(Statement, Seat, Community)
        .join(Seat, col(Seat.id) == col(Statement.seat_id))
        .outerjoin(Community, col(Community.id) == col(Seat.community_id))
        .where(col(Statement.id).in_(statement_ids))
    )
    found = rows.all()
    counts: dict[int, dict[str, int]] = {}
    reaction_rows = await db.exec(
        select(Reaction.statement_id, Reaction.kind, func.count())
        .where(col(Reaction.statement_id).in_(statement_ids))
        .group_by(Reaction.statement_id, Reaction.kind)
    )
    for statement_id, kind, count in reaction_rows.all():
        counts.setdefault(statement_id, {})[kind] = count
    return {s.id: statement_dict(s, seat, community, reactions=counts.get(s.id)) for s, seat, community in found}  # type: ignore[misc]


def statement_state(statement: Statement) -> str:
    if statement.withdrawn_at is not None:
        return "withdrawn"
    if statement.hidden_at is not None:
        return "hidden"
    return "visible"


def statement_dict(
    statement: Statement, seat: Seat, community: Community | None, *, reactions: dict[str, int] | None = None
) -> dict[str, Any]:
    """A statement as the room shows it. Hidden and withdrawn ones keep their place and
    author but never their words."""
    state = statement_state(statement)
    return {
        "id": statement.id,
        "seat_id": seat.id,
        "author": seat.display_name,
        "role": seat.role.value,
        "community": community.key if community else None,
        "text": statement.text if state == "visible" else None,
        "reply_to": statement.reply_to_id,
        "state": state,
        "reactions": reactions or {},
    }


async def hydrate(db: AsyncSession, events: list[RoomEvent]) -> list[dict[str, Any]]:
    """Frames for events read back from the log, with their statements joined in."""
    ids = {e.payload["statement_id"] for e in events if e.type == "statement"}
    statements = await statement_view(db, ids)
    message_ids = {e.payload["message_id"] for e in events if e.type == "private_message"}
    messages = await message_view(db, message_ids)
    frames = []
    for event in events:
        extra = {}
        if event.type == "statement":
            extra["statement"] = statements.get(event.payload["statement_id"])
        elif event.type == "private_message":
            extra["message"] = messages.get(event.payload["message_id"])
        frames.append(event_frame(event, extra=extra))
    return frames


async def message_view(db: AsyncSession, message_ids: set[int]) -> dict[int, dict[str, Any]]:
    """Back-channel and check-in words, joined in like statements (never kept in the log)."""
    if not message_ids:
        return {}
    rows = await db.exec(
        select(PrivateMessage, Seat).join(Seat, col(Seat.id) == col(PrivateMessage.seat_id))
        .where(col(PrivateMessage.id).in_(message_ids))
    )
    return {m.id: message_dict(m, seat) for m, seat in rows.all()}  # type: ignore[misc]


def message_dict(message: PrivateMessage, seat: Seat) -> dict[str, Any]:
    return {"id": message.id, "seat_id": seat.id, "author": seat.display_name, "role": seat.role.value,
            "text": message.text}

