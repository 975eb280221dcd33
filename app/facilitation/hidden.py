"""Hidden statements, for the facilitators: reading what was hidden (the room shows it to
nobody) and showing it again when hiding was a mistake. Both are audit-logged."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Conflict, NotFound
from app.events.log import append_event
from app.events.models import Statement
from app.events.schemas import StatementChanged, StatementView
from app.facilitation import audit
from app.facilitation.room import Room
from app.facilitation.views import statement_views
from app.messages import Msg


async def _hidden(db: AsyncSession, room: Room, statement_id: int) -> Statement:
    statement = await db.get(Statement, statement_id)
    if statement is None or statement.session_id != room.session_id:
        raise NotFound(Msg("There is no such statement in this session."), code="unknown_statement")
    if statement.withdrawn_at is not None:
        raise Conflict(Msg("Its author has withdrawn that statement; its words are gone."), code="already_withdrawn")
    if statement.hidden_at is None:
        raise Conflict(Msg("That statement is not hidden."), code="not_hidden")
    return statement


async def read_hidden(db: AsyncSession, room: Room, *, statement_id: int, now: datetime) -> dict:
    """The words of a hidden statement and why it was hidden, to this facilitator only (the
    `ok` answer; no event)."""
    statement = await _hidden(db, room, statement_id)
    await audit.record(
        db, room, "hidden_read", target_seat_id=statement.seat_id, target_statement_id=statement_id, now=now
    )
    return {"statement_id": statement_id, "text": statement.text, "reason": statement.hidden_reason}


async def unhide(db: AsyncSession, room: Room, *, statement_id: int, now: datetime) -> dict:
    """Show a hidden statement again, to everyone, with its translations."""
    statement = await _hidden(db, room, statement_id)
    statement.hidden_at, statement.hidden_reason = None, None
    db.add(statement)
    await db.flush()
    view = (await statement_views(db, {statement_id}))[statement_id]
    await append_event(
        db,
        session_id=room.session_id,
        now=now,
        event=StatementChanged(
            statement_id=statement_id, state="visible", statement=StatementView.model_validate(view)
        ),
    )
    await audit.record(db, room, "unhide", target_seat_id=statement.seat_id, target_statement_id=statement_id, now=now)
    return {"statement_id": statement_id, "state": "visible"}
