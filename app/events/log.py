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
import re
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
SESSION_COUNTERS = table("dialogue_sessions", column("id", Integer), column("last_seq", Integer))
_sessions = SESSION_COUNTERS


class Published:
    """What goes to the broker after commit: the frame, built once, and who may see it."""

    __slots__ = ("audience", "event", "frame", "seq", "session_id")

    def __init__(
        self, event: RoomEvent | None, frame: dict[str, Any], *, session_id: int = 0, audience: str = "all"
    ) -> None:
        self.event = event  # None: written in plain SQL, as the last write of its command
        self.session_id = event.session_id if event is not None else session_id
        self.seq = int(frame["seq"])
        self.audience = event.audience if event is not None else audience
        self.frame = frame

    @property
    def stored(self) -> bool:
        """False when a savepoint around the append rolled back: then it never happened.
        (An event written in plain SQL is registered after every other write of its command;
        only the whole transaction can undo it, and then nothing is published.)"""
        return self.event is None or bool(sa_inspect(self.event).persistent)

    def encode(self) -> bytes:
        """The broker's message: a small header line, then the frame exactly as clients get
        it, so each instance passes the frame on without decoding and encoding it again."""
        header = {"session_id": self.session_id, "seq": self.seq, "audience": self.audience}
        ends = seat_ended_by(self.frame)
        if ends is not None:
            header["ends_seat"] = ends
        return (
            json.dumps(header, separators=(",", ":"))
            + "\n"
            + json.dumps(self.frame, separators=(",", ":"), ensure_ascii=False, default=str)
        ).encode()


def seat_ended_by(frame: dict[str, Any]) -> int | None:
    """The seat whose place in the room this event ends (sent to the lobby, removed, banned)."""
    if frame.get("type") == "seat_changed":
        seat = frame.get("seat") or {}
        if seat.get("status") not in (None, "admitted"):
            seat_id = seat.get("seat_id")
            return seat_id if isinstance(seat_id, int) else None
    return None


def decode_message(raw: bytes) -> tuple[dict[str, Any], str]:
    """A broker message (`Published.encode`) as its header and the frame's JSON text, which
    is passed on as it is. ValueError, KeyError or TypeError when it is not one."""
    header_line, _, frame_text = raw.decode().partition("\n")
    header = json.loads(header_line)
    if not isinstance(header, dict) or not frame_text:
        raise ValueError("not a room event message")
    int(header["seq"]), str(header["audience"]), int(header["session_id"])
    return header, frame_text


def frame_type(frame_text: str) -> str:
    """The `type` of an encoded frame (always its first key, as `Published.encode` writes it)."""
    match = _TYPE.match(frame_text)
    return match.group(1) if match else str(json.loads(frame_text).get("type"))


_TYPE = re.compile(r'\{"type":"([a-z_]+)"')


_events = RoomEvent.__table__  # type: ignore[attr-defined]


async def append_event_row(
    db: AsyncSession, *, session_id: int, seq: int, event: RoomEventBody, now: datetime, audience: str = "all"
) -> None:
    """Store an event whose sequence number the caller took (the statement path: the counter
    already bumped), in plain SQL, and publish it after commit. Call it as the command's
    last write."""
    fields, stored = event.split()
    await db.exec(
        _events.insert().values(
            session_id=session_id, seq=seq, type=event.type, audience=audience, payload=stored, created_at=now
        )
    )
    frame = {"type": event.type, "seq": seq, "at": now.isoformat(), **fields}
    publish_after_commit(db, Published(None, frame, session_id=session_id, audience=audience))


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
