"""Client commands of the room protocol: what a browser may ask of the room.

Each command is checked for permission by the service it reaches; docs/protocol.md
lists who may send which.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, model_validator
from pydantic_core import PydanticCustomError

from app.db import MAX_ID
from app.facilitation.breakout_groups import MAX_GROUPS
from app.facilitation.breakout_reports import MAX_REPORT_CHARS
from app.facilitation.breakouts import MAX_BROADCAST_CHARS, MAX_EXTENSION_MINUTES, MAX_MINUTES
from app.facilitation.statements import MAX_STATEMENT_CHARS
from app.facilitation.translations import MAX_TRANSLATION_CHARS
from app.messages import Msg
from app.programmes.texts import LANGUAGE_TAG, MAX_LANGUAGES
from app.security.text import HiddenText, check_room_text

CLIENT_ID = r"^[A-Za-z0-9_-]{8,64}$"

REF = r"^[A-Za-z0-9_-]{1,64}$"
REACTIONS = ("hear_you", "thank_you", "question")  # a small, neutral set
MAX_POLL_OPTIONS = 10
MAX_DEPTH = 8  # nesting of arrays and objects in a frame; no command needs more than 3


# C0 controls but tab, newline and carriage return; DEL; lone surrogates.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _has_control(value: str) -> bool:
    return _CONTROL.search(value) is not None


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether a frame nests arrays and objects deeper than `limit` (checked before parsing,
    so a frame of 5,000 brackets costs a scan, not a recursion). Only a frame with more
    brackets than the limit, in strings or not, is scanned."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ref: str | None = Field(
        default=None, pattern=REF, description="Chosen by the client; the ok or error answer carries it back."
    )

    @model_validator(mode="after")
    def _no_control_characters(self) -> Command:
        """NUL and the other C0 controls (but tab, newline, carriage return) are refused in
        every text of every command, the same on every database."""
        for name, value in self:
            texts = value if isinstance(value, list) else [value]
            if any(isinstance(text, str) and _has_control(text) for text in texts):
                raise PydanticCustomError(
                    "control_characters", "'{field}' contains control characters; remove them.", {"field": name}
                )
        return self


class PostStatement(Command):
    type: Literal["statement"]
    client_id: str = Field(pattern=CLIENT_ID, description="Made by the client; a resend with it is not stored twice.")
    text: str = Field(min_length=1, max_length=MAX_STATEMENT_CHARS)
    reply_to: int | None = Field(default=None, ge=1, le=MAX_ID, description="The id of the statement answered.")


class FetchRange(Command):
    type: Literal["fetch"]
    from_seq: int = Field(ge=1, le=MAX_ID)
    to_seq: int = Field(ge=1, le=MAX_ID)


class Ping(Command):
    type: Literal["ping"]


Reason = Annotated[str, Field(min_length=1, max_length=200)]
SeatId = Annotated[int, Field(ge=1, le=MAX_ID)]


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
    item_id: int = Field(ge=1, le=MAX_ID)


class AgendaTimer(Command):
    type: Literal["agenda_pause", "agenda_resume"]
    item_id: int = Field(ge=1, le=MAX_ID)


class AgendaExtend(Command):
    type: Literal["agenda_extend"]
    item_id: int = Field(ge=1, le=MAX_ID)
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


class FloorDone(Command):
    """The floor's holder gives it back: "I'm done"."""

    type: Literal["floor_done"]


class QueueMove(Command):
    type: Literal["queue_move"]
    seat_id: SeatId
    position: int = Field(ge=1, le=MAX_ID)


# Go-around rounds ----------------------------------------------------------------------


class RoundStart(Command):
    type: Literal["round_start"]
    order: list[SeatId] | None = Field(
        default=None, max_length=200, description="Seat ids in speaking order; default alternates communities."
    )
    turn_seconds: int | None = Field(default=None, ge=15, le=1800)


class RoundReorder(Command):
    type: Literal["round_reorder"]
    round_id: int = Field(ge=1, le=MAX_ID)
    order: list[SeatId] = Field(max_length=200, description="The seats still to speak, in their new order.")


