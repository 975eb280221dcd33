"""The lobby, a facilitation action: taking a seat at the end of the join flow (straight into
the room when admission is automatic and the room is not locked), admitting, turning away.

Every change is a `seat_changed` room event, so the console's lobby is live; every decision
a facilitator makes is in the audit log. The facilitators' message to everyone waiting is a
`lobby_message` event, so the lobby pages (web/waiting_stream.py) show it at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.content import edited_texts, languages_of
from app.dialogues.models import FINISHED, AdmissionMode, DialogueSession, Invitation, Seat, SeatStatus
from app.dialogues.seats import claim_seat, seat_by_cookie
from app.errors import Conflict
from app.events.log import append_event
from app.events.schemas import LobbyMessageChanged
from app.facilitation import audit, breakouts
from app.facilitation.entry import ROOM_STATUSES
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
        if admit:
            await breakouts.seat_arrived(db, main_seat=claimed.seat, now=now)
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
    await breakouts.seat_arrived(db, main_seat=seat, now=now)
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


async def set_message(
    db: AsyncSession, *, session: DialogueSession, message: str | Mapping[str, str], now: datetime, by: int
) -> dict[str, str]:
    """Write the message everyone waiting in the lobby reads (the languages sent are replaced;
    an empty one removes it). The waiting pages show it as soon as this commits."""
    session = await lock_session(db, session.id) or session
    if session.status in FINISHED:
        raise Conflict(
            Msg("The session is {status}; nobody is waiting any more.", status=status_word(session.status)),
            code="session_finished",
        )
    languages = await languages_of(db, session=session)
    texts = dict(edited_texts("lobby_message", session.lobby_message or {}, message, languages, required=False))
    if texts == dict(session.lobby_message or {}):
        return texts
    session.lobby_message = texts
    db.add(session)
    await db.flush()
    await append_event(
        db, session_id=session.id, now=now, audience="facilitators", event=LobbyMessageChanged(lobby_message=texts)
    )
    await audit.record_by_account(
        db, session_id=session.id, user_id=by, action="lobby_message", details={"languages": sorted(texts)}, now=now
    )
    return texts


def waiting_fingerprint(seat: Seat, session: DialogueSession) -> str:
    """What a waiting page shows, as a short opaque digest: the page carries the one it was
    drawn with, the lobby's stream the current one, and the page reloads when they differ."""
    facts = [seat.status.value, seat.status_reason or "", session.status.value, session.lobby_message or {}]
    return hashlib.sha256(json.dumps(facts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def still_waiting(seat: Seat, session: DialogueSession) -> bool:
    """Whether the waiting page has something to wait for: a seat in the lobby, or admitted
    before the room opens (afterwards the page sends them into the room)."""
    if session.status in FINISHED:
        return False
    return seat.status is SeatStatus.lobby or (
        seat.status is SeatStatus.admitted and session.status.value not in ROOM_STATUSES
    )


async def waiting_state(db: AsyncSession, *, session_id: int, token: str | None) -> tuple[int, str, bool] | None:
    """The seat behind a waiting page's cookie, its page's fingerprint and whether there is
    still something to wait for; None when the cookie no longer holds a seat in the session
    (moved to another device, or never did)."""
    seat = await seat_by_cookie(db, session_id=session_id, token=token)
    session = await db.get(DialogueSession, session_id) if seat is not None else None
    if seat is None or session is None:
        return None
    return seat.id, waiting_fingerprint(seat, session), still_waiting(seat, session)
