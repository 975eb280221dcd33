"""A breakout group's room: a child session of the main one, and its people's seats in it.

A group's room is an ordinary dialogue session (`parent_id` = the main session) with its own
event log, sequence numbers, floor and transcript setting, so the live core holds in it
unchanged. A person in it has a seat of the room (`parent_seat_id` = their seat in the main
session) with the same display name, pseudonym and consent. Their rights stay with the main
seat: a mute, a ban or a removal there is copied here in the same transaction, with an event
in each group's room (so the statements' cached facts, versioned by the room's sequence,
see it at once), and the connection to a group rests on the main seat's cookie or login.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import DialogueSession, GroundRules, Seat, SeatRole, SeatStatus, SessionStatus
from app.errors import PermissionDenied
from app.facilitation.models import Breakout, BreakoutGroup, BreakoutStatus
from app.facilitation.room import lock_session, seat_changed
from app.messages import Msg
from app.programmes.models import Community
from app.security.tokens import hash_token, new_token

# Who may enter any group's room without being placed in it.
VISITING_ROLES = (SeatRole.facilitator, SeatRole.co_facilitator, SeatRole.interpreter)


async def open_room(
    db: AsyncSession,
    *,
    main: DialogueSession,
    number: int,
    community: Community | None,
    keep_transcript: bool,
    minutes: int,
    now: datetime,
) -> DialogueSession:
    """A live room for one group, with the main session's ground rules (the same version)."""
    suffix = {lang: f" — {community.labels.get(lang) or community.key}" for lang in main.title} if community else {}
    title = {lang: text + (suffix.get(lang) or f" — #{number}") for lang, text in main.title.items()}
    room = DialogueSession(
        programme_id=main.programme_id,
        parent_id=main.id,
        title=title,
        starts_at=now,
        time_zone=main.time_zone,
        planned_minutes=minutes,
        capacity=main.capacity,
        status=SessionStatus.live,
        show_communities=main.show_communities,
        keep_transcript=keep_transcript,
        created_at=now,
        updated_at=now,
    )
    db.add(room)
    await db.flush()
    rules = (
        await db.exec(
            select(GroundRules).where(GroundRules.session_id == main.id).order_by(col(GroundRules.version).desc())
        )
    ).first()
    if rules is not None:
        db.add(GroundRules(session_id=room.id, version=rules.version, text=dict(rules.text), created_at=now))
    await db.flush()
    return room


def unusable_hash() -> str:
    """A seat's cookie hash that no cookie has (a seat nobody enters with a cookie of its own)."""
    return hash_token(new_token())


def _copy(main_seat: Seat, *, room_id: int, now: datetime) -> Seat:
    return Seat(
        session_id=room_id,
        parent_seat_id=main_seat.id,
        user_id=main_seat.user_id,
        community_id=main_seat.community_id,
        role=main_seat.role,
        display_name=main_seat.display_name,
        display_name_key=main_seat.display_name_key,
        pseudonym=main_seat.pseudonym,
        status=SeatStatus.admitted,
        cookie_hash=unusable_hash(),  # never used: the main seat's cookie lets them in
        language=main_seat.language,
        consent_rules_version=main_seat.consent_rules_version,
        consent_language=main_seat.consent_language,
        consented_at=main_seat.consented_at,
        joined_at=now,
        admitted_at=now,
        muted=main_seat.muted,
        muted_until=main_seat.muted_until,
    )


async def seat_in_room(db: AsyncSession, *, room_id: int, main_seat_id: int) -> Seat | None:
    return (
        await db.exec(
            select(Seat)
            .where(Seat.session_id == room_id, Seat.parent_seat_id == main_seat_id)
            .execution_options(populate_existing=True)
        )
    ).first()


async def place(db: AsyncSession, *, room_id: int, main_seat: Seat, now: datetime) -> Seat:
    """The person's seat in a group's room, admitted (made, or taken up again after a move)."""
    seat = await seat_in_room(db, room_id=room_id, main_seat_id=main_seat.id)
    if seat is None:
        seat = _copy(main_seat, room_id=room_id, now=now)
        db.add(seat)
        await db.flush()
    elif seat.status is not SeatStatus.admitted:
        seat.status, seat.status_reason = SeatStatus.admitted, None
        seat.muted, seat.muted_until = main_seat.muted, main_seat.muted_until
        db.add(seat)
        await db.flush()
    else:
        return seat
    await seat_changed(db, session_id=room_id, seat=seat, action="placed", now=now)
    return seat


