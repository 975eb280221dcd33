"""The migrations build exactly the schema the models describe, on this run's backend."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

from app.config import PROJECT_ROOT
from app.db import make_unpooled_engine
from app.migrations import alembic_config, current_revision, downgrade, head_revision, upgrade
from tests.backends import PG_URL, create_scratch_postgres, drop_scratch_postgres


@pytest.fixture
async def empty_database(tmp_path: Path) -> AsyncIterator[str]:
    if PG_URL:
        url = await create_scratch_postgres("roundtable_migrations")
        yield url
        await drop_scratch_postgres(url)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"


async def schema_differences(url: str) -> list:
    engine = make_unpooled_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), SQLModel.metadata
                )
            )
    finally:
        await engine.dispose()


async def table_names(url: str) -> set[str]:
    engine = make_unpooled_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def test_migrations_on_an_empty_database_match_the_models(empty_database):
    assert await current_revision(empty_database) is None
    await upgrade(empty_database)
    assert await current_revision(empty_database) == head_revision()
    assert await schema_differences(empty_database) == []
    assert {t.name for t in SQLModel.metadata.sorted_tables} <= await table_names(empty_database)


async def test_migrations_go_down_to_nothing_and_up_again(empty_database):
    await upgrade(empty_database)
    await downgrade(empty_database, "base")
    assert await table_names(empty_database) <= {"alembic_version"}
    await upgrade(empty_database)
    assert await schema_differences(empty_database) == []


async def test_upgrading_twice_is_harmless(empty_database):
    await upgrade(empty_database)
    await upgrade(empty_database)
    assert await current_revision(empty_database) == head_revision()


def test_there_is_one_head_and_every_revision_has_a_downgrade():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        source = Path(revision.path).read_text()
        assert "op." in source.split("def downgrade")[1], f"{revision.revision} cannot be undone"


async def test_a_failed_migration_leaves_the_schema_as_it_was(empty_database, tmp_path):
    scripts = tmp_path / "alembic"
    shutil.copytree(PROJECT_ROOT / "alembic", scripts)
    head = head_revision()
    (scripts / "versions" / "9999_broken.py").write_text(
        f'''"""a migration that fails halfway"""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
    raise RuntimeError("the second half of this migration fails")


def downgrade():
    op.drop_table("half_done")
'''
    )
    await upgrade(empty_database)
    with pytest.raises(RuntimeError, match="second half"):
        await upgrade(empty_database, script_location=scripts)
    assert "half_done" not in await table_names(empty_database)
    assert await current_revision(empty_database) == head
