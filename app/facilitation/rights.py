"""Whether the rights open room connections rest on still hold: checked again, in one go,
for every connection of an instance every few seconds (OWASP's advice for long-lived
connections), so that a revocation that was never heard of (the broker was down) cannot
last. A signal closes a connection at once (app/events/revocations.py); this is the net.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.dialogues.models import DialogueSession, Seat, SeatStatus
from app.events.revocations import CLOSE_LOGIN_ENDED, CLOSE_RIGHT_ENDED
from app.programmes.models import MemberRole, ProgrammeMember
from app.security.login_sessions import TOUCH_INTERVAL
from app.security.models import LoginSession


@dataclass(frozen=True)
class HeldRight:
    """One open connection: its id, its seat, and the login it came with (None: a seat cookie)."""

    connection_id: str
    seat_id: int
    login_id: int | None = None
    cookie_hash: str | None = None  # the seat cookie it came with (None: a staff login)


async def ended_rights(db: AsyncSession, rights: list[HeldRight], *, now: datetime) -> dict[str, tuple[int, str]]:
    """The connections whose right has ended, each with its close code and reason.

    A staff connection needs its login (not revoked, not past its end, the account active)
    and its place as a facilitator of the programme; any connection needs its seat, still
    admitted, and a seat cookie's connection the cookie the seat has now. A login that holds an open room connection counts as in use: its idle
    clock is reset (at most once a minute), as a page view would."""
    if not rights:
        return {}
    seats = {
        seat.id: (seat, session)
        for seat, session in (
            await db.exec(
                select(Seat, DialogueSession)
                .join(DialogueSession, col(DialogueSession.id) == col(Seat.session_id))
                .where(col(Seat.id).in_({r.seat_id for r in rights}))
            )
        ).all()
    }
    # A breakout group's seat rests on its person's seat in the main session (and its cookie).
    parent_ids = {seat.parent_seat_id for seat, _ in seats.values() if seat.parent_seat_id is not None}
    parents = (
        {seat.id: seat for seat in (await db.exec(select(Seat).where(col(Seat.id).in_(parent_ids)))).all()}
        if parent_ids
        else {}
    )
    login_ids = {r.login_id for r in rights if r.login_id is not None}
    logins = {
        login.id: (login, user)
        for login, user in (
            await db.exec(
                select(LoginSession, User)
                .join(User, col(User.id) == col(LoginSession.user_id))
                .where(col(LoginSession.id).in_(login_ids))
            )
        ).all()
    }
    user_ids = {user.id for _, user in logins.values()}
    facilitating = {
        (m.user_id, m.programme_id)
        for m in (
            await db.exec(
                select(ProgrammeMember).where(
                    col(ProgrammeMember.user_id).in_(user_ids), ProgrammeMember.role == MemberRole.facilitator
                )
            )
        ).all()
    }
    ended: dict[str, tuple[int, str]] = {}
    for right in rights:
        seat_and_session = seats.get(right.seat_id)
        if seat_and_session is None or seat_and_session[0].status is not SeatStatus.admitted:
            ended[right.connection_id] = (CLOSE_RIGHT_ENDED, "your place in the room changed")
            continue
        holder = seat_and_session[0]
        if holder.parent_seat_id is not None:
            parent = parents.get(holder.parent_seat_id)
            if parent is None or parent.status is not SeatStatus.admitted:
                ended[right.connection_id] = (CLOSE_RIGHT_ENDED, "your place in the room changed")
                continue
            holder = parent
        if right.login_id is None:
            if right.cookie_hash is not None and holder.cookie_hash != right.cookie_hash:
                # The link was used again (on another device): this device's cookie no longer works.
                ended[right.connection_id] = (CLOSE_RIGHT_ENDED, "your place moved to another device")
            continue
        session = seat_and_session[1]
        login_and_user = logins.get(right.login_id)
        if login_and_user is None:
            ended[right.connection_id] = (CLOSE_LOGIN_ENDED, "your login ended")
            continue
        login, user = login_and_user
        if login.revoked_at is not None or now >= login.expires_at or not user.is_active:
            ended[right.connection_id] = (CLOSE_LOGIN_ENDED, "your login ended")
        elif (user.id, session.programme_id) not in facilitating:
            ended[right.connection_id] = (CLOSE_RIGHT_ENDED, "you are no longer a facilitator of this programme")
        elif now - login.last_seen_at >= TOUCH_INTERVAL:
            login.last_seen_at = now
            db.add(login)
    return ended
