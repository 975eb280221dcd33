"""breakouts: breakout and caucus groups, each in a child session of the main one; agenda items'
settings; a session's parent and a seat's parent seat

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 18:30:05.388027+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "breakouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("grouping", sa.String(length=20), nullable=False),
        sa.Column("keep_transcript", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_breakouts_agenda_item_id_agenda_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_breakouts_session_id_dialogue_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breakouts")),
    )
    with op.batch_alter_table("breakouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breakouts_session_id"), ["session_id"], unique=False)

    op.create_table(
        "breakout_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("breakout_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), server_default="", nullable=False),
        sa.Column("report_version", sa.Integer(), nullable=False),
        sa.Column("report_ready", sa.JSON(), nullable=False),
        sa.Column("report_statement_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["breakout_id"], ["breakouts.id"], name=op.f("fk_breakout_groups_breakout_id_breakouts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_breakout_groups_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_statement_id"],
            ["statements.id"],
            name=op.f("fk_breakout_groups_report_statement_id_statements"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_breakout_groups_room_id_dialogue_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["seats.id"], name=op.f("fk_breakout_groups_seat_id_seats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breakout_groups")),
        sa.UniqueConstraint("breakout_id", "number", name="uq_breakout_groups_breakout_number"),
        sa.UniqueConstraint("room_id", name=op.f("uq_breakout_groups_room_id")),
    )
    with op.batch_alter_table("breakout_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breakout_groups_breakout_id"), ["breakout_id"], unique=False)

    op.create_table(
        "breakout_places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("breakout_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["breakout_id"], ["breakouts.id"], name=op.f("fk_breakout_places_breakout_id_breakouts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["breakout_groups.id"],
            name=op.f("fk_breakout_places_group_id_breakout_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["seats.id"], name=op.f("fk_breakout_places_seat_id_seats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breakout_places")),
        sa.UniqueConstraint("breakout_id", "seat_id", name="uq_breakout_places_breakout_seat"),
    )
    with op.batch_alter_table("breakout_places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breakout_places_breakout_id"), ["breakout_id"], unique=False)

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settings", sa.JSON(), server_default="{}", nullable=False))

    with op.batch_alter_table("dialogue_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_dialogue_sessions_parent_id"), ["parent_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_dialogue_sessions_parent_id_dialogue_sessions"),
            "dialogue_sessions",
            ["parent_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_seat_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_seats_parent_seat_id"), ["parent_seat_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_seats_parent_seat_id_seats"), "seats", ["parent_seat_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_seats_parent_seat_id_seats"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_seats_parent_seat_id"))
        batch_op.drop_column("parent_seat_id")

    with op.batch_alter_table("dialogue_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_dialogue_sessions_parent_id_dialogue_sessions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_dialogue_sessions_parent_id"))
        batch_op.drop_column("parent_id")

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_column("settings")

    with op.batch_alter_table("breakout_places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breakout_places_breakout_id"))

    op.drop_table("breakout_places")
    with op.batch_alter_table("breakout_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breakout_groups_breakout_id"))

    op.drop_table("breakout_groups")
    with op.batch_alter_table("breakouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breakouts_session_id"))

    op.drop_table("breakouts")
