"""The rooms this instance serves: connections, fan-out, and catch-up by sequence number.

Every connection has one writer task and a bounded queue. Whatever it is sent passes
through the writer, which keeps the connection's last sequence number: an older
event is dropped (already sent), a newer one after a gap first pulls the missing
range from the database. So live fan-out, catch-up after (re)connecting and catch-up
after the broker dropped messages are one mechanism, and nothing is sent twice or
out of order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from app.db import Database
from app.events.log import Published, last_seq, read_events
from app.facilitation.views import hydrate
from app.live.broker import Broker, Subscription
from app.live.protocol import CLOSE_SEAT_ENDED, CLOSE_TOO_SLOW

log = structlog.get_logger(__name__)

SEND_QUEUE = 256  # frames a connection may have waiting before it counts as stalled
CATCH_UP = object()  # queue marker: read everything new from the database


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False, default=str)


def seat_ended_by(frame: dict[str, Any]) -> int | None:
    """The seat whose place in the room this event ends (sent to the lobby, removed, banned)."""
    if frame.get("type") == "seat_changed":
        seat = frame.get("seat") or {}
        if seat.get("status") not in (None, "admitted"):
            return seat.get("seat_id")
    return None


class Connection:
    """One client's view of one room."""

    def __init__(
        self,
        *,
        session_id: int,
        seat_id: int,
        is_facilitator: bool,
        send: Callable[[str], Awaitable[None]],
        close: Callable[[int, str], Awaitable[None]],
        db: Database,
        after: int,
        admitted_as_of: int,
        queue_size: int = SEND_QUEUE,
    ) -> None:
        self.session_id = session_id
        self.seat_id = seat_id
        self.is_facilitator = is_facilitator
        self._send = send
        self._close = close
        self._db = db
        self.last_seq = after
        # The handshake found the seat admitted as of this event: older events that took
        # it out of the room (before a readmission) are history, not a reason to close.
        self.admitted_as_of = admitted_as_of
        self.queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=queue_size)
        self.closed = asyncio.Event()
        self.writer: asyncio.Task[None] | None = None

    def may_see(self, audience: str) -> bool:
        if audience == "all":
            return True
        if audience == "facilitators":
            return self.is_facilitator
        if audience.startswith("seat:"):
            return self.is_facilitator or audience == f"seat:{self.seat_id}"
        return False

    def offer(self, item: Any) -> bool:
        """Queue a frame for this client; False if it has stopped reading (it will be dropped)."""
        if self.closed.is_set():
            return False
        try:
            self.queue.put_nowait(item)
            return True
        except asyncio.QueueFull:
            return False

    def start(self) -> None:
        self.writer = asyncio.create_task(self._write(), name=f"ws-writer-{self.session_id}-{self.seat_id}")

    async def stop(self, code: int | None = None, reason: str = "") -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        if code is not None:
            with contextlib.suppress(Exception):
                await self._close(code, reason)
        if self.writer is not None and self.writer is not asyncio.current_task():
            self.writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.writer

    async def _write(self) -> None:
        try:
            while True:
                item = await self.queue.get()
                if item is CATCH_UP:
                    if await self._catch_up(upto=None):
                        return
                elif isinstance(item, tuple):  # (seq, audience, encoded room event, seat it ends)
                    seq, audience, text, ends_seat = item
                    if seq <= self.last_seq:
                        continue  # already sent, by catch-up or before a reconnect
                    if seq > self.last_seq + 1 and await self._catch_up(upto=seq - 1):
                        return
                    await self._send(text if self.may_see(audience) else encode({"type": "noop", "seq": seq}))
                    self.last_seq = seq
                    if ends_seat == self.seat_id and seq > self.admitted_as_of:
                        await self._seat_ended()
                        return
                else:  # a reply to this client only: ack, error, pong, welcome
                    await self._send(item)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # The socket went away mid-send, or the log could not be read: either way
            # this connection cannot go on. Tell the client to reconnect and catch up.
            log.debug("connection_writer_stopped", error_type=type(exc).__name__)
            self.closed.set()
            with contextlib.suppress(Exception):
                await self._close(1013, "try again: reconnect to catch up")

    async def _seat_ended(self) -> None:
        """The seat was sent to the lobby, removed or banned: it has just been told why
        (a `moderation` event came first); now its connection closes."""
        self.closed.set()
        with contextlib.suppress(Exception):
            await self._close(CLOSE_SEAT_ENDED, "your place in the room changed")

    async def _read(self, upto: int | None) -> tuple[list[Any], list[dict[str, Any]]]:
        async with self._db.unit_of_work() as db:
            events = await read_events(db, session_id=self.session_id, after=self.last_seq, upto=upto)
            return events, await hydrate(db, events)

    async def _catch_up(self, *, upto: int | None) -> bool:
        """Send everything after last_seq (up to `upto`) from the log, in order.
        True when an event in it ended this seat's place (the connection is closed)."""
        while True:
            # Shielded: a connection stopped mid-read must not cancel the database call
            # half-way (aiosqlite then leaves a connection closing forever); the read
            # finishes on its own and only this writer stops.
            events, frames = await asyncio.shield(self._read(upto))
            if not events:
                return False
            for event, frame in zip(events, frames, strict=True):
                visible = self.may_see(event.audience)
                await self._send(encode(frame) if visible else encode({"type": "noop", "seq": event.seq}))
                self.last_seq = event.seq
                if seat_ended_by(frame) == self.seat_id and event.seq > self.admitted_as_of:
                    await self._seat_ended()
                    return True
            if upto is not None and self.last_seq >= upto:
                return False


