"""What the fault scenarios share: a room with seats, clients that post statements and
resend them until acknowledged while checking every sequence number, an HTTP probe, and
the final accounting against the database.

Every violation is written down as it happens, with the client, its connection, the
server, the client_id or seq and the close code, so a failing scenario says exactly what
went wrong; the checks at the end raise one assertion listing all of them.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import ValidationError
from sqlalchemy import text
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from app.accounts.models import Role
from app.accounts.service import create_user
from app.clock import ManualClock
from app.db import make_unpooled_engine
from app.live.protocol import SERVER_FRAMES
from app.main import create_app
from tests.backends import make_settings
from tests.factories import DEFAULT_PASSWORD, go_live, make_programme, make_session, seat_for
from tests.servers import Server, server_env

# Close codes after which a client reconnects (docs/protocol.md, "Close codes"); any other
# code, and above all a connection that ends with no close frame at all, is a failure.
RECONNECT_CODES = {1001: "going away", 1012: "server restarting", 1013: "try again", 4008: "too slow"}

# The clients' reconnect policy, the one docs/protocol.md asks of a client: exponential
# backoff with jitter, from BACKOFF_FIRST up to BACKOFF_CAP, reset only after a connection
# that stayed up STABLE_SECONDS (so a server that accepts and drops at once does not reset it).
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 4.0
STABLE_SECONDS = 8.0

ACK_TIMEOUT = 6.0  # no ack (and no error) this long after sending: resend, same client_id


@dataclass
class Room:
    session_id: int
    cookies: dict[str, str]  # seat name → "rt_seat_N=token"
    facilitator: str  # username; password DEFAULT_PASSWORD


async def build_room(app, names: Sequence[str]) -> Room:
    """Accounts, a programme, a live session and an admitted seat per name, through the services."""
    now = app.state.clock.now()
    users = {}
    tag = uuid.uuid4().hex[:6]
    for role in (Role.organiser, Role.facilitator):
        async with app.state.db.unit_of_work() as db:
            users[role] = await create_user(
                db,
                username=f"faults-{role.value}-{tag}",
                full_name=f"Fault {role.value.title()}",
                role=role,
                password=DEFAULT_PASSWORD,
                passwords=app.state.passwords,
                now=now,
            )
    programme = await make_programme(app, organiser=users[Role.organiser], facilitators=[users[Role.facilitator]])
    session = await make_session(app, facilitator=users[Role.facilitator], programme=programme, capacity=12)
    await go_live(app, session)
    cookies = {}
    for i, name in enumerate(names):
        person = await seat_for(
            app, facilitator=users[Role.facilitator], session=session, community="ab"[i % 2], name=name.title()
        )
        cookies[name] = person.cookie
    return Room(session.id, cookies, users[Role.facilitator].username)


def migrate(database_url: str) -> None:
    """`roundtable migrate`, as a deployment runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "migrate"],
        env=server_env(database_url, None),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"roundtable migrate failed: {done.stdout[-2000:]} {done.stderr[-2000:]}"


async def room_on_own_database(database_url: str, names: Sequence[str]) -> Room:
    """Migrate a database of the scenario's own, then build the room in it."""
    await asyncio.to_thread(migrate, database_url)
    builder = create_app(make_settings(database_url, None), clock=ManualClock())
    async with builder.router.lifespan_context(builder):
        return await build_room(builder, names)


