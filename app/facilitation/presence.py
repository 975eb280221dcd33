"""Who is in the room, across instances.

Each open connection is a row held by the app instance that serves it. The first
connection of a seat makes a `presence_joined` event and the last one to close a
`presence_left`. Instances write a heartbeat; when one stops (killed, crashed), any
other instance removes its rows after ROUNDTABLE_PRESENCE_TIMEOUT_SECONDS and announces those seats as gone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import publish_after_commit
from app.dialogues.models import Seat
from app.events.log import append_event
from app.events.revocations import CLOSE_REPLACED, Revoked
from app.events.schemas import PresenceChanged, SeatSummary
from app.facilitation.models import AppInstance, Presence
from app.facilitation.room import lock_session
from app.programmes.models import Community

HEARTBEAT_EVERY = timedelta(seconds=5)


async def seat_summary(db: AsyncSession, seat: Seat) -> SeatSummary:
    community = await db.get(Community, seat.community_id) if seat.community_id else None
    return SeatSummary(
        seat_id=seat.id,
        display_name=seat.display_name,
        role=seat.role.value,
        community=community.key if community else None,
    )


async def heartbeat(db: AsyncSession, *, instance_id: str, now: datetime) -> None:
    """Say this instance is alive (creating its row the first time, race-free)."""
    updated = await db.exec(update(AppInstance).where(col(AppInstance.id) == instance_id).values(last_seen=now))
    if updated.rowcount:
        return
    try:
        async with db.begin_nested():
            db.add(AppInstance(id=instance_id, started_at=now, last_seen=now))
            await db.flush()
    except IntegrityError:  # the keeper and a first connection both got here
        pass


async def _connections_of(db: AsyncSession, seat_id: int) -> int:
    return (await db.exec(select(func.count()).select_from(Presence).where(Presence.seat_id == seat_id))).one()


async def arrive(
    db: AsyncSession,
    *,
    connection_id: str,
    seat_id: int,
    instance_id: str,
    now: datetime,
    per_seat: int | None = None,
    per_account: int | None = None,
) -> None:
    """A connection opened; the seat's first one announces it. Beyond `per_seat` open
    connections of the seat, or `per_account` of a staff account (on every instance), the
    oldest are closed: their places were taken by the newer ones (ids sort by age). The
    session's row is locked first, so connections of one seat arriving at once, on any
    instance, count each other."""
    seat = await db.get(Seat, seat_id)
    if seat is None:
        return
    await lock_session(db, seat.session_id)
    await heartbeat(db, instance_id=instance_id, now=now)
    first = await _connections_of(db, seat.id) == 0
    db.add(
        Presence(
            id=connection_id,
            session_id=seat.session_id,
            seat_id=seat.id,
            instance_id=instance_id,
            connected_at=now,
        )
    )
    await db.flush()
    if first:
        await append_event(
            db,
            session_id=seat.session_id,
            now=now,
            event=PresenceChanged(type="presence_joined", seat=await seat_summary(db, seat)),
        )
    replaced: list[str] = []
    if per_seat:
        replaced += await _beyond(db, select(Presence.id).where(Presence.seat_id == seat.id), keep=per_seat)
    if per_account and seat.user_id is not None:
        of_account = (
            select(Presence.id).join(Seat, col(Seat.id) == col(Presence.seat_id)).where(Seat.user_id == seat.user_id)
        )
        replaced += await _beyond(db, of_account, keep=per_account)
    if replaced:
        publish_after_commit(
            db,
            Revoked(code=CLOSE_REPLACED, reason="opened on another device or tab", connections=tuple(set(replaced))),
        )


async def _beyond(db: AsyncSession, ids: Any, *, keep: int) -> list[str]:
    """The connection ids of `ids` past the `keep` newest."""
    return list((await db.exec(ids.order_by(col(Presence.id).desc()).offset(keep))).all())


async def depart(db: AsyncSession, *, connection_id: str, now: datetime) -> None:
    """A connection closed; the seat's last one announces that it left."""
    row = await db.get(Presence, connection_id)
    if row is None:
        return
    await db.delete(row)
    await db.flush()
    if await _connections_of(db, row.seat_id) == 0:
        seat = await db.get(Seat, row.seat_id)
        if seat is not None:
            await append_event(
                db,
                session_id=row.session_id,
                now=now,
                event=PresenceChanged(type="presence_left", seat=await seat_summary(db, seat)),
            )


async def sweep_dead_instances(db: AsyncSession, *, now: datetime, stale_after: timedelta) -> int:
    """Remove the connections of instances that stopped beating; announce who left."""
    dead = list((await db.exec(select(AppInstance.id).where(AppInstance.last_seen < now - stale_after))).all())
    if not dead:
        return 0
    rows = list((await db.exec(select(Presence).where(col(Presence.instance_id).in_(dead)))).all())
    for row in rows:
        await depart(db, connection_id=row.id, now=now)
    await db.exec(delete(AppInstance).where(col(AppInstance.id).in_(dead)))
    return len(rows)


async def present_seats(db: AsyncSession, *, session_id: int) -> list[dict]:
    seats = (
        await db.exec(
            select(Seat)
            .where(
                Seat.session_id == session_id,
                col(Seat.id).in_(select(Presence.seat_id).where(Presence.session_id == session_id)),
            )
            .order_by(col(Seat.id))
        )
    ).all()
    return [(await seat_summary(db, seat)).model_dump() for seat in seats]


async def forget_instance(db: AsyncSession, *, instance_id: str, now: datetime) -> None:
    """An instance shutting down cleanly leaves at once instead of waiting to be swept:
    its connections depart (announcing who left) and its heartbeat row goes."""
    for row in (await db.exec(select(Presence).where(Presence.instance_id == instance_id))).all():
        await depart(db, connection_id=row.id, now=now)
    await db.exec(delete(AppInstance).where(col(AppInstance.id) == instance_id))
