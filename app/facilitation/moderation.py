"""Moderation: the session's status, mutes, hiding statements, taking seats out of the room,
slow mode and the admission lock. Every action is audited, and the person acted on is
told what happened and why (a `moderation` event only they and the facilitators see).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import Invitation, Seat, SeatRole, SeatStatus, SessionStatus, SpeakingMode
from app.dialogues.sessions import change_status
from app.errors import Conflict, NotFound
from app.events.log import append_event
from app.events.models import Statement
from app.events.schemas import ModerationNotice, RoomSettingsChanged, StatementChanged
from app.facilitation import agenda_runner, audit, breakout_rooms, breakouts, floor, polls, rounds
from app.facilitation.room import Room, is_facilitator, seat_changed, seat_in, seat_view
from app.messages import Msg, status_word


async def _tell(
    db: AsyncSession,
    room: Room,
    *,
    seat_id: int,
    action: str,
    reason: str | None,
    now: datetime,
    until: datetime | None = None,
    statement_id: int | None = None,
) -> None:
    await append_event(
        db,
        session_id=room.session_id,
        now=now,
        audience=f"seat:{seat_id}",
        event=ModerationNotice(action=action, seat_id=seat_id, reason=reason, until=until, statement_id=statement_id),
    )


# The session ----------------------------------------------------------------------------


async def set_status(db: AsyncSession, room: Room, *, to: SessionStatus, reason: str | None, now: datetime) -> dict:
    """Start (open → live), pause, resume and end. Pausing stops the item's clock and all
    participant activity; resuming restarts the clock; ending clears the floor and rounds."""
    resuming = to is SessionStatus.live and room.session.status is SessionStatus.paused
    if to is SessionStatus.paused:
        agenda_runner.stop_clock(room.run, now)
    elif resuming:
        # The pause was nobody's time: the item's clock runs on from where it stopped, and
        # whoever was speaking gets their turn's time afresh.
        if room.run.agenda_item_id:
            room.run.item_started_at = now
        if room.run.floor_seat_id is not None:
            room.run.floor_since, room.run.floor_warned = now, False
        await rounds.restart_turn(db, session_id=room.session_id, now=now)
    elif to is SessionStatus.ended:
        # Groups still meeting come back first, with their reports.
        await breakouts.close_open(db, session=room.session, now=now, actor_seat_id=room.seat.id)
        agenda_runner.stop_clock(room.run, now)
        floor.clear_floor(room.run)
        await floor.clear_queue(db, session_id=room.session_id)
        await rounds.close_active(db, session_id=room.session_id, now=now)
        await polls.close_open(db, session_id=room.session_id, now=now)
    await change_status(db, session=room.session, to=to, reason=reason, now=now)
    db.add(room.run)
    await db.flush()
    if room.run.agenda_item_id is not None and (to is not SessionStatus.live or resuming):
        # The item's clock stopped or runs again: the room is told, not left to guess.
        await agenda_runner.emit_clock(db, room, action="resume" if resuming else "pause", now=now)
    action = (
        "session_resume"
        if resuming
        else {
            SessionStatus.live: "session_start",
            SessionStatus.paused: "session_pause",
            SessionStatus.ended: "session_end",
        }[to]
    )
    await audit.record(db, room, action, now=now, reason=reason if to is SessionStatus.paused else None)
    return {"status": to.value}


# Seats ----------------------------------------------------------------------------------


async def _target(db: AsyncSession, room: Room, seat_id: int) -> Seat:
    target = await seat_in(db, room, seat_id)
    if target.id == room.seat.id:
        raise Conflict(Msg("You cannot do this to yourself."), code="self_target")
    if target.role is SeatRole.facilitator:
        raise Conflict(Msg("Facilitators of the programme cannot be moderated in the room."), code="facilitator_target")
    return target


async def _leave_speaking(db: AsyncSession, room: Room, seat: Seat, *, now: datetime) -> None:
    """Off the floor, out of the queue and out of a running round."""
    if await floor.drop_seat(db, session_id=room.session_id, run=room.run, seat_id=seat.id):
        await floor.emit_for(db, session_id=room.session_id, run=room.run, action="left", seat_id=seat.id, now=now)
    await rounds.drop_seat(db, session_id=room.session_id, seat_id=seat.id, now=now)


async def mute(
    db: AsyncSession, room: Room, *, seat_id: int, minutes: int | None, reason: str | None, now: datetime
) -> dict:
    target = await _target(db, room, seat_id)
    if target.status is not SeatStatus.admitted:
        raise Conflict(Msg("Only someone in the room can be muted."), code="not_in_room")
    target.muted = True
    target.muted_until = now + timedelta(minutes=minutes) if minutes else None
    db.add(target)
    await db.flush()
    await _leave_speaking(db, room, target, now=now)
    reason = (reason or "").strip() or None
    await _tell(db, room, seat_id=seat_id, action="muted", reason=reason, until=target.muted_until, now=now)
    await seat_changed(db, session_id=room.session_id, seat=target, action="muted", now=now)
    await breakout_rooms.mirror(db, main_seat=target, action="muted", now=now)
    await audit.record(db, room, "mute", target_seat_id=seat_id, reason=reason, now=now, details={"minutes": minutes})
    return seat_view(target, now)


async def unmute(db: AsyncSession, room: Room, *, seat_id: int, now: datetime) -> dict:
    target = await _target(db, room, seat_id)
    if not target.is_muted(now):
        raise Conflict(Msg("That person is not muted."), code="not_muted")
    await _lift_mute(db, room.session_id, target, now=now)
    await audit.record(db, room, "unmute", target_seat_id=seat_id, now=now)
    return seat_view(target, now)


async def _lift_mute(db: AsyncSession, session_id: int, seat: Seat, *, now: datetime) -> None:
    seat.muted, seat.muted_until = False, None
    db.add(seat)
    await db.flush()
    await append_event(
        db,
        session_id=session_id,
        now=now,
        audience=f"seat:{seat.id}",
        event=ModerationNotice(action="unmuted", seat_id=seat.id, reason=None),
    )
    await seat_changed(db, session_id=session_id, seat=seat, action="unmuted", now=now)
    await breakout_rooms.mirror(db, main_seat=seat, action="unmuted", now=now)


async def expire_mutes(db: AsyncSession, *, session_id: int, seats: list[Seat], now: datetime) -> bool:
    """Mutes whose time is over are lifted, and the room is told."""
    due = [s for s in seats if s.muted and s.muted_until is not None and s.muted_until <= now]
    for seat in due:
        await _lift_mute(db, session_id, seat, now=now)
    return bool(due)


SEAT_ACTIONS = {"send_to_lobby": SeatStatus.lobby, "remove": SeatStatus.removed, "ban": SeatStatus.banned}


async def take_seat_out(db: AsyncSession, room: Room, *, action: str, seat_id: int, reason: str, now: datetime) -> dict:
    """Back to the lobby (a facilitator may admit again), removed (may be readmitted later),
    or banned (the invitation is revoked and rejoining is refused)."""
    target = await _target(db, room, seat_id)
    status = SEAT_ACTIONS[action]
    if target.status is status:
        raise Conflict(Msg("That seat is already {status}.", status=status_word(status)), code="already_done")
    if target.status is SeatStatus.banned:
        raise Conflict(Msg("That seat is banned."), code="seat_banned")
    reason = reason.strip()
    await _leave_speaking(db, room, target, now=now)
    # Told first, so the message reaches them before the room closes its connection.
    await _tell(db, room, seat_id=seat_id, action=action, reason=reason, now=now)
    target.status = status
    target.status_reason = reason[:200]
    target.muted, target.muted_until = False, None
    if status is SeatStatus.banned and target.invitation_id is not None:
        invitation = await db.get(Invitation, target.invitation_id)
        if invitation is not None and invitation.revoked_at is None:
            invitation.revoked_at = now
            db.add(invitation)
    db.add(target)
    await db.flush()
    await seat_changed(db, session_id=room.session_id, seat=target, action=action, now=now)
    await breakout_rooms.mirror(db, main_seat=target, action=action, now=now)
    await breakouts.seat_left(db, main_seat=target, now=now)
    await audit.record(db, room, action, target_seat_id=seat_id, reason=reason, now=now)
    return seat_view(target, now)


# Statements and room settings -----------------------------------------------------------


async def hide(db: AsyncSession, room: Room, *, statement_id: int, reason: str, now: datetime) -> dict:
    statement = await db.get(Statement, statement_id)
    if statement is None or statement.session_id != room.session_id:
        raise NotFound(Msg("There is no such statement in this session."), code="unknown_statement")
    if statement.withdrawn_at is not None:
        raise Conflict(Msg("Its author has already withdrawn that statement."), code="already_withdrawn")
    if statement.hidden_at is not None:
        raise Conflict(Msg("That statement is already hidden."), code="already_hidden")
    statement.hidden_at, statement.hidden_reason = now, reason.strip()[:200]
    db.add(statement)
    await db.flush()
    await append_event(
        db, session_id=room.session_id, now=now, event=StatementChanged(statement_id=statement_id, state="hidden")
    )
    author = await db.get(Seat, statement.seat_id)
    if author is not None and not is_facilitator(author):
        await _tell(
            db,
            room,
            seat_id=author.id,
            action="hidden",
            reason=statement.hidden_reason,
            statement_id=statement_id,
            now=now,
        )
    await audit.record(
        db,
        room,
        "hide",
        target_seat_id=statement.seat_id,
        target_statement_id=statement_id,
        reason=statement.hidden_reason,
        now=now,
    )
    return {"statement_id": statement_id, "state": "hidden"}


async def _settings_changed(db: AsyncSession, room: Room, *, now: datetime) -> dict[str, Any]:
    slow_mode_seconds, locked = room.run.slow_mode_seconds, room.run.locked
    mode = room.session.speaking_mode.value
    view: dict[str, Any] = {"slow_mode_seconds": slow_mode_seconds, "locked": locked, "speaking_mode": mode}
    db.add(room.run)
    await db.flush()
    await append_event(
        db,
        session_id=room.session_id,
        now=now,
        event=RoomSettingsChanged(slow_mode_seconds=slow_mode_seconds, locked=locked, speaking_mode=mode),
    )
    return view


async def set_speaking_mode(db: AsyncSession, room: Room, *, mode: str, now: datetime) -> dict:
    """Open (everyone may speak) or queued (the floor's holder speaks): the floor and the queue
    stay as they are, so a queue raised in an open room is served once it is queued."""
    wanted = SpeakingMode(mode)
    if room.session.speaking_mode is wanted:
        raise Conflict(Msg("The room already works that way."), code="already_done")
    room.session.speaking_mode = wanted
    db.add(room.session)
    await audit.record(db, room, "speaking_mode", now=now, details={"mode": wanted.value})
    return await _settings_changed(db, room, now=now)


async def slow_mode(db: AsyncSession, room: Room, *, seconds: int, now: datetime) -> dict:
    room.run.slow_mode_seconds = seconds
    await audit.record(db, room, "slow_mode", now=now, details={"seconds": seconds})
    return await _settings_changed(db, room, now=now)


async def lock(db: AsyncSession, room: Room, *, locked: bool, now: datetime) -> dict:
    room.run.locked = locked
    await audit.record(db, room, "lock" if locked else "unlock", now=now)
    return await _settings_changed(db, room, now=now)
