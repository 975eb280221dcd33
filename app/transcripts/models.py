"""Tables for transcripts: the review of a session's draft, redaction decisions, and the
released versions (immutable documents that organisers read)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime


class TranscriptReview(SQLModel, table=True):
    """The facilitators' work on a session's draft: summary, agreed points, approvals."""

    __tablename__ = "transcript_reviews"

    session_id: int = Field(
        sa_column=Column(Integer, ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), primary_key=True)
    )
    # {language: text}; each agreed point is one such map.
    summary: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    agreed_points: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # When set, a release needs two different facilitators to approve the same draft.
    two_to_release: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    # Accounts that approved the draft as it is now; any change to the draft clears them.
    approvals: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Redaction(SQLModel, table=True):
    """A decision on a span of a statement: a suggestion accepted or rejected, or a span a
    facilitator hid by hand (with a reason). `part` says which words: 0 the statement's
    own, otherwise the id of one of its translations."""

    __tablename__ = "redactions"
    __table_args__ = (
        UniqueConstraint("statement_id", "part", "start", "end", name="uq_redactions_statement_part_span"),
    )

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(
        sa_column=Column(Integer, ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    statement_id: int = Field(
        sa_column=Column(Integer, ForeignKey("statements.id", ondelete="CASCADE"), nullable=False)
    )
    part: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    start: int = Field(nullable=False)
    end: int = Field(nullable=False)
    kind: str = Field(sa_column=Column(String(20), nullable=False))  # name, email, …, or manual
    replacement: str = Field(sa_column=Column(String(100), nullable=False))
    accepted: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    reason: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    decided_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    decided_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class TranscriptRelease(SQLModel, table=True):
    """One released version: the anonymised document as organisers see it, never edited.
    A later change (a withdrawal) makes a new version."""

    __tablename__ = "transcript_releases"
    __table_args__ = (UniqueConstraint("session_id", "version", name="uq_transcript_releases_session_version"),)

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(
        sa_column=Column(Integer, ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    version: int = Field(nullable=False)
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    released_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    released_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    released_by_name: str = Field(sa_column=Column(String(200), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))  # why this version
