"""Tables for running a live session: the run (agenda position, floor, room settings),
the speaking queue, rounds, polls, reactions, reports, private messages, the audit log, and
who is connected to the room on which instance.

Everything a room shows lives here, so any instance can rebuild it after a restart.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE", index: bool = False) -> Column:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


def _when(nullable: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable)


class SessionRun(SQLModel, table=True):
    """A session's live position: the agenda item and its timer, the floor, room settings.

    Timers are stored as moments, never as counters in memory: remaining time is
    planned - elapsed - (now - item_started_at), the same on every instance."""

    __tablename__ = "session_runs"

    session_id: int = Field(
        sa_column=Column(Integer, ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), primary_key=True)
    )
    agenda_item_id: int | None = Field(
        default=None, sa_column=_fk("agenda_items.id", nullable=True, ondelete="SET NULL")
    )
    # When the item's current stretch began; empty while the item is paused.
    item_started_at: datetime | None = Field(default=None, sa_column=_when(True))
    item_elapsed_seconds: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    item_extra_seconds: int = Field(default=0, nullable=False)
    item_nudged: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    floor_seat_id: int | None = Field(default=None, sa_column=_fk("seats.id", nullable=True, ondelete="SET NULL"))
    floor_since: datetime | None = Field(default=None, sa_column=_when(True))
    floor_seconds: int = Field(default=0, nullable=False)
    floor_warned: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    slow_mode_seconds: int = Field(default=0, nullable=False)
    locked: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))


class HandRaise(SQLModel, table=True):
    """A raised hand: one place in the speaking queue."""

    __tablename__ = "hand_raises"
    __table_args__ = (UniqueConstraint("session_id", "seat_id", name="uq_hand_raises_session_seat"),)

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("dialogue_sessions.id", index=True))
    seat_id: int = Field(sa_column=_fk("seats.id"))
    position: int = Field(nullable=False)
    raised_at: datetime = Field(sa_column=_when())


class RoundStatus(StrEnum):
    active = "active"
    ended = "ended"


class TurnOutcome(StrEnum):
    pending = "pending"
    spoke = "spoke"
    passed = "passed"
    skipped = "skipped"
    timed_out = "timed_out"


class Round(SQLModel, table=True):
    """A go-around: every participant in turn, with the talking piece."""

    __tablename__ = "rounds"

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("dialogue_sessions.id", index=True))
    agenda_item_id: int | None = Field(
        default=None, sa_column=_fk("agenda_items.id", nullable=True, ondelete="SET NULL")
    )
    number: int = Field(nullable=False)  # 1, 2, … within the session
    prompt: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    turn_seconds: int = Field(nullable=False)
    status: RoundStatus = Field(default=RoundStatus.active, sa_column=Column(EnumText(RoundStatus), nullable=False))
    started_at: datetime = Field(sa_column=_when())
    ended_at: datetime | None = Field(default=None, sa_column=_when(True))
    # The current turn's clock.
    turn_started_at: datetime | None = Field(default=None, sa_column=_when(True))
    turn_warned: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))


class RoundTurn(SQLModel, table=True):
    __tablename__ = "round_turns"
    __table_args__ = (UniqueConstraint("round_id", "seat_id", name="uq_round_turns_round_seat"),)

    id: int = Field(default=None, primary_key=True)
    round_id: int = Field(sa_column=_fk("rounds.id", index=True))
    seat_id: int = Field(sa_column=_fk("seats.id"))
    position: int = Field(nullable=False)
    outcome: TurnOutcome = Field(default=TurnOutcome.pending, sa_column=Column(EnumText(TurnOutcome), nullable=False))
    deferred: int = Field(default=0, nullable=False)  # times passed "for now"
    spoke: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=_when(True))


class PollStatus(StrEnum):
    open = "open"
    closed = "closed"


class Poll(SQLModel, table=True):
    __tablename__ = "polls"

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("dialogue_sessions.id", index=True))
    agenda_item_id: int | None = Field(
        default=None, sa_column=_fk("agenda_items.id", nullable=True, ondelete="SET NULL")
    )
    # {language: text}; each option is one such map.
    question: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    options: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    multiple: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    anonymous: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    status: PollStatus = Field(default=PollStatus.open, sa_column=Column(EnumText(PollStatus), nullable=False))
    opened_at: datetime = Field(sa_column=_when())
    closed_at: datetime | None = Field(default=None, sa_column=_when(True))


class PollAnswer(SQLModel, table=True):
    __tablename__ = "poll_answers"
    __table_args__ = (UniqueConstraint("poll_id", "seat_id", name="uq_poll_answers_poll_seat"),)

    id: int = Field(default=None, primary_key=True)
    poll_id: int = Field(sa_column=_fk("polls.id", index=True))
    seat_id: int = Field(sa_column=_fk("seats.id"))
    choices: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    answered_at: datetime = Field(sa_column=_when())


class Reaction(SQLModel, table=True):
    __tablename__ = "reactions"
    __table_args__ = (UniqueConstraint("statement_id", "seat_id", "kind", name="uq_reactions_statement_seat_kind"),)

    id: int = Field(default=None, primary_key=True)
    statement_id: int = Field(sa_column=_fk("statements.id", index=True))
    seat_id: int = Field(sa_column=_fk("seats.id"))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    created_at: datetime = Field(sa_column=_when())


class Report(SQLModel, table=True):
    """A participant's private report of a statement to the facilitators."""

    __tablename__ = "reports"

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("dialogue_sessions.id", index=True))
    statement_id: int = Field(sa_column=_fk("statements.id"))
    seat_id: int = Field(sa_column=_fk("seats.id"))
    reason: str = Field(default="", sa_column=Column(String(500), nullable=False))
    created_at: datetime = Field(sa_column=_when())


