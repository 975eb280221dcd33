"""Request and response models for sessions, agendas, invitations, joining and seats."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator, model_validator

from app.accounts.schemas import StrictModel
from app.db import MAX_ID
from app.dialogues.models import (
    AdmissionMode,
    AgendaItem,
    AgendaKind,
    SeatRole,
    SeatStatus,
    SessionStatus,
    SpeakingMode,
)
from app.messages import Msg
from app.programmes.models import UI_LANGUAGES
from app.programmes.texts import (
    DescriptionTexts,
    MessageTexts,
    PromptTexts,
    RulesTexts,
    RulesTextsEdit,
    Texts,
    TitleTexts,
    TitleTextsEdit,
)

TEXTS_HELP = "One text per language of the programme ({language: text}), or a plain string for its first language."
MAX_MINUTES = 12 * 60
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"


def check_time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            Msg("'{value}' is not a time zone name such as UTC, Asia/Baku or Asia/Yerevan", value=value)
        ) from None
    return value


class SessionFields(StrictModel):
    """Fields shared by scheduling and editing a session."""

    title: TitleTexts = Field(description=TEXTS_HELP)
    description: DescriptionTexts = Field(default="", description=TEXTS_HELP)
    lobby_message: MessageTexts = Field(default="", description="Shown to people waiting in the lobby. " + TEXTS_HELP)
    pause_message: MessageTexts = Field(default="", description="Shown in the room while paused. " + TEXTS_HELP)
    starts_at: datetime = Field(description="With an offset, or local to time_zone when it has none.")
    time_zone: str = Field(default="UTC", max_length=64)
    planned_minutes: int | None = Field(default=None, ge=15, le=MAX_MINUTES)
    ends_at: datetime | None = Field(default=None, description="Instead of planned_minutes.")
    capacity: int = Field(default=12, ge=2, le=200, description="Participant seats in all.")
    quotas: dict[str, int] | None = Field(
        default=None, description="Participant seats per community key; parity when left out."
    )
    ground_rules: RulesTexts | None = Field(default=None, description="The built-in rules when left out. " + TEXTS_HELP)
    show_communities: bool = True
    speaking_mode: SpeakingMode = SpeakingMode.open
    admission: AdmissionMode = AdmissionMode.lobby
    keep_transcript: bool = True

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_time_zone(value)

    @field_validator("quotas")
    @classmethod
    def _quotas(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        if value is not None:
            for key, seats in value.items():
                if seats < 0 or seats > 200:
                    raise ValueError(Msg("the quota for '{key}' must be between 0 and 200", key=key))
        return value

    @model_validator(mode="after")
    def _one_length(self) -> SessionFields:
        if self.planned_minutes is not None and self.ends_at is not None:
            raise ValueError(Msg("give planned_minutes or ends_at, not both"))
        return self


class SessionCreate(SessionFields):
    agenda_template: str | None = Field(default=None, description="'first_meeting' to start from it.")


class SessionUpdate(StrictModel):
    """Texts merge: the languages sent are replaced (an empty text removes one), the others kept."""

    title: TitleTextsEdit | None = Field(default=None, description=TEXTS_HELP)
    description: DescriptionTexts | None = Field(default=None, description=TEXTS_HELP)
    lobby_message: MessageTexts | None = Field(default=None, description=TEXTS_HELP)
    pause_message: MessageTexts | None = Field(default=None, description=TEXTS_HELP)
    starts_at: datetime | None = None
    time_zone: str | None = Field(default=None, max_length=64)
    planned_minutes: int | None = Field(default=None, ge=15, le=MAX_MINUTES)
    capacity: int | None = Field(default=None, ge=2, le=200)
    quotas: dict[str, int] | None = None
    ground_rules: RulesTextsEdit | None = Field(
        default=None, description="A change in any language makes a new version. " + TEXTS_HELP
    )
    show_communities: bool | None = None
    speaking_mode: SpeakingMode | None = None
    admission: AdmissionMode | None = None
    keep_transcript: bool | None = None

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return check_time_zone(value) if value is not None else None


class StatusChange(StrictModel):
    status: SessionStatus
    reason: str | None = Field(default=None, max_length=1000)


class QuotaPublic(BaseModel):
    community_key: str
    seats: int


class SessionPublic(BaseModel):
    """What every member of the programme may see of a session (organisers included)."""

    id: int
    programme_id: int
    languages: list[str] = Field(description="The programme's languages, in order: the keys of every text.")
    title: Texts
    description: Texts
    lobby_message: Texts
    pause_message: Texts
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    planned_minutes: int
    capacity: int
    quotas: list[QuotaPublic]
    status: SessionStatus
    cancel_reason: str | None
    show_communities: bool
    speaking_mode: SpeakingMode
    admission: AdmissionMode
    keep_transcript: bool
    ground_rules_version: int
    ground_rules: Texts
    allowed_transitions: list[SessionStatus]


class TextWarning(BaseModel):
    """A text of the session still missing some of the programme's languages."""

    field: str = Field(description="'ground_rules', 'agenda' (with item_id and part) or a session text.")
    item_id: int | None = None
    part: str | None = Field(default=None, description="For agenda items: 'title' or 'prompt'.")
    languages: list[str]


class StatusChanged(SessionPublic):
    warnings: list[TextWarning] = Field(
        default_factory=list, description="Texts still missing a language (they do not block the change)."
    )


class BreakoutSettings(StrictModel):
    """How a breakout item splits the room (docs/protocol.md, "Breakouts")."""

    grouping: Literal["caucus", "mixed", "manual"] = Field(
        default="caucus",
        description="caucus: one group per community; mixed: groups of about `group_size` that balance the "
        "communities; manual: the facilitator draws the groups.",
    )
    group_size: int = Field(default=4, ge=2, le=12, description="For mixed groups: the people in each.")
    keep_transcript: bool = Field(
        default=False,
        description="Whether the groups' own conversations are kept for their transcripts (the reports always are).",
    )