class RoundSkip(Command):
    type: Literal["round_skip"]
    round_id: int = Field(ge=1, le=MAX_ID)
    seat_id: SeatId


class RoundStep(Command):
    """round_next: a facilitator ends the current turn. round_end: a facilitator closes the round.
    round_done: the speaker has finished."""

    type: Literal["round_next", "round_end", "round_done"]
    round_id: int = Field(ge=1, le=MAX_ID)


class RoundPass(Command):
    type: Literal["round_pass"]
    round_id: int = Field(ge=1, le=MAX_ID)
    for_now: bool = Field(default=False, description="Pass for now: go to the end of the round.")


# Polls ---------------------------------------------------------------------------------


def _poll_texts(field: str, max_length: int) -> Any:
    """A poll's words: {language: text}, or a plain string (the programme's first language).
    Any key is let through here: the service answers `unknown_language` for one that is not a
    language of the programme, so a typo gets the same clear answer as a stranger language."""

    def check(value: str | dict[str, str]) -> str | dict[str, str]:
        texts = {"": value} if isinstance(value, str) else value
        if len(texts) > MAX_LANGUAGES:
            raise PydanticCustomError("too_many_languages", "at most {most} languages", {"most": MAX_LANGUAGES})
        for language, text in texts.items():
            if len(text) > max_length:
                raise PydanticCustomError(
                    "string_too_long", "a text is at most {most} characters", {"most": max_length}
                )
            if _has_control(text) or _has_control(language):
                raise PydanticCustomError(
                    "control_characters", "'{field}' contains control characters; remove them.", {"field": field}
                )
        return value

    return AfterValidator(check)


QuestionTexts = Annotated[str | dict[str, str], _poll_texts("question", 500)]
OptionTexts = Annotated[str | dict[str, str], _poll_texts("options", 200)]


class PollOpen(Command):
    type: Literal["poll_open"]
    question: QuestionTexts | None = Field(
        default=None,
        description="A text per language of the programme, or a plain string (its first language); "
        "empty: the current poll agenda item's prompt.",
    )
    options: list[OptionTexts] = Field(min_length=2, max_length=MAX_POLL_OPTIONS)
    multiple: bool = False
    anonymous: bool = True


class PollAnswer(Command):
    type: Literal["poll_answer"]
    poll_id: int = Field(ge=1, le=MAX_ID)
    choices: list[Annotated[int, Field(ge=0, le=MAX_POLL_OPTIONS - 1)]] = Field(min_length=1, max_length=10)


class PollClose(Command):
    type: Literal["poll_close"]
    poll_id: int = Field(ge=1, le=MAX_ID)


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
    statement_id: int = Field(ge=1, le=MAX_ID)
    reason: Reason


class SlowMode(Command):
    type: Literal["slow_mode"]
    seconds: int = Field(ge=0, le=600, description="0 turns slow mode off.")


class SpeakingModeSet(Command):
    """Switch, during the session, between everyone speaking freely and a speaking queue."""

    type: Literal["speaking_mode"]
    mode: Literal["open", "queued"]


class Lock(Command):
    type: Literal["lock"]
    locked: bool


# A participant's own controls ----------------------------------------------------------


class React(Command):
    type: Literal["react"]
    statement_id: int = Field(ge=1, le=MAX_ID)
    reaction: Literal["hear_you", "thank_you", "question"]
    on: bool = True


class BreakRequest(Command):
    type: Literal["break_request"]


class HiddenRead(Command):
    type: Literal["hidden_read"]
    statement_id: int = Field(ge=1, le=MAX_ID)


class Unhide(Command):
    type: Literal["unhide"]
    statement_id: int = Field(ge=1, le=MAX_ID)


class AlertDone(Command):
    type: Literal["alert_done"]
    alert_seq: int = Field(
        ge=1, le=MAX_ID, description="The seq of the alert's event (break, report, time up, check-in)."
    )


