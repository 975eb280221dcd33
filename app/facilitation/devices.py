"""Coming back on another device: a personal link opened again, after it was used, on a
browser that does not hold the seat (a messenger's built-in browser left for Chrome, lost
cookies) may move the seat to that browser. The old browser's seat cookie stops working and
its connections close, on every instance, with the reason; the move is audit-logged. A seat
that was removed or banned cannot move; a facilitator can still re-issue a link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import publish_after_commit
from app.dialogues.invitations import JOINABLE, TOKEN_SHAPE, InvalidInvitation
from app.dialogues.models import DialogueSession, Invitation, Seat, SeatStatus
from app.events.revocations import CLOSE_RIGHT_ENDED, Revoked
from app.facilitation.models import AuditEntry
from app.security.tokens import hash_token, new_token

# Seats that may come back on another device: not those a facilitator took out of the session.
MOVABLE = (SeatStatus.lobby, SeatStatus.admitted)


@dataclass(frozen=True)
class MovableSeat:
    invitation: Invitation
    session: DialogueSession
    seat: Seat


async def movable_seat(db: AsyncSession, *, token: str, now: datetime) -> MovableSeat:
    """The seat behind a used link, if it may move to this browser; otherwise InvalidInvitation
    (the same answer as any unusable link: a link reveals nothing more than before)."""
    if not TOKEN_SHAPE.match(token or ""):
        raise InvalidInvitation()
    invitation = (await db.exec(select(Invitation).where(Invitation.token_hash == hash_token(token)))).first()
    if invitation is None or invitation.revoked_at is not None or invitation.claimed_at is None:
        raise InvalidInvitation()
    if invitation.expires_at <= now:
        raise InvalidInvitation()
    session = await db.get(DialogueSession, invitation.session_id)
    seat = (await db.exec(select(Seat).where(Seat.invitation_id == invitation.id))).first()
    if session is None or session.status not in JOINABLE or seat is None or seat.status not in MOVABLE:
        raise InvalidInvitation()
    return MovableSeat(invitation, session, seat)


async def move_seat(db: AsyncSession, *, token: str, now: datetime) -> tuple[Seat, str]:
    """Bind the seat to this browser: a new seat cookie (returned, only its hash is kept); the
    old one stops working and its connections close. Checked again under the session's lock."""
    found = await movable_seat(db, token=token, now=now)
    seat = found.seat
    await db.refresh(seat, with_for_update=True)
    if seat.status not in MOVABLE:
        raise InvalidInvitation()
    cookie_token = new_token()
    seat.cookie_hash = hash_token(cookie_token)
    db.add(seat)
    db.add(
        AuditEntry(
            session_id=seat.session_id,
            actor_seat_id=seat.id,
            action="seat_moved",
            target_seat_id=seat.id,
            details={},
            created_at=now,
        )
    )
    await db.flush()
    publish_after_commit(
        db, Revoked(code=CLOSE_RIGHT_ENDED, reason="your place moved to another device", seats=(seat.id,))
    )
    return seat, cookie_token