class AgendaItemIn(StrictModel):
    kind: AgendaKind
    title: TitleTexts = Field(description=TEXTS_HELP)
    prompt: PromptTexts = Field(default="", description=TEXTS_HELP)
    planned_minutes: int = Field(ge=1, le=240)
    breakout: BreakoutSettings | None = Field(
        default=None, description="A breakout item's settings (the defaults when left out); only for that kind."
    )


class AgendaItemUpdate(StrictModel):
    """Texts merge: the languages sent are replaced (an empty text removes one), the others kept."""

    kind: AgendaKind | None = None
    title: TitleTextsEdit | None = Field(default=None, description=TEXTS_HELP)
    prompt: PromptTexts | None = Field(default=None, description=TEXTS_HELP)
    planned_minutes: int | None = Field(default=None, ge=1, le=240)
    breakout: BreakoutSettings | None = None


class AgendaMove(StrictModel):
    position: int = Field(ge=0, description="The item's new place, counting from 0.")


class AgendaCopy(StrictModel):
    from_session_id: int


class AgendaTemplate(StrictModel):
    template: str = Field(default="first_meeting", max_length=40)


class AgendaItemPublic(BaseModel):
    id: int
    position: int
    kind: AgendaKind
    title: Texts
    prompt: Texts
    planned_minutes: int
    breakout: BreakoutSettings | None = None

    @model_validator(mode="before")
    @classmethod
    def _settings(cls, data: Any) -> Any:
        """A stored item's settings, as the API names them (only a breakout item has them)."""
        if isinstance(data, AgendaItem):
            fields = {name: getattr(data, name) for name in ("id", "position", "kind", "title", "prompt")}
            fields["planned_minutes"] = data.planned_minutes
            fields["breakout"] = data.settings if data.kind is AgendaKind.breakout else None
            return fields
        return data


class InvitationCreate(StrictModel):
    role: SeatRole = SeatRole.participant

    @field_validator("role")
    @classmethod
    def _a_person(cls, role: SeatRole) -> SeatRole:
        if role is SeatRole.group:
            raise ValueError("a breakout group is not a person to invite")
        return role

    community: str | None = Field(default=None, max_length=40, description="Community key.")
    real_name: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=200)
    language: str | None = Field(
        default=None,
        description="The language the link opens in (en, ru, az, hy); none: the person chooses.",
    )
    expires_at: datetime | None = None
    same_person_as: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="A participant's invitation of an earlier session of the programme held by the same person: "
        "their survey answers across the series are linked (facilitators only; never shown to organisers).",
    )

    @field_validator("real_name", "contact", "community", "language")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and value not in UI_LANGUAGES:
            raise ValueError(Msg("choose one of {languages}", languages=", ".join(UI_LANGUAGES)))
        return value


class LobbyMessageIn(StrictModel):
    lobby_message: MessageTexts = Field(
        description="Shown at once to everyone waiting in the lobby; the languages sent are replaced. " + TEXTS_HELP
    )


class SamePersonIn(StrictModel):
    earlier_id: int = Field(
        ge=1, le=MAX_ID, description="A participant's invitation of an earlier session of the same programme."
    )


class InvitationBulk(StrictModel):
    csv: str = Field(
        min_length=1,
        max_length=50_000,
        description="One person a line: community key, role, real name, contact, language (last three optional).",
    )


class InvitationPublic(BaseModel):
    """For facilitators only: it carries the real name and contact."""

    id: int
    role: SeatRole
    community: str | None
    real_name: str | None
    contact: str | None
    language: str | None = Field(description="The language the link opens in (or the one the person chose).")
    state: str
    expires_at: datetime
    issued_at: datetime
    seat_id: int | None
    link: str | None = Field(default=None, description="Only in the answer that creates the link.")


class JoinToken(StrictModel):
    token: str = Field(pattern=TOKEN_PATTERN)


class JoinLanguage(JoinToken):
    language: str

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in UI_LANGUAGES:
            raise ValueError(Msg("choose one of {languages}", languages=", ".join(UI_LANGUAGES)))
        return value


class JoinConsent(JoinToken):
    rules_version: int = Field(ge=1)
    rules_language: str | None = Field(
        default=None,
        max_length=16,
        description="The language the rules were read in; by default rules_language of JoinInfo.",
    )
    accept_rules: bool
    accept_transcript: bool


class JoinClaim(JoinToken):
    display_name: str = Field(min_length=2, max_length=40)


class JoinInfo(BaseModel):
    """What a valid invitation shows its holder before they join."""

    session_title: Texts
    starts_at: datetime
    time_zone: str
    languages: list[str]
    language: str | None
    role: SeatRole
    ground_rules: Texts
    rules_version: int
    rules_language: str = Field(
        description="The language this person reads the rules in: their own, else a fallback (rules_fallback)."
    )
    rules_fallback: bool
    lobby_message: Texts
    keep_transcript: bool
    consented: bool


class SeatPublic(BaseModel):
    """A seat as facilitators see it. `invited_as` is the name the invitation was made for
    (facilitators only: who is who behind a display name), in the seats list."""

    id: int
    display_name: str
    pseudonym: str
    community: str | None
    role: SeatRole
    status: SeatStatus
    joined_at: datetime
    invited_as: str | None = None


class MySeat(BaseModel):
    """A participant's own seat."""

    id: int
    session_id: int
    display_name: str
    role: SeatRole
    status: SeatStatus
    status_reason: str | None
    csrf_token: str


class SeatDecision(StrictModel):
    reason: str | None = Field(default=None, max_length=500)