class ReportStatement(Command):
    type: Literal["report"]
    statement_id: int = Field(ge=1, le=MAX_ID)
    reason: str | None = Field(default=None, max_length=500)


class Withdraw(Command):
    type: Literal["withdraw"]
    statement_id: int = Field(ge=1, le=MAX_ID)


class Translate(Command):
    """A statement's words in another language of the programme (interpreters and facilitators:
    any statement; anyone else who may speak: their own). A new one for the same statement and
    language replaces the old."""

    type: Literal["translate"]
    client_id: str = Field(pattern=CLIENT_ID, description="Made by the client; a resend with it is not stored twice.")
    statement_id: int = Field(ge=1, le=MAX_ID)
    language: str = Field(pattern=LANGUAGE_TAG.pattern, max_length=16, description="A language of the programme.")
    text: str = Field(min_length=1, max_length=MAX_TRANSLATION_CHARS)


# Private words -------------------------------------------------------------------------


def _private_text(value: str) -> str:
    """Back-channel and check-in words: no direction controls, control characters, or text
    with nothing visible (statements get the same check, with its own codes, in the service)."""
    try:
        check_room_text(value, what=Msg("message"))
    except HiddenText as exc:
        raise PydanticCustomError(exc.code, "{reason}", {"reason": exc.message}) from exc
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


# Breakouts: groups apart, then back (facilitators in the main room; reports in a group) ---

ItemId = Annotated[int, Field(ge=1, le=MAX_ID)]
BreakoutId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _report_text(value: str) -> str:
    """A report's words get a room text's checks; an empty report (cleared) is allowed."""
    return _private_text(value) if value.strip() else value


class BreakoutPropose(Command):
    type: Literal["breakout_propose"]
    item_id: ItemId


class BreakoutOpen(Command):
    """`groups`: the seats of each group as the facilitator adjusted them; null: the proposal."""

    type: Literal["breakout_open"]
    item_id: ItemId
    groups: list[list[SeatId]] | None = Field(default=None, max_length=MAX_GROUPS)
    minutes: int | None = Field(default=None, ge=1, le=MAX_MINUTES)


class BreakoutMove(Command):
    """`group_id` null: back to the main room."""

    type: Literal["breakout_move"]
    breakout_id: BreakoutId
    seat_id: SeatId
    group_id: int | None = Field(ge=1, le=MAX_ID)


class BreakoutExtend(Command):
    type: Literal["breakout_extend"]
    breakout_id: BreakoutId
    minutes: int = Field(ge=1, le=MAX_EXTENSION_MINUTES)


class BreakoutBroadcast(Command):
    type: Literal["breakout_broadcast"]
    breakout_id: BreakoutId
    text: Annotated[str, Field(min_length=1, max_length=MAX_BROADCAST_CHARS), AfterValidator(_private_text)]


class BreakoutStep(Command):
    type: Literal["breakout_end", "breakout_glance"]
    breakout_id: BreakoutId


class ReportEdit(Command):
    """`version`: the report's version the edit was made on (0 before the first)."""

    type: Literal["report_edit"]
    text: Annotated[str, Field(max_length=MAX_REPORT_CHARS), AfterValidator(_report_text)]
    version: int = Field(ge=0, le=MAX_ID)


class ReportReady(Command):
    type: Literal["report_ready"]
    version: int = Field(ge=0, le=MAX_ID)
    ready: bool = True


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
    | FloorDone
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
    | HiddenRead
    | Unhide
    | SlowMode
    | SpeakingModeSet
    | Lock
    | React
    | BreakRequest
    | AlertDone
    | ReportStatement
    | Withdraw
    | Translate
    | Backchannel
    | CheckIn
    | BreakoutPropose
    | BreakoutOpen
    | BreakoutMove
    | BreakoutExtend
    | BreakoutBroadcast
    | BreakoutStep
    | ReportEdit
    | ReportReady,
    Field(discriminator="type"),
]
COMMANDS: TypeAdapter[Any] = TypeAdapter(ClientCommand)
