"""The load generator: room connections that send statements and time their delivery.

bench/run.py starts several of these workers as separate processes (so that the load is
not made by the same Python thread it measures) and drives them over a pipe:

    job -> connect everything -> "ready" -> "go" at t0 -> warm-up, window, drain
        -> "result" -> "close" -> close frames -> "closed"

Each connection is a small RFC 6455 client on an asyncio Protocol (uvloop): it parses the
server's frames itself and looks only at the bytes it needs, so that one load process can
take far more frames per second than a server process can send. It answers pings, masks
what it sends, and closes with a close frame.

A statement's text carries its send time and id: "bench t=<time.time_ns()> id=<client id>".
Clients and servers run on one machine, so the receiver's time.time_ns() minus t is the
delivery latency. Against Roundtable the client also checks that room events arrive with
sequence numbers that increase by one (no gap, no duplicate).

Standalone, against a server that needs no cookies (bench/bare_server.py):

    .venv/bin/python bench/room_load.py --port 8765 --rooms 20 --per-room 20 --interval 0.5
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import json
import multiprocessing as mp
import os
import random
import re
import resource
import socket
import time
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import uvloop

try:
    from websockets.speedups import apply_mask  # C, shipped with websockets
except ImportError:  # pragma: no cover

    def apply_mask(data: bytes | bytearray | memoryview, mask: bytes | bytearray) -> bytes:
        n = len(data)
        key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
        return (int.from_bytes(data, "big") ^ key).to_bytes(n, "big")


GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SEQ = re.compile(rb'"seq":(\d+)')
MARK = b"bench t="
ROOM_EVENT_PREFIXES = (b'{"type":"presence_', b'{"type":"noop"', b'{"type":"session_status"')


@dataclass
class ConnSpec:
    path: str  # "/ws/sessions/7?after=123"
    cookie: str | None = None
    role: str = "sender"  # sender | listener | staller
    group: str = "all"  # latencies are kept per group (for example the stalled reader's room)
    after: int = 0  # the position joined from: the next room event must be after + 1


@dataclass
class Job:
    host: str
    port: int
    origin: str
    conns: list[ConnSpec]
    worker: int = 0
    tag: str = "p0"  # unique per phase: client ids must never repeat on a seat
    mode: str = "idle"  # idle | open | closed
    interval: float = 10.0  # open loop: seconds between two statements of one sender
    window: int = 1  # closed loop: statements in flight per sender
    complete_on: str = "echo"  # closed loop: "ack" (Roundtable) or "echo" (own statement back)
    warmup: float = 3.0
    duration: float = 10.0
    drain: float = 2.0
    pad: int = 0  # extra characters in each statement
    pad_chars: str = "x"  # what they are: two-byte letters make long frames within the 2,000-character limit
    seq_check: bool = True  # Roundtable frames carry sequence numbers; the bare server's do not
    connect_concurrency: int = 16
    connect_timeout: float = 20.0
    connect_budget: float = 120.0  # for all connections of this worker together
    staller_rcvbuf: int = 4096


@dataclass
class Stats:
    lat: dict[str, array] = field(default_factory=dict)  # delivery latency (µs) per group
    lat_t: dict[str, array] = field(default_factory=dict)  # and when each was sent (ms into the window)
    ack_lat: array = field(default_factory=lambda: array("i"))  # send -> ack (µs)
    own_lat: array = field(default_factory=lambda: array("i"))  # send -> own statement back (µs)
    deliveries: Counter = field(default_factory=Counter)  # statement frames received in the window, per group
    acks_in_window: int = 0
    echoes_in_window: int = 0
    sent_in_window: int = 0
    sent_total: int = 0
    gaps: int = 0
    duplicates: int = 0
    errors: Counter = field(default_factory=Counter)
    closes: Counter = field(default_factory=Counter)
    unparsed: int = 0


class Window:
    """The measurement window, as wall-clock nanoseconds (shared by every process)."""

    def __init__(self) -> None:
        self.start_ns = self.end_ns = 0
        self.sending = False

    def set(self, t0: float, warmup: float, duration: float) -> None:
        self.start_ns = int((t0 + warmup) * 1e9)
        self.end_ns = int((t0 + warmup + duration) * 1e9)


class RoomClient(asyncio.Protocol):
    """One WebSocket connection to one room."""

    def __init__(self, spec: ConnSpec, job: Job, index: int, stats: Stats, window: Window) -> None:
        self.spec, self.job, self.stats, self.window = spec, job, stats, window
        self.prefix = f"{job.tag}w{job.worker}c{index}n"
        self.prefix_b = self.prefix.encode()
        self.transport: asyncio.Transport | None = None
        self.handshake = bytearray()
        self.buf = b""
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.close_code: int | None = None
        self.key = base64.b64encode(os.urandom(16))
        self.last_seq = spec.after
        self.counter = 0
        self.pending: dict[bytes, int] = {}  # client id -> send time (ns), for acks
        self.in_flight = 0
        self.frames = 0
        self.frames_after_resume = 0
        self.welcome: dict[str, Any] | None = None
        self.padding = (job.pad_chars * (job.pad // max(1, len(job.pad_chars)) + 1))[: job.pad]
        if spec.group not in stats.lat:
            stats.lat[spec.group], stats.lat_t[spec.group] = array("i"), array("i")
        self.lat, self.lat_t = stats.lat[spec.group], stats.lat_t[spec.group]

    # -- connection ------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A connection made by loop.create_connection() has a stream transport.
        self.transport = stream = cast(asyncio.Transport, transport)
        lines = [
            f"GET {self.spec.path} HTTP/1.1",
            f"Host: {self.job.host}:{self.job.port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {self.key.decode()}",
            "Sec-WebSocket-Version: 13",
            f"Origin: {self.job.origin}",
        ]
        if self.spec.cookie:
            lines.append(f"Cookie: {self.spec.cookie}")
        stream.write(("\r\n".join(lines) + "\r\n\r\n").encode())

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"closed during the handshake: {self.handshake[:200]!r}"))
        if not self.closed.done():
            self.closed.set_result(None)
        if self.close_code is None and self.spec.role != "staller":
            self.stats.closes["eof"] += 1

    def data_received(self, data: bytes) -> None:
        transport = self.transport
        assert transport is not None  # data only arrives after connection_made
        if not self.opened.done():
            self.handshake += data
            end = self.handshake.find(b"\r\n\r\n")
            if end < 0:
                if len(self.handshake) > 65536:
                    self.opened.set_exception(ConnectionError("handshake response too long"))
                return
            response_head, rest = bytes(self.handshake[:end]), bytes(self.handshake[end + 4 :])
            status = response_head.split(b"\r\n", 1)[0]
            accept = base64.b64encode(hashlib.sha1(self.key + GUID).digest())
            if not status.startswith(b"HTTP/1.1 101") or accept not in response_head:
                self.opened.set_exception(
                    ConnectionError(f"refused: {status.decode(errors='replace')} {rest[:300].decode(errors='replace')}")
                )
                transport.close()
                return
            self.opened.set_result(None)
            if self.spec.role == "staller":
                transport.pause_reading()
            data = rest
            if not data:
                return
        buf = self.buf + data if self.buf else data
        pos, n = 0, len(buf)
        while n - pos >= 2:
            b1 = buf[pos + 1]
            length = b1 & 0x7F
            head = 2
            if length == 126:
                if n - pos < 4:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                head = 4
            elif length == 127:
                if n - pos < 10:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                head = 10
            if n - pos < head + length:
                break
            opcode = buf[pos] & 0x0F
            payload = buf[pos + head : pos + head + length]
            pos += head + length
            if opcode == 1:
                self.on_text(payload)
            elif opcode == 9:
                self.write_frame(0xA, payload)
            elif opcode == 8:
                self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.stats.closes[str(self.close_code)] += 1
                with contextlib.suppress(Exception):
                    self.write_frame(0x8, payload[:2])
                transport.close()
                return
            elif opcode == 0:
                self.stats.unparsed += 1  # a fragmented message: not expected from either server
        self.buf = buf[pos:]

    def write_frame(self, opcode: int, payload: bytes) -> None:
        n = len(payload)
        if n < 126:
            header = bytes((0x80 | opcode, 0x80 | n))
        elif n < 65536:
            header = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
        else:
            header = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
        mask = os.urandom(4)
        assert self.transport is not None  # frames are only written on a made connection
        self.transport.write(header + mask + apply_mask(payload, mask))

    # -- statements ------------------------------------------------------------------
    def send_statement(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.counter += 1
        client_id = f"{self.prefix}{self.counter}"
        now = time.time_ns()
        text = f"bench t={now} id={client_id}"
        if self.job.pad:
            text += " " + self.padding
        self.write_frame(0x1, (f'{{"type":"statement","client_id":"{client_id}","text":"{text}"}}').encode())
        if self.job.seq_check:  # Roundtable: every statement is acknowledged
            self.pending[client_id.encode()] = now
        self.in_flight += 1
        self.stats.sent_total += 1
        if self.window.start_ns <= now < self.window.end_ns:
            self.stats.sent_in_window += 1

    def _completed(self) -> None:
        self.in_flight -= 1
        if self.window.sending and self.job.mode == "closed" and self.in_flight < self.job.window:
            self.send_statement()

    def on_text(self, p: bytes) -> None:
        now = time.time_ns()
        self.frames += 1
        if self.spec.role == "staller":
            self.frames_after_resume += 1
            return
        stats = self.stats
        in_window = self.window.start_ns <= now < self.window.end_ns
        if p.startswith(b'{"type":"statement"'):
            if self.job.seq_check:
                self._check_seq(p)
            i = p.find(MARK)
            if i < 0:
                stats.unparsed += 1
                return
            j = p.find(b" ", i + 8)
            sent = int(p[i + 8 : j])
            k = p.find(b"id=", j) + 3
            e = k
            while e < len(p) and p[e] not in b' "':
                e += 1
            client_id = p[k:e]
            if in_window:
                stats.deliveries[self.spec.group] += 1
            sent_in_window = self.window.start_ns <= sent < self.window.end_ns
            if sent_in_window:
                self.lat.append((now - sent) // 1000)
                self.lat_t.append((sent - self.window.start_ns) // 1_000_000)
            if client_id.startswith(self.prefix_b):
                if sent_in_window:
                    stats.own_lat.append((now - sent) // 1000)
                if in_window:
                    stats.echoes_in_window += 1
                if self.job.complete_on == "echo":
                    self._completed()
        elif p.startswith(b'{"type":"ack"'):
            i = p.find(b'"client_id":"') + 13
            client_id = p[i : p.find(b'"', i)]
            sent_ns = self.pending.pop(client_id, None)
            if in_window:
                stats.acks_in_window += 1
            if sent_ns is not None:
                if self.window.start_ns <= sent_ns < self.window.end_ns:
                    stats.ack_lat.append((now - sent_ns) // 1000)
                if self.job.complete_on == "ack":
                    self._completed()
        elif p.startswith(ROOM_EVENT_PREFIXES):
            if self.job.seq_check:
                self._check_seq(p)
        elif p.startswith(b'{"type":"welcome"'):
            self.welcome = json.loads(p)
        elif p.startswith(b'{"type":"error"'):
            frame = json.loads(p)
            stats.errors[frame.get("code", "?")] += 1
            client_id = (frame.get("client_id") or "").encode()
            if client_id in self.pending:
                del self.pending[client_id]
                if self.job.complete_on == "ack":
                    self._completed()
        else:
            frame_type = p[:40].split(b",")[0]
            stats.errors[f"frame {frame_type.decode(errors='replace')}"] += 1

    def _check_seq(self, p: bytes) -> None:
        match = SEQ.search(p, 0, 200)
        if match is None:
            return
        seq = int(match.group(1))
        if seq == self.last_seq + 1:
            self.last_seq = seq
        elif seq <= self.last_seq:
            self.stats.duplicates += 1
        else:
            self.stats.gaps += 1
            self.last_seq = seq

    async def close(self, timeout: float = 3.0) -> None:
        if self.transport is None:
            return
        if not self.transport.is_closing():
            with contextlib.suppress(Exception):
                self.write_frame(0x8, (1000).to_bytes(2, "big"))
        try:
            await asyncio.wait_for(asyncio.shield(self.closed), timeout)
        except TimeoutError:
            self.transport.abort()


async def open_client(spec: ConnSpec, job: Job, index: int, stats: Stats, window: Window) -> RoomClient:
    loop = asyncio.get_running_loop()
    client = RoomClient(spec, job, index, stats, window)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if spec.role == "staller" and job.staller_rcvbuf:
            # A reader that stopped reading: a small receive buffer so that the server sees it
            # within seconds instead of after megabytes of loopback buffering.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, job.staller_rcvbuf)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        await asyncio.wait_for(loop.sock_connect(sock, (job.host, job.port)), job.connect_timeout)
        await loop.create_connection(lambda: client, sock=sock)
    except BaseException:
        sock.close()
        raise
    try:
        await asyncio.wait_for(asyncio.shield(client.opened), job.connect_timeout)
    except BaseException:
        if client.transport is not None:
            client.transport.abort()
        raise
    return client


def raise_file_limit(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, wanted)
    if soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


async def _recv(pipe: Any) -> Any:
    """The next message from the orchestrator, without blocking the connections' loop."""
    loop = asyncio.get_running_loop()
    while True:
        if await loop.run_in_executor(None, pipe.poll, 0.5):
            return pipe.recv()


