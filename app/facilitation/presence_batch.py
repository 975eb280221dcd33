"""Many arrivals at once, on the room facts already known: the handshake's fast path.

A connection that opens records its presence (app/facilitation/presence.py: `arrive`).
When a room fills (the start of a session, everyone reconnecting after a restart) those
arrivals come by the dozen; the writer (app/live/writer.py) hands them here, in the same
transaction and thread hop as the batch's statements. Per session: the session's row is
locked by one `UPDATE … last_seq = last_seq + n RETURNING` (n: the seats arriving for the
first time, each announced by a `presence_joined` event), the presence rows are inserted
with one statement, the events with another.

Like the statements' fast path it only ever does the plain case. A seat of a staff account
(its limit counts the account's connections on every instance), a seat that would go past
its own limit of connections (the oldest must be closed), a room whose facts are unknown
or stale, an instance whose row is missing: those arrivals are handed back and take
`presence.arrive`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, column, func, select, table
from sqlalchemy.engine import Connection

from app.events.log import Published
from app.events.models import RoomEvent
from app.events.schemas import PresenceChanged, SeatSummary
from app.facilitation.models import AppInstance, Presence
from app.facilitation.room_facts import RoomFacts

_sessions = table("dialogue_sessions", column("id", Integer), column("last_seq", Integer))
_presence = Presence.__table__  # type: ignore[attr-defined]
_instances = AppInstance.__table__  # type: ignore[attr-defined]
_events = RoomEvent.__table__  # type: ignore[attr-defined]


@dataclass(slots=True)
class Arrival:
    """One connection that opened, as the endpoint records it."""

    session_id: int
    seat_id: int
    connection_id: str
    instance_id: str
    now: datetime
    per_seat: int | None


ARRIVED = "arrived"  # the answer of an arrival stored here (the full path's is None)


def arrive_batch(
    connection: Connection, arrivals: list[Arrival], facts_of: dict[int, RoomFacts]
) -> tuple[list[str | None], list[Published]]:
    """Record what the facts allow, in the caller's transaction: for each arrival `ARRIVED`,
    or None (deferred: run `presence.arrive`), and the events to publish after commit."""
    results: list[str | None] = [None] * len(arrivals)
    if not arrivals:
        return results, []
    beat = connection.execute(
        _instances.update()
        .where(_instances.c.id == arrivals[0].instance_id)
        .values(last_seen=max(a.now for a in arrivals))
    )
    if not beat.rowcount or any(a.instance_id != arrivals[0].instance_id for a in arrivals):
        return results, []  # the instance's first arrival: the full path makes its row
    by_session: dict[int, list[int]] = {}
    for index, one in enumerate(arrivals):
        facts = facts_of.get(one.session_id)
        known = facts.seats.get(one.seat_id) if facts is not None else None
        if known is None or known.seat.user_id is not None or known.seat.session_id != one.session_id:
            continue
        by_session.setdefault(one.session_id, []).append(index)
    seat_ids = {arrivals[i].seat_id for indexes in by_session.values() for i in indexes}
    if not seat_ids:
        return results, []
    open_now: dict[int, int] = dict(
        connection.execute(
            select(_presence.c.seat_id, func.count())
            .where(_presence.c.seat_id.in_(seat_ids))
            .group_by(_presence.c.seat_id)
        ).all()
    )
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    published: list[Published] = []
    for session_id, indexes in sorted(by_session.items()):
        facts = facts_of[session_id]
        counts = dict(open_now)
        for index in indexes:
            counts[arrivals[index].seat_id] = counts.get(arrivals[index].seat_id, 0) + 1
        if any(arrivals[i].per_seat and counts[arrivals[i].seat_id] > (arrivals[i].per_seat or 0) for i in indexes):
            continue  # a seat past its limit: the full path closes the oldest of its connections
        firsts: list[int] = []  # each seat's first connection: announced
        announced: set[int] = set()
        for index in indexes:
            seat_id = arrivals[index].seat_id
            if not open_now.get(seat_id) and seat_id not in announced:
                announced.add(seat_id)
                firsts.append(index)
        top = connection.execute(
            _sessions.update()
            .where(_sessions.c.id == session_id)
            .values(last_seq=_sessions.c.last_seq + len(firsts))
            .returning(_sessions.c.last_seq)
        ).scalar_one()  # also the session's lock: arrivals of one seat count each other
        if top - len(firsts) != facts.version:
            if firsts:
                connection.execute(
                    _sessions.update()
                    .where(_sessions.c.id == session_id)
                    .values(last_seq=_sessions.c.last_seq - len(firsts))
                )
            continue
        for index in indexes:
            one = arrivals[index]
            rows.append(
                {
                    "id": one.connection_id,
                    "session_id": session_id,
                    "seat_id": one.seat_id,
                    "instance_id": one.instance_id,
                    "connected_at": one.now,
                }
            )
            results[index] = ARRIVED
        for seq, index in enumerate(firsts, start=facts.version + 1):
            one = arrivals[index]
            known = facts.seats[one.seat_id]
            event = PresenceChanged(
                type="presence_joined",
                seat=SeatSummary(
                    seat_id=one.seat_id,
                    display_name=known.seat.display_name,
                    role=known.seat.role.value,
                    community=known.community.key if known.community else None,
                ),
            )
            fields, stored = event.split()
            events.append(
                {
                    "session_id": session_id,
                    "seq": seq,
                    "type": event.type,
                    "audience": "all",
                    "payload": stored,
                    "created_at": one.now,
                }
            )
            frame = {"type": event.type, "seq": seq, "at": one.now.isoformat(), **fields}
            published.append(Published(None, frame, session_id=session_id))
        facts.version = top  # an arrival changes none of the facts
    if rows:
        connection.execute(_presence.insert(), rows)
    if events:
        connection.execute(_events.insert(), events)
    return results, published
