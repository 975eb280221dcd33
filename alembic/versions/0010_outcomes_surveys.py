"""outcomes: questionnaires, survey responses and answers, the aggregates kept after a purge;
the invitations' programme-level person key; the programmes' outcome settings

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 02:48:59.685141+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "questionnaires",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_questionnaires_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_questionnaires_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaires")),
        sa.UniqueConstraint("programme_id", "phase", "version", name="uq_questionnaires_programme_phase_version"),
    )
    with op.batch_alter_table("questionnaires", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaires_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "outcome_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_outcome_snapshots_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_outcome_snapshots_session_id_dialogue_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_snapshots")),
        sa.UniqueConstraint("programme_id", "session_id", name="uq_outcome_snapshots_programme_session"),
    )
    with op.batch_alter_table("outcome_snapshots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcome_snapshots_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outcome_snapshots_session_id"), ["session_id"], unique=False)

    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(length=32), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_survey_responses_community_id_communities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_survey_responses_questionnaire_id_questionnaires"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dialogue_sessions.id"],
            name=op.f("fk_survey_responses_session_id_dialogue_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint("session_id", "person_key", "phase", name="uq_survey_responses_session_person_phase"),
    )
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_responses_person_key"), ["person_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_survey_responses_questionnaire_id"), ["questionnaire_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_survey_responses_session_id"), ["session_id"], unique=False)

    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=60), nullable=False),
        sa.Column("number", sa.Float(), nullable=True),
        sa.Column("choice", sa.String(length=60), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("review", sa.String(length=20), nullable=True),
        sa.Column("shown_text", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_responses.id"],
            name=op.f("fk_survey_answers_response_id_survey_responses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"], ["users.id"], name=op.f("fk_survey_answers_reviewed_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answers")),
        sa.UniqueConstraint("response_id", "item_key", name="uq_survey_answers_response_item"),
    )
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_answers_response_id"), ["response_id"], unique=False)

    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_key", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_invitations_person_key"), ["person_key"], unique=False)

    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("survey_min_group", sa.Integer(), server_default="5", nullable=False))
        batch_op.add_column(sa.Column("survey_days", sa.Integer(), server_default="14", nullable=False))
        batch_op.add_column(
            sa.Column("facilitators_see_answers", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_column("facilitators_see_answers")
        batch_op.drop_column("survey_days")
        batch_op.drop_column("survey_min_group")

    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_person_key"))
        batch_op.drop_column("person_key")

    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_answers_response_id"))

    op.drop_table("survey_answers")
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_responses_session_id"))
        batch_op.drop_index(batch_op.f("ix_survey_responses_questionnaire_id"))
        batch_op.drop_index(batch_op.f("ix_survey_responses_person_key"))

    op.drop_table("survey_responses")
    with op.batch_alter_table("outcome_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_snapshots_session_id"))
        batch_op.drop_index(batch_op.f("ix_outcome_snapshots_programme_id"))

    op.drop_table("outcome_snapshots")
    with op.batch_alter_table("questionnaires", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaires_programme_id"))

    op.drop_table("questionnaires")
