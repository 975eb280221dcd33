"""The speaking floor and queue.

Participants raise and lower hands; a facilitator gives the floor (for a time), takes it
back and moves people in the queue; the holder may give it back ("I'm done"). In a queued
session only the floor's holder (and the facilitators) may post statements while the others
can still react; in an open one everyone may speak, and a raised hand is a request to be
heard that the facilitators see in the same queue. The facilitators switch between the two
during the session (moderation.set_speaking_mode).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import SeatStatus, SpeakingMode
from app.errors import Conflict, ValidationFailed
from app.events.log import append_event
from app.events.schemas import FloorChanged, TurnWarning
from app.facilitation import audit
from app.facilitation.models import HandRaise, SessionRun
from app.facilitation.room import Room, is_facilitator, require_speaker, seat_in
from app.messages import Msg

DEFAULT_TURN_SECONDS = 180
MIN_TURN_SECONDS, MAX_TURN_SECONDS = 15, 30 * 60


def warn_before(turn_seconds: int) -> int:
    """When a speaker is warned that their time runs out: 30 s before, less for short turns."""
    return min(30, max(5, turn_seconds // 4))


async def queue_of(db: AsyncSession, *, session_id: int) -> list[int]:
    rows = await db.exec(
        select(HandRaise.seat_id)
        .where(HandRaise.session_id == session_id)
        .order_by(col(HandRaise.position), col(HandRaise.id))
    )
    return list(rows.all())


def floor_view(run: SessionRun, queue: list[int]) -> dict[str, Any]:
    ends = run.floor_since + timedelta(seconds=run.floor_seconds) if run.floor_since and run.floor_seconds else None
    return {
        "seat_id": run.floor_seat_id,
        "since": run.floor_since.isoformat() if run.floor_since else None,
        "ends_at": ends.isoformat() if ends else None,
        "queue": queue,
    }


async def current_view(db: AsyncSession, *, session_id: int, run: SessionRun) -> dict[str, Any]:
    return floor_view(run, await queue_of(db, session_id=session_id))


async def _emit(db: AsyncSession, room: Room, *, action: str, now: datetime, seat_id: int | None = None) -> dict:
    return await emit_for(db, session_id=room.session_id, run=room.run, action=action, seat_id=seat_id, now=now)


async def _hand(db: AsyncSession, session_id: int, seat_id: int) -> HandRaise | None:
    return (
        await db.exec(select(HandRaise).where(HandRaise.session_id == session_id, HandRaise.seat_id == seat_id))
    ).first()


async def raise_hand(db: AsyncSession, room: Room, *, now: datetime) -> dict[str, Any]:
    require_speaker(room.seat)
    room.require_live(Msg("raise your hand"))
    if room.seat.is_muted(now):
        raise Conflict(Msg("You are muted, so you cannot ask to speak just now."), code="muted")
    if room.run.floor_seat_id == room.seat.id:
        raise Conflict(Msg("You already have the floor."), code="has_floor")
    if await _hand(db, room.session_id, room.seat.id) is not None:
        return await current_view(db, session_id=room.session_id, run=room.run)  # raising twice is harmless
    last = (await db.exec(select(func.max(HandRaise.position)).where(HandRaise.session_id == room.session_id))).one()
    db.add(HandRaise(session_id=room.session_id, seat_id=room.seat.id, position=(last or 0) + 1, raised_at=now))
    await db.flush()
    return await _emit(db, room, action="hand_raised", seat_id=room.seat.id, now=now)


async def lower_hand(db: AsyncSession, room: Room, *, seat_id: int | None, now: datetime) -> dict[str, Any]:
    """Lower one's own hand; a facilitator may lower anyone's."""
    target = room.seat.id if seat_id is None else seat_id
    if target != room.seat.id and not room.is_facilitator:
        raise Conflict(Msg("You can lower only your own hand."), code="facilitators_only")
    hand = await _hand(db, room.session_id, target)
    if hand is None:
        return await current_view(db, session_id=room.session_id, run=room.run)
    await db.delete(hand)
    await db.flush()
    if target != room.seat.id:
        await audit.record(db, room, "hand_lowered", target_seat_id=target, now=now)
    return await _emit(db, room, action="hand_lowered", seat_id=target, now=now)


async def give(db: AsyncSession, room: Room, *, seat_id: int, seconds: int | None, now: datetime) -> dict[str, Any]:
    room.require_live(Msg("give the floor"))
    seconds = DEFAULT_TURN_SECONDS if seconds is None else seconds
    if not MIN_TURN_SECONDS <= seconds <= MAX_TURN_SECONDS:
        raise ValidationFailed(
            Msg(
                "A turn lasts {min_turn_seconds} seconds to {max_minutes} minutes.",
                min_turn_seconds=MIN_TURN_SECONDS,
                max_minutes=MAX_TURN_SECONDS // 60,
            ),
            code="bad_turn_length",
        )
    target = await seat_in(db, room, seat_id)
    if target.status is not SeatStatus.admitted or is_facilitator(target):
        raise Conflict(Msg("The floor goes to a participant who is in the room."), code="not_a_speaker")
    if target.is_muted(now):
        raise Conflict(Msg("That person is muted; unmute them first."), code="muted")
    hand = await _hand(db, room.session_id, seat_id)
    if hand is not None:
        await db.delete(hand)
    room.run.floor_seat_id, room.run.floor_since, room.run.floor_seconds = seat_id, now, seconds
    room.run.floor_warned = False
    db.add(room.run)
    await db.flush()
    await audit.record(db, room, "floor_given", target_seat_id=seat_id, now=now, details={"seconds": seconds})
    return await _emit(db, room, action="given", seat_id=seat_id, now=now)


async def done(db: AsyncSession, room: Room, *, now: datetime) -> dict[str, Any]:
    """The holder gives the floor back before their time is up."""
    if room.run.floor_seat_id is None or room.run.floor_seat_id != room.seat.id:
        raise Conflict(Msg("You do not have the floor."), code="not_holder")
    clear_floor(room.run)
    db.add(room.run)
    await db.flush()
    return await _emit(db, room, action="done", seat_id=room.seat.id, now=now)


def clear_floor(run: SessionRun) -> None:
    run.floor_seat_id, run.floor_since, run.floor_seconds, run.floor_warned = None, None, 0, False


async def take(db: AsyncSession, room: Room, *, now: datetime, reason: str = "taken") -> dict[str, Any]:
    if room.run.floor_seat_id is None:
        raise Conflict(Msg("Nobody has the floor."), code="floor_empty")
    holder = room.run.floor_seat_id
    clear_floor(room.run)
    db.add(room.run)
    await db.flush()
    await audit.record(db, room, "floor_taken", target_seat_id=holder, now=now)
    return await _emit(db, room, action=reason, seat_id=holder, now=now)


async def move(db: AsyncSession, room: Room, *, seat_id: int, position: int, now: datetime) -> dict[str, Any]:
    """Put a raised hand at `position` (1 = next) in the queue."""
    hands = list(
        (
            await db.exec(
                select(HandRaise)
                .where(HandRaise.session_id == room.session_id)
                .order_by(col(HandRaise.position), col(HandRaise.id))
            )
        ).all()
    )
    moving = next((h for h in hands if h.seat_id == seat_id), None)
    if moving is None:
        raise Conflict(Msg("That person has not raised their hand."), code="not_in_queue")
    if position < 1:
        raise ValidationFailed(Msg("Positions start at 1."), code="bad_position")
    hands.remove(moving)
    hands.insert(min(position, len(hands) + 1) - 1, moving)
    for number, hand in enumerate(hands, start=1):
        hand.position = number
        db.add(hand)
    await db.flush()
    await audit.record(db, room, "queue_moved", target_seat_id=seat_id, now=now, details={"position": position})
    return await _emit(db, room, action="moved", seat_id=seat_id, now=now)


async def drop_seat(db: AsyncSession, *, session_id: int, run: SessionRun, seat_id: int) -> bool:
    """Someone left the room (sent to the lobby, removed, banned, muted): off the floor and out
    of the queue. True when anything changed."""
    changed = False
    hand = await _hand(db, session_id, seat_id)
    if hand is not None:
        await db.delete(hand)
        changed = True
    if run.floor_seat_id == seat_id:
        clear_floor(run)
        db.add(run)
        changed = True
    await db.flush()
    return changed


async def emit_for(
    db: AsyncSession, *, session_id: int, run: SessionRun, action: str, seat_id: int | None, now: datetime
) -> dict[str, Any]:
    """Tell the room the floor changed, with the whole floor and queue as they are now."""
    view = await current_view(db, session_id=session_id, run=run)
    await append_event(
        db, session_id=session_id, now=now, event=FloorChanged(action=action, seat_id=seat_id, floor=view)
    )
    return view


def turn_clock(since: datetime | None, seconds: int, warned: bool, now: datetime) -> tuple[str | None, float]:
    """What a speaking turn's clock calls for now: "end", "warn" (once), or nothing; and
    the seconds left. One rule for the floor and for round turns."""
    if since is None or not seconds:
        return None, 0.0
    left = seconds - (now - since).total_seconds()
    if left <= 0:
        return "end", left
    if left <= warn_before(seconds) and not warned:
        return "warn", left
    return None, left


async def check_due(db: AsyncSession, *, session_id: int, run: SessionRun, now: datetime) -> bool:
    """The floor's clock: a warning before the end, then the floor returns to the facilitators."""
    if run.floor_seat_id is None:
        return False
    due, left = turn_clock(run.floor_since, run.floor_seconds, run.floor_warned, now)
    if due == "end":
        holder = run.floor_seat_id
        clear_floor(run)
        db.add(run)
        await db.flush()
        await emit_for(db, session_id=session_id, run=run, action="time_up", seat_id=holder, now=now)
        return True
    if due == "warn":
        run.floor_warned = True
        db.add(run)
        await db.flush()
        await warn_speaker(db, session_id=session_id, seat_id=run.floor_seat_id, seconds_left=left, now=now)
        return True
    return False


async def warn_speaker(db: AsyncSession, *, session_id: int, seat_id: int, seconds_left: float, now: datetime) -> None:
    """Tell a speaker (and the facilitators) that their time is nearly up: the floor or a round turn."""
    await append_event(
        db,
        session_id=session_id,
        now=now,
        audience=f"seat:{seat_id}",
        event=TurnWarning(seat_id=seat_id, seconds_left=round(seconds_left)),
    )


async def may_speak(db: AsyncSession, room: Room) -> None:
    """In a queued session, only the floor holder speaks (facilitators always may)."""
    if room.session.speaking_mode is SpeakingMode.queued and not room.is_facilitator:
        if room.run.floor_seat_id != room.seat.id:
            raise Conflict(Msg("Raise your hand and wait for the floor to speak."), code="not_your_floor")


async def clear_queue(db: AsyncSession, *, session_id: int) -> None:
    for hand in (await db.exec(select(HandRaise).where(HandRaise.session_id == session_id))).all():
        await db.delete(hand)
    await db.flush()
