"""The room's clocks: what is due at a moment (time-up nudges, turn warnings and ends,
mutes that run out). Everything is decided from stored moments and `now`, under the
session lock, and marked done in the same transaction, so with several instances
ticking, each nudge still happens once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import DialogueSession, Seat, SessionStatus
from app.facilitation import agenda_runner, breakouts, floor, moderation, rounds
from app.facilitation.room import lock_session, peek_run, run_of


async def tick(db: AsyncSession, *, session_id: int, now: datetime) -> bool:
    """Apply whatever is due in one session; True when anything happened."""
    if not await _anything_due(db, session_id=session_id, now=now):
        return False  # the common case: a look, no lock on the session statements also need
    session = await lock_session(db, session_id)
    changed = False
    muted = list(
        (
            await db.exec(
                select(Seat)
                .where(Seat.session_id == session_id, Seat.muted == True)  # noqa: E712
                .execution_options(populate_existing=True)
            )
        ).all()
    )
    changed |= await moderation.expire_mutes(db, session_id=session_id, seats=muted, now=now)
    if session.status is not SessionStatus.live:
        return changed
    run = await run_of(db, session_id)
    changed |= await agenda_runner.nudge_if_due(db, session_id=session_id, run=run, now=now)
    changed |= await floor.check_due(db, session_id=session_id, run=run, now=now)
    changed |= await rounds.check_due(db, session_id=session_id, now=now)
    changed |= await breakouts.end_if_due(db, session=session, now=now)
    return changed


async def _anything_due(db: AsyncSession, *, session_id: int, now: datetime) -> bool:
    """Whether a tick has work, read without locking; under the lock `tick` decides again."""
    mute_over = (
        await db.exec(
            select(Seat.id)
            .where(
                Seat.session_id == session_id,
                Seat.muted == True,  # noqa: E712
                col(Seat.muted_until) <= now,
            )
            .limit(1)
        )
    ).first()
    if mute_over is not None:
        return True
    status = (await db.exec(select(DialogueSession.status).where(DialogueSession.id == session_id))).first()
    if status is not SessionStatus.live:
        return False
    if await breakouts.due(db, session_id=session_id, now=now):
        return True
    run = await peek_run(db, session_id)
    if run.floor_seat_id is not None and floor.turn_clock(run.floor_since, run.floor_seconds, run.floor_warned, now)[0]:
        return True
    if agenda_runner.time_is_up(await agenda_runner.current_item(db, run), run, now):
        return True
    rnd = await rounds.active_round(db, session_id=session_id)
    return (
        rnd is not None and floor.turn_clock(rnd.turn_started_at, rnd.turn_seconds, rnd.turn_warned, now)[0] is not None
    )