async def _lag_monitor(lags: list[float], stop: asyncio.Event) -> None:
    """How late this process's event loop runs: a late loop would add to the latencies."""
    loop = asyncio.get_running_loop()
    for _ in range(100_000):
        before = loop.time()
        try:
            await asyncio.wait_for(stop.wait(), 0.05)
            return
        except TimeoutError:
            lags.append(max(0.0, loop.time() - before - 0.05) * 1000)


async def _open_loop(client: RoomClient, job: Job, t0: float, end: float) -> None:
    loop_time = time.time
    next_at = t0 + random.random() * job.interval
    for _ in range(1_000_000):
        delay = next_at - loop_time()
        if delay > 0:
            await asyncio.sleep(delay)
        if loop_time() >= end:
            return
        client.send_statement()
        next_at += job.interval


async def run_worker(job: Job, pipe: Any) -> None:
    raise_file_limit(len(job.conns) + 256)
    stats = Stats()
    window = Window()
    clients: list[RoomClient] = []
    failures: Counter = Counter()
    gate = asyncio.Semaphore(job.connect_concurrency)
    started = time.monotonic()

    async def connect(index: int, spec: ConnSpec) -> None:
        async with gate:
            if time.monotonic() - started > job.connect_budget:
                failures["connect budget spent"] += 1
                return
            try:
                clients.append(await open_client(spec, job, index, stats, window))
            except Exception as exc:
                failures[f"{type(exc).__name__}: {str(exc)[:160]}"] += 1

    await asyncio.gather(*(connect(i, spec) for i, spec in enumerate(job.conns)))
    pipe.send(
        (
            "ready",
            {
                "connected": len(clients),
                "failed": sum(failures.values()),
                "failures": dict(failures.most_common(5)),
                "connect_seconds": time.monotonic() - started,
            },
        )
    )
    tasks: list[asyncio.Task] = []
    lags: list[float] = []
    stop_lag = asyncio.Event()
    try:
        message = await _recv(pipe)
        if message[0] == "go" and job.mode != "idle":
            t0 = message[1]
            window.set(t0, job.warmup, job.duration)
            end = t0 + job.warmup + job.duration
            await asyncio.sleep(max(0.0, t0 - time.time()))
            window.sending = True
            lag_task = asyncio.create_task(_lag_monitor(lags, stop_lag))
            senders = [c for c in clients if c.spec.role == "sender"]
            if job.mode == "open":
                tasks = [asyncio.create_task(_open_loop(c, job, t0, end)) for c in senders]
            else:  # closed loop: fill each sender's window, then send one per completion
                for c in senders:
                    for _ in range(job.window):
                        asyncio.get_running_loop().call_later(random.random() * 0.2, c.send_statement)
            await asyncio.sleep(max(0.0, t0 + job.warmup - time.time()))
            cpu0 = resource.getrusage(resource.RUSAGE_SELF)
            await asyncio.sleep(max(0.0, end - time.time()))
            cpu1 = resource.getrusage(resource.RUSAGE_SELF)
            window.sending = False
            await asyncio.sleep(job.drain)
            stop_lag.set()
            await lag_task
            for task in tasks:
                task.cancel()
            # The stalled reader reads again: what had the server done with it meanwhile?
            stallers = [c for c in clients if c.spec.role == "staller"]
            staller_info = []
            for c in stallers:
                was_open = not c.closed.done()
                if c.transport is not None and not c.transport.is_closing():
                    c.transport.resume_reading()
                with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                    await asyncio.wait_for(asyncio.shield(c.closed), 5.0)
                staller_info.append(
                    {
                        "frames_read_after_resume": c.frames_after_resume,
                        "close_code": c.close_code,
                        "connection_ended": c.closed.done(),
                        "open_before_resume": was_open,
                    }
                )
            lags.sort()
            cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
            pipe.send(
                (
                    "result",
                    {
                        "lat": {g: a.tobytes() for g, a in stats.lat.items()},
                        "lat_t": {g: a.tobytes() for g, a in stats.lat_t.items()},
                        "ack_lat": stats.ack_lat.tobytes(),
                        "own_lat": stats.own_lat.tobytes(),
                        "deliveries": dict(stats.deliveries),
                        "acks_in_window": stats.acks_in_window,
                        "echoes_in_window": stats.echoes_in_window,
                        "sent_in_window": stats.sent_in_window,
                        "sent_total": stats.sent_total,
                        "gaps": stats.gaps,
                        "duplicates": stats.duplicates,
                        "errors": dict(stats.errors),
                        "closes": dict(stats.closes),
                        "unparsed": stats.unparsed,
                        "cpu_seconds": cpu,
                        "lag_p99_ms": _percentile(lags, 0.99),
                        "lag_max_ms": lags[-1] if lags else 0.0,
                        "stallers": staller_info,
                        "unacked": sum(len(c.pending) for c in clients),
                        "unacked_in_window": sum(
                            1 for c in clients for sent in c.pending.values() if window.start_ns <= sent < window.end_ns
                        ),
                    },
                )
            )
            message = await _recv(pipe)
    finally:
        window.sending = False
        stop_lag.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        with contextlib.suppress(Exception):
            pipe.send(("closed", {}))


