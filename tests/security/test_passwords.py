"""argon2id hashing at OWASP's cost, off the event loop, rehashed when the cost changes."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from argon2 import extract_parameters
from sqlalchemy import text

from app.accounts.models import Role
from app.accounts.service import create_user
from app.config import Settings
from app.errors import ValidationFailed
from app.main import create_app
from app.security.passwords import Passwords, check_password_strength
from tests.backends import make_settings
from tests.factories import DEFAULT_PASSWORD


async def test_hashes_are_argon2id_at_owasp_parameters_or_stronger():
    passwords = Passwords(time_cost=2, memory_kib=19 * 1024, parallelism=1)
    stored = await passwords.hash("a long enough secret")
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2 and params.parallelism >= 1
    assert (await passwords.verify(stored, "a long enough secret")).ok
    assert not (await passwords.verify(stored, "a long enough secreT")).ok


async def test_hashing_runs_off_the_event_loop():
    passwords = Passwords(time_cost=4, memory_kib=64 * 1024, parallelism=1)  # slow on purpose
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.create_task(ticker())
    loop = asyncio.get_running_loop()
    started = loop.time()
    await passwords.hash("a long enough secret")
    elapsed = loop.time() - started
    task.cancel()
    # Had the hash blocked the loop, the ticker could not have run while it worked.
    assert elapsed > 0.02
    assert ticks >= 5


def test_defaults_are_owasp_minimum():
    settings = Settings(_env_file=None)
    assert (settings.password_memory_kib, settings.password_time_cost, settings.password_parallelism) == (19456, 2, 1)


async def test_no_plaintext_password_is_stored_anywhere(app, make_account):
    await make_account(Role.facilitator, password=DEFAULT_PASSWORD)
    async with app.state.db.engine.connect() as connection:
        for table in ("users", "login_sessions"):
            rows = (await connection.execute(text(f"SELECT * FROM {table}"))).all()
            for row in rows:
                assert all(DEFAULT_PASSWORD not in str(value) for value in row)


async def test_login_rehashes_a_password_stored_with_older_parameters(database_url, redis_available, clock):
    weak_settings = make_settings(database_url, redis_available, password_memory_kib=8 * 1024, password_time_cost=1)
    old_app = create_app(weak_settings, clock=clock)
    async with old_app.router.lifespan_context(old_app):
        async with old_app.state.db.unit_of_work() as db:
            user = await create_user(
                db,
                username="rehash.me",
                full_name="R",
                role=Role.organiser,
                password=DEFAULT_PASSWORD,
                passwords=old_app.state.passwords,
                now=clock.now(),
            )
            old_hash = user.password_hash
    assert extract_parameters(old_hash).memory_cost == 8 * 1024

    new_app = create_app(make_settings(database_url, redis_available), clock=clock)
    async with new_app.router.lifespan_context(new_app):
        transport = httpx.ASGITransport(app=new_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.post(
                "/api/auth/login", json={"username": "rehash.me", "password": DEFAULT_PASSWORD}
            )
            assert response.status_code == 200
        async with new_app.state.db.engine.connect() as connection:
            new_hash = (
                await connection.execute(text("SELECT password_hash FROM users WHERE username='rehash.me'"))
            ).scalar_one()
    assert new_hash != old_hash
    params = extract_parameters(new_hash)
    assert (params.memory_cost, params.time_cost) == (19 * 1024, 2)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 12"),
        ("aaaaaaaaaaaaaaaa", "too few different"),
        ("x" * 300, "at most"),
        ("my-name-is-amina!", "username"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, problem):
    with pytest.raises(ValidationFailed, match=problem):
        check_password_strength(password, username="amina")
