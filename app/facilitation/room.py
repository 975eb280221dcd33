"""Acting in a live room: who is acting, the room locked for the change, and the checks
every command makes before it touches anything.

Every command opens the room with `enter()`, which locks the session's row for the
rest of the transaction. So two facilitators on two instances act one after the
other, and the second sees what the first did (and is refused if it no longer fits).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.dialogues.models import DialogueSession, Seat, SeatRole, SeatStatus, SessionStatus
from app.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied
from app.events.log import append_event
from app.events.schemas import SeatChanged
from app.facilitation.models import SessionRun
from app.messages import Msg, status_word
from app.programmes.models import MemberRole, ProgrammeMember
from app.security.models import LoginSession

FACILITATOR_ROLES = (SeatRole.facilitator, SeatRole.co_facilitator)


@dataclass(frozen=True)
class Actor:
    """The seat a connection speaks for, and the staff login it came with (None: a seat cookie)."""

    session_id: int
    seat_id: int
    login_id: int | None = None


@dataclass
class Room:
    session: DialogueSession
    seat: Seat  # the actor's seat, read under the lock
    run: SessionRun

    @property
    def session_id(self) -> int:
        return self.session.id

    @property
    def is_facilitator(self) -> bool:
        return is_facilitator(self.seat)

    def require_live(self, doing: str = Msg("do this")) -> None:
        require_live(self.session.status, doing)


def require_live(status: SessionStatus, doing: str = Msg("do this")) -> None:
    """Refused unless the session is live: paused (it resumes) or not (yet) live."""
    if status is SessionStatus.paused:
        raise Conflict(
            Msg("The session is paused; you can {doing} when it resumes.", doing=doing), code="session_paused"
        )
    if status is not SessionStatus.live:
        raise Conflict(
            Msg(
                "You can {doing} while the session is live (it is {status}).",
                doing=doing,
                status=status_word(status),
            ),
            code="room_not_live",
        )


def is_facilitator(seat: Seat) -> bool:
    return seat.role in FACILITATOR_ROLES


def require_voice(seat: Seat) -> None:
    """Observers follow the room without being heard in it (no statements, hands or reactions)."""
    if seat.role is SeatRole.observer:
        raise PermissionDenied(Msg("Observers follow the room without speaking or reacting."), code="observer")


def require_speaker(seat: Seat) -> None:
    """Hands and reactions belong to the dialogue: observers follow it and interpreters carry
    its words, neither takes part in it."""
    require_voice(seat)
    if seat.role is SeatRole.interpreter:
        raise PermissionDenied(
            Msg("Interpreters carry the words of others; hands and reactions are for the dialogue's members."),
            code="interpreters_translate",
        )


async def lock_session(db: AsyncSession, session_id: int) -> DialogueSession:
    session = (
        await db.exec(
            select(DialogueSession)
            .where(DialogueSession.id == session_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).first()
    if session is None:
        raise NotFound(Msg("There is no such session."))
    return session


async def run_of(db: AsyncSession, session_id: int) -> SessionRun:
    """The session's run row, made on first use (under the session lock)."""
    run = (
        await db.exec(
            select(SessionRun).where(SessionRun.session_id == session_id).execution_options(populate_existing=True)
        )
    ).first()
    if run is None:
        run = SessionRun(session_id=session_id)
        db.add(run)
        await db.flush()
    return run


async def peek_run(db: AsyncSession, session_id: int) -> SessionRun:
    """The run for reading: a fresh, unsaved one when the session has not started (no write)."""
    run = (await db.exec(select(SessionRun).where(SessionRun.session_id == session_id))).first()
    return run if run is not None else SessionRun(session_id=session_id)


async def enter(db: AsyncSession, *, actor: Actor, facilitator: bool = False) -> Room:
    """Lock the room and check that the actor still has a place in it (and, when asked,
    that they are a facilitator, and still one of the programme's). A breakout group's room
    holds its main session too, as a group's command may tell the main room (a break
    request's alert): the writer has already locked it, before the group's row, since locks
    are always taken main session first (app/live/writer.py), so here it is held, not waited for."""
    session = await lock_session(db, actor.session_id)
    if session.parent_id is not None:
        await lock_session(db, session.parent_id)
    seat = (
        await db.exec(select(Seat).where(Seat.id == actor.seat_id).execution_options(populate_existing=True))
    ).first()
    await check_place(db, seat, session_id=session.id, login_id=actor.login_id)
    assert seat is not None  # check_place refuses a missing seat
    if facilitator:
        if not is_facilitator(seat):
            raise PermissionDenied(Msg("Only the session's facilitators can do this."), code="facilitators_only")
        if seat.user_id is not None and not await _still_facilitator(db, session, seat.user_id):
            raise PermissionDenied(Msg("You are no longer a facilitator of this programme."), code="facilitators_only")
    return Room(session=session, seat=seat, run=await run_of(db, session.id))


async def check_place(db: AsyncSession, seat: Seat | None, *, session_id: int, login_id: int | None) -> None:
    """The seat is one of the room's and admitted, and the staff login it speaks with holds."""
    if seat is None or seat.session_id != session_id:
        raise PermissionDenied(Msg("You have no place in this room."), code="not_admitted")
    if seat.status is not SeatStatus.admitted:
        raise PermissionDenied(
            Msg("You are no longer in this room ({status}).", status=status_word(seat.status)), code="not_admitted"
        )
    if login_id is not None and not await _login_holds(db, login_id):
        raise NotAuthenticated(Msg("Your login has ended; log in again."), code="login_ended")


async def _login_holds(db: AsyncSession, login_id: int) -> bool:
    """The staff login is not revoked and its account is active (its end in time is watched by
    the connection itself, every second)."""
    row = (
        await db.exec(
            select(LoginSession.revoked_at, User.is_active)
            .join(User, col(User.id) == col(LoginSession.user_id))
            .where(LoginSession.id == login_id)
        )
    ).first()
    return row is not None and row[0] is None and bool(row[1])


async def _still_facilitator(db: AsyncSession, session: DialogueSession, user_id: int) -> bool:
    member = (
        await db.exec(
            select(ProgrammeMember).where(
                ProgrammeMember.programme_id == session.programme_id, ProgrammeMember.user_id == user_id
            )
        )
    ).first()
    return member is not None and member.role is MemberRole.facilitator


async def seat_in(db: AsyncSession, room: Room, seat_id: int) -> Seat:
    """Another seat of the same room (the target of an action)."""
    seat = await db.get(Seat, seat_id)
    if seat is None or seat.session_id != room.session_id:
        raise NotFound(Msg("There is no such seat in this session."), code="unknown_seat")
    return seat


def now_iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def seat_view(seat: Seat, now: datetime) -> dict[str, Any]:
    muted = seat.is_muted(now)
    return {
        "seat_id": seat.id,
        "display_name": seat.display_name,
        "role": seat.role.value,
        "status": seat.status.value,
        "muted": muted,
        "muted_until": now_iso(seat.muted_until) if muted else None,
    }


async def seat_changed(
    db: AsyncSession, *, session_id: int, seat: Seat, action: str, now: datetime, audience: str = "all"
) -> None:
    """Tell the room (or only the facilitators) that a seat's place changed."""
    await append_event(
        db,
        session_id=session_id,
        now=now,
        audience=audience,
        event=SeatChanged(action=action, seat=seat_view(seat, now)),
    )
