"""Client commands of the room protocol: what a browser may ask of the room.

Each command is checked for permission by the service it reaches; docs/protocol.md
lists who may send which.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter
from pydantic_core import PydanticCustomError

from app.facilitation.statements import MAX_STATEMENT_CHARS
from app.security.text import HiddenText, check_room_text

CLIENT_ID = r"^[A-Za-z0-9_-]{8,64}$"

REF = r"^[A-Za-z0-9_-]{1,64}$"
REACTIONS = ("hear_you", "thank_you", "question")  # a small, neutral set


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ref: str | None = Field(
        default=None, pattern=REF, description="Chosen by the client; the ok or error answer carries it back."
    )


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


Reason = Annotated[str, Field(min_length=1, max_length=200)]
SeatId = Annotated[int, Field(ge=1)]


# The session and its agenda (facilitators) --------------------------------------------


class SessionStart(Command):
    type: Literal["session_start"]


class SessionPause(Command):
    type: Literal["session_pause"]
    reason: str | None = Field(default=None, max_length=200)


class SessionResume(Command):
    type: Literal["session_resume"]


class SessionEnd(Command):
    type: Literal["session_end"]


class AgendaMove(Command):
    """`current_item_id` is the item the facilitator saw as current (null before the first):
    when the agenda moved meanwhile the command is refused, so it never moves twice."""

    type: Literal["agenda_next", "agenda_back"]
    current_item_id: int | None


class AgendaGo(Command):
    type: Literal["agenda_go"]
    current_item_id: int | None
    item_id: int = Field(ge=1)


class AgendaTimer(Command):
    type: Literal["agenda_pause", "agenda_resume"]
    item_id: int = Field(ge=1)


class AgendaExtend(Command):
    type: Literal["agenda_extend"]
    item_id: int = Field(ge=1)
    minutes: int = Field(ge=1, le=120)


# The floor and the queue ---------------------------------------------------------------


class HandRaise(Command):
    type: Literal["hand_raise"]


class HandLower(Command):
    type: Literal["hand_lower"]
    seat_id: SeatId | None = Field(default=None, description="Facilitators: someone else's hand.")


class FloorGive(Command):
    type: Literal["floor_give"]
    seat_id: SeatId
    seconds: int | None = Field(default=None, ge=15, le=1800)


class FloorTake(Command):
    type: Literal["floor_take"]


class QueueMove(Command):
    type: Literal["queue_move"]
    seat_id: SeatId
    position: int = Field(ge=1)


# Go-around rounds ----------------------------------------------------------------------


class RoundStart(Command):
    type: Literal["round_start"]
    order: list[SeatId] | None = Field(
        default=None, max_length=200, description="Seat ids in speaking order; default alternates communities."
    )
    turn_seconds: int | None = Field(default=None, ge=15, le=1800)


class RoundReorder(Command):
    type: Literal["round_reorder"]
    round_id: int = Field(ge=1)
    order: list[SeatId] = Field(max_length=200, description="The seats still to speak, in their new order.")


class RoundSkip(Command):
    type: Literal["round_skip"]
    round_id: int = Field(ge=1)
    seat_id: SeatId


class RoundStep(Command):
    """round_next: a facilitator ends the current turn. round_end: a facilitator closes the round.
    round_done: the speaker has finished."""

    type: Literal["round_next", "round_end", "round_done"]
    round_id: int = Field(ge=1)


class RoundPass(Command):
    type: Literal["round_pass"]
    round_id: int = Field(ge=1)
    for_now: bool = Field(default=False, description="Pass for now: go to the end of the round.")


# Polls ---------------------------------------------------------------------------------


class PollOpen(Command):
    type: Literal["poll_open"]
    question: str | None = Field(
        default=None, min_length=1, max_length=500, description="Empty: the current poll agenda item's prompt."
    )
    options: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(min_length=2, max_length=10)
    multiple: bool = False
    anonymous: bool = True


class PollAnswer(Command):
    type: Literal["poll_answer"]
    poll_id: int = Field(ge=1)
    choices: list[Annotated[int, Field(ge=0)]] = Field(min_length=1, max_length=10)


class PollClose(Command):
    type: Literal["poll_close"]
    poll_id: int = Field(ge=1)


class Balance(Command):
    type: Literal["balance"]


# Moderation (facilitators) -------------------------------------------------------------


class Mute(Command):
    type: Literal["mute"]
    seat_id: SeatId
    minutes: int | None = Field(default=None, ge=1, le=240, description="Empty: until unmuted.")
    reason: str | None = Field(default=None, max_length=200)


class Unmute(Command):
    type: Literal["unmute"]
    seat_id: SeatId


class SeatAction(Command):
    """Send back to the lobby, remove (may be readmitted), or ban (the invitation is revoked)."""

    type: Literal["send_to_lobby", "remove", "ban"]
    seat_id: SeatId
    reason: Reason


class Hide(Command):
    type: Literal["hide"]
    statement_id: int = Field(ge=1)
    reason: Reason


class SlowMode(Command):
    type: Literal["slow_mode"]
    seconds: int = Field(ge=0, le=600, description="0 turns slow mode off.")


class Lock(Command):
    type: Literal["lock"]
    locked: bool


# A participant's own controls ----------------------------------------------------------


class React(Command):
    type: Literal["react"]
    statement_id: int = Field(ge=1)
    reaction: Literal["hear_you", "thank_you", "question"]
    on: bool = True


class BreakRequest(Command):
    type: Literal["break_request"]


class ReportStatement(Command):
    type: Literal["report"]
    statement_id: int = Field(ge=1)
    reason: str | None = Field(default=None, max_length=500)


class Withdraw(Command):
    type: Literal["withdraw"]
    statement_id: int = Field(ge=1)


# Private words -------------------------------------------------------------------------


def _private_text(value: str) -> str:
    """Back-channel and check-in words: no direction controls, control characters, or text
    with nothing visible (statements get the same check, with its own codes, in the service)."""
    try:
        check_room_text(value, what="message")
    except HiddenText as exc:
        raise PydanticCustomError(exc.code, exc.message) from exc
    return value


PrivateText = Annotated[str, Field(min_length=1, max_length=MAX_STATEMENT_CHARS), AfterValidator(_private_text)]


class Backchannel(Command):
    type: Literal["backchannel"]
    text: PrivateText


class CheckIn(Command):
    """From a facilitator to one participant (seat_id), or a participant's answer (no seat_id)."""

    type: Literal["check_in"]
    seat_id: SeatId | None = None
    text: PrivateText


ClientCommand = Annotated[
    PostStatement
    | FetchRange
    | Ping
    | SessionStart
    | SessionPause
    | SessionResume
    | SessionEnd
    | AgendaMove
    | AgendaGo
    | AgendaTimer
    | AgendaExtend
    | HandRaise
    | HandLower
    | FloorGive
    | FloorTake
    | QueueMove
    | RoundStart
    | RoundReorder
    | RoundSkip
    | RoundStep
    | RoundPass
    | PollOpen
    | PollAnswer
    | PollClose
    | Balance
    | Mute
    | Unmute
    | SeatAction
    | Hide
    | SlowMode
    | Lock
    | React
    | BreakRequest
    | ReportStatement
    | Withdraw
    | Backchannel
    | CheckIn,
    Field(discriminator="type"),
]
COMMANDS: TypeAdapter[Any] = TypeAdapter(ClientCommand)
