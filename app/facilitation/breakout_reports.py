"""A breakout group's report: a short draft any member may edit, agreed when every member
present has said "ready" to its current version; posted into the main room when the groups
return (app/facilitation/breakouts.py: close). An edit asks everyone again.

Edits name the version they were made on, so two members saving at once do not overwrite
each other unseen: the second is told the report changed and sees the new text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import Seat, SeatRole, SeatStatus
from app.errors import Conflict, ValidationFailed
from app.events.log import append_event
from app.events.schemas import ReportChanged
from app.facilitation import audit
from app.facilitation.breakout_rooms import open_group_of
from app.facilitation.models import BreakoutGroup, Presence
from app.facilitation.room import Room, require_voice
from app.messages import Msg

MAX_REPORT_CHARS = 2000


async def present_seat_ids(db: AsyncSession, *, room_id: int) -> list[int]:
    """Seats of a group's room with an open connection now (on any instance)."""
    rows = await db.exec(select(Presence.seat_id).where(Presence.session_id == room_id).distinct())
    return sorted(rows.all())


async def members_present(db: AsyncSession, group: BreakoutGroup) -> list[int]:
    """The group's members (placed participants, not visitors) present in its room now."""
    present = await present_seat_ids(db, room_id=group.room_id)
    if not present:
        return []
    rows = await db.exec(
        select(Seat.id).where(
            col(Seat.id).in_(present),
            Seat.session_id == group.room_id,
            Seat.role == SeatRole.participant,
            Seat.status == SeatStatus.admitted,
        )
    )
    return sorted(rows.all())


async def agreed(db: AsyncSession, group: BreakoutGroup) -> bool:
    return agreed_among(group, await members_present(db, group))


def agreed_among(group: BreakoutGroup, members_here: list[int]) -> bool:
    """Written, and every member present said ready to this version (at least one did)."""
    if not group.report.strip():
        return False
    ready, present = set(group.report_ready), set(members_here)
    return bool(ready & present) and present <= ready


async def report_view(db: AsyncSession, group: BreakoutGroup) -> dict[str, Any]:
    return {
        "group_id": group.id,
        "version": group.report_version,
        "text": group.report,
        "ready": list(group.report_ready),
        "agreed": await agreed(db, group),
    }


async def _changed(db: AsyncSession, group: BreakoutGroup, *, now: datetime) -> dict[str, Any]:
    view = await report_view(db, group)
    await append_event(
        db,
        session_id=group.room_id,
        now=now,
        event=ReportChanged(
            group_id=group.id,
            version=group.report_version,
            ready=view["ready"],
            agreed=view["agreed"],
            text=group.report,
        ),
    )
    return view


async def _group(db: AsyncSession, room: Room) -> BreakoutGroup:
    found = await open_group_of(db, room.session) if room.session.parent_id is not None else None
    if found is None:
        raise Conflict(Msg("Reports are written in a breakout group while it meets."), code="not_in_group")
    require_voice(room.seat)
    return found[1]


def _check_version(group: BreakoutGroup, version: int) -> None:
    if version != group.report_version:
        raise Conflict(
            Msg("Someone else changed the report a moment ago; read their version and try again."),
            code="report_changed",
        )


async def edit(db: AsyncSession, room: Room, *, text: str, version: int, now: datetime) -> dict[str, Any]:
    """Save the group's draft; everyone is asked to say ready again."""
    group = await _group(db, room)
    _check_version(group, version)
    text = text.strip()
    if len(text) > MAX_REPORT_CHARS:
        raise ValidationFailed(Msg("A report has at most {n} characters.", n=MAX_REPORT_CHARS), code="report_too_long")
    if text == group.report:
        return await report_view(db, group)
    group.report, group.report_version, group.report_ready = text, group.report_version + 1, []
    db.add(group)
    await db.flush()
    await audit.record(
        db, room, "report_edit", now=now, details={"group_id": group.id, "version": group.report_version}
    )
    return await _changed(db, group, now=now)


async def ready(db: AsyncSession, room: Room, *, version: int, ready: bool, now: datetime) -> dict[str, Any]:
    """A member says the current version is ready (or takes it back)."""
    group = await _group(db, room)
    _check_version(group, version)
    if ready and not group.report.strip():
        raise Conflict(Msg("Write the report first; then say it is ready."), code="report_empty")
    marks = [s for s in group.report_ready if s != room.seat.id] + ([room.seat.id] if ready else [])
    if sorted(marks) == sorted(group.report_ready):
        return await report_view(db, group)
    group.report_ready = sorted(marks)
    db.add(group)
    await db.flush()
    return await _changed(db, group, now=now)
