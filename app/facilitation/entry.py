"""Who may enter a room: facilitators of the programme, and admitted seats."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.dialogues.models import DialogueSession, Seat, SeatRole, SeatStatus
from app.dialogues.seats import draw_pseudonym
from app.errors import NotFound, PermissionDenied
from app.programmes.models import MemberRole
from app.programmes.service import programme_access
from app.security.tokens import hash_token, new_token

ROOM_STATUSES = ("open", "live", "paused")


async def facilitator_seat(db: AsyncSession, *, session: DialogueSession, user: User, now: datetime) -> Seat:
    """A facilitator account's seat in the room, made the first time they enter."""
    await programme_access(db, user=user, programme_id=session.programme_id, roles=(MemberRole.facilitator,))
    seat = (await db.exec(select(Seat).where(Seat.session_id == session.id, Seat.user_id == user.id))).first()
    if seat is not None:
        return seat
    name = user.full_name[:40]
    seat = Seat(
        session_id=session.id,
        user_id=user.id,
        role=SeatRole.facilitator,
        display_name=name,
        display_name_key=f"facilitator:{user.id}",  # never clashes with a participant's name
        pseudonym=await draw_pseudonym(db, session=session, role=SeatRole.facilitator),
        status=SeatStatus.admitted,
        cookie_hash=hash_token(new_token()),  # facilitators enter with their login, not a seat cookie
        language="en",
        consent_rules_version=0,
        consented_at=now,
        joined_at=now,
        admitted_at=now,
    )
    db.add(seat)
    await db.flush()
    return seat


def check_can_enter(session: DialogueSession, seat: Seat) -> None:
    if seat.status is not SeatStatus.admitted:
        raise PermissionDenied("You are not admitted to this room.", code="not_admitted")
    if session.status.value not in ROOM_STATUSES:
        raise PermissionDenied(f"The room is not open (the session is {session.status.value}).", code="room_closed")


async def room_session(db: AsyncSession, *, session_id: int) -> DialogueSession:
    session = await db.get(DialogueSession, session_id)
    if session is None:
        raise NotFound("There is no such session.")
    return session
