"""Migration 0009 carries today's single texts over as the programme's first language, and
back again on downgrade."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.db import make_unpooled_engine
from app.migrations import downgrade, upgrade
from tests.backends import PG_URL, create_scratch_postgres, drop_scratch_postgres

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC).replace(tzinfo=None)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[str]:
    if PG_URL:
        url = await create_scratch_postgres("roundtable_multilingual")
        yield url
        await drop_scratch_postgres(url)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"


def _filler(column: sa.Column[Any]) -> Any:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.DateTime):
        return NOW
    if isinstance(kind, sa.JSON):
        return []
    return f"x-{column.name}"


def _insert(sync: sa.Connection, table_name: str, **values: Any) -> int:
    """A row with the given values and a plain value in every other required column."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=sync)
    row = dict(values)
    for column in table.columns:
        if column.name not in row and not column.nullable and not column.primary_key and column.server_default is None:
            row[column.name] = _filler(column)
    key = next(iter(table.primary_key.columns))
    result = sync.execute(table.insert().values(row).returning(key))
    return int(result.scalar_one())


def _old_rows(sync: sa.Connection) -> None:
    programme = _insert(sync, "programmes", languages=["hy", "az", "en"])
    session = _insert(sync, "dialogue_sessions", programme_id=programme, title="Առաջին հանդիպում", description="")
    _insert(sync, "ground_rules", session_id=session, version=1, text="1. Խոսեք ձեր անունից։")
    _insert(sync, "agenda_items", session_id=session, position=0, kind="round", title="Round", prompt="Why?")
    _insert(sync, "rounds", session_id=session, number=1, prompt="Why?", turn_seconds=60)
    _insert(sync, "polls", session_id=session, question="Safe?", options=["Yes", "No"])
    _insert(sync, "transcript_reviews", session_id=session, summary="Calm.", agreed_points=["Meet again"])
    invitation = _insert(sync, "invitations", session_id=session, role="participant", language="az")
    sync.execute(sa.text("UPDATE invitations SET consented_at = :now, consent_rules_version = 1"), {"now": NOW})
    _insert(sync, "seats", session_id=session, invitation_id=invitation, role="participant", language="az")


def _read(sync: sa.Connection, query: str) -> list[Any]:
    values = list(sync.execute(sa.text(query)).one())
    return [json.loads(v) if isinstance(v, str) and v[:1] in "{[" else v for v in values]


async def test_single_texts_become_the_first_language_and_come_back(database):
    await upgrade(database, "0008")
    engine = make_unpooled_engine(database)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_old_rows)
        await upgrade(database)
        async with engine.connect() as connection:
            session = await connection.run_sync(
                lambda s: _read(s, "SELECT title, description, lobby_message, pause_message FROM dialogue_sessions")
            )
            assert session == [{"hy": "Առաջին հանդիպում"}, {}, {}, {}]
            assert await connection.run_sync(lambda s: _read(s, "SELECT text FROM ground_rules")) == [
                {"hy": "1. Խոսեք ձեր անունից։"}
            ]
            assert await connection.run_sync(lambda s: _read(s, "SELECT title, prompt FROM agenda_items")) == [
                {"hy": "Round"},
                {"hy": "Why?"},
            ]
            assert await connection.run_sync(lambda s: _read(s, "SELECT question, options FROM polls")) == [
                {"hy": "Safe?"},
                [{"hy": "Yes"}, {"hy": "No"}],
            ]
            assert await connection.run_sync(lambda s: _read(s, "SELECT prompt FROM rounds")) == [{"hy": "Why?"}]
            assert await connection.run_sync(
                lambda s: _read(s, "SELECT summary, agreed_points FROM transcript_reviews")
            ) == [{"hy": "Calm."}, [{"hy": "Meet again"}]]
            assert await connection.run_sync(lambda s: _read(s, "SELECT consent_language FROM seats")) == ["az"]
            assert await connection.run_sync(lambda s: _read(s, "SELECT consent_language FROM invitations")) == ["az"]
        await downgrade(database, "0008")
        async with engine.connect() as connection:
            assert await connection.run_sync(lambda s: _read(s, "SELECT title FROM dialogue_sessions")) == [
                "Առաջին հանդիպում"
            ]
            assert await connection.run_sync(lambda s: _read(s, "SELECT question, options FROM polls")) == [
                "Safe?",
                ["Yes", "No"],
            ]
            assert await connection.run_sync(
                lambda s: _read(s, "SELECT summary, agreed_points FROM transcript_reviews")
            ) == ["Calm.", ["Meet again"]]
    finally:
        await engine.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="SQLite rebuilds tables to change them; PostgreSQL alters them in place")
async def test_on_sqlite_rebuilt_tables_keep_their_children_and_old_orphans_block_nothing(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'rows.db'}"
    await upgrade(url, "0008")
    engine = make_unpooled_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_old_rows)
    finally:
        await engine.dispose()
    # A row written long ago without foreign keys, pointing at nothing.
    with sqlite3.connect(tmp_path / "rows.db") as raw:
        raw.execute("INSERT INTO seat_quotas (session_id, community_id, seats) VALUES (999, 999, 1)")
    await upgrade(url)  # rebuilding dialogue_sessions deletes none of its children
    await upgrade(url)  # and the old orphan does not stop a later start
    with sqlite3.connect(tmp_path / "rows.db") as raw:
        for table in ("ground_rules", "agenda_items", "polls", "rounds", "seats", "invitations"):
            assert raw.execute(f"SELECT count(*) FROM {table}").fetchone() == (1,), table