class LocalRoom:
    """This instance's connections to one session, fed by one broker subscription."""

    def __init__(self, session_id: int, subscription: Subscription) -> None:
        self.session_id = session_id
        self.subscription = subscription
        self.connections: set[Connection] = set()
        self.pump: asyncio.Task[None] | None = None


class Hub:
    def __init__(self, *, broker: Broker, db: Database, on_first_room: Callable[[], None] | None = None) -> None:
        self.broker = broker
        self.db = db
        self._on_first_room = on_first_room
        self.rooms: dict[int, LocalRoom] = {}
        self._lock = asyncio.Lock()
        self._closing: set[asyncio.Task[None]] = set()  # keep references until they finish

    async def publish(self, events: list[Published]) -> None:
        """Called after a commit: hand each event to the broker (every instance, us included)."""
        for event in events:
            await self.broker.publish(str(event.session_id), event.encode())

    async def join(self, connection: Connection) -> None:
        """Subscribe first, then catch up from the log: nothing falls between the two."""
        async with self._lock:
            room = self.rooms.get(connection.session_id)
            if room is None:
                if self._on_first_room is not None:
                    self._on_first_room()
                subscription = await self.broker.subscribe(str(connection.session_id))
                room = LocalRoom(connection.session_id, subscription)
                room.pump = asyncio.create_task(self._pump(room), name=f"room-pump-{connection.session_id}")
                self.rooms[connection.session_id] = room
            room.connections.add(connection)
        connection.start()
        connection.offer(CATCH_UP)

    async def leave(self, connection: Connection) -> None:
        async with self._lock:
            room = self.rooms.get(connection.session_id)
            if room is None:
                return
            room.connections.discard(connection)
            if not room.connections:
                del self.rooms[connection.session_id]
                if room.pump is not None:
                    room.pump.cancel()
                await self.broker.unsubscribe(room.subscription)

    async def _pump(self, room: LocalRoom) -> None:
        subscription = room.subscription
        while True:
            await subscription.wake.wait()
            items = subscription.drain()
            if subscription.stale:
                # The broker may have lost messages: every client re-reads from the log.
                subscription.stale = False
                for connection in list(room.connections):
                    self._offer(connection, CATCH_UP)
            for raw in items:
                try:
                    message = json.loads(raw)
                    frame = message["frame"]
                    item = (int(message["seq"]), str(message["audience"]), encode(frame), seat_ended_by(frame))
                except (ValueError, KeyError, TypeError):
                    log.warning("broker_message_unreadable")
                    continue
                for connection in list(room.connections):
                    self._offer(connection, item)

    def _offer(self, connection: Connection, item: Any) -> None:
        if connection.closed.is_set():
            return  # on its way out; the endpoint removes it
        if not connection.offer(item):
            # A client that stopped reading: cut it loose before it costs memory or holds
            # up the room. It reconnects and catches up from the log.
            task = asyncio.create_task(self._drop_slow(connection))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def _drop_slow(self, connection: Connection) -> None:
        log.info("connection_too_slow")
        await connection.stop(CLOSE_TOO_SLOW, "too slow: reconnect to catch up")

    async def close_all(self, code: int, reason: str) -> None:
        for room in list(self.rooms.values()):
            for connection in list(room.connections):
                await connection.stop(code, reason)

    async def current_seq(self, session_id: int) -> int:
        async with self.db.unit_of_work() as db:
            return await last_seq(db, session_id=session_id)
