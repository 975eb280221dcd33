"""The room protocol's server frames, defined once (the client commands are in
app/live/commands.py). Both the server and the tests use these models; docs/protocol.md
explains them.
Frames are JSON text messages with a "type" field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


# Server frames -------------------------------------------------------------------------

class Frame(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeatSummary(BaseModel):
    seat_id: int
    display_name: str
    role: str
    community: str | None


class You(BaseModel):
    seat_id: int
    display_name: str
    role: str
    muted: bool
    muted_until: datetime | None = None
    hand_raised: bool = False


class RoomState(BaseModel):
    session_id: int
    title: str
    status: str
    show_communities: bool
    speaking_mode: str
    agenda: dict[str, Any] = Field(description="The current item, its prompt and its clock.")
    present: list[SeatSummary]
    floor: dict[str, Any] = Field(description="Who holds the floor, until when, and the queue.")
    round: dict[str, Any] | None
    polls: list[dict[str, Any]]
    slow_mode_seconds: int
    locked: bool
    muted: list[int] = Field(description="Seats muted now.")


class Welcome(Frame):
    type: Literal["welcome"]
    last_seq: int = Field(description="The state below is as of this event.")
    state: RoomState
    you: You


class StatementView(BaseModel):
    id: int
    seat_id: int
    author: str
    role: str
    community: str | None
    text: str | None = Field(description="Empty when hidden or withdrawn.")
    reply_to: int | None
    state: Literal["visible", "hidden", "withdrawn"] = "visible"
    reactions: dict[str, int] = Field(default_factory=dict)


class RoomEventFrame(Frame):
    seq: int = Field(ge=1)
    at: datetime


class StatementEvent(RoomEventFrame):
    type: Literal["statement"]
    statement_id: int
    statement: StatementView | None


class PresenceEvent(RoomEventFrame):
    type: Literal["presence_joined", "presence_left"]
    seat: SeatSummary


class StatusEvent(RoomEventFrame):
    type: Literal["session_status"]
    status: str
    reason: str | None = None


class AgendaEvent(RoomEventFrame):
    type: Literal["agenda_changed"]
    action: str
    agenda: dict[str, Any]


class FloorEvent(RoomEventFrame):
    type: Literal["floor_changed"]
    action: str
    seat_id: int | None
    floor: dict[str, Any]


class RoundEvent(RoomEventFrame):
    type: Literal["round_changed"]
    action: str
    round: dict[str, Any]


class PollEvent(RoomEventFrame):
    type: Literal["poll_changed"]
    action: str
    poll: dict[str, Any]


class PollProgress(RoomEventFrame):
    """Facilitators only: how many have answered (never who chose what)."""

    type: Literal["poll_progress"]
    poll_id: int
    answered: int


class SeatEvent(RoomEventFrame):
    type: Literal["seat_changed"]
    action: str
    seat: dict[str, Any]


class ModerationEvent(RoomEventFrame):
    """To the seat acted on (and the facilitators): what happened and why."""

    type: Literal["moderation"]
    action: str
    seat_id: int
    reason: str | None
    until: datetime | None = None
    statement_id: int | None = None


class StatementChanged(RoomEventFrame):
    type: Literal["statement_changed"]
    statement_id: int
    state: Literal["hidden", "withdrawn"]


class ReactionsEvent(RoomEventFrame):
    type: Literal["reactions_changed"]
    statement_id: int
    reactions: dict[str, int]


class RoomSettingsEvent(RoomEventFrame):
    type: Literal["room_settings"]
    slow_mode_seconds: int
    locked: bool


class BreakRequested(RoomEventFrame):
    type: Literal["break_requested"]
    seat_id: int


class ReportMade(RoomEventFrame):
    type: Literal["report_made"]
    report_id: int
    statement_id: int
    seat_id: int
    reason: str


class PrivateMessageEvent(RoomEventFrame):
    """The back-channel (facilitators only) or a check-in (one participant and the facilitators)."""

    type: Literal["private_message"]
    message_id: int
    channel: Literal["backchannel", "check_in"]
    about_seat_id: int | None
    message: dict[str, Any] | None


class TimeUp(RoomEventFrame):
    type: Literal["time_up"]
    item_id: int
    title: str


class TurnWarning(RoomEventFrame):
    type: Literal["turn_warning"]
    seat_id: int
    seconds_left: int


class Noop(Frame):
    """An event this client may not see (for example, facilitators only): its number only,
    so that the sequence has no gap."""

    type: Literal["noop"]
    seq: int


class Ack(Frame):
    type: Literal["ack"]
    client_id: str
    seq: int
    statement_id: int


class Ok(Frame):
    """A command was carried out (and committed); `result` is what it produced."""

    type: Literal["ok"]
    ref: str | None = None
    command: str
    result: Any = None


class Error(Frame):
    type: Literal["error"]
    code: str
    message: str
    client_id: str | None = None
    ref: str | None = None
    retry_after: float | None = None


class RangeUnavailable(Frame):
    type: Literal["range_unavailable"]
    from_seq: int
    to_seq: int
    message: str


class Pong(Frame):
    type: Literal["pong"]


ServerFrame = Annotated[
    Welcome | StatementEvent | PresenceEvent | StatusEvent | Noop | Ack | Ok | Error | RangeUnavailable | Pong
    | AgendaEvent | FloorEvent | RoundEvent | PollEvent | PollProgress | SeatEvent | ModerationEvent
    | StatementChanged | ReactionsEvent | RoomSettingsEvent | BreakRequested | ReportMade
    | PrivateMessageEvent | TimeUp | TurnWarning,
    Field(discriminator="type"),
]
SERVER_FRAMES: TypeAdapter[Any] = TypeAdapter(ServerFrame)
ROOM_EVENT_TYPES = (
    "statement", "presence_joined", "presence_left", "session_status", "agenda_changed", "floor_changed",
    "round_changed", "poll_changed", "poll_progress", "seat_changed", "moderation", "statement_changed",
    "reactions_changed", "room_settings", "break_requested", "report_made", "private_message", "time_up",
    "turn_warning",
)

# Close codes (also in docs/protocol.md). A refused handshake is answered with an HTTP
# status before the WebSocket opens: 401 no credentials, 403 wrong origin or no place in
# this session, 404 no such session.
CLOSE_TOO_SLOW = 4008  # the client did not read fast enough; reconnect and catch up
CLOSE_SEAT_ENDED = 4403  # the seat was removed or banned while connected
CLOSE_POLICY = 1008  # frame abuse (non-text frames, floods of invalid frames)
CLOSE_TOO_BIG = 1009  # a frame over the size limit (uvicorn closes with it)
CLOSE_RESTART = 1012  # the server is restarting: reconnect, to any instance
CLOSE_TRY_AGAIN = 1013  # this connection could not go on (database busy or away): reconnect
