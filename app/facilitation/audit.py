"""The audit log: every facilitator action, who did it, to whom, why and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.dialogues.models import Seat
from app.facilitation.models import AuditEntry
from app.facilitation.room import Room


async def record(
    db: AsyncSession,
    room: Room,
    action: str,
    *,
    now: datetime,
    target_seat_id: int | None = None,
    target_statement_id: int | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    return await record_by_seat(
        db,
        session_id=room.session_id,
        actor_seat_id=room.seat.id,
        action=action,
        now=now,
        target_seat_id=target_seat_id,
        target_statement_id=target_statement_id,
        reason=reason,
        details=details,
    )


async def record_by_seat(
    db: AsyncSession,
    *,
    session_id: int,
    actor_seat_id: int | None,
    action: str,
    now: datetime,
    target_seat_id: int | None = None,
    target_statement_id: int | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """An action in the room by a seat, or by the room's own clock (`actor_seat_id` None: a
    breakout whose time ran out)."""
    entry = AuditEntry(
        session_id=session_id,
        actor_seat_id=actor_seat_id,
        action=action,
        target_seat_id=target_seat_id,
        target_statement_id=target_statement_id,
        reason=reason,
        details=details or {},
        created_at=now,
    )
    db.add(entry)
    await db.flush()
    return entry


async def record_by_account(
    db: AsyncSession,
    *,
    session_id: int,
    user_id: int,
    action: str,
    now: datetime,
    target_seat_id: int | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """An action a facilitator took outside the room (the lobby page or the API)."""
    entry = AuditEntry(
        session_id=session_id,
        actor_user_id=user_id,
        action=action,
        target_seat_id=target_seat_id,
        reason=reason,
        details=details or {},
        created_at=now,
    )
    db.add(entry)
    await db.flush()
    return entry


async def entries(db: AsyncSession, *, session_id: int, limit: int = 1000) -> list[dict[str, Any]]:
    """The log, oldest first, with the seats' display names (facilitators may see them)."""
    rows = (
        await db.exec(
            select(AuditEntry).where(AuditEntry.session_id == session_id).order_by(col(AuditEntry.id)).limit(limit)
        )
    ).all()
    seat_ids = {s for r in rows for s in (r.actor_seat_id, r.target_seat_id) if s is not None}
    names: dict[int | None, str] = {}
    if seat_ids:
        names = {s.id: s.display_name for s in (await db.exec(select(Seat).where(col(Seat.id).in_(seat_ids)))).all()}
    user_ids = {r.actor_user_id for r in rows if r.actor_user_id is not None}
    accounts: dict[int | None, str] = {}
    if user_ids:
        accounts = {u.id: u.full_name for u in (await db.exec(select(User).where(col(User.id).in_(user_ids)))).all()}
    return [
        {
            "id": r.id,
            "at": r.created_at,
            "action": r.action,
            "actor_seat_id": r.actor_seat_id,
            "actor_user_id": r.actor_user_id,
            "actor": names.get(r.actor_seat_id) or accounts.get(r.actor_user_id),
            "target_seat_id": r.target_seat_id,
            "target": names.get(r.target_seat_id),
            "target_statement_id": r.target_statement_id,
            "reason": r.reason,
            "details": r.details,
        }
        for r in rows
    ]
