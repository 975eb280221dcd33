"""multilingual texts: facilitators' words as {language: text} maps, the consent's language,
lobby and pause messages, translations of statements, redactions of translations

Today's single texts become the programme's first language; a consent's language is the
language its seat or invitation chose.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:00:00+00:00
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, the old type, whether the old column was a JSON list of texts)
TEXT_COLUMNS: list[tuple[str, str, sa.types.TypeEngine[Any], bool]] = [
    ("dialogue_sessions", "title", sa.String(length=200), False),
    ("dialogue_sessions", "description", sa.Text(), False),
    ("ground_rules", "text", sa.Text(), False),
    ("agenda_items", "title", sa.String(length=200), False),
    ("agenda_items", "prompt", sa.Text(), False),
    ("rounds", "prompt", sa.Text(), False),
    ("polls", "question", sa.Text(), False),
    ("polls", "options", sa.JSON(), True),
    ("transcript_reviews", "summary", sa.Text(), False),
    ("transcript_reviews", "agreed_points", sa.JSON(), True),
]

# How each table reaches its programme's languages, and its key.
LANGUAGE_OF = {
    "dialogue_sessions": (
        "id",
        "SELECT t.id, p.languages FROM dialogue_sessions t JOIN programmes p ON p.id = t.programme_id",
    ),
    "ground_rules": ("id", "SELECT t.id, p.languages FROM ground_rules t {via_session}"),
    "agenda_items": ("id", "SELECT t.id, p.languages FROM agenda_items t {via_session}"),
    "rounds": ("id", "SELECT t.id, p.languages FROM rounds t {via_session}"),
    "polls": ("id", "SELECT t.id, p.languages FROM polls t {via_session}"),
    "transcript_reviews": ("session_id", "SELECT t.session_id, p.languages FROM transcript_reviews t {via_session}"),
}
VIA_SESSION = "JOIN dialogue_sessions s ON s.id = t.session_id JOIN programmes p ON p.id = s.programme_id"


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _first_languages(table: str) -> dict[int, str]:
    _key, query = LANGUAGE_OF[table]
    rows = op.get_bind().execute(sa.text(query.format(via_session=VIA_SESSION))).all()
    return {row[0]: ((_loads(row[1]) or ["en"])[0]) for row in rows}


def _convert(table: str, column: str, is_list: bool, change: Callable[[Any, str], Any]) -> None:
    """Copy the column into a new JSON column through `change`, then put it in its place."""
    key, _query = LANGUAGE_OF[table]
    new = f"{column}_texts"
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column(new, sa.JSON(), nullable=True))
    bind = op.get_bind()
    languages = _first_languages(table)
    rows = bind.execute(sa.text(f"SELECT {key}, {column} FROM {table}")).all()
    target = sa.table(table, sa.column(key, sa.Integer()), sa.column(new, sa.JSON()))
    for row_key, value in rows:
        converted = change(_loads(value) if is_list else value, languages.get(row_key, "en"))
        bind.execute(target.update().where(target.c[key] == row_key).values({new: converted}))
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_column(column)
        batch_op.alter_column(new, new_column_name=column, existing_type=sa.JSON(), nullable=False)


def _to_texts(value: Any, language: str) -> Any:
    if isinstance(value, list):
        return [{language: item} if isinstance(item, str) and item.strip() else {} for item in value]
    return {language: value} if isinstance(value, str) and value.strip() else {}


def _from_texts(value: Any, language: str) -> Any:
    def one(texts: Any) -> str:
        if isinstance(texts, dict):
            return str(texts.get(language) or next(iter(texts.values()), ""))
        return str(texts or "")

    value = _loads(value)
    if isinstance(value, list):
        return json.dumps([one(item) for item in value])
    return one(value)


def upgrade() -> None:
    for table, column, _old_type, is_list in TEXT_COLUMNS:
        _convert(table, column, is_list, _to_texts)

    with op.batch_alter_table("dialogue_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lobby_message", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("pause_message", sa.JSON(), nullable=True))
    op.execute("UPDATE dialogue_sessions SET lobby_message = '{}', pause_message = '{}'")
    with op.batch_alter_table("dialogue_sessions", schema=None) as batch_op:
        batch_op.alter_column("lobby_message", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("pause_message", existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_language", sa.String(length=16), nullable=True))
    op.execute("UPDATE invitations SET consent_language = language WHERE consented_at IS NOT NULL")
    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_language", sa.String(length=16), nullable=True))
    op.execute("UPDATE seats SET consent_language = language")
    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.alter_column("consent_language", existing_type=sa.String(length=16), nullable=False)

    op.create_table(
        "translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["seats.id"], name=op.f("fk_translations_seat_id_seats"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_translations_session_id_dialogue_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name=op.f("fk_translations_statement_id_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translations")),
        sa.UniqueConstraint("statement_id", "language", name="uq_translations_statement_language"),
    )
    with op.batch_alter_table("translations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_translations_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_translations_statement_id"), ["statement_id"], unique=False)
    op.create_table(
        "translation_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("translation_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("by", sa.String(length=20), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["seats.id"], name=op.f("fk_translation_sends_seat_id_seats"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["translation_id"],
            ["translations.id"],
            name=op.f("fk_translation_sends_translation_id_translations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translation_sends")),
        sa.UniqueConstraint("seat_id", "client_id", name="uq_translation_sends_seat_client"),
    )
    with op.batch_alter_table("translation_sends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_translation_sends_translation_id"), ["translation_id"], unique=False)

    with op.batch_alter_table("redactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("part", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_constraint("uq_redactions_statement_span", type_="unique")
        batch_op.create_unique_constraint("uq_redactions_statement_part_span", ["statement_id", "part", "start", "end"])


def downgrade() -> None:
    # Redactions of translations go with the translations (they would land on the statement's
    # own words once `part` is gone).
    op.execute("DELETE FROM redactions WHERE part <> 0")
    with op.batch_alter_table("redactions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_redactions_statement_part_span", type_="unique")
        batch_op.drop_column("part")
    with op.batch_alter_table("redactions", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_redactions_statement_span", ["statement_id", "start", "end"])

    with op.batch_alter_table("translation_sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_translation_sends_translation_id"))
    op.drop_table("translation_sends")
    with op.batch_alter_table("translations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_translations_statement_id"))
        batch_op.drop_index(batch_op.f("ix_translations_session_id"))
    op.drop_table("translations")
    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.drop_column("consent_language")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("consent_language")
    with op.batch_alter_table("dialogue_sessions", schema=None) as batch_op:
        batch_op.drop_column("pause_message")
        batch_op.drop_column("lobby_message")

    # Back to one text: the programme's first language (or any) of each.
    for table, column, old_type, _is_list in reversed(TEXT_COLUMNS):
        key, _query = LANGUAGE_OF[table]
        old = f"{column}_single"
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(old, old_type, nullable=True))
        bind = op.get_bind()
        languages = _first_languages(table)
        rows = bind.execute(sa.text(f"SELECT {key}, {column} FROM {table}")).all()
        target = sa.table(table, sa.column(key, sa.Integer()), sa.column(old, old_type))
        for row_key, value in rows:
            single = _from_texts(value, languages.get(row_key, "en"))
            if isinstance(old_type, sa.JSON):
                single = json.loads(single)
            bind.execute(target.update().where(target.c[key] == row_key).values({old: single}))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
            batch_op.alter_column(old, new_column_name=column, existing_type=old_type, nullable=False)
