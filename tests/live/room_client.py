"""A room connection over a real socket, for tests: every frame it receives is checked
against the protocol."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from app.live.protocol import SERVER_FRAMES
from app.security.cookies import LOGIN_COOKIE
from tests.factories import DEFAULT_PASSWORD
from tests.servers import Server


class RoomClient:
    """A test client that keeps every frame it received, checked against the protocol."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.frames: list[dict[str, Any]] = []

    async def next(self, timeout: float = 5.0) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.socket.recv(), timeout)
        frame = json.loads(raw)
        SERVER_FRAMES.validate_python(frame)  # every frame is a defined protocol frame
        self.frames.append(frame)
        return frame

    async def until(self, predicate, timeout: float = 5.0) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.next(max(0.05, deadline - loop.time()))
            if predicate(frame):
                return frame

    async def say(self, text: str, client_id: str | None = None, **extra: Any) -> str:
        client_id = client_id or uuid.uuid4().hex
        await self.socket.send(json.dumps({"type": "statement", "client_id": client_id, "text": text, **extra}))
        return client_id

    async def send_json(self, frame: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(frame))

    def seqs(self) -> list[int]:
        return [f["seq"] for f in self.frames if "seq" in f and f["type"] not in ("ack",)]


async def open_room(
    server: Server, session_id: int, cookie: str, *, after: int = 0, origin: str | None = None
) -> RoomClient:
    headers = {"Cookie": cookie, "Origin": origin or server.base_url}
    socket = await connect(
        f"{server.ws_url}/ws/sessions/{session_id}?after={after}",
        additional_headers=headers,
        open_timeout=10,
        max_size=2**20,
    )
    return RoomClient(socket)


class StaffBrowser:
    """A logged-in staff account's HTTP client against a real server (cookie and CSRF token)."""

    def __init__(self, server: Server, username: str, password: str = DEFAULT_PASSWORD) -> None:
        self.http = httpx.Client(base_url=server.base_url, headers={"Origin": server.base_url})
        response = self.http.post("/api/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        self.csrf = response.json()["csrf_token"]

    @property
    def cookie(self) -> str:
        return f"{LOGIN_COOKIE}={self.http.cookies[LOGIN_COOKIE]}"

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, path, headers={"X-CSRF-Token": self.csrf}, **kwargs)


def login_cookie(server: Server, username: str) -> str:
    return StaffBrowser(server, username).cookie
