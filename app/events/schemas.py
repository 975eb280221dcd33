"""The room's event contract: one model per room event type, built by the service that
produces it, so an event is checked where it is made (docs/protocol.md explains each).

A producer builds the event (`AgendaChanged(action=..., agenda=...)`) and hands it to
`app.events.log.append_event`, which stores what the model says belongs in the log and
sends the whole frame after commit. Fields listed in a model's `JOINED` are never stored:
they carry words that live in their own tables (a statement's text, a private message)
and are joined in again whenever the event is read back, so that a withdrawn or hidden
statement leaves every later view.

`ROOM_EVENT_FRAMES` are the same models as clients receive them, with the sequence
number and time that the log gave them; app/live/protocol.py adds the transport frames.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, create_model

# A moment as the room has always sent it: ISO 8601 with its UTC offset ("+00:00").
Moment = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str, when_used="json")]


class RoomEventBody(BaseModel):
    """What a producer says happened; `append_event` gives it a sequence number and a time."""

    model_config = ConfigDict(extra="forbid")

    type: str
    # Fields joined in when the event is read (their words live in their own tables).
    JOINED: ClassVar[frozenset[str]] = frozenset()

    def split(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Every field of the live frame but the type, and of those what the log keeps (all
        but the joined ones): one dump for both, as an event is appended on the room's hot path."""
        fields = self.model_dump(mode="json", exclude={"type"})
        return fields, {k: v for k, v in fields.items() if k not in self.JOINED}

    def stored_payload(self) -> dict[str, Any]:
        """What the log keeps: every field but the type and the joined ones."""
        return self.split()[1]


# Views carried inside events --------------------------------------------------------------


class SeatSummary(BaseModel):
    """Who a seat is in the room: the name people chose, never a real name."""

    seat_id: int
    display_name: str
    role: str
    community: str | None


TranslatedBy = Literal["author", "facilitator", "interpreter"]


class TranslationView(BaseModel):
    """A statement's words in another language of the programme, and who translated them."""

    translation_id: int
    language: str
    text: str
    by: TranslatedBy


class StatementView(BaseModel):
    id: int
    seat_id: int
    author: str
    role: str
    community: str | None
    text: str | None = Field(description="Empty when hidden or withdrawn.")
    reply_to: int | None
    at: str | None = Field(default=None, description="When it was posted (ISO 8601, with its offset).")
    state: Literal["visible", "hidden", "withdrawn"] = "visible"
    reactions: dict[str, int] = Field(default_factory=dict)
    translations: list[TranslationView] = Field(
        default_factory=list, description="Empty when hidden or withdrawn (their words leave with the statement's)."
    )
    translation_pending: bool = Field(
        default=False,
        description="An interpreter is in the room and some reader's language has no translation yet.",
    )
    waiting_for: list[str] = Field(
        default_factory=list,
        description="The languages it waits to be translated into (the room's readers' languages but the author's).",
    )


class MessageView(BaseModel):
    id: int
    seat_id: int
    author: str
    role: str
    text: str


# Room events ------------------------------------------------------------------------------


class StatementPosted(RoomEventBody):
    type: Literal["statement"] = "statement"
    JOINED: ClassVar[frozenset[str]] = frozenset({"statement"})
    statement_id: int
    statement: StatementView | None = None


class TranslationPosted(RoomEventBody):
    """A translation was attached to a statement (or replaced the one in that language). The
    log keeps ids only: its words, and whether the statement still waits for another
    language, are joined in when read (none once the statement is hidden or withdrawn)."""

    type: Literal["translation_posted"] = "translation_posted"
    JOINED: ClassVar[frozenset[str]] = frozenset({"translation", "translation_pending", "waiting_for"})
    statement_id: int
    translation_id: int
    language: str
    by: TranslatedBy
    translation: TranslationView | None = None
    translation_pending: bool = False
    waiting_for: list[str] = Field(default_factory=list)


class PresenceChanged(RoomEventBody):
    type: Literal["presence_joined", "presence_left"]
    seat: SeatSummary


class SessionStatusChanged(RoomEventBody):
    type: Literal["session_status"] = "session_status"
    status: str
    reason: str | None = None


class AgendaChanged(RoomEventBody):
    type: Literal["agenda_changed"] = "agenda_changed"
    action: str
    agenda: dict[str, Any]


class FloorChanged(RoomEventBody):
    type: Literal["floor_changed"] = "floor_changed"
    action: str
    seat_id: int | None
    floor: dict[str, Any]


class RoundChanged(RoomEventBody):
    type: Literal["round_changed"] = "round_changed"
    action: str
    round: dict[str, Any]


class PollChanged(RoomEventBody):
    type: Literal["poll_changed"] = "poll_changed"
    action: str
    poll: dict[str, Any]


class PollProgress(RoomEventBody):
    """Facilitators only: how many have answered (never who chose what)."""

    type: Literal["poll_progress"] = "poll_progress"
    poll_id: int
    answered: int


class SeatChanged(RoomEventBody):
    type: Literal["seat_changed"] = "seat_changed"
    action: str
    seat: dict[str, Any]


class ModerationNotice(RoomEventBody):
    """To the seat acted on (and the facilitators): what happened and why."""

    type: Literal["moderation"] = "moderation"
    action: str
    seat_id: int
    reason: str | None
    until: Moment | None = None
    statement_id: int | None = None


class StatementChanged(RoomEventBody):
    """A statement was hidden, withdrawn, or shown again by a facilitator (`visible`: the
    statement as it is now is joined in when the event is read, like a posted statement's)."""

    type: Literal["statement_changed"] = "statement_changed"
    JOINED: ClassVar[frozenset[str]] = frozenset({"statement"})
    statement_id: int
    state: Literal["hidden", "withdrawn", "visible"]
    statement: StatementView | None = None


