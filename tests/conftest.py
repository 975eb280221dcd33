"""Shared fixtures: a real database per test, a real app, a controllable clock.

Backends are chosen by environment:
- nothing set: SQLite files and the in-process broker;
- ROUNDTABLE_TEST_DATABASE_URL (postgresql+asyncpg://...) and ROUNDTABLE_TEST_REDIS_URL:
  PostgreSQL and Redis. When one is set and cannot be reached, the run fails; it
  never falls back or skips.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.accounts.models import Role, User
from app.accounts.service import create_user
from app.clock import ManualClock
from app.config import Settings
from app.db import make_unpooled_engine
from app.main import create_app
from app.migrations import upgrade

PG_URL = os.environ.get("ROUNDTABLE_TEST_DATABASE_URL") or None
REDIS_URL = os.environ.get("ROUNDTABLE_TEST_REDIS_URL") or None
DEFAULT_PASSWORD = "correct horse battery staple"


def backend_name() -> str:
    return "postgresql" if PG_URL else "sqlite"


async def _admin_execute(url: str, statement: str) -> None:
    engine = make_unpooled_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def create_scratch_postgres(prefix: str) -> str:
    """A new, empty PostgreSQL database next to the configured one; returns its URL."""
    assert PG_URL
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await _admin_execute(PG_URL, f'CREATE DATABASE "{name}"')
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


async def drop_scratch_postgres(url: str) -> None:
    assert PG_URL
    name = make_url(url).database
    await _admin_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        pytest.fail(
            f"ROUNDTABLE_TEST_REDIS_URL is set but Redis cannot be reached: {exc!r}", pytrace=False
        )
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


def make_settings(database_url: str, redis_url: str | None, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "database_url": database_url,
        "redis_url": redis_url,
        "redis_prefix": f"rt-test-{uuid.uuid4().hex[:8]}:",
        "secret_key": "test-secret-" + "x" * 40,
        "login_limit_per_account": "5/15 minutes",
        "login_limit_per_client": "12/15 minutes",
        "max_body_bytes": 64 * 1024,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type, call-arg]


@pytest.fixture
def settings(database_url: str, redis_available: str | None) -> Settings:
    return make_settings(database_url, redis_available)


@pytest.fixture
async def app(settings: Settings, clock: ManualClock) -> AsyncIterator:
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def new_client(app):  # type: ignore[no-untyped-def]
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


@dataclass
class Account:
    user: User
    password: str

    @property
    def username(self) -> str:
        return self.user.username


@pytest.fixture
def make_account(app):  # type: ignore[no-untyped-def]
    """Create an account through the accounts service, as the admin page would."""
    counter = iter(range(1, 10_000))

    async def make(role: Role = Role.facilitator, *, username: str | None = None,
                   password: str = DEFAULT_PASSWORD) -> Account:
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


CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


async def page_csrf(client: httpx.AsyncClient, path: str = "/login") -> str:
    """The CSRF token a browser would find in a page."""
    response = await client.get(path, follow_redirects=True)
    match = CSRF_META.search(response.text)
    assert match, f"no CSRF token in {path} ({response.status_code})"
    return match.group(1)


async def api_login(client: httpx.AsyncClient, account: Account) -> str:
    """Log in through the JSON API; return the CSRF token for later requests."""
    response = await client.post(
        "/api/auth/login", json={"username": account.username, "password": account.password}
    )
    assert response.status_code == 200, response.text
    return response.json()["csrf_token"]
