"""What `roundtable serve` asks of uvicorn, and what a real server process does with it
when 300 clients open a connection, send half a request and stall.

uvicorn has no timeout for a request head that never completes (its keep-alive timer starts
only after a first response), so it cannot end such connections itself; that is the proxy's
job (deploy/Caddyfile: read_header). What it can do, and what is tested here: the stalled
connections cost it little, a normal request is still answered at once, a request head larger
than ROUNDTABLE_SERVER_MAX_HEADER_BYTES is refused instead of buffered, and past
ROUNDTABLE_SERVER_LIMIT_CONCURRENCY open connections it answers 503 at once instead of hanging.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.cli import trusted_proxies, uvicorn_options
from app.config import Settings
from tests.servers import Server, server_env


def settings_with(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


async def plain_app(scope, receive, send) -> None:  # pragma: no cover - never called
    raise AssertionError


def loaded(options: dict) -> object:
    """The application uvicorn would run with these options (its middleware included)."""
    config = uvicorn.Config(plain_app, **{k: v for k, v in options.items() if k not in ("workers",)})
    config.load()
    return config.loaded_app


# --- The options ----------------------------------------------------------------------


def test_with_no_proxy_named_uvicorn_believes_no_forwarded_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")  # what uvicorn falls back to when given None
    options = uvicorn_options(settings_with())
    assert options["proxy_headers"] is False
    assert options["forwarded_allow_ips"] == ""
    app = loaded(options)
    assert not _wrapped_in(app, ProxyHeadersMiddleware)


def test_with_proxies_named_only_they_are_believed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")
    options = uvicorn_options(settings_with(forwarded_allow_ips=" 172.29.80.2, 10.0.0.0/24 "))
    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == "172.29.80.2,10.0.0.0/24"
    middleware = _wrapped_in(loaded(options), ProxyHeadersMiddleware)
    assert isinstance(middleware, ProxyHeadersMiddleware)
    trusted = middleware.trusted_hosts
    assert "172.29.80.2" in trusted and "10.0.0.77" in trusted
    assert "127.0.0.1" not in trusted and "172.29.80.3" not in trusted


def test_a_proxy_entry_that_is_no_address_is_refused() -> None:
    with pytest.raises(SystemExit) as exited:
        trusted_proxies(settings_with(forwarded_allow_ips="172.29.80.2, caddy"))
    assert exited.value.code == 2
    assert trusted_proxies(settings_with(forwarded_allow_ips="*")) == "*"


def test_the_server_settings_reach_uvicorn() -> None:
    options = uvicorn_options(
        settings_with(
            server_limit_concurrency=77,
            server_backlog=128,
            server_timeout_keep_alive_seconds=3,
            server_ws_ping_interval_seconds=15,
            server_ws_ping_timeout_seconds=9,
            server_max_header_bytes=8192,
            server_timeout_graceful_shutdown_seconds=4,
        )
    )
    assert options["limit_concurrency"] == 77
    assert options["backlog"] == 128
    assert options["timeout_keep_alive"] == 3
    assert (options["ws_ping_interval"], options["ws_ping_timeout"]) == (15, 9)
    assert options["h11_max_incomplete_event_size"] == 8192
    assert options["http"] == "h11"  # the parser that enforces the header limit
    assert options["timeout_graceful_shutdown"] == 4
    config = uvicorn.Config(plain_app, **{k: v for k, v in options.items() if k != "workers"})
    assert config.limit_concurrency == 77 and config.h11_max_incomplete_event_size == 8192


def _wrapped_in(app: object, kind: type) -> object | None:
    """The first layer of `kind` in uvicorn's wrapping of the app, if any."""
    seen = 0
    while app is not None and seen < 10:
        if isinstance(app, kind):
            return app
        app = getattr(app, "app", None)
        seen += 1
    return None


# --- A real server under 300 stalled connections ---------------------------------------


@pytest.fixture
def start_server(database_url, redis_available, tmp_path: Path) -> Iterator:
    servers: list[Server] = []

    def start(**extra: str) -> Server:
        server = Server(env=server_env(database_url, redis_available, **extra), workdir=tmp_path).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def stall(server: Server, count: int) -> list[socket.socket]:
    """`count` connections that each send half a request line and then nothing."""
    stalled = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        stalled.append(s)
    return stalled


def close_all(sockets: list[socket.socket]) -> None:
    for s in sockets:
        s.close()


def timed_get(server: Server, path: str = "/healthz") -> tuple[int, float]:
    started = time.monotonic()
    response = httpx.get(f"{server.base_url}{path}", timeout=5)
    return response.status_code, time.monotonic() - started


def test_300_stalled_requests_do_not_stop_a_normal_one(start_server) -> None:
    server = start_server()  # the settings roundtable serve uses by default
    stalled = stall(server, 300)
    try:
        time.sleep(0.5)  # let the server accept them all
        status, took = timed_get(server)
        assert status == 200 and took < 3, (status, took)
        status, took = timed_get(server, "/login")
        assert status == 200 and took < 3, (status, took)
        # Nothing ended them: uvicorn has no timeout for an unfinished request head.
        still_open = 0
        for s in stalled[:20]:
            s.setblocking(False)
            try:
                still_open += s.recv(1) != b""
            except BlockingIOError:
                still_open += 1
        assert still_open == 20
    finally:
        close_all(stalled)


def test_past_the_concurrency_limit_the_answer_is_503_at_once_not_a_hang(start_server) -> None:
    server = start_server(ROUNDTABLE_SERVER_LIMIT_CONCURRENCY="40")
    stalled = stall(server, 60)
    try:
        time.sleep(0.5)
        status, took = timed_get(server)
        assert status == 503 and took < 3, (status, took)
    finally:
        close_all(stalled)
    deadline = time.monotonic() + 5
    while (status := timed_get(server)[0]) != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status == 200  # the stalled ones gone, the server answers again


def test_a_request_head_larger_than_the_limit_is_refused_not_buffered(start_server) -> None:
    server = start_server(ROUNDTABLE_SERVER_MAX_HEADER_BYTES="8192")
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
        answer = b""
        try:
            for _ in range(64):  # a header that keeps growing, as a slow client sends it
                s.sendall(b"a" * 1024)
                time.sleep(0.005)
            s.sendall(b"\r\n\r\n")
            answer = s.recv(200)
        except (ConnectionResetError, BrokenPipeError):
            pass  # refused and closed before all of it was sent
        assert not answer.startswith(b"HTTP/1.1 200"), answer
        assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer
    assert timed_get(server)[0] == 200
