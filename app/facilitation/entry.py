"""Who may enter a room: facilitators of the programme, and admitted seats."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.dialogues.models import DialogueSession, Seat, SeatRole, SeatStatus
from app.dialogues.seats import draw_pseudonym, name_taken
from app.errors import NotFound, PermissionDenied
from app.facilitation.room import lock_session
from app.messages import Msg, status_word
from app.programmes.models import MemberRole
from app.programmes.service import membership, programme_access, room_name_for
from app.security.names import NAME_MAX, name_key
from app.security.tokens import hash_token, new_token

ROOM_STATUSES = ("open", "live", "paused")


async def facilitator_seat(db: AsyncSession, *, session: DialogueSession, user: User, now: datetime) -> Seat:
    """A facilitator account's seat in the room, made the first time they enter. It shows the
    name they chose for the programme (by default their first name, never the full name
    unless they chose it); when a seat of the session already looks like it, a number is
    added, so no one in the room can be mistaken for them. A seat made earlier keeps its name
    (the room has seen it; renaming mid-session would confuse more than it helps)."""
    access = await programme_access(db, user=user, programme_id=session.programme_id, roles=(MemberRole.facilitator,))
    seat = (await db.exec(select(Seat).where(Seat.session_id == session.id, Seat.user_id == user.id))).first()
    if seat is not None:
        return seat
    await lock_session(db, session.id)  # the names of the seats do not change while we look
    seat = (await db.exec(select(Seat).where(Seat.session_id == session.id, Seat.user_id == user.id))).first()
    if seat is not None:  # made a moment ago, by another connection
        return seat
    chosen = room_name_for(await membership(db, programme=access.programme, user=user), user)
    name, number = chosen, 1
    while await name_taken(db, session_id=session.id, key=name_key(name)):
        number += 1
        suffix = f" ({number})"
        name = chosen[: NAME_MAX - len(suffix)] + suffix
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
        consent_rules_version=0,  # facilitators hold the rules; they do not consent to them
        consent_language="en",
        consented_at=now,
        joined_at=now,
        admitted_at=now,
    )
    db.add(seat)
    await db.flush()
    return seat


def check_can_enter(session: DialogueSession, seat: Seat) -> None:
    if seat.status is not SeatStatus.admitted:
        raise PermissionDenied(Msg("You are not admitted to this room."), code="not_admitted")
    if session.status.value not in ROOM_STATUSES:
        raise PermissionDenied(
            Msg("The room is not open (the session is {status}).", status=status_word(session.status)),
            code="room_closed",
        )


async def room_session(db: AsyncSession, *, session_id: int) -> DialogueSession:
    session = await db.get(DialogueSession, session_id)
    if session is None:
        raise NotFound(Msg("There is no such session."))
    return session
