"""A room connection over a real socket, for tests: every frame it receives is checked
against the protocol."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from app.live.protocol import SERVER_FRAMES
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