class Journal:
    """The scenario's timeline and every failure seen, with when it happened."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.phase = "setup"
        self.failures: list[str] = []
        self.notes: list[str] = []
        self.killed: set[int] = set()  # ports of instances this scenario SIGKILLed

    def at(self) -> str:
        return f"t={time.monotonic() - self.started:5.1f}s [{self.phase}]"

    def fail(self, message: str, *, at: float | None = None, phase: str | None = None) -> None:
        when = self.at() if at is None else f"t={at - self.started:5.1f}s [{phase}]"
        self.failures.append(f"{when} {message}")

    def kinds(self) -> list[str]:
        """The failures grouped by kind (numbers and ids blanked), most frequent first."""
        counts = Counter(
            re.sub(r"\d+(\.\d+)?", "N", re.sub(r"\b[a-z]+-\d{4}-[0-9a-f]{6}\b", "<client_id>", f.split("] ", 1)[1]))
            for f in self.failures
        )
        return [f"{n:4d}× {kind}" for kind, n in counts.most_common()]

    def note(self, message: str) -> None:
        self.notes.append(f"{self.at()} {message}")

    def enter(self, phase: str) -> None:
        self.phase = phase
        self.note(f"phase {phase}")


@dataclass
class Pending:
    text: str
    sends: int = 0
    due: float = 0.0  # when to send (again)
    due_reason: str = "new"  # "ack": waiting for its answer; otherwise a resend was asked for
    answers: list[str] = field(default_factory=list)


class FaultClient:
    """A participant's browser, as docs/protocol.md describes one: keeps `last_seq`,
    reconnects with `after`, resends unacknowledged statements with the same client_id
    (after `try_again`, an error, a close or a missing ack) until they are acknowledged.

    A `resender` also sends every statement a second time after its ack, on purpose,
    and checks that the second answer is the same ack.
    """

    def __init__(
        self,
        name: str,
        *,
        room: Room,
        servers: Sequence[Server],
        home: int,
        journal: Journal,
        post_every: float = 0.5,
        resender: bool = False,
    ) -> None:
        self.name = name
        self.room = room
        self.servers = list(servers)
        self.index = home
        self.journal = journal
        self.post_every = post_every
        self.resender = resender
        self.last_seq = 0
        self.delivered: list[int] = []
        self.statement_texts: dict[int, str] = {}  # seq → text, as this client saw it
        self.acked: dict[str, int] = {}  # client_id → seq
        self.pending: dict[str, Pending] = {}
        self.resent_after_ack: set[str] = set()
        self.first_acks: dict[str, int] = {}  # a resender's statements: the ack before the deliberate resend
        self.attempts = 0  # connection attempts (the first included)
        self.connections = 0  # handshakes that succeeded
        self.try_agains = 0
        self.closes: list[str] = []
        self.posting = True
        self.counter = 0
        self.connected_to: int | None = None

    def __repr__(self) -> str:
        return f"client {self.name}"

    @property
    def reconnects(self) -> int:
        return max(0, self.attempts - 1)

    def where(self, connection: int, server: Server) -> str:
        return f"{self.name} (connection #{connection} to :{server.port})"

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        backoff = BACKOFF_FIRST
        while not stop.is_set():
            server = self.servers[self.index % len(self.servers)]
            self.attempts += 1
            url = f"{server.ws_url}/ws/sessions/{self.room.session_id}?after={self.last_seq}"
            headers = {"Cookie": self.room.cookies[self.name], "Origin": server.base_url}
            socket: ClientConnection | None = None
            try:
                socket = await connect(url, additional_headers=headers, open_timeout=5, max_size=2**20)
            except InvalidStatus as exc:
                status = exc.response.status_code
                body = exc.response.body.decode(errors="replace")[:200] if exc.response.body else ""
                if status == 503:  # the database is away: a refusal to retry, which is right
                    self.journal.note(f"{self.name}: handshake on :{server.port} answered 503 {body!r}")
                else:  # an admitted seat refused, or a 500: wrong in every scenario
                    self.journal.fail(f"{self.name}: handshake on :{server.port} answered {status} {body!r}")
                self.index += 1  # as a load balancer would: try the other instance next
            except (OSError, TimeoutError, InvalidHandshake) as exc:
                self.journal.note(f"{self.name}: cannot connect to :{server.port} ({type(exc).__name__})")
                self.index += 1
            if socket is not None:
                self.connections += 1
                opened = loop.time()
                self.connected_to = server.port
                try:
                    await self._session(socket, server, self.connections, stop)
                finally:
                    self.connected_to = None
                    await socket.close()
                if loop.time() - opened >= STABLE_SECONDS:
                    backoff = BACKOFF_FIRST
            if stop.is_set():
                return
            await asyncio.sleep(backoff * random.uniform(0.5, 1.0))
            backoff = min(backoff * 2, BACKOFF_CAP)

    def _new_statement(self, now: float) -> None:
        self.counter += 1
        client_id = f"{self.name}-{self.counter:04d}-{uuid.uuid4().hex[:6]}"
        self.pending[client_id] = Pending(text=f"{self.name} says {client_id}", due=now)

    async def _session(self, socket: ClientConnection, server: Server, number: int, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        after = self.last_seq
        welcomed = False
        next_post = loop.time()
        for pending in self.pending.values():
            pending.due, pending.due_reason = 0.0, "reconnected"  # everything unacknowledged goes again
        where = self.where(number, server)
        while not stop.is_set():
            now = loop.time()
            if welcomed:
                if self.posting and now >= next_post:
                    self._new_statement(now)
                    next_post = now + self.post_every
                for client_id, pending in list(self.pending.items()):
                    if pending.due <= now:
                        pending.sends += 1
                        pending.due = now + ACK_TIMEOUT
                        if pending.sends > 1 and pending.due_reason == "ack":
                            pending.answers.append(f"no answer in {ACK_TIMEOUT}s")
                            self.journal.fail(
                                f"{where}: no ack nor error for client_id {client_id} within {ACK_TIMEOUT}s"
                            )
                        pending.due_reason = "ack"
                        payload = {"type": "statement", "client_id": client_id, "text": pending.text}
                        try:
                            await socket.send(json.dumps(payload))
                        except ConnectionClosed as exc:
                            self._closed(exc, server, where)
                            return
            try:
                raw = await asyncio.wait_for(socket.recv(), 0.1)
            except TimeoutError:
                continue
            except ConnectionClosed as exc:
                self._closed(exc, server, where)
                return
            frame = json.loads(raw)
            try:
                SERVER_FRAMES.validate_python(frame)
            except ValidationError as exc:
                self.journal.fail(f"{where}: a frame outside the protocol {raw[:200]!r}: {exc.errors()[:1]}")
            kind = frame.get("type")
            if kind == "welcome":
                if welcomed:
                    self.journal.fail(f"{where}: a second welcome")
                welcomed = True
                if frame["last_seq"] < after:
                    self.journal.fail(f"{where}: welcome.last_seq {frame['last_seq']} behind after={after}")
            elif kind == "ack":
                self._ack(frame, where, loop.time())
            elif kind == "error":
                self._error(frame, where, loop.time())
            elif kind == "range_unavailable":
                self.journal.fail(f"{where}: range_unavailable {frame}")
            elif "seq" in frame:
                self._event(frame, where)

    def _event(self, frame: dict[str, Any], where: str) -> None:
        seq = frame["seq"]
        if seq <= self.last_seq:
            self.journal.fail(f"{where}: seq {seq} delivered again (last seen {self.last_seq}), a {frame['type']}")
            return
        if seq != self.last_seq + 1:
            self.journal.fail(f"{where}: gap: after seq {self.last_seq} came {seq} (missing {self.last_seq + 1}..)")
        self.last_seq = seq
        self.delivered.append(seq)
        if frame["type"] == "statement":
            self.statement_texts[seq] = frame["statement"]["text"] or ""

    def _ack(self, frame: dict[str, Any], where: str, now: float) -> None:
        client_id, seq = frame["client_id"], frame["seq"]
        known = self.acked.get(client_id)
        if known is not None:
            if known != seq:
                self.journal.fail(f"{where}: client_id {client_id} acked as seq {known}, then as seq {seq}")
            return
        if client_id not in self.pending:
            self.journal.fail(f"{where}: ack for a client_id never sent: {client_id}")
            return
        self.acked[client_id] = seq
        pending = self.pending.pop(client_id)
        if self.resender and client_id not in self.resent_after_ack:
            # Send it once more, as a client that missed the ack would: the same ack must come back.
            self.resent_after_ack.add(client_id)
            self.pending[client_id] = Pending(text=pending.text, due=now, sends=pending.sends)
            self.acked.pop(client_id)
            self.first_acks[client_id] = seq

    def _error(self, frame: dict[str, Any], where: str, now: float) -> None:
        client_id, code = frame.get("client_id"), frame.get("code")
        pending = self.pending.get(client_id) if client_id else None
        if code in ("try_again", "rate_limited") and pending is not None:
            self.try_agains += code == "try_again"
            pending.answers.append(code)
            pending.due, pending.due_reason = now + float(frame.get("retry_after") or 1.0), code
            return
        self.journal.fail(f"{where}: error {code!r} for client_id {client_id}: {frame.get('message')!r}")
        if pending is not None:
            pending.answers.append(str(code))
            pending.due, pending.due_reason = now + 1.0, "error"  # resend anyway: every statement must be stored

    def _closed(self, exc: ConnectionClosed, server: Server, where: str) -> None:
        for pending in self.pending.values():
            if pending.sends:
                pending.answers.append("closed before its ack")
        if exc.rcvd is None:
            if server.port in self.journal.killed:
                self.closes.append("no close frame (instance SIGKILLed)")
                return
            self.closes.append("no close frame")
            self.journal.fail(f"{where}: the connection ended without a close frame (1006)")
            return
        code, reason = exc.rcvd.code, exc.rcvd.reason
        self.closes.append(f"{code} {reason}")
        if code not in RECONNECT_CODES:
            self.journal.fail(f"{where}: closed with code {code} {reason!r}, not a reconnect code")
        else:
            self.journal.note(f"{where}: closed {code} {reason!r}")


def make_clients(
    names: Sequence[str], *, room: Room, servers: Sequence[Server], journal: Journal, resenders: Sequence[str] = ()
) -> list[FaultClient]:
    clients = []
    for i, name in enumerate(names):
        client = FaultClient(
            name, room=room, servers=servers, home=i % len(servers), journal=journal, resender=name in resenders
        )
        clients.append(client)
    return clients


@dataclass
class Probe:
    at: float
    phase: str
    port: int
    what: str
    status: int
    body: str
    content_type: str


class HttpProbe:
    """Login, a page and /readyz on every instance, every `every` seconds, written down."""

    def __init__(self, servers: Sequence[Server], username: str, journal: Journal, every: float = 1.5) -> None:
        self.servers = list(servers)
        self.username = username
        self.journal = journal
        self.every = every
        self.results: list[Probe] = []

    def _record(self, server: Server, what: str, response: httpx.Response) -> None:
        self.results.append(
            Probe(
                time.monotonic(),
                self.journal.phase,
                server.port,
                what,
                response.status_code,
                response.text[:300],
                response.headers.get("content-type", ""),
            )
        )

    async def _once(self, anonymous: httpx.AsyncClient, client: httpx.AsyncClient, server: Server) -> None:
        if server.port in self.journal.killed:
            return
        origin = {"Origin": server.base_url}
        try:
            self._record(server, "GET /login", await anonymous.get("/login", headers={"Accept": "text/html"}))
            login = await client.post(
                "/api/auth/login", json={"username": self.username, "password": DEFAULT_PASSWORD}, headers=origin
            )
            self._record(server, "POST /api/auth/login", login)
            page = await client.get("/programmes", headers={"Accept": "text/html"}, follow_redirects=False)
            self._record(server, "GET /programmes", page)
            self._record(server, "GET /readyz", await client.get("/readyz"))
        except httpx.HTTPError as exc:
            if server.port not in self.journal.killed:
                self.journal.fail(f"HTTP on :{server.port}: no answer ({type(exc).__name__}: {exc})")

    async def run(self, stop: asyncio.Event) -> None:
        clients = {s.port: httpx.AsyncClient(base_url=s.base_url, timeout=10) for s in self.servers}
        anonymous = {s.port + 100_000: httpx.AsyncClient(base_url=s.base_url, timeout=10) for s in self.servers}
        try:
            while not stop.is_set():
                await asyncio.gather(
                    *(self._once(anonymous[s.port + 100_000], clients[s.port], s) for s in self.servers)
                )
                try:
                    await asyncio.wait_for(stop.wait(), self.every)
                except TimeoutError:
                    pass
        finally:
            for client in [*clients.values(), *anonymous.values()]:
                await client.aclose()

    def check(self, *, allow_503_in: set[str]) -> None:
        """No 5xx but 503, and 503 only in the phases named, with a readable answer."""
        for probe in self.results:
            where = f"{probe.what} on :{probe.port}"
            if probe.what == "GET /readyz":
                continue
            if probe.status == 503 and probe.phase in allow_503_in:
                if not readable(probe):
                    self.journal.fail(
                        f"{where} answered 503 without a readable body: {probe.body[:150]!r}",
                        at=probe.at,
                        phase=probe.phase,
                    )
            elif probe.status != 200:
                self.journal.fail(
                    f"{where} answered {probe.status}: {probe.body[:150]!r}", at=probe.at, phase=probe.phase
                )

    def readyz(self, phase: str) -> list[dict[str, Any]]:
        found = []
        for probe in self.results:
            if probe.what == "GET /readyz" and probe.phase == phase:
                try:
                    found.append({"http": probe.status, **json.loads(probe.body)})
                except ValueError:
                    found.append({"http": probe.status, "body": probe.body})
        return found

    def summary(self) -> str:
        counts = Counter((p.phase, p.what, p.status) for p in self.results)
        return ", ".join(f"{phase} {what} {status}×{n}" for (phase, what, status), n in sorted(counts.items()))


def readable(probe: Probe) -> bool:
    if "json" in probe.content_type:
        try:
            return bool(json.loads(probe.body)["error"]["message"])
        except (ValueError, KeyError, TypeError):
            return False
    return "text/html" in probe.content_type and "<html" in probe.body.lower()


async def settle(clients: Sequence[FaultClient], journal: Journal, timeout: float = 25.0) -> None:
    """Stop posting; wait until every statement is acknowledged and every client is up to date."""
    for client in clients:
        client.posting = False
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline and any(c.pending for c in clients):
        await asyncio.sleep(0.2)
    for client in clients:
        for client_id, pending in client.pending.items():
            journal.fail(
                f"{client.name}: client_id {client_id} never acknowledged after {pending.sends} sends "
                f"(answers: {pending.answers[-5:]})"
            )
    newest = max((max(c.acked.values(), default=0) for c in clients), default=0)
    while loop.time() < deadline + 10 and any(c.last_seq < newest for c in clients):
        await asyncio.sleep(0.2)


async def read_log(database_url: str, session_id: int) -> tuple[list[int], list[tuple[str, int, int]]]:
    """The room's event seqs, and its statements (client_id, seq, how many rows), from the database."""
    engine = make_unpooled_engine(database_url)
    try:
        async with engine.connect() as connection:
            seqs = (
                await connection.execute(
                    text("SELECT seq FROM room_events WHERE session_id = :s ORDER BY seq"), {"s": session_id}
                )
            ).scalars()
            events = list(seqs)
            rows = await connection.execute(
                text("SELECT client_id, min(seq), count(*) FROM statements WHERE session_id = :s GROUP BY client_id"),
                {"s": session_id},
            )
            statements = [(r[0], r[1], r[2]) for r in rows]
    finally:
        await engine.dispose()
    return events, statements


