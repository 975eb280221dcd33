"""transcripts: review, redactions and released versions; retention and withdrawal window per programme

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 22:49:31.127653+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transcript_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=False),
        sa.Column("released_by", sa.Integer(), nullable=True),
        sa.Column("released_by_name", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["released_by"], ["users.id"], name=op.f("fk_transcript_releases_released_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_transcript_releases_session_id_dialogue_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_releases")),
        sa.UniqueConstraint("session_id", "version", name="uq_transcript_releases_session_version"),
    )
    with op.batch_alter_table("transcript_releases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transcript_releases_session_id"), ["session_id"], unique=False)

    op.create_table(
        "transcript_reviews",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("agreed_points", sa.JSON(), nullable=False),
        sa.Column("two_to_release", sa.Boolean(), nullable=False),
        sa.Column("approvals", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_transcript_reviews_session_id_dialogue_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_transcript_reviews")),
    )
    op.create_table(
        "redactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("replacement", sa.String(length=100), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_redactions_decided_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_redactions_session_id_dialogue_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"], ["statements.id"], name=op.f("fk_redactions_statement_id_statements"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redactions")),
        sa.UniqueConstraint("statement_id", "start", "end", name="uq_redactions_statement_span"),
    )
    with op.batch_alter_table("redactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_redactions_session_id"), ["session_id"], unique=False)

    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_hours", sa.Integer(), nullable=False, server_default="72"))

    # 0005 gave seats.muted a server default only to fill existing rows; the model has none.
    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.alter_column("muted", existing_type=sa.Boolean(), server_default=None, existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.alter_column("muted", existing_type=sa.Boolean(), server_default=sa.false(), existing_nullable=False)

    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_column("withdrawal_hours")
        batch_op.drop_column("retention_days")

    with op.batch_alter_table("redactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_redactions_session_id"))

    op.drop_table("redactions")
    op.drop_table("transcript_reviews")
    with op.batch_alter_table("transcript_releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transcript_releases_session_id"))

    op.drop_table("transcript_releases")
