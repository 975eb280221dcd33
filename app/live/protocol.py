"""The room protocol's transport frames: the welcome, answers to commands, and the markers
of the sequence (noop, range_unavailable). The room events themselves are defined where
they are produced, in app/events/schemas.py; the client commands are in
app/live/commands.py. `SERVER_FRAMES` validates everything a client can receive;
docs/protocol.md explains it.
Frames are JSON text messages with a "type" field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from app.events import revocations
from app.events.schemas import ROOM_EVENT_FRAMES, BreakoutView, SeatSummary

# Server frames -------------------------------------------------------------------------


class Frame(BaseModel):
    model_config = ConfigDict(extra="forbid")


class You(BaseModel):
    seat_id: int
    display_name: str
    role: str
    muted: bool
    muted_until: datetime | None = None
    hand_raised: bool = False
    group_session_id: int | None = Field(
        default=None, description="Main room, during a breakout: the room of the group you are placed in."
    )
    main_seat_id: int | None = Field(default=None, description="A group's room: your seat in the main session.")


class BreakoutGroupState(BaseModel):
    id: int
    number: int
    community: str | None
    main_session_id: int
    report: dict[str, Any] = Field(description="group_id, version, text, ready (seats of this room), agreed.")


class RoomState(BaseModel):
    session_id: int
    languages: list[str] = Field(description="The programme's languages, in order: the fallback order of texts.")
    # The session's texts for people, each {language: text} (the browser picks the reader's).
    title: dict[str, str]
    lobby_message: dict[str, str]
    pause_message: dict[str, str]
    pause_reason: str | None = Field(default=None, description="While paused: the reason the facilitator gave.")
    status: str
    show_communities: bool
    speaking_mode: str
    agenda: dict[str, Any] = Field(description="The current item, its prompt and its clock.")
    agenda_items: list[dict[str, Any]] = Field(description="Every item: id, position, kind, title (for ids in events).")
    present: list[SeatSummary]
    floor: dict[str, Any] = Field(description="Who holds the floor, until when, and the queue.")
    round: dict[str, Any] | None
    polls: list[dict[str, Any]]
    slow_mode_seconds: int
    locked: bool
    muted: list[int] = Field(description="Seats muted now.")
    breakout: BreakoutView | None = Field(
        default=None, description="The open breakout (main room), or the group's own breakout (a group's room)."
    )
    group: BreakoutGroupState | None = Field(default=None, description="A group's room: the group and its report.")


class Welcome(Frame):
    type: Literal["welcome"]
    last_seq: int = Field(description="The state below is as of this event.")
    state: RoomState
    you: You


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


TRANSPORT_FRAMES: tuple[type[BaseModel], ...] = (Welcome, Noop, Ack, Ok, Error, RangeUnavailable, Pong)
# Every frame a client can receive: the transport's and the room events (app/events/schemas.py).
SERVER_FRAMES: TypeAdapter[Any] = TypeAdapter(
    Annotated[Union[(*TRANSPORT_FRAMES, *ROOM_EVENT_FRAMES)], Field(discriminator="type")]  # type: ignore[arg-type]
)

# Close codes (also in docs/protocol.md). A refused handshake is answered with an HTTP
# status before the WebSocket opens: 401 no credentials, 403 wrong origin or no place in
# this session, 404 no such session.
CLOSE_TOO_SLOW = 4008  # the client did not read fast enough; reconnect and catch up
CLOSE_LOGIN_ENDED = revocations.CLOSE_LOGIN_ENDED  # 4401: the login ended (logout, expiry, disabled, new password)
CLOSE_RIGHT_ENDED = revocations.CLOSE_RIGHT_ENDED  # 4403: the seat was removed or banned, or the place in the programme
CLOSE_REPLACED = revocations.CLOSE_REPLACED  # 4429: newer connections of the same seat or account took its place
CLOSE_MOVED = 4410  # a breakout group's connection: its person was moved (the main room says where)
CLOSE_RELOAD = 4409  # the client's position is ahead of the room: load it again
CLOSE_POLICY = 1008  # frame abuse (non-text frames, floods of invalid frames)
CLOSE_TOO_BIG = 1009  # a frame over the size limit (uvicorn closes with it)
CLOSE_RESTART = 1012  # the server is restarting: reconnect, to any instance
CLOSE_SERVER_ERROR = 1011  # a fault of the server's: reconnect, backing off
CLOSE_TRY_AGAIN = 1013  # this connection could not go on (database busy or away): reconnect, backing off
