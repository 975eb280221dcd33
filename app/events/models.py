"""Tables for the room event log and for statements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime


class RoomEvent(SQLModel, table=True):
    """Something that happened in a room. `seq` counts from 1 per session, with no gaps:
    it is taken from the session's counter in the same transaction that stores the event."""

    __tablename__ = "room_events"
    __table_args__ = (UniqueConstraint("session_id", "seq", name="uq_room_events_session_seq"),)

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(
        sa_column=Column(Integer, ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), nullable=False)
    )
    seq: int = Field(nullable=False)
    type: str = Field(sa_column=Column(String(40), nullable=False))
    # Who may see it: "all", "facilitators", or "seat:<id>" for one person.
    audience: str = Field(default="all", sa_column=Column(String(40), nullable=False))
    # Never statement text: statements are joined in when the event is read, so that a
    # withdrawn or hidden statement's words leave every later view.
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Statement(SQLModel, table=True):
    """What someone said in the room. The client's id makes a resend idempotent."""

    __tablename__ = "statements"
    __table_args__ = (UniqueConstraint("seat_id", "client_id", name="uq_statements_seat_client"),)

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(
        sa_column=Column(Integer, ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    seat_id: int = Field(sa_column=Column(Integer, ForeignKey("seats.id", ondelete="CASCADE"), nullable=False))
    client_id: str = Field(sa_column=Column(String(64), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    reply_to_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("statements.id", ondelete="SET NULL"), nullable=True)
    )
    seq: int = Field(nullable=False)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # The agenda item running when it was said (for balance and transcript headings).
    agenda_item_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("agenda_items.id", ondelete="SET NULL"), nullable=True)
    )
    # Hidden by a facilitator: the room shows a marker instead of the words.
    hidden_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    hidden_reason: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    # Withdrawn by its author: the text is erased (set to ""), not only hidden.
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class Translation(SQLModel, table=True):
    """A statement's words in another language of the programme, by an interpreter, a
    facilitator or the statement's author. One per statement and language: a new one
    replaces the text (and the translator). It lives and dies with its statement: hidden
    with it, erased when it is withdrawn, purged with it."""

    __tablename__ = "translations"
    __table_args__ = (UniqueConstraint("statement_id", "language", name="uq_translations_statement_language"),)

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(
        sa_column=Column(Integer, ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    statement_id: int = Field(
        sa_column=Column(Integer, ForeignKey("statements.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    # Who translated it (their seat: its role says author, facilitator or interpreter).
    seat_id: int = Field(sa_column=Column(Integer, ForeignKey("seats.id", ondelete="CASCADE"), nullable=False))
    client_id: str = Field(sa_column=Column(String(64), nullable=False))  # of the latest send
    language: str = Field(sa_column=Column(String(16), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    seq: int = Field(nullable=False)  # the event that last set it
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class TranslationSend(SQLModel, table=True):
    """Each `translate` command that stored words, by its seat and client id: a resend is
    answered as the first time even after another translator replaced the text since (a
    translation row only remembers its latest send)."""

    __tablename__ = "translation_sends"
    __table_args__ = (UniqueConstraint("seat_id", "client_id", name="uq_translation_sends_seat_client"),)

    id: int = Field(default=None, primary_key=True)
    translation_id: int = Field(
        sa_column=Column(Integer, ForeignKey("translations.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    seat_id: int = Field(sa_column=Column(Integer, ForeignKey("seats.id", ondelete="CASCADE"), nullable=False))
    client_id: str = Field(sa_column=Column(String(64), nullable=False))
    by: str = Field(sa_column=Column(String(20), nullable=False))  # author, facilitator or interpreter
    seq: int = Field(nullable=False)  # the event it made
