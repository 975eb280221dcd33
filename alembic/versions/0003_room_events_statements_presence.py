"""room events, statements, presence

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 19:30:32.952343+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_instances",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_instances")),
    )
    op.create_table(
        "room_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("audience", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_room_events_session_id_dialogue_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room_events")),
        sa.UniqueConstraint("session_id", "seq", name="uq_room_events_session_seq"),
    )
    op.create_table(
        "presence",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=40), nullable=False),
        sa.Column("connected_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["app_instances.id"],
            name=op.f("fk_presence_instance_id_app_instances"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["seat_id"], ["seats.id"], name=op.f("fk_presence_seat_id_seats"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_presence_session_id_dialogue_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presence")),
    )
    with op.batch_alter_table("presence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_presence_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_presence_seat_id"), ["seat_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_presence_session_id"), ["session_id"], unique=False)

    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply_to_id", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reply_to_id"], ["statements.id"], name=op.f("fk_statements_reply_to_id_statements"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["seats.id"], name=op.f("fk_statements_seat_id_seats"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_statements_session_id_dialogue_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statements")),
        sa.UniqueConstraint("seat_id", "client_id", name="uq_statements_seat_client"),
    )
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statements_session_id"), ["session_id"], unique=False)

    # Existing sessions start their event count at 0; the default is only for them.
    with op.batch_alter_table("dialogue_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seq", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("dialogue_sessions", schema=None) as batch_op:
        batch_op.alter_column("last_seq", server_default=None)

    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.alter_column("invitation_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_unique_constraint("uq_seats_session_user", ["session_id", "user_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_seats_user_id_users"), "users", ["user_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_seats_user_id_users"), type_="foreignkey")
        batch_op.drop_constraint("uq_seats_session_user", type_="unique")
        batch_op.alter_column("invitation_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("user_id")

    with op.batch_alter_table("dialogue_sessions", schema=None) as batch_op:
        batch_op.drop_column("last_seq")

    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statements_session_id"))

    op.drop_table("statements")
    with op.batch_alter_table("presence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_presence_session_id"))
        batch_op.drop_index(batch_op.f("ix_presence_seat_id"))
        batch_op.drop_index(batch_op.f("ix_presence_instance_id"))

    op.drop_table("presence")
    op.drop_table("room_events")
    op.drop_table("app_instances")
