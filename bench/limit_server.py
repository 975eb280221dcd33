"""The limit server: the least a durable room server on Roundtable's stack must do.

A second baseline beside bench/bare_server.py. Same stack as `roundtable serve` (uvicorn
with the options app/cli.py gives it: uvloop, h11, websockets-sansio, permessage-deflate
off, 64 KiB frames, pings every 20 s, 1000 concurrent connections), a plain ASGI app, and
the frames bench/room_load.py needs from Roundtable:

- `/ws/sessions/<id>?after=<seq>` with the seat's cookie `rt_seat_<id>=<token>`. The seat
  (a hash of the token) and the session are created on first connect, then kept in memory;
  the client gets `{"type":"welcome","last_seq":…}` and the events after `after`.
- `{"type":"statement","client_id":…,"text":…}`: the frame is checked (JSON, the fields, the
  sender from memory), the statement and its room event are stored with the session's next
  sequence number, committed, acknowledged (`{"type":"ack","client_id","seq","statement_id"}`)
  and fanned out (`{"type":"statement","seq":…,"statement":{…}}`) to the room. A resend
  with the same (seat, client_id) is acknowledged again and not stored twice.

Group commit: one writer task takes everything waiting, writes it in one transaction (the
resends looked up by (seat, client_id), one `UPDATE sessions SET last_seq = last_seq + n …
RETURNING last_seq` per session, the statements and events with executemany), commits
once, then acknowledges and fans out. SQLite (default) is a scratch file in WAL mode with
synchronous=NORMAL, through the stdlib `sqlite3` on one connection in one thread: one hop
to that thread per batch (aiosqlite would make one per call). With `--postgres URL` it is
a fresh database `roundtable_limit_<random>` next to URL, through asyncpg on one
connection, dropped at exit; there each step is one statement over arrays (`unnest`), the
sessions' UPDATE too, so a batch costs 7 round trips whatever its size. Statement ids come
from the one writer; the database checks them, and the uniqueness of (seat, client_id) and
of (session, seq).

    .venv/bin/python bench/limit_server.py --port 8766 [--postgres postgresql://postgres@127.0.0.1:5432/test]
    curl http://127.0.0.1:8766/positions      # each session's last sequence number (bench/run.py)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import logging
import re
import shutil
import sqlite3
import tempfile
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import asyncpg  # type: ignore[import-untyped]
import uvicorn

log = logging.getLogger("limit_server")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")  # as app/live/commands.py
BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")  # controls, bidi overrides
MAX_TEXT = 2000
PATH = re.compile(r"/ws/sessions/([0-9]{1,10})")
OUTBOX_LIMIT = 256  # frames queued for one connection before it counts as too slow (as the hub)
MAX_BATCH = 1024  # commands in one transaction
CLOSE_TOO_SLOW, CLOSE_RELOAD, CLOSE_TRY_AGAIN = 4008, 4409, 1013

SCHEMA = """
CREATE TABLE sessions (id BIGINT PRIMARY KEY, last_seq BIGINT NOT NULL DEFAULT 0);
CREATE TABLE seats (
    id {serial} PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES sessions (id),
    token_hash {blob} NOT NULL,
    UNIQUE (session_id, token_hash)
);
CREATE TABLE statements (
    id BIGINT PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES sessions (id),
    seat_id BIGINT NOT NULL REFERENCES seats (id),
    client_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    text TEXT NOT NULL,
    created_at {time} NOT NULL,
    UNIQUE (seat_id, client_id)
);
CREATE TABLE events (
    session_id BIGINT NOT NULL REFERENCES sessions (id),
    seq BIGINT NOT NULL,
    created_at {time} NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
);
"""


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)  # as app/live/hub.py


# -- connections ---------------------------------------------------------------------------


class Conn:
    """One room connection: frames wait in `outbox` and a short-lived task sends them (the
    accept first, a close last), so that fan-out never waits for a slow reader."""

    __slots__ = ("accepted", "close_code", "drainer", "outbox", "seat_id", "send", "session_id")

    def __init__(self, send: Send, session_id: int) -> None:
        self.send = send
        self.session_id = session_id
        self.seat_id = 0
        self.outbox: deque[str] = deque()
        self.accepted = False
        self.close_code: int | None = None
        self.drainer: asyncio.Task[None] | None = None

    def offer(self, text: str) -> None:
        if self.close_code is not None:
            return
        self.outbox.append(text)
        if len(self.outbox) > OUTBOX_LIMIT:
            self.outbox.clear()
            self.close(CLOSE_TOO_SLOW)
        elif self.drainer is None:
            self.drainer = asyncio.get_running_loop().create_task(self._drain())

    def close(self, code: int) -> None:
        """Close with this code after what is queued (accepting the handshake first if need be)."""
        if self.close_code is None:
            self.close_code = code
            if self.drainer is None:
                self.drainer = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        try:
            if not self.accepted:
                await self.send({"type": "websocket.accept"})
                self.accepted = True
            while self.outbox:
                await self.send({"type": "websocket.send", "text": self.outbox.popleft()})
            if self.close_code is not None:
                await self.send({"type": "websocket.close", "code": self.close_code})
        except (OSError, RuntimeError):  # ClientDisconnected; or a send after the client's close frame
            self.outbox.clear()
            self.close_code = self.close_code or 1006
        finally:
            self.drainer = None


# -- one batch of work for the writer --------------------------------------------------------


@dataclass(slots=True)
class Post:
    conn: Conn
    session_id: int
    seat_id: int
    client_id: str
    text: str


@dataclass(slots=True)
class Join:
    """A connection that needs the database before it joins: a new seat, or events to catch up."""

    conn: Conn
    token_hash: bytes
    after: int
    seat_id: int | None  # None: make the seat


@dataclass
class Batch:
    new_sessions: list[int]
    new_seats: list[tuple[int, bytes]]  # (session_id, token_hash), each once
    posts: list[tuple[int, int, str, str]]  # (session_id, seat_id, client_id, text)
    catch_ups: list[tuple[int, int]]  # (session_id, after)
    first_id: int  # the next statement id
    at: datetime


@dataclass
class Outcome:
    seats: dict[tuple[int, bytes], int] = field(default_factory=dict)
    posts: list[tuple[int, int, str | None]] = field(default_factory=list)  # (seq, id, frame; None: a resend)
    last_seq: dict[int, int] = field(default_factory=dict)  # of the sessions written to
    replays: list[list[str]] = field(default_factory=list)  # per catch-up: the frames after `after`
    next_id: int = 0


def new_per_session(batch: Batch, stored: dict[tuple[int, str], tuple[int, int]]) -> Counter[int]:
    """How many statements of each session are new (neither stored nor earlier in the batch)."""
    seen: set[tuple[int, str]] = set()
    counts: Counter[int] = Counter()
    for session_id, seat_id, client_id, _text in batch.posts:
        key = (seat_id, client_id)
        if key not in stored and key not in seen:
            seen.add(key)
            counts[session_id] += 1
    return counts


def assign(
    batch: Batch, stored: dict[tuple[int, str], tuple[int, int]], counts: Counter[int], last: dict[int, int]
) -> tuple[Outcome, list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Sequence numbers (the last `counts[s]` up to `last[s]`) and ids for the new statements;
    returns the outcome, the statement rows and the event rows."""
    next_seq = {s: last[s] - n + 1 for s, n in counts.items()}
    next_id = batch.first_id
    at = batch.at.isoformat()
    outcome = Outcome(last_seq=dict(last))
    statements: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    earlier = dict(stored)
    for session_id, seat_id, client_id, text in batch.posts:
        key = (seat_id, client_id)
        if key in earlier:
            seq, statement_id = earlier[key]
            outcome.posts.append((seq, statement_id, None))
            continue
        seq, statement_id = next_seq[session_id], next_id
        next_seq[session_id] += 1
        next_id += 1
        earlier[key] = (seq, statement_id)
        frame = encode(
            {
                "type": "statement",
                "seq": seq,
                "at": at,
                "statement_id": statement_id,
                "statement": {"id": statement_id, "seat_id": seat_id, "text": text, "at": at},
            }
        )
        statements.append((statement_id, session_id, seat_id, client_id, seq, text, batch.at))
        events.append((session_id, seq, batch.at, frame))
        outcome.posts.append((seq, statement_id, frame))
    outcome.next_id = next_id
    return outcome, statements, events


