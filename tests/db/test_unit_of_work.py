"""One unit of work: committed when the caller succeeds, rolled back when it fails."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlmodel import select

from app.accounts.models import Role, User
from app.accounts.service import create_user
from app.db import Database
from app.errors import Conflict, ValidationFailed


async def test_a_failure_inside_the_unit_of_work_leaves_nothing_behind(app):
    with pytest.raises(RuntimeError):
        async with app.state.db.unit_of_work() as db:
            await create_user(
                db,
                username="half.done",
                full_name="H",
                role=Role.organiser,
                password="a long enough secret",
                passwords=app.state.passwords,
                now=app.state.clock.now(),
            )
            raise RuntimeError("boom")
    async with app.state.db.unit_of_work() as db:
        assert (await db.exec(select(User))).all() == []


async def test_timestamps_come_back_as_utc_on_every_backend(app):
    async with app.state.db.unit_of_work() as db:
        await create_user(
            db,
            username="tz.check",
            full_name="T",
            role=Role.organiser,
            password="a long enough secret",
            passwords=app.state.passwords,
            now=app.state.clock.now(),
        )
    async with app.state.db.unit_of_work() as db:
        loaded = (await db.exec(select(User).where(User.username == "tz.check"))).one()
    assert loaded.created_at == app.state.clock.now()
    assert loaded.created_at.utcoffset().total_seconds() == 0


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'pragmas.db'}")
    try:
        async with db.engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await db.dispose()


async def test_two_people_taking_the_same_username_at_once_get_one_account_and_one_clear_refusal(app):
    async def attempt() -> str:
        try:
            async with app.state.db.unit_of_work() as db:
                await create_user(
                    db,
                    username="same.name",
                    full_name="S",
                    role=Role.organiser,
                    password="a long enough secret",
                    passwords=app.state.passwords,
                    now=app.state.clock.now(),
                )
            return "created"
        except Conflict as exc:
            assert exc.code == "username_taken"
            return "refused"

    results = await asyncio.gather(attempt(), attempt(), attempt())
    assert sorted(results) == ["created", "refused", "refused"]


async def test_many_concurrent_writers_all_succeed(app):
    async def make(i: int) -> None:
        async with app.state.db.unit_of_work() as db:
            await create_user(
                db,
                username=f"writer-{i}",
                full_name="W",
                role=Role.facilitator,
                password="a long enough secret",
                passwords=app.state.passwords,
                now=app.state.clock.now(),
            )

    await asyncio.gather(*(make(i) for i in range(12)))
    async with app.state.db.unit_of_work() as db:
        assert len((await db.exec(select(User))).all()) == 12


async def test_services_refuse_a_malformed_username_even_without_the_http_schema(app):
    with pytest.raises(ValidationFailed, match="username"):
        async with app.state.db.unit_of_work() as db:
            await create_user(
                db,
                username="bad name <x>",
                full_name="B",
                role=Role.organiser,
                password="a long enough secret",
                passwords=app.state.passwords,
                now=app.state.clock.now(),
            )
