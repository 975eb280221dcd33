"""Alerts for the facilitators: break requests, reports, an item's time up and participants'
check-in messages stay in every console until a facilitator marks them done.

An alert is its own room event (seen by the facilitators); "done" is one more event,
`alert_done`, naming the alert's sequence number, so that every console (on every
instance, after any reconnect) drops it the same way, and the audit log says who did it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.events.log import append_event
from app.events.models import RoomEvent
from app.events.schemas import AlertDone
from app.facilitation import audit
from app.facilitation.room import Room
from app.messages import Msg

ALERT_EVENTS = frozenset({"break_requested", "report_made", "time_up", "group_alert"})


def is_alert(event: RoomEvent) -> bool:
    if event.type in ALERT_EVENTS:
        return True
    return event.type == "private_message" and event.payload.get("channel") == "check_in"


async def mark_done(db: AsyncSession, room: Room, *, alert_seq: int, now: datetime) -> dict:
    """Mark the alert with that event number done; marking it twice changes nothing."""
    event = (
        await db.exec(select(RoomEvent).where(RoomEvent.session_id == room.session_id, RoomEvent.seq == alert_seq))
    ).first()
    if event is None or not is_alert(event):
        raise NotFound(Msg("There is no such alert in this session."), code="alert_not_found")
    if await _already_done(db, room.session_id, alert_seq):
        return {"alert_seq": alert_seq, "done": True}
    await append_event(
        db, session_id=room.session_id, now=now, audience="facilitators", event=AlertDone(alert_seq=alert_seq)
    )
    await audit.record(db, room, "alert_done", now=now, details={"alert_seq": alert_seq, "kind": event.type})
    return {"alert_seq": alert_seq, "done": True}


async def _already_done(db: AsyncSession, session_id: int, alert_seq: int) -> bool:
    rows = (
        await db.exec(
            select(RoomEvent.payload).where(RoomEvent.session_id == session_id, RoomEvent.type == "alert_done")
        )
    ).all()
    return any(payload.get("alert_seq") == alert_seq for payload in rows)