async def catch_up(server: Server, room: Room, name: str, until_seq: int, journal: Journal) -> dict[int, str]:
    """A fresh connection from after=0: every event 1..until_seq, statements' texts by seq."""
    headers = {"Cookie": room.cookies[name], "Origin": server.base_url}
    texts: dict[int, str] = {}
    seen: list[int] = []
    url = f"{server.ws_url}/ws/sessions/{room.session_id}?after=0"
    try:
        socket = await connect(url, additional_headers=headers, open_timeout=10, max_size=2**20)
    except (OSError, TimeoutError, InvalidHandshake) as exc:
        journal.fail(f"catch-up from after=0 on :{server.port}: cannot connect ({exc!r})")
        return texts
    async with socket:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while (not seen or seen[-1] < until_seq) and loop.time() < deadline:
            try:
                frame = json.loads(await asyncio.wait_for(socket.recv(), max(0.1, deadline - loop.time())))
            except TimeoutError:
                break
            if "seq" in frame and frame["type"] != "ack":
                seen.append(frame["seq"])
                if frame["type"] == "statement":
                    texts[frame["seq"]] = frame["statement"]["text"] or ""
    if seen != list(range(1, until_seq + 1)):
        missing = sorted(set(range(1, until_seq + 1)) - set(seen))
        twice = sorted(s for s, n in Counter(seen).items() if n > 1)
        journal.fail(f"catch-up from after=0 on :{server.port}: missing seqs {missing[:20]}, twice {twice[:20]}")
    return texts