class ReactionsChanged(RoomEventBody):
    type: Literal["reactions_changed"] = "reactions_changed"
    statement_id: int
    reactions: dict[str, int]


class RoomSettingsChanged(RoomEventBody):
    type: Literal["room_settings"] = "room_settings"
    slow_mode_seconds: int
    locked: bool
    speaking_mode: str = "open"  # "open" or "queued" (older events in the log have none)


class LobbyMessageChanged(RoomEventBody):
    """The facilitators' message to everyone waiting in the lobby, in the programme's languages."""

    type: Literal["lobby_message"] = "lobby_message"
    lobby_message: dict[str, str]


class BreakRequested(RoomEventBody):
    type: Literal["break_requested"] = "break_requested"
    seat_id: int


class ReportMade(RoomEventBody):
    type: Literal["report_made"] = "report_made"
    report_id: int
    statement_id: int
    seat_id: int
    reason: str


class PrivateMessagePosted(RoomEventBody):
    """The back-channel (facilitators only) or a check-in (one participant and the facilitators)."""

    type: Literal["private_message"] = "private_message"
    JOINED: ClassVar[frozenset[str]] = frozenset({"message"})
    message_id: int
    channel: Literal["backchannel", "check_in"]
    about_seat_id: int | None
    message: MessageView | None = None


class TimeUp(RoomEventBody):
    """Facilitators: the current item's time is up. The item's title is looked up by its id in
    the agenda the room already has (event payloads carry ids, never words)."""

    type: Literal["time_up"] = "time_up"
    item_id: int


class AlertDone(RoomEventBody):
    """Facilitators: a facilitator marked an alert done (the break request, report, time-up nudge
    or participant's check-in message whose event has `alert_seq`); it leaves every console."""

    type: Literal["alert_done"] = "alert_done"
    alert_seq: int


class TurnWarning(RoomEventBody):
    type: Literal["turn_warning"] = "turn_warning"
    seat_id: int
    seconds_left: int


class BreakoutGroupView(BaseModel):
    id: int
    number: int
    session_id: int = Field(description="The group's room: a child session with its own event log.")
    community: str | None = Field(description="A caucus's community key; none for a mixed group.")
    seat_ids: list[int] = Field(description="The main session's seats placed in the group.")


class BreakoutView(BaseModel):
    id: int
    item_id: int | None
    grouping: Literal["caucus", "mixed", "manual"]
    status: Literal["open", "ended"]
    opened_at: Moment
    ends_at: Moment
    remaining_seconds: float
    groups: list[BreakoutGroupView]
    unplaced: list[int] = Field(description="Admitted participants of the main session placed in no group.")


class BreakoutChanged(RoomEventBody):
    """A breakout opened, someone was moved (or left their group, sent away from the main room),
    a participant was admitted while it runs (`arrived`: unplaced), its time was extended, or it
    ended: in the main room and in every group's room."""

    type: Literal["breakout_changed"] = "breakout_changed"
    action: Literal["opened", "moved", "arrived", "extended", "ended"]
    breakout: BreakoutView


class GroupAlert(RoomEventBody):
    """Facilitators of the main room: a break was asked for, or a statement reported, in a group
    (the details are in the group's own room)."""

    type: Literal["group_alert"] = "group_alert"
    group_id: int
    kind: Literal["break_requested", "report_made"]


class ReportChanged(RoomEventBody):
    """A group's draft report was edited, or a member said it is ready. Its words live with the
    group (joined in when read); `ready` are seats of the group's room."""

    type: Literal["report_changed"] = "report_changed"
    JOINED: ClassVar[frozenset[str]] = frozenset({"text"})
    group_id: int
    version: int
    ready: list[int]
    agreed: bool
    text: str | None = None


class BroadcastPosted(RoomEventBody):
    """The facilitators' short message to every group (its words joined in when read)."""

    type: Literal["broadcast"] = "broadcast"
    JOINED: ClassVar[frozenset[str]] = frozenset({"text"})
    message_id: int
    text: str | None = None


ROOM_EVENTS: tuple[type[RoomEventBody], ...] = (
    StatementPosted,
    TranslationPosted,
    PresenceChanged,
    SessionStatusChanged,
    AgendaChanged,
    FloorChanged,
    RoundChanged,
    PollChanged,
    PollProgress,
    SeatChanged,
    ModerationNotice,
    StatementChanged,
    ReactionsChanged,
    RoomSettingsChanged,
    LobbyMessageChanged,
    BreakRequested,
    ReportMade,
    PrivateMessagePosted,
    TimeUp,
    AlertDone,
    TurnWarning,
    BreakoutChanged,
    GroupAlert,
    ReportChanged,
    BroadcastPosted,
)


def _types_of(model: type[RoomEventBody]) -> tuple[str, ...]:
    annotation = model.model_fields["type"].annotation
    return tuple(getattr(annotation, "__args__", ()))


ROOM_EVENT_TYPES: tuple[str, ...] = tuple(kind for model in ROOM_EVENTS for kind in _types_of(model))


class Stamped(BaseModel):
    """What the log adds to every event: its place in the session's sequence and its time."""

    seq: int = Field(ge=1)
    at: datetime


def _frame_model(body: type[RoomEventBody]) -> type[BaseModel]:
    return create_model(f"{body.__name__}Frame", __base__=(body, Stamped), __module__=__name__)


# The room events as clients receive them (for validation: the protocol's server frames).
ROOM_EVENT_FRAMES: tuple[type[BaseModel], ...] = tuple(_frame_model(body) for body in ROOM_EVENTS)
