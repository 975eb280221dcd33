"""Benchmark rooms: a scratch database with N live sessions of M admitted seats each.

Everything is made through the services, as tests/factories.py and tests/live/conftest.py
do (programme, session, live, invitation, consent, seat, admit), in this one process and
before any load starts. The seat cookies come back as ready-made Cookie headers.

    .venv/bin/python bench/setup_room.py --rooms 3 --seats 4            # SQLite, then removed
    .venv/bin/python bench/setup_room.py --postgres --rooms 3 --seats 4  # scratch PostgreSQL DB

As a module: `async with scratch_database(backend) as url: rooms = await make_rooms(url, ...)`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from app.accounts.models import Role
from app.accounts.service import create_user
from app.config import Environment, Settings
from app.db import make_unpooled_engine
from app.dialogues import invitations as invitation_service
from app.dialogues import seats as seat_service
from app.dialogues import sessions as session_service
from app.dialogues.models import DialogueSession, Invitation, SessionStatus
from app.dialogues.schemas import InvitationCreate, SessionCreate
from app.dialogues.seat_cookie import seat_cookie_name
from app.facilitation import lobby
from app.main import create_app
from app.migrations import upgrade
from app.programmes import service as programme_service
from app.programmes.models import MemberRole
from app.programmes.schemas import CommunityIn

POSTGRES_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BENCH_PASSWORD = "bench password that is long enough"


@dataclass
class Room:
    session_id: int
    cookies: list[str] = field(default_factory=list)  # "rt_seat_<id>=<token>", one per admitted seat


async def _admin_execute(admin_url: str, statement: str) -> None:
    engine = make_unpooled_engine(admin_url)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def scratch_database(backend: str, *, admin_url: str = POSTGRES_ADMIN_URL) -> AsyncIterator[str]:
    """A new, migrated database (SQLite file in a temporary directory, or a fresh PostgreSQL
    database next to `admin_url`); removed again on the way out, even after an error."""
    if backend == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix="roundtable-bench-"))
        url = f"sqlite+aiosqlite:///{directory / 'bench.db'}"
        try:
            await upgrade(url)
            yield url
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    elif backend == "postgresql":
        name = f"roundtable_bench_{uuid.uuid4().hex[:10]}"
        await _admin_execute(admin_url, f'CREATE DATABASE "{name}"')
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        try:
            await upgrade(url)
            yield url
        finally:
            await _admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        raise ValueError(f"unknown backend {backend!r}")


def bench_settings(url: str):
    # Cheap password hashing: only two accounts are made, and nothing logs in.
    return Settings(
        _env_file=None,
        env=Environment.test,
        database_url=url,
        secret_key="bench-" + "k" * 40,
        password_time_cost=1,
        password_memory_kib=8 * 1024,
        password_parallelism=1,
    )


async def make_rooms(url: str, *, rooms: int, seats: int, log: bool = True) -> list[Room]:
    """`rooms` live sessions with `seats` admitted participants each, half per community."""
    if not 1 <= seats <= 200:
        raise ValueError("a session holds 1 to 200 participant seats")
    capacity = max(2, seats + seats % 2)  # parity quotas: capacity/2 seats per community
    application = create_app(bench_settings(url))
    made: list[Room] = []
    started = time.monotonic()
    async with application.router.lifespan_context(application):
        state = application.state
        now = state.clock.now()
        async with state.db.unit_of_work() as db:
            organiser = await create_user(
                db,
                username=f"bench-organiser-{uuid.uuid4().hex[:6]}",
                full_name="Bench Organiser",
                role=Role.organiser,
                password=BENCH_PASSWORD,
                passwords=state.passwords,
                now=now,
            )
            facilitator = await create_user(
                db,
                username=f"bench-facilitator-{uuid.uuid4().hex[:6]}",
                full_name="Bench Facilitator",
                role=Role.facilitator,
                password=BENCH_PASSWORD,
                passwords=state.passwords,
                now=now,
            )
        async with state.db.unit_of_work() as db:
            labels = {"a": {"en": "Community A"}, "b": {"en": "Community B"}}
            programme = await programme_service.create_programme(
                db,
                actor=organiser,
                name="Benchmark programme",
                description="",
                languages=["en"],
                communities=[CommunityIn(key=k, labels=v) for k, v in labels.items()],
                now=now,
            )
            await programme_service.add_member(
                db, programme=programme, username=facilitator.username, role=MemberRole.facilitator, now=now
            )
        for index in range(rooms):
            now = state.clock.now()
            async with state.db.unit_of_work() as db:
                access = await programme_service.programme_access(db, user=facilitator, programme_id=programme.id)
                session = await session_service.schedule_session(
                    db,
                    actor=facilitator,
                    access=access,
                    now=now,
                    data=SessionCreate(
                        title=f"Benchmark room {index + 1}", starts_at=now + timedelta(days=2), capacity=capacity
                    ),
                )
            async with state.db.unit_of_work() as db:
                row = await db.get(DialogueSession, session.id)
                for status in (SessionStatus.scheduled, SessionStatus.open, SessionStatus.live):
                    await session_service.change_status(db, session=row, to=status, reason=None, now=now)
            room = Room(session.id)
            async with state.db.unit_of_work() as db:
                session = await db.get(DialogueSession, session.id)
                for n in range(seats):
                    invitation, _token = await invitation_service.create_invitation(
                        db, session=session, actor=facilitator, now=now, data=InvitationCreate(community="ab"[n % 2])
                    )
                    invitation = await db.get(Invitation, invitation.id)
                    await seat_service.give_consent(
                        db,
                        invitation=invitation,
                        session=session,
                        rules_version=1,
                        accept_rules=True,
                        accept_transcript=True,
                        now=now,
                    )
                    seat, cookie = await lobby.take_seat(
                        db, invitation=invitation, session=session, display_name=f"Person {n + 1}", now=now
                    )
                    await lobby.admit(db, seat=seat, now=now)
                    room.cookies.append(f"{seat_cookie_name(session.id)}={cookie}")
            made.append(room)
            if log and (index + 1) % 20 == 0:
                print(f"  {index + 1}/{rooms} rooms ({time.monotonic() - started:.0f} s)", flush=True)
    return made


async def last_seqs(url: str, session_ids: list[int]) -> dict[int, int]:
    """Each session's newest sequence number: clients join from there, not from 0, so that
    one phase does not replay the previous phases' statements."""
    engine = make_unpooled_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(DialogueSession.id, DialogueSession.last_seq).where(col(DialogueSession.id).in_(session_ids))
            )
            return {int(i): int(s or 0) for i, s in rows.all()}
    finally:
        await engine.dispose()


async def _main(args: argparse.Namespace) -> None:
    backend = "postgresql" if args.postgres else "sqlite"
    async with scratch_database(backend) as url:
        started = time.monotonic()
        rooms = await make_rooms(url, rooms=args.rooms, seats=args.seats)
        elapsed = time.monotonic() - started
        print(
            f"{backend}: {len(rooms)} rooms x {args.seats} seats in {elapsed:.1f} s "
            f"({len(rooms) * args.seats / elapsed:.0f} seats/s); database removed again"
        )
        print(f"first room: session {rooms[0].session_id}, cookie {rooms[0].cookies[0][:24]}...")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=3)
    parser.add_argument("--seats", type=int, default=4)
    parser.add_argument("--postgres", action="store_true", help=f"a scratch database on {POSTGRES_ADMIN_URL}")
    asyncio.run(_main(parser.parse_args()))
