"""The words pages show for stored values: statuses, settings, roles, agenda kinds.

Stored values stay English identifiers; a page shows `label(value)` in its own language
(the `label` Jinja global). Each label is a `Msg`, so `pybabel extract` finds it.
"""

from __future__ import annotations

from enum import StrEnum

from app.accounts.models import Role
from app.dialogues.models import AdmissionMode, AgendaKind, SeatRole, SeatStatus, SessionStatus, SpeakingMode
from app.messages import Msg
from app.programmes.models import MemberRole

LABELS: list[tuple[StrEnum, Msg]] = [
    (SessionStatus.draft, Msg("draft")),
    (SessionStatus.scheduled, Msg("scheduled")),
    (SessionStatus.open, Msg("lobby open")),
    (SessionStatus.live, Msg("live")),
    (SessionStatus.paused, Msg("paused")),
    (SessionStatus.ended, Msg("ended")),
    (SessionStatus.archived, Msg("archived")),
    (SessionStatus.cancelled, Msg("cancelled")),
    (SpeakingMode.open, Msg("anyone may speak")),
    (SpeakingMode.queued, Msg("raised hands, in turn")),
    (AdmissionMode.lobby, Msg("facilitators admit from the lobby")),
    (AdmissionMode.auto, Msg("straight into the room")),
    (SeatRole.facilitator, Msg("facilitator")),
    (SeatRole.participant, Msg("participant")),
    (SeatRole.co_facilitator, Msg("co-facilitator")),
    (SeatRole.observer, Msg("observer")),
    (SeatRole.interpreter, Msg("interpreter")),
    (SeatRole.group, Msg("breakout group")),
    (SeatStatus.lobby, Msg("waiting")),
    (SeatStatus.admitted, Msg("in the room")),
    (SeatStatus.left, Msg("left")),
    (SeatStatus.removed, Msg("removed")),
    (SeatStatus.banned, Msg("banned")),
    (MemberRole.organiser, Msg("organiser")),
    (Role.admin, Msg("administrator")),
    (AgendaKind.check_in, Msg("check-in")),
    (AgendaKind.round, Msg("round")),
    (AgendaKind.discussion, Msg("open discussion")),
    (AgendaKind.poll, Msg("poll")),
    (AgendaKind.break_, Msg("break")),
    (AgendaKind.check_out, Msg("check-out")),
    (AgendaKind.breakout, Msg("breakout groups")),
]
# StrEnum members compare and hash as their plain values ("open" is a session status and a
# speaking mode), so the table is looked up by the enum's type and the value.
_BY_TYPE: dict[tuple[type, str], Msg] = {(type(member), member.value): word for member, word in LABELS}
_ROLES = (SeatRole, MemberRole, Role)
# A bare string (a role or a status sent as text) finds the seat role's or status's word.
_BY_VALUE: dict[str, Msg] = {
    member.value: word for member, word in LABELS if isinstance(member, SeatRole | SessionStatus)
}


def label_of(value: object) -> str:
    """The label of a stored value (an enum member, or a seat role's or status's string);
    anything else as it is."""
    if isinstance(value, StrEnum):
        found = _BY_TYPE.get((type(value), value.value))
        if found is None and isinstance(value, Role | MemberRole | SeatRole):
            # The same role word in another kind of role ("organiser" is a member role too).
            found = next((_BY_TYPE[(kind, value.value)] for kind in _ROLES if (kind, value.value) in _BY_TYPE), None)
        return found if found is not None else value.value
    if isinstance(value, str):
        return _BY_VALUE.get(value, value)
    return str(value)
