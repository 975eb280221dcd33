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


async def _run(url: str, action: Callable[[Config], None], script_location: Path | None = None) -> None:
    engine = make_unpooled_engine(url)
    try:
        async with engine.connect() as connection:
            is_postgres = connection.dialect.name == "postgresql"
            if is_postgres:
                await connection.execute(text(f"SELECT pg_advisory_lock({_MIGRATION_LOCK_ID})"))
                await connection.commit()

            def run(sync_connection: Connection) -> None:
                config = alembic_config(url, script_location=script_location)
                config.attributes["connection"] = sync_connection
                action(config)

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
