"""facilitators' room names per programme; their existing seats stop showing the full name

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 10:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

seats = sa.table(
    "seats",
    sa.column("id", sa.Integer()),
    sa.column("user_id", sa.Integer()),
    sa.column("display_name", sa.String()),
)
users = sa.table("users", sa.column("id", sa.Integer()), sa.column("full_name", sa.String()))


def _first_name(full_name: str) -> str:
    words = full_name.split()
    first = words[0] if words else ""
    return first if 2 <= len(first) <= 40 and any(ch.isalpha() for ch in first) else "Facilitator"


def upgrade() -> None:
    with op.batch_alter_table("programme_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("room_name", sa.String(length=40), nullable=True))

    # A facilitator's seat used to show the account's full name; show the first name instead.
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(seats.c.id, seats.c.display_name, users.c.full_name).join(users, users.c.id == seats.c.user_id)
    ).all()
    for seat_id, shown, full_name in rows:
        if full_name and shown == full_name[:40] and _first_name(full_name) != shown:
            bind.execute(seats.update().where(seats.c.id == seat_id).values(display_name=_first_name(full_name)))


def downgrade() -> None:
    # The seats keep their first names: the full name is not put back into rooms.
    with op.batch_alter_table("programme_members", schema=None) as batch_op:
        batch_op.drop_column("room_name")
