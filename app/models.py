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
from app.events.models import RoomEvent, Statement, Translation, TranslationSend
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
from app.outcomes.models import OutcomeSnapshot, Questionnaire, SurveyAnswer, SurveyResponse
from app.programmes.models import Community, Programme, ProgrammeMember
from app.security.models import LoginSession, RecoveryCode, SecondFactor
from app.transcripts.models import Redaction, TranscriptRelease, TranscriptReview

__all__ = [
    "AgendaItem",
    "AppInstance",
    "AuditEntry",
    "Community",
    "DialogueSession",
    "GroundRules",
    "HandRaise",
    "Invitation",
    "LoginSession",
    "OutcomeSnapshot",
    "Poll",
    "PollAnswer",
    "Presence",
    "PrivateMessage",
    "Programme",
    "ProgrammeMember",
    "Questionnaire",
    "Reaction",
    "RecoveryCode",
    "Redaction",
    "Report",
    "RoomEvent",
    "Round",
    "RoundTurn",
    "Seat",
    "SeatQuota",
    "SecondFactor",
    "SessionRun",
    "Statement",
    "SurveyAnswer",
    "SurveyResponse",
    "TranscriptRelease",
    "TranscriptReview",
    "Translation",
    "TranslationSend",
    "User",
]
