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
import gettext
import json
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from app.db import Database, is_unavailable
from app.events.log import Published, count_events, decode_message, last_seq, read_events
from app.events.log import seat_ended_by as seat_ended_by
from app.events.revocations import CLOSE_LOGIN_ENDED, Revoked
from app.facilitation.rights import HeldRight, ended_rights
from app.facilitation.views import hydrate
from app.live.broker import Broker, Subscription
from app.live.protocol import CLOSE_MOVED, CLOSE_RIGHT_ENDED, CLOSE_SERVER_ERROR, CLOSE_TOO_SLOW, CLOSE_TRY_AGAIN
from app.messages import Catalog, Msg

log = structlog.get_logger(__name__)

SEND_QUEUE = 256  # frames a connection may have waiting before it counts as stalled
CATCH_UP = object()  # queue marker: read everything new from the database
FETCH_PAGE = 200  # events read at once when a client fetches a range
CONTROL_RETRIES = 30  # seconds of trying to send a revocation Redis did not take
RECENT_REVOCATIONS = 60.0  # seconds a revocation is remembered for connections still joining


@dataclass(frozen=True)
class Fetch:
    """Queue marker: send the client this range of the log again, whole, page by page."""

    from_seq: int
    to_seq: int


@dataclass(frozen=True)
class Grant:
    """What a connection's right rests on, checked again while it stays open: the login
    (staff; None for a seat cookie) with its hard end, the account, the programme."""

    connection_id: str
    programme_id: int
    login_id: int | None = None
    user_id: int | None = None
    login_expires_at: datetime | None = None
    cookie_hash: str | None = None  # a seat cookie's: a reissued link makes it stop working
    checked_at: float = 0.0  # loop-independent monotonic time the handshake read the right
    # In a breakout group's room: the person's seat in the main session, whose revocation
    # ends this connection too.
    main_seat_id: int | None = None
    main_session_id: int | None = None


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False, default=str)


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
        grant: Grant | None = None,
        queue_size: int = SEND_QUEUE,
        catalog: Catalog | None = None,
    ) -> None:
        self.session_id = session_id
        # The reader's language: what this connection is told in words (errors) is translated with it.
        self.catalog: Catalog = catalog or gettext.NullTranslations()
        self.grant = grant or Grant(connection_id="", programme_id=0)
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

    @property
    def key(self) -> str:
        """Its id among all connections (the presence table's), or one of this process's own."""
        return self.grant.connection_id or f"local-{id(self)}"

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
        writer = self._cancel_writer()
        if code is not None:
            with contextlib.suppress(Exception):
                await self._close(code, reason)
        if writer is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer

    def _cancel_writer(self) -> asyncio.Task[None] | None:
        if self.writer is not None and self.writer is not asyncio.current_task():
            self.writer.cancel()
            return self.writer
        return None

    def end_now(self, code: int, reason: str) -> asyncio.Task[None] | None:
        """The right behind this connection ended: from this call on nothing more is sent to
        it (not one more frame, private or not); the close frame follows in a task."""
        if self.closed.is_set():
            return None
        self.closed.set()
        self._cancel_writer()
        return asyncio.create_task(self._close_quietly(code, reason))

    async def _close_quietly(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self._close(code, reason)

    def relies_on(self, revoked: Revoked) -> bool:
        grant = self.grant
        if grant.login_id is not None and grant.login_id in revoked.logins:
            return True
        if revoked.user is not None and grant.user_id == revoked.user and grant.login_id != revoked.except_login:
            return True
        if revoked.member is not None and (grant.user_id, grant.programme_id) == revoked.member:
            return True
        if grant.main_seat_id is not None and grant.main_seat_id in revoked.seats:
            return True
        return self.seat_id in revoked.seats or (self.key in revoked.connections)

    async def _write(self) -> None:
        try:
            while True:
                item = await self.queue.get()
                if item is CATCH_UP:
                    if await self._catch_up(upto=None):
                        return
                elif isinstance(item, Fetch):
                    await self._fetch(item)
                elif isinstance(item, tuple):  # (seq, audience, encoded room event, seat it ends)
                    seq, audience, text, ends_seat = item
                    if seq <= self.last_seq:
                        continue  # already sent, by catch-up or before a reconnect
                    if seq > self.last_seq + 1 and await self._catch_up(upto=seq - 1):
                        return
                    await self._send(text if self.may_see(audience) else encode({"type": "noop", "seq": seq}))
                    self.last_seq = seq
                    if ends_seat == self.seat_id and seq > self.admitted_as_of:
                        await self._seat_ended(moved='"action":"moved"' in text)
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
            code = CLOSE_TRY_AGAIN if is_unavailable(exc) or isinstance(exc, OSError) else CLOSE_SERVER_ERROR
            with contextlib.suppress(Exception):
                await self._close(code, "try again: reconnect to catch up")

    async def _seat_ended(self, *, moved: bool = False) -> None:
        """The seat was sent to the lobby, removed or banned: it has just been told why
        (a `moderation` event came first); now its connection closes. `moved`: a breakout
        group's seat whose person was moved to another group or back (the main room's
        `breakout_changed` says where to)."""
        self.closed.set()
        with contextlib.suppress(Exception):
            if moved:
                await self._close(CLOSE_MOVED, "moved: follow the main room")
            else:
                await self._close(CLOSE_RIGHT_ENDED, "your place in the room changed")

    async def _read(
        self, upto: int | None, *, after: int | None = None, limit: int = 5000
    ) -> tuple[list[Any], list[dict[str, Any]]]:
        after = self.last_seq if after is None else after
        async with self._db.reading() as db:
            events = await read_events(db, session_id=self.session_id, after=after, upto=upto, limit=limit)
            return events, await hydrate(db, events)

    async def _fetch(self, fetch: Fetch) -> None:
        """A range the client asked for again, sent whole (page by page, straight to the
        socket, so the send queue's size does not matter), or `range_unavailable` before
        anything when the log does not hold all of it. It does not move last_seq: live
        events go on from where they were."""
        async with self._db.reading() as db:
            newest = await last_seq(db, session_id=self.session_id)
            held = (
                await count_events(db, session_id=self.session_id, after=fetch.from_seq - 1, upto=fetch.to_seq)
                if fetch.from_seq <= fetch.to_seq <= newest
                else -1
            )
        if held != fetch.to_seq - fetch.from_seq + 1:  # beyond the log, or a hole in it (a purged session)
            await self._send(_unavailable(fetch, self.catalog))
            return
        after, expected = fetch.from_seq - 1, fetch.from_seq
        while after < fetch.to_seq:
            events, frames = await asyncio.shield(self._read(fetch.to_seq, after=after, limit=FETCH_PAGE))
            if not events or events[0].seq != expected:
                # A hole in the log (a purged session): never a partial range.
                await self._send(_unavailable(fetch, self.catalog))
                return
            for event, frame in zip(events, frames, strict=True):
                if event.seq != expected:
                    await self._send(_unavailable(fetch, self.catalog))
                    return
                visible = self.may_see(event.audience)
                await self._send(encode(frame) if visible else encode({"type": "noop", "seq": event.seq}))
                expected += 1
            after = events[-1].seq

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
                    await self._seat_ended(moved=frame.get("action") == "moved")
                    return True
            if upto is not None and self.last_seq >= upto:
                return False


def _always(code: int) -> Callable[[Connection], int | None]:
    return lambda _connection: code


def _expired_at(now: datetime) -> Callable[[Connection], int | None]:
    def code_for(connection: Connection) -> int | None:
        ends = connection.grant.login_expires_at
        return CLOSE_LOGIN_ENDED if ends is not None and now >= ends else None

    return code_for


def _unavailable(fetch: Fetch, catalog: Catalog) -> str:
    return encode(
        {
            "type": "range_unavailable",
            "from_seq": fetch.from_seq,
            "to_seq": fetch.to_seq,
            "message": Msg("That range cannot be served; reload the room.").localized(catalog),
        }
    )


class LocalRoom:
    """This instance's connections to one session, fed by one broker subscription."""

    def __init__(self, session_id: int, subscription: Subscription) -> None:
        self.session_id = session_id
        self.subscription = subscription
        self.connections: set[Connection] = set()
        self.pump: asyncio.Task[None] | None = None


class Hub:
    def __init__(
        self,
        *,
        broker: Broker,
        db: Database,
        on_first_room: Callable[[], None] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.broker = broker
        self.db = db
        self._now = now
        self._on_first_room = on_first_room
        self.rooms: dict[int, LocalRoom] = {}
        self._lock = asyncio.Lock()
        self._closing: set[asyncio.Task[None]] = set()  # keep references until they finish
        # Revocations of the last minute, for connections that were still joining when one came.
        self._recent: deque[tuple[float, Revoked]] = deque()
        # Streams that are not room connections but rely on a seat (the lobby page's).
        self._seat_watchers: dict[int, set[asyncio.Event]] = defaultdict(set)
        broker.on_control = self._on_control

    async def publish(self, items: list[Any]) -> None:
        """Called after a commit: room events go to the broker (every instance, us included);
        a revocation closes this instance's connections at once, then goes to the others."""
        for item in items:
            if isinstance(item, Revoked):
                self.revoke(item)
                if not await self.broker.publish_control(item.encode()):
                    self._keep(asyncio.create_task(self._resend_control(item.encode())))
            elif isinstance(item, Published):
                await self.broker.publish(str(item.session_id), item.encode())

    def _keep(self, task: asyncio.Task[None]) -> None:
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _resend_control(self, data: bytes) -> None:
        """Redis did not take a revocation: try again every second for a while (the other
        instances' revalidation is the net if it never gets through)."""
        for _ in range(CONTROL_RETRIES):
            await asyncio.sleep(1.0)
            if await self.broker.publish_control(data):
                return

    def _on_control(self, data: bytes) -> None:
        revoked = Revoked.decode(data)
        if revoked is None:
            log.warning("broker_control_unreadable")
            return
        self.revoke(revoked)

    @contextlib.contextmanager
    def watch_seat(self, seat_id: int) -> Iterator[asyncio.Event]:
        """An event set when a revocation ends this seat's right (here or on another instance),
        for a stream that relies on the seat without being a room connection."""
        ended = asyncio.Event()
        self._seat_watchers[seat_id].add(ended)
        try:
            yield ended
        finally:
            watchers = self._seat_watchers.get(seat_id)
            if watchers is not None:
                watchers.discard(ended)
                if not watchers:
                    del self._seat_watchers[seat_id]

    def connections(self) -> list[Connection]:
        return [connection for room in self.rooms.values() for connection in room.connections]

    def revoke(self, revoked: Revoked) -> int:
        """Close, now, every connection here that relied on what was revoked. Synchronous:
        when it returns, none of them will be sent anything more."""
        now = time.monotonic()
        self._recent.append((now, revoked))
        while self._recent and self._recent[0][0] < now - RECENT_REVOCATIONS:
            self._recent.popleft()
        for seat_id in revoked.seats:
            for ended in self._seat_watchers.get(seat_id, ()):
                ended.set()
        return self._end(self.connections(), lambda c: revoked.code if c.relies_on(revoked) else None, revoked.reason)

    def _end(self, connections: Iterable[Connection], code_for: Callable[[Connection], int | None], reason: str) -> int:
        ended = 0
        for connection in connections:
            code = code_for(connection)
            if code is None:
                continue
            task = connection.end_now(code, reason)
            if task is not None:
                ended += 1
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)
        if ended:
            log.info("connections_closed_right_ended", connections=ended, reason=reason)
        return ended

    async def revalidate(self, connections: list[Connection] | None = None) -> int:
        """Check again, in the database, the rights of these connections (all by default);
        close those whose right ended. Raises when the database cannot be asked."""
        connections = [c for c in (self.connections() if connections is None else connections) if not c.closed.is_set()]
        if not connections:
            return 0
        now = self._now()
        expired = self._end(connections, _expired_at(now), "your login ended")
        held = [
            HeldRight(
                connection_id=c.key,
                seat_id=c.seat_id,
                login_id=c.grant.login_id,
                cookie_hash=c.grant.cookie_hash,
            )
            for c in connections
            if not c.closed.is_set()
        ]
        async with self.db.reading() as db:
            ended = await ended_rights(db, held, now=now)
        if not ended:
            return expired
        by_id = {c.key: c for c in connections}
        closed = 0
        for key, (code, reason) in ended.items():
            connection = by_id.get(key)
            if connection is not None:
                closed += self._end([connection], _always(code), reason)
        return expired + closed

    def end_expired_logins(self) -> int:
        """Close, without asking the database, connections whose login has passed its end."""
        return self._end(self.connections(), _expired_at(self._now()), "your login ended")

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
        # A revocation that came while this connection was being let in (after its handshake
        # read the database): it ends here too. Older ones were already in what it read.
        for at, revoked in list(self._recent):
            if at >= connection.grant.checked_at and connection.relies_on(revoked):
                self._end([connection], _always(revoked.code), revoked.reason)
                return
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
                # The broker may have lost messages: every client re-reads from the log. A
                # revocation may have been lost with them, so rights are checked first.
                subscription.stale = False
                try:
                    await self.revalidate(list(room.connections))
                except Exception as exc:  # the database is away too: the rights keeper retries
                    log.warning("revalidation_failed", error_type=type(exc).__name__)
                for connection in list(room.connections):
                    self._offer(connection, CATCH_UP)
            for raw in items:
                try:  # the frame's text goes out as the broker carried it: encoded once, by its writer
                    header, frame_text = decode_message(raw)
                    ends = header.get("ends_seat")
                    item = (
                        int(header["seq"]),
                        str(header["audience"]),
                        frame_text,
                        ends if isinstance(ends, int) else None,
                    )
                except (ValueError, KeyError, TypeError, UnicodeDecodeError):
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
        async with self.db.reading() as db:
            return await last_seq(db, session_id=session_id)
