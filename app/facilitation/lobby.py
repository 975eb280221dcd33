"""The lobby, a facilitation action: taking a seat at the end of the join flow (straight into
the room when admission is automatic and the room is not locked), admitting, turning away.

Every change is a `seat_changed` room event, so the console's lobby is live; every decision
a facilitator makes is in the audit log.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import AdmissionMode, DialogueSession, Invitation, Seat, SeatStatus
from app.dialogues.seats import claim_seat
from app.errors import Conflict
from app.facilitation import audit
from app.facilitation.models import SessionRun
from app.facilitation.room import lock_session, seat_changed
from app.messages import Msg, status_word


async def admissions_locked(db: AsyncSession, session_id: int) -> bool:
    """Whether the facilitators have locked the room against new admissions."""
    run = await db.get(SessionRun, session_id)
    return run is not None and run.locked


async def take_seat(
    db: AsyncSession, *, invitation: Invitation, session: DialogueSession, display_name: str, now: datetime
) -> tuple[Seat, str]:
    """Finish joining: a seat in the lobby, or in the room when admission is automatic and
    the room is not locked. Returns the seat and the token for the seat cookie."""
    # The lock first: the lock flag and the seat count are read under it (two instances,
    # two people, one last seat).
    session = await lock_session(db, session.id)
    admit = session.admission is AdmissionMode.auto and not await admissions_locked(db, session.id)
    claimed = await claim_seat(
        db, invitation=invitation, session=session, display_name=display_name, now=now, admit=admit
    )
    if claimed.new:
        # The facilitators' console shows the lobby live; the room hears of someone once admitted.
        await seat_changed(
            db,
            session_id=claimed.seat.session_id,
            seat=claimed.seat,
            now=now,
            action="admitted" if admit else "waiting",
            audience="all" if admit else "facilitators",
        )
    return claimed.seat, claimed.cookie_token


async def admit(db: AsyncSession, *, seat: Seat, now: datetime, by: int | None = None) -> Seat:
    """Let someone in from the lobby, or readmit someone who was removed (never a banned seat,
    and nobody while the facilitators have locked the session)."""
    if seat.status is SeatStatus.admitted:
        return seat
    if seat.status is SeatStatus.banned:
        raise Conflict(Msg("This person was banned from the session and cannot be admitted."), code="seat_banned")
    if seat.status not in (SeatStatus.lobby, SeatStatus.removed):
        raise Conflict(
            Msg(
                "Only people waiting in the lobby can be admitted (this seat is {status}).",
                status=status_word(seat.status),
            ),
            code="not_in_lobby",
        )
    if await admissions_locked(db, seat.session_id):
        raise Conflict(Msg("The session is locked against new admissions; unlock it first."), code="session_locked")
    seat.status = SeatStatus.admitted
    seat.admitted_at = now
    seat.status_reason = None
    db.add(seat)
    await db.flush()
    await seat_changed(db, session_id=seat.session_id, seat=seat, action="admitted", now=now)
    if by is not None:
        await audit.record_by_account(
            db, session_id=seat.session_id, user_id=by, action="admit", target_seat_id=seat.id, now=now
        )
    return seat


async def refuse(db: AsyncSession, *, seat: Seat, reason: str | None, now: datetime, by: int | None = None) -> Seat:
    """Turn someone away from the lobby; they may be admitted later if they return."""
    if seat.status is not SeatStatus.lobby:
        raise Conflict(
            Msg(
                "Only people waiting in the lobby can be refused (this seat is {status}).",
                status=status_word(seat.status),
            ),
            code="not_in_lobby",
        )
    seat.status = SeatStatus.removed
    seat.status_reason = (reason or "").strip() or None
    db.add(seat)
    await db.flush()
    await seat_changed(db, session_id=seat.session_id, seat=seat, action="refused", now=now, audience="facilitators")
    if by is not None:
        await audit.record_by_account(
            db,
            session_id=seat.session_id,
            user_id=by,
            action="refuse",
            target_seat_id=seat.id,
            reason=seat.status_reason,
            now=now,
        )
    return seat


async def admit_all(db: AsyncSession, *, session: DialogueSession, now: datetime, by: int | None = None) -> list[Seat]:
    waiting = (await db.exec(select(Seat).where(Seat.session_id == session.id, Seat.status == SeatStatus.lobby))).all()
    if waiting and await admissions_locked(db, session.id):
        raise Conflict(Msg("The session is locked against new admissions; unlock it first."), code="session_locked")
    return [await admit(db, seat=seat, now=now, by=by) for seat in waiting]