class MessageChannel(StrEnum):
    backchannel = "backchannel"  # facilitators only
    check_in = "check_in"  # between the facilitators and one participant
    broadcast = "broadcast"  # the facilitators' short message to every breakout group


class PrivateMessage(SQLModel, table=True):
    """Words that are not statements: never shown to the whole room, never in a transcript."""

    __tablename__ = "private_messages"

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("dialogue_sessions.id", index=True))
    channel: MessageChannel = Field(sa_column=Column(EnumText(MessageChannel), nullable=False))
    seat_id: int = Field(sa_column=_fk("seats.id"))  # the author
    # For a check-in: the participant the conversation is with (the author or the addressee).
    about_seat_id: int | None = Field(default=None, sa_column=_fk("seats.id", nullable=True))
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=_when())


class AuditEntry(SQLModel, table=True):
    """One facilitator action: who, what, to whom, why, when."""

    __tablename__ = "audit_entries"

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("dialogue_sessions.id", index=True))
    actor_seat_id: int | None = Field(default=None, sa_column=_fk("seats.id", nullable=True, ondelete="SET NULL"))
    # Actions taken outside the room (the lobby page) name the facilitator's account.
    actor_user_id: int | None = Field(default=None, sa_column=_fk("users.id", nullable=True, ondelete="SET NULL"))
    action: str = Field(sa_column=Column(String(40), nullable=False))
    target_seat_id: int | None = Field(default=None, sa_column=_fk("seats.id", nullable=True, ondelete="SET NULL"))
    target_statement_id: int | None = Field(
        default=None, sa_column=_fk("statements.id", nullable=True, ondelete="SET NULL")
    )
    reason: str | None = Field(default=None, sa_column=Column(String(500), nullable=True))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=_when())


# Who is in the room, across instances (app/facilitation/presence.py) -----------------------


class AppInstance(SQLModel, table=True):
    """A running app process, so that others can tell when it has died."""

    __tablename__ = "app_instances"

    id: str = Field(sa_column=Column(String(40), primary_key=True))
    started_at: datetime = Field(sa_column=_when())
    last_seen: datetime = Field(sa_column=_when())


class Presence(SQLModel, table=True):
    """One open connection of one seat, held by one app instance."""

    __tablename__ = "presence"

    id: str = Field(sa_column=Column(String(40), primary_key=True))  # the connection's id
    session_id: int = Field(sa_column=_fk("dialogue_sessions.id", index=True))
    seat_id: int = Field(sa_column=_fk("seats.id", index=True))
    instance_id: str = Field(
        sa_column=Column(String(40), ForeignKey("app_instances.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    connected_at: datetime = Field(sa_column=_when())


class BreakoutStatus(StrEnum):
    open = "open"
    ended = "ended"


class Breakout(SQLModel, table=True):
    """A breakout agenda item while (and after) it ran: groups apart, each in a child session of
    the main one, for a set time (app/facilitation/breakouts.py)."""

    __tablename__ = "breakouts"

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("dialogue_sessions.id", index=True))  # the main session
    agenda_item_id: int | None = Field(
        default=None, sa_column=_fk("agenda_items.id", nullable=True, ondelete="SET NULL")
    )
    grouping: str = Field(sa_column=Column(String(20), nullable=False))
    keep_transcript: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    status: BreakoutStatus = Field(
        default=BreakoutStatus.open, sa_column=Column(EnumText(BreakoutStatus), nullable=False)
    )
    opened_at: datetime = Field(sa_column=_when())
    ends_at: datetime = Field(sa_column=_when())
    ended_at: datetime | None = Field(default=None, sa_column=_when(True))


class BreakoutGroup(SQLModel, table=True):
    """One group of a breakout: its room (a child session), its community for a caucus, and the
    report it drafts for the main room."""

    __tablename__ = "breakout_groups"
    __table_args__ = (UniqueConstraint("breakout_id", "number", name="uq_breakout_groups_breakout_number"),)

    id: int = Field(default=None, primary_key=True)
    breakout_id: int = Field(sa_column=_fk("breakouts.id", index=True))
    number: int = Field(nullable=False)
    # The group's room; unique: a child session belongs to one group.
    room_id: int = Field(
        sa_column=Column(Integer, ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    community_id: int | None = Field(default=None, sa_column=_fk("communities.id", nullable=True))
    # The group's seat in the main session: the author of its report there.
    seat_id: int = Field(sa_column=_fk("seats.id"))
    report: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    report_version: int = Field(default=0, nullable=False)
    # The members present who said the current version is ready (child seat ids).
    report_ready: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    report_statement_id: int | None = Field(
        default=None, sa_column=_fk("statements.id", nullable=True, ondelete="SET NULL")
    )


class BreakoutPlace(SQLModel, table=True):
    """Where one person of the main session is during a breakout: in a group (with their seat in
    its room), or back in the main room (group empty)."""

    __tablename__ = "breakout_places"
    __table_args__ = (UniqueConstraint("breakout_id", "seat_id", name="uq_breakout_places_breakout_seat"),)

    id: int = Field(default=None, primary_key=True)
    breakout_id: int = Field(sa_column=_fk("breakouts.id", index=True))
    seat_id: int = Field(sa_column=_fk("seats.id"))  # the person's seat in the main session
    group_id: int | None = Field(default=None, sa_column=_fk("breakout_groups.id", nullable=True))
