"""A live room against real servers: a session made through the services, people with seats."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from app.accounts.models import Role
from tests.factories import Person, go_live, make_programme, make_session, seat_for
from tests.servers import Server, server_env


@dataclass
class LiveRoom:
    session_id: int
    people: dict[str, Person]
    other_session_id: int
    other_cookie: str


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
    return LiveRoom(session.id, people, other.id, stranger.cookie)


@pytest.fixture
def server_factory(database_url, redis_available, tmp_path):
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
def server(server_factory):
    return server_factory().start()
