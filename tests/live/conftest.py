"""A live room against real servers: a session made through the services, people with seats."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from app.accounts.models import Role
from app.dialogues import seats as seat_service
from app.dialogues import sessions as session_service
from app.dialogues.models import Invitation, SeatRole, SessionStatus
from app.dialogues.seat_cookie import seat_cookie_name
from app.live.protocol import SERVER_FRAMES
from tests.factories import make_invitation, make_programme, make_session
from tests.servers import Server, server_env


@dataclass
class Person:
    name: str
    seat_id: int
    cookie: str  # "name=value" for the Cookie header


@dataclass
class LiveRoom:
    session_id: int
    people: dict[str, Person]
    other_session_id: int
    other_cookie: str


async def seat_for(app, *, facilitator, session, community: str | None, name: str,  # type: ignore[no-untyped-def]
                   role: SeatRole = SeatRole.participant) -> Person:
    invitation, _token = await make_invitation(app, facilitator=facilitator, session=session, community=community,
                                               role=role)
    now = app.state.clock.now()
    async with app.state.db.unit_of_work() as db:
        row = await db.get(Invitation, invitation.id)
        await seat_service.give_consent(db, invitation=row, session=session, rules_version=1, accept_rules=True,
                                        accept_transcript=True, now=now)
        seat, cookie = await seat_service.claim_seat(db, invitation=row, session=session, display_name=name, now=now)
        await seat_service.admit(db, seat=seat, now=now)
    return Person(name, seat.id, f"{seat_cookie_name(session.id)}={cookie}")  # type: ignore[arg-type]


async def go_live(app, session) -> None:  # type: ignore[no-untyped-def]
    async with app.state.db.unit_of_work() as db:
        from app.dialogues.models import DialogueSession

        row = await db.get(DialogueSession, session.id)
        for status in (SessionStatus.scheduled, SessionStatus.open, SessionStatus.live):
            await session_service.change_status(db, session=row, to=status, reason=None, now=app.state.clock.now())


@pytest.fixture
async def live_room(app, make_account) -> LiveRoom:
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user])
    session = await make_session(app, facilitator=facilitator.user, programme=programme, capacity=6)
    other = await make_session(app, facilitator=facilitator.user, programme=programme, capacity=6)
    await go_live(app, session)
    await go_live(app, other)
    people = {
        "nigar": await seat_for(app, facilitator=facilitator.user, session=session, community="a", name="Nigar"),
        "ani": await seat_for(app, facilitator=facilitator.user, session=session, community="b", name="Ani"),
        "rauf": await seat_for(app, facilitator=facilitator.user, session=session, community="a", name="Rauf"),
    }
    stranger = await seat_for(app, facilitator=facilitator.user, session=other, community="b", name="Elsewhere")
    return LiveRoom(session.id, people, other.id, stranger.cookie)  # type: ignore[arg-type]


@pytest.fixture
def server_factory(database_url, redis_available, tmp_path):  # type: ignore[no-untyped-def]
    servers: list[Server] = []
    shared = {"ROUNDTABLE_REDIS_PREFIX": f"rt-test-{uuid.uuid4().hex[:8]}:"}  # one room across instances

    def make(**extra: str) -> Server:
        server = Server(env=server_env(database_url, redis_available, **{**shared, **extra}), workdir=tmp_path)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def server(server_factory):  # type: ignore[no-untyped-def]
    return server_factory().start()


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

    async def until(self, predicate, timeout: float = 5.0) -> dict[str, Any]:  # type: ignore[no-untyped-def]
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


async def open_room(server: Server, session_id: int, cookie: str, *, after: int = 0,
                    origin: str | None = None) -> RoomClient:
    headers = {"Cookie": cookie, "Origin": origin or server.base_url}
    socket = await connect(f"{server.ws_url}/ws/sessions/{session_id}?after={after}", additional_headers=headers,
                           open_timeout=10, max_size=2**20)
    return RoomClient(socket)