async def vacate(db: AsyncSession, *, room_id: int, main_seat_id: int, now: datetime) -> None:
    """The person leaves the group's room (moved elsewhere, or back to the main room): their
    seat there is `left` and its connections close with "moved" (app/live/hub.py)."""
    seat = await seat_in_room(db, room_id=room_id, main_seat_id=main_seat_id)
    if seat is None or seat.status is not SeatStatus.admitted:
        return
    seat.status, seat.status_reason = SeatStatus.left, "moved"
    db.add(seat)
    await db.flush()
    await seat_changed(db, session_id=room_id, seat=seat, action="moved", now=now)


async def open_group_of(db: AsyncSession, room: DialogueSession) -> tuple[Breakout, BreakoutGroup] | None:
    """The open breakout and group a child session is the room of (None once it ended)."""
    row = (
        await db.exec(
            select(Breakout, BreakoutGroup)
            .join(BreakoutGroup, col(BreakoutGroup.breakout_id) == col(Breakout.id))
            .where(BreakoutGroup.room_id == room.id)
        )
    ).first()
    if row is None:
        return None
    return (row[0], row[1]) if row[0].status is BreakoutStatus.open else None


async def entering_seat(
    db: AsyncSession, *, room: DialogueSession, main_seat: Seat, now: datetime, write: bool
) -> Seat | None:
    """The seat a person enters a group's room with: their placed seat; a facilitator's or an
    interpreter's made on their first visit (only when `write`; None asks the caller to come
    back in a unit of work that writes). Participants and observers not placed are refused."""
    if main_seat.session_id != room.parent_id or main_seat.status is not SeatStatus.admitted:
        raise PermissionDenied(Msg("You have no place in this room."), code="not_admitted")
    seat = await seat_in_room(db, room_id=room.id, main_seat_id=main_seat.id)
    if main_seat.role not in VISITING_ROLES:
        if seat is None or seat.status is not SeatStatus.admitted:
            raise PermissionDenied(
                Msg("You are not in this group; the main room shows where you are."), code="not_in_group"
            )
        return seat
    if seat is not None and seat.status is SeatStatus.admitted:
        return seat
    if await open_group_of(db, room) is None:
        raise PermissionDenied(Msg("This group has ended."), code="room_closed")
    if not write:
        return None
    await lock_session(db, room.id)  # its seats' names do not change while we add one
    return await place(db, room_id=room.id, main_seat=main_seat, now=now)


async def open_rooms_of(db: AsyncSession, *, main_session_id: int) -> list[int]:
    """The rooms of the main session's open breakout, in order (their ids are larger than the
    main session's: locks are always taken main first, then the rooms in order)."""
    rows = await db.exec(
        select(BreakoutGroup.room_id)
        .join(Breakout, col(Breakout.id) == col(BreakoutGroup.breakout_id))
        .where(Breakout.session_id == main_session_id, Breakout.status == BreakoutStatus.open)
        .order_by(col(BreakoutGroup.room_id))
    )
    return list(rows.all())


async def mirror(db: AsyncSession, *, main_seat: Seat, action: str, now: datetime) -> list[int]:
    """Copy a main seat's mute or its place (sent to the lobby, removed, banned) into its seats
    in the open groups' rooms, each with its own event there; the seats whose connections end."""
    rooms = await open_rooms_of(db, main_session_id=main_seat.session_id)
    if not rooms:
        return []
    ended: list[int] = []
    for room_id in rooms:
        seat = await seat_in_room(db, room_id=room_id, main_seat_id=main_seat.id)
        if seat is None or seat.status is not SeatStatus.admitted:
            continue
        await lock_session(db, room_id)
        seat.muted, seat.muted_until = main_seat.muted, main_seat.muted_until
        if main_seat.status is not SeatStatus.admitted:
            seat.status, seat.status_reason = main_seat.status, main_seat.status_reason
            ended.append(seat.id)
        db.add(seat)
        await db.flush()
        await seat_changed(db, session_id=room_id, seat=seat, action=action, now=now)
    return ended
