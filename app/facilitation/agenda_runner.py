"""The agenda runner: which item the room is on, and its timer.

Moves name the item the facilitator saw as current (`expected`): when two facilitators
press "next" at once, the first moves the agenda and the second is told it already
moved, so the agenda advances once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.agenda import agenda_of
from app.dialogues.models import AgendaItem, AgendaKind
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.log import append_event
from app.events.schemas import AgendaChanged, TimeUp
from app.facilitation import audit, breakouts
from app.facilitation.models import SessionRun
from app.facilitation.room import Room
from app.messages import Msg

MAX_EXTENSION_MINUTES = 120


def planned_seconds(item: AgendaItem, run: SessionRun) -> int:
    return item.planned_minutes * 60 + run.item_extra_seconds


def elapsed_seconds(run: SessionRun, now: datetime) -> float:
    running = (now - run.item_started_at).total_seconds() if run.item_started_at else 0.0
    return run.item_elapsed_seconds + max(0.0, running)


def agenda_view(item: AgendaItem | None, run: SessionRun, now: datetime, *, count: int) -> dict[str, Any]:
    """What the room shows: the item, its prompt, whether its clock runs and when it ends."""
    if item is None:
        return {"item": None, "running": False, "remaining_seconds": None, "ends_at": None, "count": count}
    remaining = planned_seconds(item, run) - elapsed_seconds(run, now)
    running = run.item_started_at is not None
    return {
        "item": {
            "id": item.id,
            "position": item.position,
            "kind": item.kind.value,
            "title": dict(item.title),  # Texts: {language: text}; the browser picks the reader's
            "prompt": dict(item.prompt or {}),
            "planned_seconds": planned_seconds(item, run),
        },
        "running": running,
        "remaining_seconds": round(remaining, 1),
        "ends_at": (now + timedelta(seconds=remaining)).isoformat() if running else None,
        "count": count,
    }


def items_view(items: list[AgendaItem]) -> list[dict[str, Any]]:
    """The whole agenda, for the welcome frame: what a room event names by id (a time-up
    nudge's `item_id`) is looked up here, so events never carry the words themselves."""
    return [
        {"id": item.id, "position": item.position, "kind": item.kind.value, "title": dict(item.title)} for item in items
    ]


async def current_item(db: AsyncSession, run: SessionRun) -> AgendaItem | None:
    return await db.get(AgendaItem, run.agenda_item_id) if run.agenda_item_id else None


async def current_view(db: AsyncSession, *, session_id: int, run: SessionRun, now: datetime) -> dict[str, Any]:
    items = await agenda_of(db, session_id=session_id)
    return agenda_view(await current_item(db, run), run, now, count=len(items))


def in_break(item: AgendaItem | None) -> bool:
    return item is not None and item.kind is AgendaKind.break_


def _check_expected(run: SessionRun, expected: int | None) -> None:
    if run.agenda_item_id != expected:
        raise Conflict(
            Msg(
                "The agenda has already moved (another facilitator, or an earlier click); look at the current item and try again."
            ),
            code="agenda_moved",
        )


async def _emit(db: AsyncSession, room: Room, *, action: str, now: datetime) -> dict[str, Any]:
    view = await current_view(db, session_id=room.session_id, run=room.run, now=now)
    await append_event(db, session_id=room.session_id, now=now, event=AgendaChanged(action=action, agenda=view))
    return view


async def emit_clock(db: AsyncSession, room: Room, *, action: str, now: datetime) -> None:
    """The agenda as it is now, after the whole session paused, resumed or ended."""
    await _emit(db, room, action=action, now=now)


def _start(run: SessionRun, item: AgendaItem | None, now: datetime) -> None:
    run.agenda_item_id = item.id if item else None
    run.item_started_at = now if item else None
    run.item_elapsed_seconds = 0.0
    run.item_extra_seconds = 0
    run.item_nudged = False


async def go(db: AsyncSession, room: Room, *, expected: int | None, target: str | int, now: datetime) -> dict[str, Any]:
    """Move to the next or previous item, or to a chosen one; its clock starts afresh."""
    room.require_live(Msg("run the agenda"))
    _check_expected(room.run, expected)
    items = await agenda_of(db, session_id=room.session_id)
    ids = [i.id for i in items]
    here = ids.index(room.run.agenda_item_id) if room.run.agenda_item_id in ids else -1
    if target == "next":
        if here + 1 >= len(items):
            raise Conflict(
                Msg("This is the last agenda item; end the session when you are done."), code="agenda_at_end"
            )
        item: AgendaItem | None = items[here + 1]
    elif target == "back":
        if here <= 0:
            raise Conflict(Msg("There is no earlier agenda item."), code="agenda_at_start")
        item = items[here - 1]
    else:
        item = next((i for i in items if i.id == target), None)
        if item is None:
            raise NotFound(Msg("There is no such agenda item in this session."), code="unknown_agenda_item")
    # Groups still meeting come back, with their reports, when the agenda moves on.
    await breakouts.close_open(db, session=room.session, now=now, actor_seat_id=room.seat.id)
    _start(room.run, item, now)
    db.add(room.run)
    await db.flush()
    action = target if isinstance(target, str) else "go"
    await audit.record(db, room, f"agenda_{action}", now=now, details={"item_id": item.id if item else None})
    return await _emit(db, room, action=action, now=now)


def _check_current(run: SessionRun, item_id: int) -> None:
    if run.agenda_item_id is None:
        raise Conflict(Msg("No agenda item is running yet."), code="agenda_not_started")
    _check_expected(run, item_id)


async def extend(db: AsyncSession, room: Room, *, item_id: int, minutes: int, now: datetime) -> dict[str, Any]:
    room.require_live(Msg("run the agenda"))
    _check_current(room.run, item_id)
    if not 1 <= minutes <= MAX_EXTENSION_MINUTES:
        raise ValidationFailed(
            Msg("Extend by 1 to {max_extension_minutes} minutes.", max_extension_minutes=MAX_EXTENSION_MINUTES),
            code="bad_extension",
        )
    room.run.item_extra_seconds += minutes * 60
    room.run.item_nudged = False
    db.add(room.run)
    await db.flush()
    await audit.record(db, room, "agenda_extend", now=now, details={"item_id": item_id, "minutes": minutes})
    return await _emit(db, room, action="extend", now=now)


async def pause(db: AsyncSession, room: Room, *, item_id: int, now: datetime) -> dict[str, Any]:
    _check_current(room.run, item_id)
    if room.run.item_started_at is None:
        raise Conflict(Msg("The item's clock is already paused."), code="timer_paused")
    stop_clock(room.run, now)
    db.add(room.run)
    await db.flush()
    await audit.record(db, room, "agenda_pause", now=now, details={"item_id": item_id})
    return await _emit(db, room, action="pause", now=now)


async def resume(db: AsyncSession, room: Room, *, item_id: int, now: datetime) -> dict[str, Any]:
    room.require_live(Msg("run the agenda"))
    _check_current(room.run, item_id)
    if room.run.item_started_at is not None:
        raise Conflict(Msg("The item's clock is already running."), code="timer_running")
    room.run.item_started_at = now
    db.add(room.run)
    await db.flush()
    await audit.record(db, room, "agenda_resume", now=now, details={"item_id": item_id})
    return await _emit(db, room, action="resume", now=now)


def stop_clock(run: SessionRun, now: datetime) -> None:
    """Bank the running stretch; used by pause, and when the whole session pauses."""
    if run.item_started_at is not None:
        run.item_elapsed_seconds = elapsed_seconds(run, now)
        run.item_started_at = None


def time_is_up(item: AgendaItem | None, run: SessionRun, now: datetime) -> bool:
    """The running item's time is over and the facilitators have not been told yet."""
    if item is None or run.item_nudged or run.item_started_at is None:
        return False
    return elapsed_seconds(run, now) >= planned_seconds(item, run)


async def nudge_if_due(db: AsyncSession, *, session_id: int, run: SessionRun, now: datetime) -> bool:
    """Tell the facilitators, once, that the current item's time is up."""
    item = await current_item(db, run)
    if not time_is_up(item, run, now):
        return False
    assert item is not None
    run.item_nudged = True
    db.add(run)
    await db.flush()
    await append_event(db, session_id=session_id, now=now, audience="facilitators", event=TimeUp(item_id=item.id))
    return True
