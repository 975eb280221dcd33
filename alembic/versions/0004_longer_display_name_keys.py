"""longer display-name keys (a folded name can be longer than the name)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 19:50:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.alter_column(
            "display_name_key", existing_type=sa.String(length=60), type_=sa.String(length=120), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.alter_column(
            "display_name_key", existing_type=sa.String(length=120), type_=sa.String(length=60), existing_nullable=False
        )
