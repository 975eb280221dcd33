"""The backends a test run uses, chosen by environment, and settings for an app on them.

- nothing set: SQLite files and the in-process broker;
- ROUNDTABLE_TEST_DATABASE_URL (postgresql+asyncpg://...) and ROUNDTABLE_TEST_REDIS_URL:
  PostgreSQL and Redis. When one is set and cannot be reached, the run fails; it
  never falls back or skips.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.config import Settings
from app.db import make_unpooled_engine

PG_URL = os.environ.get("ROUNDTABLE_TEST_DATABASE_URL") or None
REDIS_URL = os.environ.get("ROUNDTABLE_TEST_REDIS_URL") or None


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


def make_settings(database_url: str, redis_url: str | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "redis_url": redis_url,
        "redis_prefix": f"rt-test-{uuid.uuid4().hex[:8]}:",
        "secret_key": "test-secret-" + "x" * 40,
        "login_limit_per_account": "5/15 minutes",
        "login_limit_per_client": "12/15 minutes",
        "max_body_bytes": 64 * 1024,
        # Tests log admins in with a password alone; tests/accounts/test_second_factor.py sets its own.
        "require_totp_for": [],
        **overrides,
    }
    return Settings(_env_file=None, **values)
