"""Every table, imported in one place for Alembic and for the tests."""

from app.accounts.models import User
from app.dialogues.models import (
    AgendaItem,
    DialogueSession,
    GroundRules,
    Invitation,
    Seat,
    SeatQuota,
)
from app.events.models import RoomEvent, Statement
from app.facilitation.models import (
    AppInstance,
    AuditEntry,
    HandRaise,
    Poll,
    PollAnswer,
    Presence,
    PrivateMessage,
    Reaction,
    Report,
    Round,
    RoundTurn,
    SessionRun,
)
from app.programmes.models import Community, Programme, ProgrammeMember
from app.security.models import LoginSession
from app.transcripts.models import Redaction, TranscriptRelease, TranscriptReview

__all__ = [
    "AuditEntry",
    "HandRaise",
    "Poll",
    "PollAnswer",
    "PrivateMessage",
    "Reaction",
    "Report",
    "Round",
    "RoundTurn",
    "SessionRun",
    "AgendaItem",
    "AppInstance",
    "Community",
    "DialogueSession",
    "GroundRules",
    "Invitation",
    "Presence",
    "RoomEvent",
    "LoginSession",
    "Programme",
    "ProgrammeMember",
    "Seat",
    "SeatQuota",
    "Redaction",
    "Statement",
    "TranscriptRelease",
    "TranscriptReview",
    "User",
]
