"""The hub and the protocol without a network: the in-process broker, a real database."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from app.dialogues.models import DialogueSession, Seat
from app.events.log import append_event, last_seq, read_events
from app.events.revocations import CLOSE_LOGIN_ENDED, Revoked
from app.events.schemas import ROOM_EVENT_TYPES, SessionStatusChanged
from app.facilitation import lobby, moderation, presence
from app.facilitation.room import Actor, enter
from app.facilitation.room_state import room_state
from app.facilitation.statements import post_statement
from app.facilitation.views import hydrate
from app.live.broker import MemoryBroker
from app.live.hub import CATCH_UP, Connection, Grant, Hub, encode
from app.live.protocol import CLOSE_RIGHT_ENDED, CLOSE_TOO_SLOW, SERVER_FRAMES


class FakeSocket:
    def __init__(self, *, delay: float = 0.0) -> None:
        self.sent: list[dict] = []
        self.closed: tuple[int, str] | None = None
        self.delay = delay

    async def send(self, text: str) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        frame = json.loads(text)
        SERVER_FRAMES.validate_python(frame)
        self.sent.append(frame)

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)

    def seqs(self) -> list[int]:
        return [f["seq"] for f in self.sent if "seq" in f and f["type"] != "ack"]


@pytest.fixture
async def hub(app):
    broker = MemoryBroker()
    hub = Hub(broker=broker, db=app.state.db)
    previous = app.state.db.publisher
    app.state.db.publisher = hub.publish
    yield hub
    app.state.db.publisher = previous
    await hub.close_all(1001, "test over")


def connect(
    app,
    hub,
    live_room,
    name: str,
    *,
    after: int = 0,
    facilitator: bool = False,
    queue_size: int = 256,
    delay: float = 0.0,
    grant: Grant | None = None,
) -> tuple[Connection, FakeSocket]:
    socket = FakeSocket(delay=delay)
    connection = Connection(
        session_id=live_room.session_id,
        seat_id=live_room.people[name].seat_id,
        is_facilitator=facilitator,
        send=socket.send,
        close=socket.close,
        db=app.state.db,
        after=after,
        queue_size=queue_size,
        admitted_as_of=10**9,
        grant=grant,
    )  # these seats stay in the room: no event ends them
    return connection, socket


async def say(app, live_room, name: str, text: str, client_id: str) -> int:
    async with app.state.db.unit_of_work() as db:
        posted = await post_statement(
            db,
            session_id=live_room.session_id,
            seat_id=live_room.people[name].seat_id,
            client_id=client_id,
            text=text,
            reply_to=None,
            now=app.state.clock.now(),
        )
    return posted.seq


async def settle(*sockets: FakeSocket, count: int, timeout: float = 3.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while any(len(s.seqs()) < count for s in sockets) and loop.time() < deadline:
        await asyncio.sleep(0.01)


async def test_joining_subscribes_then_catches_up_and_goes_live_without_gaps_or_duplicates(app, hub, live_room):
    first = await say(app, live_room, "nigar", "Before anyone listens", "client-0001")
    connection, socket = connect(app, hub, live_room, "ani")
    await hub.join(connection)
    second = await say(app, live_room, "nigar", "While catching up", "client-0002")
    await settle(socket, count=second)
    seqs = socket.seqs()
    assert seqs == list(range(1, second + 1)) and first in seqs
    await hub.leave(connection)


async def test_an_event_seen_twice_is_sent_once_and_a_gap_is_filled_from_the_log(app, hub, live_room):
    connection, socket = connect(app, hub, live_room, "ani")
    connection.start()
    async with app.state.db.unit_of_work() as db:
        events = [
            await append_event(
                db,
                session_id=live_room.session_id,
                event=SessionStatusChanged(status="live"),
                now=app.state.clock.now(),
            )
            for _ in range(3)
        ]
    seqs = [e.seq for e in events]
    frame = encode({"type": "session_status", "seq": seqs[2], "at": "2026-01-01T00:00:00+00:00", "status": "live"})
    connection.offer((seqs[2], "all", frame, None))  # arrives first: the two before it come from the log
    connection.offer((seqs[2], "all", frame, None))  # and again: dropped
    await settle(socket, count=len(socket.seqs()) + 1)
    await asyncio.sleep(0.1)
    assert socket.seqs()[-3:] == seqs and len(set(socket.seqs())) == len(socket.seqs())
    await connection.stop()


async def test_what_a_client_may_not_see_arrives_as_a_noop_with_its_number(app, hub, live_room):
    participant, p_socket = connect(app, hub, live_room, "ani")
    facilitator, f_socket = connect(app, hub, live_room, "nigar", facilitator=True)
    await hub.join(participant)
    await hub.join(facilitator)
    async with app.state.db.unit_of_work() as db:
        event = await append_event(
            db,
            session_id=live_room.session_id,
            event=SessionStatusChanged(status="live"),
            audience="facilitators",
            now=app.state.clock.now(),
        )
    await settle(p_socket, f_socket, count=event.seq)
    assert next(f for f in p_socket.sent if f.get("seq") == event.seq)["type"] == "noop"
    assert next(f for f in f_socket.sent if f.get("seq") == event.seq)["type"] == "session_status"


async def test_a_stalled_reader_is_dropped_before_it_costs_memory_or_holds_up_others(app, hub, live_room):
    stalled, s_socket = connect(app, hub, live_room, "rauf", queue_size=4, delay=10.0)
    fine, f_socket = connect(app, hub, live_room, "ani")
    await hub.join(stalled)
    await hub.join(fine)
    last = 0
    for i in range(12):
        last = await say(app, live_room, "nigar", f"Line {i}", f"client-{i:04d}")
    await settle(f_socket, count=last)
    assert f_socket.seqs()[-1] == last
    for _ in range(100):
        if s_socket.closed:
            break
        await asyncio.sleep(0.02)
    assert s_socket.closed is not None and s_socket.closed[0] == CLOSE_TOO_SLOW
    assert stalled.queue.qsize() <= 4


async def test_a_broker_that_lost_messages_leads_to_a_catch_up_from_the_log(app, hub, live_room):
    connection, socket = connect(app, hub, live_room, "ani")
    await hub.join(connection)
    await settle(socket, count=await hub.current_seq(live_room.session_id))  # the first catch-up is done
    room = hub.rooms[live_room.session_id]
    previous = app.state.db.publisher
    app.state.db.publisher = None  # as if the broker dropped everything
    lost = await say(app, live_room, "nigar", "Dropped on the way", "client-lost1")
    app.state.db.publisher = previous
    await asyncio.sleep(0.05)
    assert lost not in socket.seqs()
    room.subscription.mark_stale()  # what the Redis broker does after a reconnect
    await settle(socket, count=lost)
    assert lost in socket.seqs()


async def test_every_room_event_type_and_the_welcome_are_valid_protocol_frames(app, hub, live_room):
    async with app.state.db.unit_of_work() as db:
        seat = await db.get(Seat, live_room.people["ani"].seat_id)
        await presence.heartbeat(db, instance_id="test-instance", now=app.state.clock.now())
        await presence.arrive(
            db, connection_id="c1", seat_id=seat.id, instance_id="test-instance", now=app.state.clock.now()
        )
    await say(app, live_room, "nigar", "Hello", "client-hello")
    async with app.state.db.unit_of_work() as db:
        await presence.depart(db, connection_id="c1", now=app.state.clock.now())
        session = await db.get(DialogueSession, live_room.session_id)
        welcome = await room_state(db, session=session, seat=seat, now=app.state.clock.now())

        frames = await hydrate(db, await read_events(db, session_id=live_room.session_id, after=0))
    SERVER_FRAMES.validate_python(welcome)
    seen = set()
    for frame in frames:
        SERVER_FRAMES.validate_python(frame)
        seen.add(frame["type"])
    assert {"statement", "presence_joined", "presence_left", "session_status"} <= seen <= set(ROOM_EVENT_TYPES), seen
    # Every other event type is checked by tests/facilitation/ (each command's events) and
    # tests/live/test_facilitated_session.py (over sockets).
    for extra in (
        {"type": "noop", "seq": 1},
        {"type": "ack", "client_id": "x", "seq": 1, "statement_id": 1},
        {"type": "error", "code": "c", "message": "m"},
        {"type": "pong"},
        {"type": "range_unavailable", "from_seq": 1, "to_seq": 2, "message": "m"},
    ):
        SERVER_FRAMES.validate_python(extra)


async def test_catch_up_marker_reads_everything_new(app, hub, live_room):
    seq = await say(app, live_room, "nigar", "Already there", "client-there")
    connection, socket = connect(app, hub, live_room, "ani", after=seq - 1)
    connection.start()
    connection.offer(CATCH_UP)
    await settle(socket, count=1)
    assert socket.seqs() == [seq]
    await connection.stop()


async def test_a_seat_taken_out_of_the_room_is_closed_but_its_history_does_not_close_it_again(app, hub, live_room):
    async with app.state.db.unit_of_work() as db:
        current = await last_seq(db, session_id=live_room.session_id)
    ani = live_room.people["ani"]
    socket = FakeSocket()
    connection = Connection(
        session_id=live_room.session_id,
        seat_id=ani.seat_id,
        is_facilitator=False,
        send=socket.send,
        close=socket.close,
        db=app.state.db,
        after=current,
        admitted_as_of=current,
    )
    await hub.join(connection)
    async with app.state.db.unit_of_work() as db:  # the service itself (rights are checked by the dispatcher)
        room = await enter(db, actor=Actor(live_room.session_id, live_room.people["nigar"].seat_id))
        await moderation.take_seat_out(
            db, room, action="remove", seat_id=ani.seat_id, reason="A pause for you.", now=app.state.clock.now()
        )
    await asyncio.wait_for(connection.closed.wait(), 3)
    assert socket.closed == (CLOSE_RIGHT_ENDED, "your place in the room changed")
    told = [f for f in socket.sent if f["type"] == "moderation"]
    assert told and told[0]["reason"] == "A pause for you.", "told why before the close"
    await hub.leave(connection)
    async with app.state.db.unit_of_work() as db:  # readmitted, and back from the very start
        await lobby.admit(db, seat=await db.get(Seat, ani.seat_id), now=app.state.clock.now())
        now_seq = await last_seq(db, session_id=live_room.session_id)
    again, socket = connect(app, hub, live_room, "ani")
    again.admitted_as_of = now_seq
    await hub.join(again)
    await settle(socket, count=now_seq)
    assert socket.seqs() == list(range(1, now_seq + 1)) and socket.closed is None
    await hub.leave(again)


async def test_a_revocation_closes_what_relied_on_it_and_not_what_came_after_it(app, hub, live_room):
    """A password reset ends the account's logins: its open connection closes at once, with
    4401; a connection made afterwards (a new login, its handshake after the reset) stays."""
    old = Grant(connection_id="old", programme_id=1, login_id=100, user_id=5, checked_at=time.monotonic())
    before, before_socket = connect(app, hub, live_room, "nigar", facilitator=True, grant=old)
    other, _other_socket = connect(app, hub, live_room, "ani")
    await hub.join(before)
    await hub.join(other)
    assert hub.revoke(Revoked(code=CLOSE_LOGIN_ENDED, reason="password_reset", user=5)) == 1
    assert before.closed.is_set() and not before.offer("anything"), "nothing more is sent, from now"
    await asyncio.sleep(0.05)
    assert before_socket.closed == (CLOSE_LOGIN_ENDED, "password_reset")
    assert not other.closed.is_set()

    fresh = Grant(connection_id="new", programme_id=1, login_id=101, user_id=5, checked_at=time.monotonic())
    after, _after_socket = connect(app, hub, live_room, "nigar", facilitator=True, grant=fresh)
    await hub.join(after)
    assert not after.closed.is_set(), "a login made after the reset is not the one it ended"

    late = Grant(connection_id="late", programme_id=1, login_id=100, user_id=5, checked_at=old.checked_at)
    raced, raced_socket = connect(app, hub, live_room, "nigar", facilitator=True, grant=late)
    await hub.join(raced)  # its handshake read the login before the reset: it ends too
    await asyncio.sleep(0.05)
    assert raced_socket.closed is not None and raced_socket.closed[0] == CLOSE_LOGIN_ENDED
    for connection in (other, after):
        await connection.stop()


async def test_a_seat_s_revocation_reaches_the_streams_that_rely_on_it_and_no_other(hub):
    # The lobby page's stream is not a room connection: it watches its seat (web/waiting_stream.py).
    with hub.watch_seat(7) as seven, hub.watch_seat(8) as eight:
        hub.revoke(Revoked(code=CLOSE_RIGHT_ENDED, reason="your place moved to another device", seats=(7,)))
        assert seven.is_set() and not eight.is_set()
        hub.revoke(Revoked(code=CLOSE_LOGIN_ENDED, reason="logged out", logins=(8,)))
        assert not eight.is_set(), "a login's end is not a seat's"
    assert not hub._seat_watchers, "a stream that ended leaves nothing behind"
