"""Tables for surveys (questionnaires, responses, answers) and the aggregates kept after a purge.

A response is stored under a programme-level pseudonymous key (`Invitation.person_key`),
its session and its community: never with a display name, a seat, an invitation or a
login, so nothing in these tables says who answered.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True) -> Column:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


class Phase(StrEnum):
    pre = "pre"  # before the session: in the join flow, after consent
    post = "post"  # after it: on the closing screen and the participant's own page


class ItemKind(StrEnum):
    thermometer = "thermometer"  # 0–100, warmth towards one community
    closeness = "closeness"  # 1–7, Inclusion of Other in the Self: seven pairs of circles
    agreement = "agreement"  # 1–7, strongly disagree … strongly agree
    choice = "choice"  # one of a few options
    text = "text"  # a short free text, shown to organisers only after review


# The numeric kinds and their scales: what a change is computed for.
SCALES: dict[ItemKind, tuple[int, int]] = {
    ItemKind.thermometer: (0, 100),
    ItemKind.closeness: (1, 7),
    ItemKind.agreement: (1, 7),
}


class Questionnaire(SQLModel, table=True):
    """One version of a programme's pre- or post-session questionnaire. Edited in place
    until its first answer arrives; after that a change is a new version."""

    __tablename__ = "questionnaires"
    __table_args__ = (
        UniqueConstraint("programme_id", "phase", "version", name="uq_questionnaires_programme_phase_version"),
    )

    id: int = Field(default=None, primary_key=True)
    programme_id: int = Field(sa_column=_fk("programmes.id"))
    phase: Phase = Field(sa_column=Column(EnumText(Phase), nullable=False))
    version: int = Field(nullable=False)
    # A list of items as `outcomes.schemas.Item` dumps them: key, kind, texts per language,
    # the community a thermometer or closeness item is about, a choice's options.
    items: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    created_by: int | None = Field(
        default=None, sa_column=_fk("users.id", nullable=True, ondelete="SET NULL", index=False)
    )
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class SurveyResponse(SQLModel, table=True):
    """One person's answers (or their choice to skip) to one phase of one session."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("session_id", "person_key", "phase", name="uq_survey_responses_session_person_phase"),
    )

    id: int = Field(default=None, primary_key=True)
    questionnaire_id: int = Field(sa_column=_fk("questionnaires.id"))
    session_id: int = Field(sa_column=_fk("dialogue_sessions.id"))
    # The programme-level pseudonymous key of the person (`Invitation.person_key`): links
    # their pre and post answers, and a series' sessions where facilitators marked an
    # invitation as the same person as an earlier one.
    person_key: str = Field(sa_column=Column(String(32), nullable=False, index=True))
    community_id: int | None = Field(
        default=None, sa_column=_fk("communities.id", nullable=True, ondelete="SET NULL", index=False)
    )
    phase: Phase = Field(sa_column=Column(EnumText(Phase), nullable=False))
    skipped: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    submitted_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class TextReview(StrEnum):
    pending = "pending"  # not shown to organisers
    released = "released"  # shown, as `shown_text` (with the reviewer's redactions)
    withheld = "withheld"  # never shown


class SurveyAnswer(SQLModel, table=True):
    """One item's answer: a number (numeric kinds), an option key (choice) or a text."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("response_id", "item_key", name="uq_survey_answers_response_item"),)

    id: int = Field(default=None, primary_key=True)
    response_id: int = Field(sa_column=_fk("survey_responses.id"))
    item_key: str = Field(sa_column=Column(String(60), nullable=False))
    number: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    choice: str | None = Field(default=None, sa_column=Column(String(60), nullable=True))
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Free texts only: the facilitators' review, and the words organisers may read.
    review: TextReview | None = Field(default=None, sa_column=Column(EnumText(TextReview), nullable=True))
    shown_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reviewed_by: int | None = Field(
        default=None, sa_column=_fk("users.id", nullable=True, ondelete="SET NULL", index=False)
    )
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class OutcomeSnapshot(SQLModel, table=True):
    """The aggregates of a session (or of its programme) as they stood when `roundtable
    purge` deleted the answers they were computed from: the dashboard shows these then."""

    __tablename__ = "outcome_snapshots"
    __table_args__ = (UniqueConstraint("programme_id", "session_id", name="uq_outcome_snapshots_programme_session"),)

    id: int = Field(default=None, primary_key=True)
    programme_id: int = Field(sa_column=_fk("programmes.id"))
    # Empty: the programme's own aggregates over its whole series.
    session_id: int | None = Field(default=None, sa_column=_fk("dialogue_sessions.id", nullable=True))
    taken_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


__all__ = [
    "SCALES",
    "ItemKind",
    "OutcomeSnapshot",
    "Phase",
    "Questionnaire",
    "SurveyAnswer",
    "SurveyResponse",
    "TextReview",
]
