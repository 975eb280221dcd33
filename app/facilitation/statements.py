"""Posting a statement: stored, given its sequence number, acknowledged only after commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import DialogueSession, Seat, SeatStatus
from app.errors import Conflict, PermissionDenied, ValidationFailed
from app.events.log import append_event, statement_dict
from app.events.models import Statement
from app.programmes.models import Community


@dataclass(frozen=True)
class Posted:
    statement_id: int
    seq: int
    duplicate: bool


async def post_statement(
    db: AsyncSession, *, seat_id: int, client_id: str, text: str, reply_to: int | None, now: datetime
) -> Posted:
    """Store a statement once per client id; a resend returns the first answer."""
    existing = (
        await db.exec(select(Statement).where(Statement.seat_id == seat_id, Statement.client_id == client_id))
    ).first()
    if existing is not None:
        return Posted(statement_id=existing.id, seq=existing.seq, duplicate=True)  # type: ignore[arg-type]
    seat = await db.get(Seat, seat_id)
    if seat is None or seat.status is not SeatStatus.admitted:
        raise PermissionDenied("You are not admitted to this room.", code="not_admitted")
    session = await db.get(DialogueSession, seat.session_id)
    assert session is not None
    if session.status.value != "live":
        raise Conflict(f"Statements can be posted while the session is live (it is {session.status.value}).",
                       code="room_not_live")
    text = text.strip()
    if not text:
        raise ValidationFailed("A statement cannot be empty.", code="empty_statement")
    if reply_to is not None:
        target = await db.get(Statement, reply_to)
        if target is None or target.session_id != seat.session_id:
            raise ValidationFailed("The statement you reply to is not in this room.", code="unknown_reply_to")
    community = await db.get(Community, seat.community_id) if seat.community_id else None
    statement = Statement(session_id=seat.session_id, seat_id=seat_id, client_id=client_id, text=text,
                          reply_to_id=reply_to, seq=0, created_at=now)
    try:
        async with db.begin_nested():
            db.add(statement)
            await db.flush()
    except IntegrityError:  # the same resend, a moment earlier, on another connection
        first = (
            await db.exec(select(Statement).where(Statement.seat_id == seat_id, Statement.client_id == client_id))
        ).one()
        return Posted(statement_id=first.id, seq=first.seq, duplicate=True)  # type: ignore[arg-type]
    event = await append_event(
        db, session_id=seat.session_id, type="statement", now=now,
        payload={"statement_id": statement.id},
        frame_extra={"statement": statement_dict(statement, seat, community)},
    )
    statement.seq = event.seq
    db.add(statement)
    await db.flush()
    return Posted(statement_id=statement.id, seq=event.seq, duplicate=False)  # type: ignore[arg-type]
