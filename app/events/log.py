"""Appending to and reading from a session's event log.

`append_event` runs inside the caller's transaction: it bumps the session's counter
(an UPDATE that also locks the session's row until commit, so events of one session
commit in sequence order) and stores the event. The unit of work publishes the
events it collected only after the commit succeeds (app/db.py: `publish_after_commit`).

The events themselves are defined in app/events/schemas.py; the words they point at
(statements, private messages) are joined in by app/facilitation/views.py when read back.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, column, table, update
from sqlalchemy import inspect as sa_inspect
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import publish_after_commit
from app.events.models import RoomEvent
from app.events.schemas import RoomEventBody

# The session's counter, as plain SQL: the log needs one column of the session's row, and
# the dialogue sessions' model sits above this package.
_sessions = table("dialogue_sessions", column("id", Integer), column("last_seq", Integer))


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
        return bool(sa_inspect(self.event).persistent)

    def encode(self) -> bytes:
        return json.dumps(
            {"session_id": self.session_id, "seq": self.seq, "audience": self.audience, "frame": self.frame},
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()


async def append_event(
    db: AsyncSession, *, session_id: int, event: RoomEventBody, now: datetime, audience: str = "all"
) -> RoomEvent:
    """Store an event with the session's next sequence number; publish it after commit.

    `audience` is who may see it: "all", "facilitators", or "seat:<id>" for one person.
    The event's joined fields go into the live frame but not into the log."""
    seq = (
        await db.exec(
            update(_sessions)
            .where(_sessions.c.id == session_id)
            .values(last_seq=_sessions.c.last_seq + 1)
            .returning(_sessions.c.last_seq)
        )
    ).scalar_one()
    fields, stored = event.split()
    row = RoomEvent(
        session_id=session_id,
        seq=seq,
        type=event.type,
        audience=audience,
        payload=stored,
        created_at=now,
    )
    db.add(row)
    await db.flush()
    frame = {"type": row.type, "seq": seq, "at": row.created_at.isoformat(), **fields}
    publish_after_commit(db, Published(row, frame))
    return row


def event_frame(event: RoomEvent, *, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """An event read back from the log as a frame (`extra`: its joined fields)."""
    return {"type": event.type, "seq": event.seq, "at": event.created_at.isoformat(), **event.payload, **(extra or {})}


async def last_seq(db: AsyncSession, *, session_id: int) -> int:
    value = (await db.exec(select(_sessions.c.last_seq).where(_sessions.c.id == session_id))).first()
    return int(value or 0)


async def count_events(db: AsyncSession, *, session_id: int, after: int, upto: int) -> int:
    """How many events of the session the log holds in (after, upto]."""
    query = select(func.count()).where(RoomEvent.session_id == session_id, RoomEvent.seq > after, RoomEvent.seq <= upto)
    return int((await db.exec(query)).one())


async def read_events(
    db: AsyncSession, *, session_id: int, after: int, upto: int | None = None, limit: int = 5000
) -> list[RoomEvent]:
    query = select(RoomEvent).where(RoomEvent.session_id == session_id, RoomEvent.seq > after)
    if upto is not None:
        query = query.where(RoomEvent.seq <= upto)
    rows = await db.exec(query.order_by(col(RoomEvent.seq)).limit(limit))
    return list(rows.all())
