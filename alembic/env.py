"""Alembic environment: async engines, Roundtable's metadata, and a shared connection.

Run either from the `alembic` command line (it builds its own engine from
ROUNDTABLE_DATABASE_URL) or from app.migrations, which passes in a connection.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on the metadata)
from alembic import context
from app.config import get_settings
from app.db import EnumText, UTCDateTime, make_unpooled_engine

config = context.config
target_metadata = SQLModel.metadata


def _render_item(kind: str, obj: object, autogen_context: object) -> str | Literal[False]:
    # Migrations must not import app code, which changes; UTC timestamps are plain
    # DateTime columns in the database.
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    if kind == "type" and isinstance(obj, EnumText):
        return f"sa.String(length={obj.impl.length})"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
        compare_server_default=True,
        render_item=_render_item,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = make_unpooled_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or get_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    run_offline()
else:
    run_online()