async def account(
    clients: Sequence[FaultClient],
    journal: Journal,
    *,
    database_url: str,
    room: Room,
    catch_up_on: Server,
    catch_up_as: str,
    max_reconnects: int,
) -> None:
    """The final checks: nothing acknowledged lost, nothing twice, no gaps, bounded reconnects."""
    events, statements = await read_log(database_url, room.session_id)
    newest = events[-1] if events else 0
    if events != list(range(1, newest + 1)):
        journal.fail(f"the room's log has gaps or repeats: {sorted(set(range(1, newest + 1)) - set(events))[:20]}")
    stored = {client_id: (seq, rows) for client_id, seq, rows in statements}
    newest_statement = max((seq for _c, seq, _r in statements), default=0)
    for client_id, (_seq, rows) in stored.items():
        if rows != 1:
            journal.fail(f"client_id {client_id} stored {rows} times")
    texts = await catch_up(catch_up_on, room, catch_up_as, newest, journal)
    by_text: dict[str, list[int]] = defaultdict(list)
    for seq, said in texts.items():
        by_text[said.rsplit(" ", 1)[-1]].append(seq)
    for client in clients:
        acked = {**client.acked, **{k: v for k, v in client.first_acks.items() if k not in client.acked}}
        for client_id, seq in sorted(acked.items(), key=lambda item: item[1]):
            if client_id not in stored:
                journal.fail(f"{client.name}: acknowledged client_id {client_id} (seq {seq}) is not in the log: LOST")
            elif stored[client_id][0] != seq:
                journal.fail(
                    f"{client.name}: client_id {client_id} acked as seq {seq}, stored as {stored[client_id][0]}"
                )
            if by_text.get(client_id) != [seq]:
                journal.fail(
                    f"{client.name}: catch-up shows client_id {client_id} at {by_text.get(client_id)}, ack {seq}"
                )
            if client.statement_texts.get(seq, "").rsplit(" ", 1)[-1] != client_id:
                journal.fail(f"{client.name}: its own acked statement {client_id} (seq {seq}) never reached it")
        for client_id, first in client.first_acks.items():
            if client_id in client.acked and client.acked[client_id] != first:
                journal.fail(f"{client.name}: resend of {client_id} acked as {client.acked[client_id]}, first {first}")
            elif client_id not in client.acked and client_id not in client.pending:
                journal.fail(f"{client.name}: resend of acked {client_id} got no ack")
        if client.delivered != list(range(1, client.last_seq + 1)):
            missing = sorted(set(range(1, client.last_seq + 1)) - set(client.delivered))
            journal.fail(
                f"{client.name}: saw {len(client.delivered)} events, not 1..{client.last_seq}: missing {missing[:15]}"
                f"{'…' if len(missing) > 15 else ''}"
            )
        if client.last_seq < newest_statement:
            journal.fail(
                f"{client.name}: saw up to seq {client.last_seq}; the last statement is seq {newest_statement}"
            )
        if client.reconnects > max_reconnects:
            journal.fail(
                f"{client.name}: {client.reconnects} reconnects (bound {max_reconnects}); closes: {client.closes[-8:]}"
            )


