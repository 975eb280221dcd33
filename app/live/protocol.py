"""The room protocol: every client command and server frame, defined once.

Both the server and the tests use these models; docs/protocol.md explains them.
Frames are JSON text messages with a "type" field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

MAX_STATEMENT_CHARS = 2000
CLIENT_ID = r"^[A-Za-z0-9_-]{8,64}$"


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PostStatement(Command):
    type: Literal["statement"]
    client_id: str = Field(pattern=CLIENT_ID, description="Made by the client; a resend with it is not stored twice.")
    text: str = Field(min_length=1, max_length=MAX_STATEMENT_CHARS)
    reply_to: int | None = Field(default=None, ge=1, description="The id of the statement answered.")


class FetchRange(Command):
    type: Literal["fetch"]
    from_seq: int = Field(ge=1)
    to_seq: int = Field(ge=1)


class Ping(Command):
    type: Literal["ping"]


ClientCommand = Annotated[PostStatement | FetchRange | Ping, Field(discriminator="type")]
COMMANDS: TypeAdapter[Any] = TypeAdapter(ClientCommand)


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


class RoomState(BaseModel):
    session_id: int
    title: str
    status: str
    show_communities: bool
    speaking_mode: str
    agenda_item: dict[str, Any] | None
    present: list[SeatSummary]
    floor: int | None
    queue: list[int]


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
    text: str
    reply_to: int | None


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


class Error(Frame):
    type: Literal["error"]
    code: str
    message: str
    client_id: str | None = None
    retry_after: float | None = None


class RangeUnavailable(Frame):
    type: Literal["range_unavailable"]
    from_seq: int
    to_seq: int
    message: str


class Pong(Frame):
    type: Literal["pong"]


ServerFrame = Annotated[
    Welcome | StatementEvent | PresenceEvent | StatusEvent | Noop | Ack | Error | RangeUnavailable | Pong,
    Field(discriminator="type"),
]
SERVER_FRAMES: TypeAdapter[Any] = TypeAdapter(ServerFrame)
ROOM_EVENT_TYPES = ("statement", "presence_joined", "presence_left", "session_status")

# Close codes (also in docs/protocol.md). A refused handshake is answered with an HTTP
# status before the WebSocket opens: 401 no credentials, 403 wrong origin or no place in
# this session, 404 no such session.
CLOSE_TOO_SLOW = 4008  # the client did not read fast enough; reconnect and catch up
CLOSE_SEAT_ENDED = 4403  # the seat was removed or banned while connected
CLOSE_POLICY = 1008  # frame abuse (non-text frames, floods of invalid frames)
CLOSE_TOO_BIG = 1009  # a frame over the size limit (uvicorn closes with it)
CLOSE_RESTART = 1012  # the server is restarting: reconnect, to any instance
CLOSE_TRY_AGAIN = 1013  # this connection could not go on (database busy or away): reconnect