# -- storage ---------------------------------------------------------------------------------


class SqliteStore:
    """A scratch SQLite file, one connection, used only by one thread."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="roundtable-limit-"))
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self.db: sqlite3.Connection | None = None

    async def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.thread, fn, *args)

    async def open(self) -> None:
        await self._call(self._open)

    def _open(self) -> None:
        self.db = db = sqlite3.connect(self.directory / "limit.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript(SCHEMA.format(serial="INTEGER", blob="BLOB", time="TEXT"))

    async def write(self, batch: Batch) -> Outcome:
        result: Outcome = await self._call(self._write, batch)
        return result

    def _write(self, batch: Batch) -> Outcome:
        db = self.db
        assert db is not None
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "INSERT INTO sessions (id) VALUES (?) ON CONFLICT DO NOTHING", [(s,) for s in batch.new_sessions]
            )
            seats = {}
            for session_id, token_hash in batch.new_seats:
                seats[session_id, token_hash] = db.execute(
                    "INSERT INTO seats (session_id, token_hash) VALUES (?, ?) ON CONFLICT (session_id, token_hash) "
                    "DO UPDATE SET token_hash = excluded.token_hash RETURNING id",
                    (session_id, token_hash),
                ).fetchone()[0]
            stored: dict[tuple[int, str], tuple[int, int]] = {}
            for _session_id, seat_id, client_id, _text in batch.posts:
                row = db.execute(
                    "SELECT seq, id FROM statements WHERE seat_id = ? AND client_id = ?", (seat_id, client_id)
                ).fetchone()
                if row is not None:
                    stored[seat_id, client_id] = row
            counts = new_per_session(batch, stored)
            last = {
                s: db.execute(
                    "UPDATE sessions SET last_seq = last_seq + ? WHERE id = ? RETURNING last_seq", (n, s)
                ).fetchone()[0]
                for s, n in counts.items()
            }
            outcome, statements, events = assign(batch, stored, counts, last)
            db.executemany(
                "INSERT INTO statements (id, session_id, seat_id, client_id, seq, text, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(*row[:6], row[6].isoformat()) for row in statements],
            )
            db.executemany(
                "INSERT INTO events (session_id, seq, created_at, body) VALUES (?, ?, ?, ?)",
                [(*row[:2], row[2].isoformat(), row[3]) for row in events],
            )
            outcome.replays = [
                [
                    body
                    for (body,) in db.execute(
                        "SELECT body FROM events WHERE session_id = ? AND seq > ? ORDER BY seq", c
                    )
                ]
                for c in batch.catch_ups
            ]
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        outcome.seats = seats
        return outcome

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._call(self._close)
        self.thread.shutdown(wait=True)
        shutil.rmtree(self.directory, ignore_errors=True)

    def _close(self) -> None:
        if self.db is not None:
            self.db.close()


class PostgresStore:
    """A fresh PostgreSQL database next to `admin_url`, one asyncpg connection; dropped at exit."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self.name = f"roundtable_limit_{uuid.uuid4().hex[:10]}"
        self.db: asyncpg.Connection | None = None
        self.created = False

    async def _admin(self, statement: str) -> None:
        admin = await asyncpg.connect(self.admin_url)
        try:
            await admin.execute(statement)
        finally:
            await admin.close()

    async def open(self) -> None:
        await self._admin(f'CREATE DATABASE "{self.name}"')
        self.created = True
        self.db = await asyncpg.connect(self.admin_url, database=self.name)  # the keyword wins over the URL's
        await self.db.execute(SCHEMA.format(serial="BIGSERIAL", blob="BYTEA", time="TIMESTAMPTZ"))

    async def write(self, batch: Batch) -> Outcome:
        db = self.db
        assert db is not None
        async with db.transaction():
            if batch.new_sessions:
                await db.execute(
                    "INSERT INTO sessions (id) SELECT unnest($1::bigint[]) ON CONFLICT DO NOTHING", batch.new_sessions
                )
            seats = {}
            if batch.new_seats:
                rows = await db.fetch(
                    "INSERT INTO seats (session_id, token_hash) SELECT * FROM unnest($1::bigint[], $2::bytea[]) "
                    "ON CONFLICT (session_id, token_hash) DO UPDATE SET token_hash = excluded.token_hash "
                    "RETURNING id, session_id, token_hash",
                    [s for s, _ in batch.new_seats],
                    [h for _, h in batch.new_seats],
                )
                seats = {(r["session_id"], bytes(r["token_hash"])): r["id"] for r in rows}
            stored: dict[tuple[int, str], tuple[int, int]] = {}
            if batch.posts:
                rows = await db.fetch(
                    "SELECT s.seat_id, s.client_id, s.seq, s.id FROM statements s "
                    "JOIN unnest($1::bigint[], $2::text[]) AS v (seat_id, client_id) USING (seat_id, client_id)",
                    [p[1] for p in batch.posts],
                    [p[2] for p in batch.posts],
                )
                stored = {(r["seat_id"], r["client_id"]): (r["seq"], r["id"]) for r in rows}
            counts = new_per_session(batch, stored)
            last: dict[int, int] = {}
            if counts:
                # Each session's row once, in one statement: one round trip instead of one per session.
                rows = await db.fetch(
                    "UPDATE sessions AS s SET last_seq = s.last_seq + v.n "
                    "FROM unnest($1::bigint[], $2::bigint[]) AS v (id, n) WHERE s.id = v.id RETURNING s.id, s.last_seq",
                    list(counts),
                    list(counts.values()),
                )
                last = {r["id"]: r["last_seq"] for r in rows}
            outcome, statements, events = assign(batch, stored, counts, last)
            if statements:
                columns = list(zip(*statements, strict=True))
                await db.execute(
                    "INSERT INTO statements (id, session_id, seat_id, client_id, seq, text, created_at) "
                    "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[], "
                    "$6::text[], $7::timestamptz[])",
                    *columns,
                )
                columns = list(zip(*events, strict=True))
                await db.execute(
                    "INSERT INTO events (session_id, seq, created_at, body) "
                    "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[])",
                    *columns,
                )
            for session_id, after in batch.catch_ups:
                rows = await db.fetch(
                    "SELECT body FROM events WHERE session_id = $1 AND seq > $2 ORDER BY seq", session_id, after
                )
                outcome.replays.append([r["body"] for r in rows])
        outcome.seats = seats
        return outcome

    async def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(Exception):
                await self.db.close()
        if self.created:
            await self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


