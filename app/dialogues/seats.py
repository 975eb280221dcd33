"""The rules for joining: language, consent, display names, pseudonyms, quotas, the seat.

Admission from the lobby is a facilitation action (app/facilitation/lobby.py), which also
ends the join flow by calling `claim_seat` and announcing the new seat to the room."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import publish_after_commit
from app.dialogues.content import languages_of
from app.dialogues.invitations import InvalidInvitation
from app.dialogues.models import (
    DialogueSession,
    GroundRules,
    Invitation,
    Seat,
    SeatRole,
    SeatStatus,
)
from app.dialogues.sessions import current_rules, occupied_seats, quotas_of
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.revocations import CLOSE_RIGHT_ENDED, Revoked
from app.messages import Msg
from app.programmes.models import UI_LANGUAGES, Community
from app.programmes.texts import Shown, pick
from app.security.names import check_display_name, name_key
from app.security.tokens import hash_token, new_token

PSEUDONYM_WORDS = {
    SeatRole.facilitator: "Facilitator",
    SeatRole.participant: "Participant",
    SeatRole.co_facilitator: "Facilitator",
    SeatRole.observer: "Observer",
    SeatRole.interpreter: "Interpreter",
    SeatRole.group: "Group",
}
# The words a display name may not start with (these, the roles in the four UI languages,
# "Roundtable") are app/security/names.py: FACILITATOR_WORDS and OTHER_WORDS.


def _field_error(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details=[{"field": field, "type": code, "message": message}])


def normalise_display_name(raw: str, *, facilitator: bool = False) -> tuple[str, str]:
    """The name as shown and the key that must be unique in the session: its look-alike
    form (TR39 skeleton after NFKC and case folding; app/security/names.py). Refused: control
    and invisible characters, names that start with a role or pseudonym word in any of the
    UI languages, whatever the spacing, digits or look-alike letters."""
    return check_display_name(raw, field="display_name", facilitator=facilitator)


async def name_taken(db: AsyncSession, *, session_id: int, key: str, except_seat_id: int | None = None) -> bool:
    """Whether a seat of the session already has a name that looks like this one. Compared
    by the stored key and by the key of each shown name, so facilitators' seats (whose key
    is their account) and seats from before the keys were skeletons count too."""
    rows = (
        await db.exec(select(Seat.id, Seat.display_name, Seat.display_name_key).where(Seat.session_id == session_id))
    ).all()
    return any(
        seat_id != except_seat_id and (stored == key or name_key(shown) == key) for seat_id, shown, stored in rows
    )


def rules_shown(rules: GroundRules, language: str | None, languages: list[str]) -> Shown:
    """The ground rules as a person reading `language` gets them (their own or a fallback)."""
    return pick(rules.text, language or languages[0], languages)


def choose_language(db: AsyncSession, *, invitation: Invitation, language: str) -> None:
    if language not in UI_LANGUAGES:
        raise _field_error(
            "language", Msg("Choose one of {languages}.", languages=", ".join(UI_LANGUAGES)), "unknown_language"
        )
    invitation.language = language
    db.add(invitation)


async def give_consent(
    db: AsyncSession,
    *,
    invitation: Invitation,
    session: DialogueSession,
    rules_version: int,
    accept_rules: bool,
    accept_transcript: bool,
    now: datetime,
    rules_language: str | None = None,
) -> None:
    """Record consent to exactly this version of the ground rules (and the transcript), in the
    language they were read in: `rules_language` when the page says which one it showed, else
    the one the person gets for their chosen language (their own, or a fallback)."""
    rules = await current_rules(db, session_id=session.id)
    if rules_version != rules.version:
        raise Conflict(Msg("The ground rules have just changed. Please read them again."), code="rules_changed")
    languages = await languages_of(db, session=session)
    if rules_language is not None and not (rules.text.get(rules_language) or "").strip():
        raise _field_error(
            "rules_language",
            Msg("The ground rules are not written in that language; please read them again."),
            "unknown_rules_language",
        )
    if not accept_rules:
        raise _field_error("accept_rules", Msg("To take part, please accept the ground rules."), "consent_required")
    if session.keep_transcript and not accept_transcript:
        raise _field_error(
            "accept_transcript", Msg("To take part, please agree to the anonymised transcript."), "consent_required"
        )
    invitation.consented_at = now
    invitation.consent_rules_version = rules.version
    invitation.consent_language = rules_language or rules_shown(rules, invitation.language, languages).language
    db.add(invitation)
    await db.flush()


async def _lock_session(db: AsyncSession, session_id: int) -> DialogueSession:
    # Two people taking the last seat at once, on two instances: the row lock makes
    # the second wait and then count again. (SQLite already serialises writers.)
    row = (
        await db.exec(
            select(DialogueSession)
            .where(DialogueSession.id == session_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()
    return row


async def draw_pseudonym(db: AsyncSession, *, session: DialogueSession, role: SeatRole) -> str:
    """A neutral label for the transcript, drawn at random: never from the name, and not
    from the order of arrival either (which could say who came with whom)."""
    word = PSEUDONYM_WORDS[role]
    taken = set((await db.exec(select(Seat.pseudonym).where(Seat.session_id == session.id))).all())
    pool_size = max(20, session.capacity * 3) if role is SeatRole.participant else 20
    free = [n for n in range(1, pool_size + 1) if f"{word} {n}" not in taken]
    if not free:
        free = [pool_size + len(taken) + 1]
    return f"{word} {secrets.choice(free)}"


async def _check_room(db: AsyncSession, *, session: DialogueSession, community_id: int | None) -> None:
    occupied = await occupied_seats(db, session_id=session.id)
    if sum(occupied.values()) >= session.capacity:
        raise Conflict(Msg("This session is full. Please contact your facilitator."), code="session_full")
    quotas = await quotas_of(db, session_id=session.id)
    quota = quotas.get(community_id, 0) if community_id is not None else 0
    if occupied.get(community_id, 0) >= quota:
        raise Conflict(
            Msg("All seats for your community in this session are taken. Please contact your facilitator."),
            code="community_full",
        )


@dataclass(frozen=True)
class ClaimedSeat:
    seat: Seat
    cookie_token: str  # for the seat cookie; only its hash is stored
    new: bool  # False for a re-issued link: the same seat, bound to this browser


async def claim_seat(
    db: AsyncSession,
    *,
    invitation: Invitation,
    session: DialogueSession,
    display_name: str,
    now: datetime,
    admit: bool,
) -> ClaimedSeat:
    """A seat with a display name and pseudonym, in the lobby or (`admit`) in the room.

    An invitation that already has a seat (a re-issued link) gets the same seat back,
    bound to this browser. Call it through `facilitation.lobby.take_seat`, which decides
    `admit` and tells the room.
    """
    session = await _lock_session(db, session.id)
    # Another browser may have used this very link a moment ago.
    await db.refresh(invitation)
    if invitation.claimed_at is not None or invitation.revoked_at is not None:
        raise InvalidInvitation()
    rules = await current_rules(db, session_id=session.id)
    if invitation.consented_at is None or invitation.consent_rules_version != rules.version:
        raise Conflict(Msg("Please read and accept the ground rules first."), code="consent_required")
    existing = await seat_of_invitation(db, invitation_id=invitation.id)
    cookie_token = new_token()
    if existing is not None:
        if existing.status is SeatStatus.banned:
            raise Conflict(Msg("You cannot rejoin this session."), code="seat_banned")
        existing.cookie_hash = hash_token(cookie_token)
        existing.consent_rules_version = rules.version
        existing.consent_language = invitation.consent_language or existing.consent_language
        existing.consented_at = invitation.consented_at
        invitation.claimed_at = now
        db.add_all([existing, invitation])
        await db.flush()
        # The old cookie no longer works: connections made with it close, on every instance.
        publish_after_commit(
            db, Revoked(code=CLOSE_RIGHT_ENDED, reason="your place moved to another device", seats=(existing.id,))
        )
        return ClaimedSeat(existing, cookie_token, new=False)

    # An invited co-facilitator may say so in their name; no one else may.
    name, key = normalise_display_name(display_name, facilitator=invitation.role is SeatRole.co_facilitator)
    if invitation.role is SeatRole.participant:
        await _check_room(db, session=session, community_id=invitation.community_id)
    if await name_taken(db, session_id=session.id, key=key):
        raise _field_error(
            "display_name", Msg("Someone in this session already uses that name; choose another."), "display_name_taken"
        )
    seat = Seat(
        session_id=session.id,
        invitation_id=invitation.id,
        community_id=invitation.community_id,
        role=invitation.role,
        display_name=name,
        display_name_key=key,
        pseudonym=await draw_pseudonym(db, session=session, role=invitation.role),
        status=SeatStatus.admitted if admit else SeatStatus.lobby,
        cookie_hash=hash_token(cookie_token),
        language=invitation.language or "en",
        consent_rules_version=rules.version,
        consent_language=invitation.consent_language or invitation.language or "en",
        consented_at=invitation.consented_at,
        joined_at=now,
        admitted_at=now if admit else None,
    )
    invitation.claimed_at = now
    db.add_all([seat, invitation])
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError as exc:  # the same name, a moment earlier, elsewhere
        raise _field_error(
            "display_name", Msg("Someone in this session already uses that name; choose another."), "display_name_taken"
        ) from exc
    return ClaimedSeat(seat, cookie_token, new=True)


async def seat_by_cookie(db: AsyncSession, *, session_id: int, token: str | None) -> Seat | None:
    """The seat a browser holds in a session, if its cookie is current."""
    if not token or len(token) > 64:
        return None
    seat = (await db.exec(select(Seat).where(Seat.cookie_hash == hash_token(token)))).first()
    if seat is None or seat.session_id != session_id:
        return None
    return seat


async def seat_of_invitation(db: AsyncSession, *, invitation_id: int) -> Seat | None:
    return (await db.exec(select(Seat).where(Seat.invitation_id == invitation_id))).first()


async def seats_of(db: AsyncSession, *, session_id: int) -> list[tuple[Seat, Community | None]]:
    rows = await db.exec(
        select(Seat, Community)
        .outerjoin(Community, col(Community.id) == col(Seat.community_id))
        .where(Seat.session_id == session_id, Seat.role != SeatRole.group)  # a group's seat is nobody's
        .order_by(col(Seat.joined_at), col(Seat.id))
    )
    return list(rows.all())


async def seats_with_invitations(
    db: AsyncSession, *, session_id: int
) -> list[tuple[Seat, Community | None, str | None]]:
    """Every seat with its community and the real name its invitation was made for (for
    facilitators' eyes only: who is who)."""
    rows = await db.exec(
        select(Seat, Community, Invitation.real_name)
        .outerjoin(Community, col(Community.id) == col(Seat.community_id))
        .outerjoin(Invitation, col(Invitation.id) == col(Seat.invitation_id))
        .where(Seat.session_id == session_id, Seat.role != SeatRole.group)
        .order_by(col(Seat.joined_at), col(Seat.id))
    )
    return list(rows.all())


async def get_seat(db: AsyncSession, *, session: DialogueSession, seat_id: int) -> Seat:
    seat = await db.get(Seat, seat_id)
    if seat is None or seat.session_id != session.id:
        raise NotFound(Msg("There is no such seat in this session."))
    return seat
