"""The room's read models: statements and private messages as the room shows them, and the
frames of events read back from the log with those words joined in again.

The log never holds words (app/events/schemas.py: the `JOINED` fields), so a statement
withdrawn or hidden after it was said leaves every later view: catch-up, reconnection and
another instance all read it through here.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import Seat
from app.events.log import event_frame
from app.events.models import RoomEvent, Statement
from app.events.schemas import MessageView, StatementView
from app.facilitation.models import PrivateMessage, Reaction
from app.programmes.models import Community


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


def statement_view(
    statement: Statement, seat: Seat, community: Community | None, *, reactions: dict[str, int] | None = None
) -> StatementView:
    return StatementView.model_validate(statement_dict(statement, seat, community, reactions=reactions))


async def statement_views(db: AsyncSession, statement_ids: set[int]) -> dict[int, dict[str, Any]]:
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
        .group_by(col(Reaction.statement_id), col(Reaction.kind))
    )
    for statement_id, kind, count in reaction_rows.all():
        counts.setdefault(statement_id, {})[kind] = count
    return {s.id: statement_dict(s, seat, community, reactions=counts.get(s.id)) for s, seat, community in found}


def message_dict(message: PrivateMessage, seat: Seat) -> dict[str, Any]:
    return {
        "id": message.id,
        "seat_id": seat.id,
        "author": seat.display_name,
        "role": seat.role.value,
        "text": message.text,
    }


def message_view(message: PrivateMessage, seat: Seat) -> MessageView:
    return MessageView.model_validate(message_dict(message, seat))


async def message_views(db: AsyncSession, message_ids: set[int]) -> dict[int, dict[str, Any]]:
    """Back-channel and check-in words, joined in like statements (never kept in the log)."""
    if not message_ids:
        return {}
    rows = await db.exec(
        select(PrivateMessage, Seat)
        .join(Seat, col(Seat.id) == col(PrivateMessage.seat_id))
        .where(col(PrivateMessage.id).in_(message_ids))
    )
    return {m.id: message_dict(m, seat) for m, seat in rows.all()}


async def hydrate(db: AsyncSession, events: list[RoomEvent]) -> list[dict[str, Any]]:
    """Frames for events read back from the log, with their statements and messages joined in."""
    statements = await statement_views(db, {e.payload["statement_id"] for e in events if e.type == "statement"})
    messages = await message_views(db, {e.payload["message_id"] for e in events if e.type == "private_message"})
    frames = []
    for event in events:
        extra: dict[str, Any] = {}
        if event.type == "statement":
            extra["statement"] = statements.get(event.payload["statement_id"])
        elif event.type == "private_message":
            extra["message"] = messages.get(event.payload["message_id"])
        frames.append(event_frame(event, extra=extra))
    return frames
