"""The database away: HTTP answers 503 with a readable page or JSON (never 500), the room
refuses with 503 before it opens, and the app recovers without a restart. Redis away: the
rate limits count per instance (tests/faults has the whole outage against real servers)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from starlette.testclient import TestClient, WebSocketDenialResponse

from app.db import Database, DatabaseUnavailable, is_unavailable
from app.errors import TooManyRequests
from app.main import create_app
from app.security.throttle import LoginThrottle, StatementLimit
from tests.backends import make_settings
from tests.servers import free_port


@pytest.fixture
def away_url() -> str:
    return f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nothing"  # nothing listens there


@pytest.fixture
async def away_app(away_url):
    application = create_app(make_settings(away_url, None))
    async with application.router.lifespan_context(application):
        yield application


async def test_the_api_answers_503_try_again_when_the_database_is_away(away_app):
    transport = httpx.ASGITransport(app=away_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post("/api/auth/login", json={"username": "someone", "password": "x" * 12})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "try_again"
    assert "database" in response.json()["error"]["message"]
    assert int(response.headers["retry-after"]) >= 1


async def test_a_browser_gets_a_readable_503_page(away_app):
    transport = httpx.ASGITransport(app=away_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/programmes", headers={"accept": "text/html", "cookie": "rt_login=abc"})
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "try again" in response.text.lower()


async def test_readyz_says_the_database_is_unreachable(away_app):
    transport = httpx.ASGITransport(app=away_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unreachable"


def test_the_room_refuses_with_503_before_it_opens(away_url):
    with TestClient(create_app(make_settings(away_url, None))) as client:
        with pytest.raises(WebSocketDenialResponse) as denied:
            with client.websocket_connect("/ws/sessions/1", headers={"cookie": "rt_login=abc"}):
                pass
    assert denied.value.status_code == 503


async def test_a_unit_of_work_names_the_database_being_away(away_url):
    db = Database(away_url)
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            async with db.unit_of_work() as session:
                await session.connection()
        assert raised.value.status_code == 503 and raised.value.retry_after >= 1
    finally:
        await db.dispose()


def test_a_wrong_request_is_not_taken_for_the_database_being_away():
    class Orig(Exception):
        sqlstate = "08P01"  # a NUL in a text: fails again every time

    assert not is_unavailable(DBAPIError("SELECT", {}, Orig()))
    assert not is_unavailable(IntegrityError("INSERT", {}, Exception()))
    assert not is_unavailable(ValueError("bad"))
    assert not is_unavailable(OperationalError("SELECT", {}, Exception("no such table: users")))  # a missing migration
    assert is_unavailable(OperationalError("INSERT", {}, Exception("database is locked")))
    assert not is_unavailable(ConnectionRefusedError())  # not raised by the database's driver: the caller's own


async def test_the_callers_own_socket_errors_are_not_the_database_being_away(app):
    with pytest.raises(ConnectionRefusedError):
        async with app.state.db.unit_of_work():
            raise ConnectionRefusedError("a socket of the caller's own")


async def test_statement_limits_count_per_instance_while_redis_is_away():
    limit = StatementLimit(rate="2/10 seconds", redis_url=f"redis://127.0.0.1:{free_port()}/0", key_prefix="t:")
    assert await limit.statement_wait(1) is None
    assert await limit.statement_wait(1) is None
    wait = await limit.statement_wait(1)
    assert wait is not None and 0 < wait <= 10
    assert limit.per_instance
    assert await limit.statement_wait(2) is None  # another seat has its own budget


async def test_login_throttling_goes_on_per_instance_while_redis_is_away():
    throttle = LoginThrottle(
        per_account="3/15 minutes",
        per_client="10/15 minutes",
        secret="s" * 40,
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
    )
    for _ in range(3):
        await throttle.spend_attempt(username="rauf", client_address="192.0.2.1")
    with pytest.raises(TooManyRequests):
        await throttle.spend_attempt(username="rauf", client_address="192.0.2.1")
    assert throttle.per_instance
    assert not await throttle.ping()