def verdict(journal: Journal, clients: Sequence[FaultClient], probe: HttpProbe | None = None) -> None:
    lines = [
        f"{c.name}: acked {len(c.acked)}, events {len(c.delivered)}, last_seq {c.last_seq}, "
        f"connections {c.connections}/{c.attempts} attempts, try_again {c.try_agains}, closes {c.closes}"
        for c in clients
    ]
    report = "\n".join(lines)
    if probe is not None:
        report += "\nHTTP: " + probe.summary()
    if journal.failures:
        shown = sorted(journal.failures)[:60]
        more = len(journal.failures) - len(shown)
        raise AssertionError(
            f"{len(journal.failures)} failures, by kind:\n"
            + "\n".join(journal.kinds()[:25])
            + "\n--- in order\n"
            + "\n".join(shown)
            + (f"\n… and {more} more" if more else "")
            + "\n--- clients\n"
            + report
            + "\n--- timeline\n"
            + "\n".join(journal.notes[-40:])
        )
    print(report)


Runner = Callable[[asyncio.Event], Any]


class Scenario:
    """Clients and the probe running in the background while the test moves the phases."""

    def __init__(self, clients: Sequence[FaultClient], probe: HttpProbe | None) -> None:
        self.stop = asyncio.Event()
        runners: list[Runner] = [c.run for c in clients]
        if probe is not None:
            runners.append(probe.run)
        self.tasks = [asyncio.create_task(run(self.stop)) for run in runners]

    async def finish(self) -> None:
        self.stop.set()
        done = await asyncio.gather(*self.tasks, return_exceptions=True)
        for result in done:
            if isinstance(result, BaseException):
                raise result
