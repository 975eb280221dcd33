"""Applying Alembic migrations from code: the CLI, `serve`, and the tests use this."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from alembic import command
from app.config import PROJECT_ROOT
from app.db import make_unpooled_engine

# Any constant will do: it only has to be the same for every Roundtable instance.
_MIGRATION_LOCK_ID = 730_120_260


def alembic_config(url: str | None = None, *, script_location: Path | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(script_location or PROJECT_ROOT / "alembic"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(url: str) -> str | None:
    engine = make_unpooled_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
    finally:
        await engine.dispose()


async def upgrade(url: str, revision: str = "head", *, script_location: Path | None = None) -> None:
    """Bring the database to `revision`. On PostgreSQL, instances starting together
    take turns through an advisory lock instead of racing to create the same tables."""
    await _run(url, lambda config: command.upgrade(config, revision), script_location)


async def downgrade(url: str, revision: str = "base") -> None:
    await _run(url, lambda config: command.downgrade(config, revision))


def _sqlite_foreign_keys(sync_connection: Connection, on: bool) -> None:
    cursor = sync_connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


def _orphans(sync_connection: Connection) -> int:
    return len(sync_connection.exec_driver_sql("PRAGMA foreign_key_check").all())


async def _run(url: str, action: Callable[[Config], None], script_location: Path | None = None) -> None:
    engine = make_unpooled_engine(url)
    try:
        async with engine.connect() as connection:
            is_postgres = connection.dialect.name == "postgresql"
            if is_postgres:
                await connection.execute(text(f"SELECT pg_advisory_lock({_MIGRATION_LOCK_ID})"))
                await connection.commit()

            if connection.dialect.name == "sqlite":
                # SQLite changes a table by copying it into a new one and dropping the old:
                # with foreign keys on, dropping a parent table would delete (cascade) every
                # row that refers to it. The pragma only works outside a transaction, so it
                # is set on the driver's connection before the migration's transaction
                # begins; the rows are checked against the keys after it.
                await connection.run_sync(_sqlite_foreign_keys, False)

            def run(sync_connection: Connection) -> None:
                config = alembic_config(url, script_location=script_location)
                config.attributes["connection"] = sync_connection
                sqlite = sync_connection.dialect.name == "sqlite"
                before = _orphans(sync_connection) if sqlite else 0
                action(config)
                # Only rows this run left without their parent count (a database may hold
                # older ones, written without foreign keys): the whole run is then undone.
                if sqlite and (after := _orphans(sync_connection)) > before:
                    raise RuntimeError(f"the migration left {after - before} row(s) that refer to nothing")

            try:
                await connection.run_sync(run)
                await connection.commit()
            except BaseException:
                # Leave the failed transaction first, or the unlock below would fail
                # too and hide the migration's own error.
                await connection.rollback()
                raise
            finally:
                if is_postgres:
                    # Closing the connection would release the lock as well.
                    with contextlib.suppress(Exception):
                        await connection.execute(text(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK_ID})"))
                        await connection.commit()
    finally:
        await engine.dispose()
