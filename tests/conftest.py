"""Shared fixtures: a real database per test, a real app, a controllable clock, accounts,
and a live room in-process. Builders are in tests/factories.py, backends in tests/backends.py."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from sqlmodel import SQLModel

from app import models as _tables  # noqa: F401  (registers every table on the metadata)
from app.accounts.models import Role
from app.accounts.service import create_user
from app.clock import ManualClock
from app.config import Settings
from app.dialogues.models import DialogueSession
from app.facilitation.entry import facilitator_seat
from app.facilitation.room import Actor
from app.main import create_app
from app.migrations import upgrade
from tests.backends import (
    PG_URL,
    REDIS_URL,
    _admin_execute,
    create_scratch_postgres,
    drop_scratch_postgres,
    make_settings,
)
from tests.factories import DEFAULT_PASSWORD, PEOPLE, Account, InRoom, go_live, make_programme, make_session, seat_for


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database at the latest migration, made once per test run."""
    if PG_URL:
        try:
            url = asyncio.run(create_scratch_postgres("roundtable_test"))
        except Exception as exc:
            pytest.fail(
                f"ROUNDTABLE_TEST_DATABASE_URL is set but PostgreSQL cannot be reached: {exc!r}",
                pytrace=False,
            )
        asyncio.run(upgrade(url))
        yield url
        asyncio.run(drop_scratch_postgres(url))
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        url = f"sqlite+aiosqlite:///{path}"
        asyncio.run(upgrade(url))
        yield str(path)


@pytest.fixture(scope="session")
def redis_available() -> str | None:
    if not REDIS_URL:
        return None
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        pytest.fail(f"ROUNDTABLE_TEST_REDIS_URL is set but Redis cannot be reached: {exc!r}", pytrace=False)
    return REDIS_URL


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> Iterator[str]:
    """A clean database for one test: a copy of the template, or emptied tables."""
    if PG_URL:
        yield migrated_template
        tables = ", ".join(f'"{t.name}"' for t in reversed(SQLModel.metadata.sorted_tables))
        asyncio.run(_admin_execute(migrated_template, f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    else:
        path = tmp_path / "roundtable.db"
        shutil.copyfile(migrated_template, path)
        yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings(database_url: str, redis_available: str | None) -> Settings:
    return make_settings(database_url, redis_available)


@pytest.fixture
async def app(settings: Settings, clock: ManualClock) -> AsyncIterator:
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def new_client(app):
    """Another browser: its own cookies, optionally its own address."""
    clients: list[httpx.AsyncClient] = []

    def make(address: str = "198.51.100.20", base_url: str = "http://testserver") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40001))
        c = httpx.AsyncClient(transport=transport, base_url=base_url)
        clients.append(c)
        return c

    yield make
    for c in clients:
        await c.aclose()


@pytest.fixture
def make_account(app):
    """Create an account through the accounts service, as the admin page would."""
    counter = iter(range(1, 10_000))

    async def make(
        role: Role = Role.facilitator, *, username: str | None = None, password: str = DEFAULT_PASSWORD
    ) -> Account:
        name = username or f"{role.value}-{next(counter)}"
        async with app.state.db.unit_of_work() as db:
            user = await create_user(
                db,
                username=name,
                full_name=f"Test {role.value.title()}",
                role=role,
                password=password,
                passwords=app.state.passwords,
                now=app.state.clock.now(),
            )
        return Account(user=user, password=password)

    return make


# A live room in-process (tests/factories.py: InRoom) -------------------------------------


@pytest.fixture
def make_room(app, make_account):
    async def make(*, speaking_mode: str = "open", people=PEOPLE, keys=("a", "b"), live: bool = True) -> InRoom:
        organiser = await make_account(Role.organiser)
        facilitator = await make_account(Role.facilitator)
        co = await make_account(Role.facilitator)
        programme = await make_programme(
            app, organiser=organiser.user, facilitators=[facilitator.user, co.user], keys=keys
        )
        session = await make_session(
            app, facilitator=facilitator.user, programme=programme, capacity=12, speaking_mode=speaking_mode
        )
        if live:
            await go_live(app, session)
        seats, cookies = {}, {}
        for name, community in people:
            person = await seat_for(
                app, facilitator=facilitator.user, session=session, community=community, name=name.title()
            )
            seats[name] = Actor(session_id=session.id, seat_id=person.seat_id)
            cookies[name] = person.cookie
        actors = []
        for user in (facilitator.user, co.user):
            async with app.state.db.unit_of_work() as db:
                row = await db.get(DialogueSession, session.id)
                seat = await facilitator_seat(db, session=row, user=user, now=app.state.clock.now())
                actors.append(Actor(session_id=session.id, seat_id=seat.id))
        return InRoom(app, session.id, actors[0], actors[1], facilitator.user, seats, cookies)

    return make


@pytest.fixture
async def room(make_room) -> InRoom:
    return await make_room()


@pytest.fixture
async def queued_room(make_room) -> InRoom:
    return await make_room(speaking_mode="queued")
