"""The room's clocks: what is due at a moment (time-up nudges, turn warnings and ends,
mutes that run out). Everything is decided from stored moments and `now`, under the
session lock, and marked done in the same transaction, so with several instances
ticking, each nudge still happens once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import Seat, SessionStatus
from app.facilitation import agenda_runner, floor, moderation, rounds
from app.facilitation.room import lock_session, run_of


async def tick(db: AsyncSession, *, session_id: int, now: datetime) -> bool:
    """Apply whatever is due in one session; True when anything happened."""
    session = await lock_session(db, session_id)
    changed = False
    muted = list((await db.exec(select(Seat).where(Seat.session_id == session_id, Seat.muted == True))).all())  # noqa: E712
    changed |= await moderation.expire_mutes(db, session_id=session_id, seats=muted, now=now)
    if session.status is not SessionStatus.live:
        return changed
    run = await run_of(db, session_id)
    changed |= await agenda_runner.nudge_if_due(db, session_id=session_id, run=run, now=now)
    changed |= await floor.check_due(db, session_id=session_id, run=run, now=now)
    changed |= await rounds.check_due(db, session_id=session_id, now=now)
    return changed