def worker_main(job: Job, pipe: Any) -> None:
    """Entry point of one load process."""
    try:
        factory = uvloop.new_event_loop
    except ImportError:  # pragma: no cover
        factory = None
    try:
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(run_worker(job, pipe))
    except Exception as exc:
        with contextlib.suppress(Exception):
            pipe.send(("failed", f"{type(exc).__name__}: {exc}"))
        raise


def _standalone(args: argparse.Namespace) -> None:
    """A quick load against a server without cookies (the bare server), in this process."""
    if args.host not in ("127.0.0.1", "localhost"):
        raise SystemExit("loopback only")
    specs = [
        ConnSpec(path=f"/ws/sessions/{room + 1}", group="all")
        for room in range(args.rooms)
        for _ in range(args.per_room)
    ]
    ctx = mp.get_context("spawn")
    jobs, pipes, procs = [], [], []
    for w in range(args.workers):
        job = Job(
            host=args.host,
            port=args.port,
            origin=f"http://{args.host}:{args.port}",
            conns=specs[w :: args.workers],
            worker=w,
            tag=f"s{os.getpid()}",
            mode="open",
            interval=args.interval,
            duration=args.duration,
            warmup=2.0,
            seq_check=False,
        )
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=worker_main, args=(job, child), daemon=True)
        proc.start()
        jobs.append(job)
        pipes.append(parent)
        procs.append(proc)
    try:
        for p in pipes:
            print("ready:", p.recv()[1] if p.poll(120) else "timeout")
        t0 = time.time() + 0.5
        for p in pipes:
            p.send(("go", t0))
        lat: list[int] = []
        delivered = 0
        for p in pipes:
            kind, result = p.recv() if p.poll(args.duration + 60) else ("timeout", {})
            if kind == "result":
                for raw in result["lat"].values():
                    lat.extend(array("i", raw))
                delivered += sum(result["deliveries"].values())
        lat.sort()
        print(
            f"{delivered / args.duration:.0f} deliveries/s, p50 {_percentile(lat, 0.5) / 1000:.2f} ms, "
            f"p99 {_percentile(lat, 0.99) / 1000:.2f} ms over {len(lat)} deliveries"
        )
        for p in pipes:
            p.send(("close",))
    finally:
        for proc in procs:
            proc.join(10)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--per-room", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between statements of one sender")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    _standalone(parser.parse_args())
