"""Tables for dialogue sessions, agendas, ground rules, invitations and seats."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True) -> Column:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


class SessionStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    open = "open"  # the lobby is open
    live = "live"
    paused = "paused"
    ended = "ended"
    archived = "archived"
    cancelled = "cancelled"


# The statuses in which a session is still being planned, and those after which it is over.
PLANNING = (SessionStatus.draft, SessionStatus.scheduled, SessionStatus.open)
FINISHED = (SessionStatus.ended, SessionStatus.archived, SessionStatus.cancelled)


class SpeakingMode(StrEnum):
    open = "open"
    queued = "queued"


class AdmissionMode(StrEnum):
    lobby = "lobby"
    auto = "auto"


class DialogueSession(SQLModel, table=True):
    """One scheduled, facilitated meeting of a programme."""

    __tablename__ = "dialogue_sessions"

    id: int = Field(default=None, primary_key=True)
    programme_id: int = Field(sa_column=_fk("programmes.id"))
    # Texts for people to read are maps {language: text} (app/programmes/texts.py).
    title: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    description: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Shown to everyone waiting in the lobby, and in the room while the session is paused.
    lobby_message: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    pause_message: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    time_zone: str = Field(sa_column=Column(String(64), nullable=False))
    planned_minutes: int = Field(nullable=False)
    capacity: int = Field(nullable=False)
    status: SessionStatus = Field(
        default=SessionStatus.draft, sa_column=Column(EnumText(SessionStatus), nullable=False)
    )
    cancel_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    show_communities: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    speaking_mode: SpeakingMode = Field(
        default=SpeakingMode.open, sa_column=Column(EnumText(SpeakingMode), nullable=False)
    )
    admission: AdmissionMode = Field(
        default=AdmissionMode.lobby, sa_column=Column(EnumText(AdmissionMode), nullable=False)
    )
    keep_transcript: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    # A breakout group's room is a child session of the main one (app/facilitation/breakouts.py):
    # its own event log, floor and transcript setting; never listed or scheduled on its own.
    parent_id: int | None = Field(default=None, sa_column=_fk("dialogue_sessions.id", nullable=True))
    # The sequence number of the room's latest event; bumped in the transaction that
    # appends the next one, which also serialises appends per session.
    last_seq: int = Field(default=0, nullable=False)
    created_by: int | None = Field(
        default=None, sa_column=_fk("users.id", nullable=True, ondelete="SET NULL", index=False)
    )
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class SeatQuota(SQLModel, table=True):
    """How many participant seats one community has in one session."""

    __tablename__ = "seat_quotas"
    __table_args__ = (UniqueConstraint("session_id", "community_id", name="uq_seat_quotas_session_community"),)

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("dialogue_sessions.id"))
    community_id: int = Field(sa_column=_fk("communities.id", index=False))
    seats: int = Field(nullable=False)


class GroundRules(SQLModel, table=True):
    """A version of a session's ground rules in all the programme's languages together. A
    change in any language is a new version, never an edit, so every consent names exactly
    the words it agreed to (the version and the language it was read in)."""

    __tablename__ = "ground_rules"
    __table_args__ = (UniqueConstraint("session_id", "version", name="uq_ground_rules_session_version"),)

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("dialogue_sessions.id"))
    version: int = Field(nullable=False)
    text: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    created_by: int | None = Field(
        default=None, sa_column=_fk("users.id", nullable=True, ondelete="SET NULL", index=False)
    )
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AgendaKind(StrEnum):
    check_in = "check_in"
    round = "round"
    discussion = "discussion"
    poll = "poll"
    break_ = "break"
    check_out = "check_out"
    breakout = "breakout"  # groups apart (a caucus per community, or mixed groups), then report-back


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_items"

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("dialogue_sessions.id"))
    position: int = Field(nullable=False)
    kind: AgendaKind = Field(sa_column=Column(EnumText(AgendaKind), nullable=False))
    title: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    prompt: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    planned_minutes: int = Field(nullable=False)
    # A kind's own settings: for a breakout {"grouping", "group_size", "keep_transcript"}.
    settings: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))


class SeatRole(StrEnum):
    facilitator = "facilitator"  # a facilitator account of the programme, in the room
    participant = "participant"
    co_facilitator = "co_facilitator"
    observer = "observer"
    # Hears everything participants hear and attaches translations to statements; does not
    # speak in the dialogue, take turns in rounds or count in the balance.
    interpreter = "interpreter"
    # A breakout group as the author of its report in the main room: no one sits in it.
    group = "group"


class Invitation(SQLModel, table=True):
    """A personal link for one person into one session. Only the token's hash is kept.

    Real name and contact are for facilitators only; they never leave the
    facilitators' views and are never copied into a seat or a transcript.
    """

    __tablename__ = "invitations"

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("dialogue_sessions.id"))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    # Required for participants; co-facilitators usually have one, observers may not.
    community_id: int | None = Field(default=None, sa_column=_fk("communities.id", nullable=True, index=False))
    role: SeatRole = Field(sa_column=Column(EnumText(SeatRole), nullable=False))
    real_name: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    contact: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    issued_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: int | None = Field(
        default=None, sa_column=_fk("users.id", nullable=True, ondelete="SET NULL", index=False)
    )
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # Filled in as the person follows the link.
    language: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    consented_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    consent_rules_version: int | None = Field(default=None, nullable=True)
    # The language the rules were read in when consenting (with the version: what was agreed).
    consent_language: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # The person's programme-level pseudonymous key for surveys (app/outcomes/): random,
    # made when first needed; copied from an earlier session's invitation that facilitators
    # marked as the same person, so one person's answers across a series are linked.
    # Organisers never see it, and survey answers never carry the invitation itself.
    person_key: str | None = Field(default=None, sa_column=Column(String(32), nullable=True, index=True))


class SeatStatus(StrEnum):
    # "invited" is an invitation that has not been claimed yet: no seat exists then.
    lobby = "lobby"
    admitted = "admitted"
    left = "left"
    removed = "removed"
    banned = "banned"


class Seat(SQLModel, table=True):
    """A person's place in one session, created when they finish joining."""

    __tablename__ = "seats"
    __table_args__ = (
        UniqueConstraint("session_id", "display_name_key", name="uq_seats_session_display_name"),
        UniqueConstraint("session_id", "pseudonym", name="uq_seats_session_pseudonym"),
        UniqueConstraint("session_id", "user_id", name="uq_seats_session_user"),
    )

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("dialogue_sessions.id"))
    # A person who came by invitation, or a facilitator account (then user_id).
    invitation_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("invitations.id", ondelete="CASCADE"), nullable=True, unique=True),
    )
    user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=True)
    )
    community_id: int | None = Field(default=None, sa_column=_fk("communities.id", nullable=True, index=False))
    role: SeatRole = Field(sa_column=Column(EnumText(SeatRole), nullable=False))
    display_name: str = Field(sa_column=Column(String(60), nullable=False))
    # Case- and space-folded display name, so "Nare" and " nare " cannot both join.
    display_name_key: str = Field(sa_column=Column(String(120), nullable=False))
    pseudonym: str = Field(sa_column=Column(String(40), nullable=False))
    status: SeatStatus = Field(sa_column=Column(EnumText(SeatStatus), nullable=False))
    cookie_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    language: str = Field(sa_column=Column(String(8), nullable=False))
    consent_rules_version: int = Field(nullable=False)
    consent_language: str = Field(sa_column=Column(String(16), nullable=False))
    consented_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    joined_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    admitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    status_reason: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    # Muted by a facilitator: until `muted_until`, or until unmuted when that is empty.
    muted: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    muted_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # In a breakout group's room: the person's seat in the main session, which holds their
    # rights (a mute or ban there holds here too).
    parent_seat_id: int | None = Field(default=None, sa_column=_fk("seats.id", nullable=True))

    def is_muted(self, now: datetime) -> bool:
        return self.muted and (self.muted_until is None or self.muted_until > now)
