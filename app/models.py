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
from app.programmes.models import Community, Programme, ProgrammeMember
from app.security.models import LoginSession

__all__ = [
    "AgendaItem",
    "Community",
    "DialogueSession",
    "GroundRules",
    "Invitation",
    "LoginSession",
    "Programme",
    "ProgrammeMember",
    "Seat",
    "SeatQuota",
    "User",
]
