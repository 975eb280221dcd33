"""Tables for programmes, their communities and their members."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime

# The interface languages Roundtable ships: English, Russian, Azerbaijani (Latin), Armenian.
UI_LANGUAGES = ("en", "ru", "az", "hy")


class Programme(SQLModel, table=True):
    __tablename__ = "programmes"

    id: int = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    languages: list[str] = Field(sa_column=Column(JSON, nullable=False))
    # Days after a transcript's release when the raw statements are deleted (`roundtable
    # purge`); empty: kept until someone decides.
    retention_days: int | None = Field(default=None, nullable=True)
    # Hours after a session ends during which participants may still withdraw statements.
    withdrawal_hours: int = Field(default=72, sa_column=Column(Integer, nullable=False, server_default="72"))
    # Outcomes (app/outcomes/): the smallest group an aggregate may describe (never below
    # MIN_GROUP_FLOOR), how many days after a session ends its post-survey stays open, and
    # whether facilitators may read their own sessions' answers one respondent at a time.
    survey_min_group: int = Field(default=5, sa_column=Column(Integer, nullable=False, server_default="5"))
    survey_days: int = Field(default=14, sa_column=Column(Integer, nullable=False, server_default="14"))
    facilitators_see_answers: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    created_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


# Below three, an aggregate of a group narrows down to a person too easily: no setting goes lower.
MIN_GROUP_FLOOR = 3


class Community(SQLModel, table=True):
    """One side of the dialogue. Labels are per UI language; the key is stable."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("programme_id", "key", name="uq_communities_programme_key"),)

    id: int = Field(default=None, primary_key=True)
    programme_id: int = Field(
        sa_column=Column(Integer, ForeignKey("programmes.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    key: str = Field(sa_column=Column(String(40), nullable=False))
    labels: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    position: int = Field(default=0, nullable=False)


class MemberRole(StrEnum):
    organiser = "organiser"
    facilitator = "facilitator"


class ProgrammeMember(SQLModel, table=True):
    """An account's place in a programme; without one, the programme does not exist for them."""

    __tablename__ = "programme_members"
    __table_args__ = (UniqueConstraint("programme_id", "user_id", name="uq_programme_members_programme_user"),)

    id: int = Field(default=None, primary_key=True)
    programme_id: int = Field(
        sa_column=Column(Integer, ForeignKey("programmes.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    role: MemberRole = Field(sa_column=Column(EnumText(MemberRole), nullable=False))
    added_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # The name a facilitator's seat shows in this programme's rooms, chosen by them; empty:
    # the first word of their account's full name (never the full name unless they choose it).
    room_name: str | None = Field(default=None, sa_column=Column(String(40), nullable=True))