Store = SqliteStore | PostgresStore


# -- the room server -------------------------------------------------------------------------


class LimitServer:
    """In-memory state (seats, rooms, each session's position) and the one writer."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.seats: dict[tuple[int, bytes], int] = {}  # (session_id, token hash) -> seat id
        self.seat_session: dict[int, int] = {}  # seat id -> session id: the sender's check
        self.rooms: dict[int, set[Conn]] = {}
        self.last_seq: dict[int, int] = {}  # committed and fanned out
        self.next_id = 1
        self.waiting: deque[Post | Join] = deque()
        self.wake = asyncio.Event()
        self.stopping = False
        self.writer: asyncio.Task[None] | None = None

    def submit(self, item: Post | Join) -> None:
        self.waiting.append(item)
        self.wake.set()

    def join_now(self, conn: Conn) -> None:
        """Into the room, with the welcome."""
        self.rooms.setdefault(conn.session_id, set()).add(conn)
        conn.offer(
            encode({"type": "welcome", "last_seq": self.last_seq[conn.session_id], "you": {"seat_id": conn.seat_id}})
        )

    async def run_writer(self) -> None:
        while not (self.stopping and not self.waiting):
            if not self.waiting:
                self.wake.clear()
                await self.wake.wait()
                continue
            items = [self.waiting.popleft() for _ in range(min(MAX_BATCH, len(self.waiting)))]
            await self._write(items)

    async def _write(self, items: list[Post | Join]) -> None:
        posts = [i for i in items if isinstance(i, Post)]
        joins = [i for i in items if isinstance(i, Join)]
        sessions = {j.conn.session_id for j in joins} - self.last_seq.keys()
        batch = Batch(
            new_sessions=sorted(sessions),
            new_seats=sorted({(j.conn.session_id, j.token_hash) for j in joins if j.seat_id is None}),
            posts=[(p.session_id, p.seat_id, p.client_id, p.text) for p in posts],
            # Read after this batch's own events are in: a join sees them (it joins after their fan-out).
            catch_ups=[(j.conn.session_id, j.after) for j in joins],
            first_id=self.next_id,
            at=datetime.now(UTC),
        )
        try:
            outcome = await self.store.write(batch)
        except Exception as exc:
            log.error("batch_failed error_type=%s %s", type(exc).__name__, exc)
            for p in posts:
                p.conn.offer(
                    encode({"type": "error", "code": "try_again", "message": "not stored", "client_id": p.client_id})
                )
            for j in joins:
                j.conn.close(CLOSE_TRY_AGAIN)
            return
        # Committed: acknowledge and fan out, in the order the statements were taken.
        self.next_id = outcome.next_id
        self.last_seq.update(outcome.last_seq)
        for s in sessions:
            self.last_seq.setdefault(s, 0)
        for post, (seq, statement_id, frame) in zip(posts, outcome.posts, strict=True):
            post.conn.offer(
                encode({"type": "ack", "client_id": post.client_id, "seq": seq, "statement_id": statement_id})
            )
            if frame is not None:
                for member in self.rooms.get(post.session_id, ()):
                    member.offer(frame)
        # Then the joins: after this batch's fan-out, so that their catch-up ends where it did.
        for j, replay in zip(joins, outcome.replays, strict=True):
            conn = j.conn
            if j.seat_id is None:
                conn.seat_id = outcome.seats[conn.session_id, j.token_hash]
                self.seats[conn.session_id, j.token_hash] = conn.seat_id
                self.seat_session[conn.seat_id] = conn.session_id
            else:
                conn.seat_id = j.seat_id
            if conn.close_code is not None:
                continue  # it went away meanwhile
            if j.after > self.last_seq[conn.session_id]:
                conn.close(CLOSE_RELOAD)
                continue
            self.join_now(conn)
            for frame in replay:
                conn.offer(frame)

    # -- the WebSocket endpoint -------------------------------------------------------------
    async def socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        match = PATH.fullmatch(scope["path"])
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        after_text = query.get("after", ["0"])[0]
        token = seat_token(scope, int(match.group(1))) if match else None
        if match is None or token is None or not after_text.isascii() or not after_text.isdigit():
            # Refused with HTTP 403 (uvicorn logs an error for any other refusal status: noise in the findings).
            await send({"type": "websocket.close"})
            return
        session_id, after = int(match.group(1)), int(after_text)
        token_hash = hashlib.sha256(token.encode()).digest()
        conn = Conn(send, session_id)
        seat_id = self.seats.get((session_id, token_hash))
        if seat_id is not None and after == self.last_seq.get(session_id, -1):
            conn.seat_id = seat_id
            self.join_now(conn)  # the usual case: nothing to read or write
        else:
            self.submit(Join(conn, token_hash, after, seat_id))
        try:
            while True:
                message = await receive()
                kind = message["type"]
                if kind == "websocket.receive":
                    self.on_frame(conn, message.get("text"))
                elif kind == "websocket.disconnect":
                    return
        finally:
            conn.close_code = conn.close_code or 1000
            conn.outbox.clear()
            room = self.rooms.get(session_id)
            if room is not None:
                room.discard(conn)

    def on_frame(self, conn: Conn, text: str | None) -> None:
        try:
            frame = json.loads(text) if text is not None else None
        except ValueError:
            frame = None
        if not isinstance(frame, dict):
            conn.offer(encode({"type": "error", "code": "invalid_json", "message": "a JSON object, as text"}))
            return
        if frame.get("type") != "statement":
            conn.offer(encode({"type": "error", "code": "unknown_command", "message": "unknown command type"}))
            return
        client_id = frame.get("client_id")
        if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
            conn.offer(
                encode(
                    {"type": "error", "code": "invalid_command", "message": "'client_id': 8 to 64 of A-Z a-z 0-9 _ -"}
                )
            )
            return
        words = frame.get("text")
        if not isinstance(words, str) or not 1 <= len(words) <= MAX_TEXT or BAD_TEXT.search(words):
            conn.offer(error(client_id, "invalid_command", "'text': 1 to 2000 characters, no control characters"))
            return
        if self.seat_session.get(conn.seat_id) != conn.session_id:
            conn.offer(error(client_id, "not_allowed", "this seat has no place in this session"))
            return
        self.submit(Post(conn, conn.session_id, conn.seat_id, client_id, words))

    # -- ASGI -------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self.socket(scope, receive, send)
        elif scope["type"] == "http":
            if scope["path"] == "/positions":
                await respond(send, 200, json.dumps({str(k): v for k, v in self.last_seq.items()}).encode())
            elif scope["path"] == "/readyz":
                await respond(send, 200, b'{"ready":true}')
            else:
                await respond(send, 404, b'{"code":"not_found"}')
        elif scope["type"] == "lifespan":
            await self.lifespan(receive, send)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.store.open()
                except Exception as exc:
                    await self.store.close()
                    await send({"type": "lifespan.startup.failed", "message": f"{type(exc).__name__}: {exc}"})
                    return
                self.writer = asyncio.get_running_loop().create_task(self.run_writer())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.stopping = True
                self.wake.set()
                if self.writer is not None:
                    with contextlib.suppress(Exception):
                        await self.writer
                await self.store.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def seat_token(scope: Scope, session_id: int) -> str | None:
    name = f"rt_seat_{session_id}="
    for key, value in scope["headers"]:
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                part = part.strip()
                if part.startswith(name) and len(part) > len(name):
                    return part[len(name) :]
    return None


def error(client_id: str, code: str, message: str) -> str:
    return encode({"type": "error", "code": code, "message": message, "client_id": client_id})


async def respond(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--postgres", metavar="URL", help="a scratch database next to URL instead of SQLite")
    parser.add_argument(
        "--limit-concurrency",
        type=int,
        default=1000,
        help="as ROUNDTABLE_SERVER_LIMIT_CONCURRENCY (uvicorn applies it to HTTP requests, not WebSocket handshakes)",
    )
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the benchmark server listens on loopback only")
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s [%(levelname)s] %(name)s: %(message)s")
    store: Store = PostgresStore(args.postgres) if args.postgres else SqliteStore()
    print(f"limit server ({type(store).__name__}) on ws://{args.host}:{args.port}", flush=True)
    # What app/cli.py's uvicorn_options() gives `roundtable serve` with the default settings.
    uvicorn.run(
        LimitServer(store),
        host=args.host,
        port=args.port,
        workers=1,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        http="h11",
        h11_max_incomplete_event_size=16 * 1024,
        limit_concurrency=args.limit_concurrency,
        backlog=2048,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=10,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        ws_max_size=64 * 1024,
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        server_header=False,
        lifespan="on",
    )


if __name__ == "__main__":
    main()
