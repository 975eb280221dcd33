"""The rules for invitations: personal links, stored as hashes, that expire and can be revoked."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.dialogues import bulk_invitations
from app.dialogues.models import FINISHED, DialogueSession, Invitation, Seat, SeatRole, SessionStatus
from app.dialogues.schemas import InvitationCreate
from app.dialogues.sessions import ends_at
from app.errors import Conflict, NotFound, ValidationFailed
from app.messages import Msg, status_word
from app.programmes.models import Community
from app.programmes.service import communities_of
from app.security.tokens import hash_token, new_token

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 random bytes, base64url


class InvalidInvitation(NotFound):
    """One answer for every unusable link, so a link reveals nothing about its session."""

    code = "invalid_invitation"
    default_message: str = Msg(
        "This invitation link cannot be used. It may have expired, been replaced or been "
        "used already. Please ask your facilitator for a new link."
    )


USABLE_STATES = ("pending", "consented")
# A draft is not yet announced; a finished session takes nobody in.
JOINABLE = (SessionStatus.scheduled, SessionStatus.open, SessionStatus.live, SessionStatus.paused)


def invitation_state(invitation: Invitation, now: datetime, *, has_seat: bool = False) -> str:
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.claimed_at is not None:
        return "claimed"
    if invitation.expires_at <= now:
        return "expired"
    if has_seat:
        return "reissued"  # a new link for someone who already has a seat
    return "consented" if invitation.consented_at else "pending"


def default_expiry(session: DialogueSession) -> datetime:
    return ends_at(session) + timedelta(days=1)


def _community_for(
    communities: list[Community], key: str | None, role: SeatRole, *, field: str = "community"
) -> Community | None:
    if key is None:
        if role is SeatRole.participant:
            raise ValidationFailed(
                Msg("A participant's invitation needs a community."),
                code="community_required",
                details=[{"field": field, "type": "community_required", "message": Msg("Choose a community.")}],
            )
        return None
    for community in communities:
        if community.key == key:
            return community
    keys = ", ".join(c.key for c in communities)
    raise ValidationFailed(
        Msg("'{key}' is not a community of this programme (it has {keys}).", key=key, keys=keys),
        code="unknown_community",
        details=[{"field": field, "type": "unknown_community", "message": Msg("Use one of: {keys}.", keys=keys)}],
    )


async def check_community(db: AsyncSession, *, session: DialogueSession, key: str | None, role: str | None) -> None:
    """The community check of an invitation on its own (a form whose other fields failed
    still hears about this one): NotFound/ValidationFailed as create_invitation raises."""
    try:
        seat_role = SeatRole(role or SeatRole.participant.value)
    except ValueError:
        return  # the role's own error says it
    _community_for(await communities_of(db, programme_id=session.programme_id), key or None, seat_role)


def _open_for_invitations(session: DialogueSession) -> None:
    if session.status in FINISHED:
        raise Conflict(
            Msg("The session is {status}; it takes no more invitations.", status=status_word(session.status)),
            code="session_finished",
        )


async def create_invitation(
    db: AsyncSession, *, session: DialogueSession, actor: User, data: InvitationCreate, now: datetime
) -> tuple[Invitation, str]:
    """A personal link for one person; returns the row and the token (shown once)."""
    _open_for_invitations(session)
    communities = await communities_of(db, programme_id=session.programme_id)
    community = _community_for(communities, data.community, data.role)
    expires_at = data.expires_at or default_expiry(session)
    if expires_at.tzinfo is None:
        raise ValidationFailed(Msg("Give the expiry time with its offset (for example Z for UTC)."), code="naive_time")
    if expires_at <= now:
        raise ValidationFailed(
            Msg("The expiry time is in the past."),
            code="expiry_in_past",
            details=[{"field": "expires_at", "type": "expiry_in_past", "message": Msg("Choose a future time.")}],
        )
    token = new_token()
    invitation = Invitation(
        session_id=session.id,
        token_hash=hash_token(token),
        community_id=community.id if community else None,
        role=data.role,
        real_name=(data.real_name or "").strip() or None,
        contact=(data.contact or "").strip() or None,
        language=data.language,
        expires_at=expires_at,
        issued_at=now,
        created_by=actor.id,
        created_at=now,
    )
    db.add(invitation)
    await db.flush()
    if data.same_person_as is not None:
        await mark_same_person(db, invitation=invitation, earlier_id=data.same_person_as, field="same_person_as")
    return invitation, token


async def create_bulk(
    db: AsyncSession, *, session: DialogueSession, actor: User, text: str, now: datetime
) -> list[tuple[Invitation, str]]:
    """Create an invitation per line; one bad line and none is created (every bad line is named)."""
    _open_for_invitations(session)
    communities = await communities_of(db, programme_id=session.programme_id)
    keys = {c.key.casefold(): c.key for c in communities}
    listed = ", ".join(c.key for c in communities)
    lines, problems = bulk_invitations.read_bulk(text)
    entries: list[InvitationCreate] = []
    for line in lines:
        entry = line.entry
        if entry.community is not None and entry.community.casefold() in keys:
            entry = entry.model_copy(update={"community": keys[entry.community.casefold()]})
        elif entry.community is not None:
            problems.append(
                bulk_invitations.problem(
                    line.number,
                    "unknown_community",
                    f"'{entry.community}' is not a community of this programme (use one of: {listed}).",
                    value=entry.community,
                    keys=listed,
                )
            )
            continue
        elif entry.role is SeatRole.participant:
            problems.append(
                bulk_invitations.problem(line.number, "community_required", "a participant needs a community.")
            )
            continue
        entries.append(entry)
    if problems:
        problems.sort(key=lambda p: p.get("line", 0))
        raise bulk_invitations.refuse(problems)
    return [await create_invitation(db, session=session, actor=actor, data=entry, now=now) for entry in entries]


async def list_invitations(db: AsyncSession, *, session_id: int) -> list[tuple[Invitation, Seat | None]]:
    rows = await db.exec(
        select(Invitation, Seat)
        .outerjoin(Seat, col(Seat.invitation_id) == col(Invitation.id))
        .where(Invitation.session_id == session_id)
        .order_by(col(Invitation.created_at), col(Invitation.id))
    )
    return list(rows.all())


async def get_invitation(db: AsyncSession, *, session: DialogueSession, invitation_id: int) -> Invitation:
    invitation = await db.get(Invitation, invitation_id)
    if invitation is None or invitation.session_id != session.id:
        raise NotFound(Msg("There is no such invitation in this session."))
    return invitation


async def revoke_invitation(db: AsyncSession, *, invitation: Invitation, now: datetime) -> Invitation:
    """The link stops working at once. A seat already taken with it stays."""
    if invitation.revoked_at is None:
        invitation.revoked_at = now
        db.add(invitation)
        await db.flush()
    return invitation


async def reissue_invitation(
    db: AsyncSession, *, session: DialogueSession, invitation: Invitation, now: datetime
) -> tuple[Invitation, str]:
    """A new link for the same person; the old one stops working. Someone who already
    has a seat can use it once to return on another device."""
    _open_for_invitations(session)
    seat = (await db.exec(select(Seat).where(Seat.invitation_id == invitation.id))).first()
    if seat is not None and seat.status.value == "banned":
        raise Conflict(
            Msg("This person was banned from the session; their link cannot be renewed."), code="seat_banned"
        )
    token = new_token()
    invitation.token_hash = hash_token(token)
    invitation.revoked_at = None
    invitation.claimed_at = None  # usable once more, to bring the person back to their seat
    invitation.issued_at = now
    invitation.expires_at = max(invitation.expires_at, default_expiry(session), now + timedelta(days=1))
    db.add(invitation)
    await db.flush()
    return invitation, token


async def find_usable_invitation(db: AsyncSession, *, token: str, now: datetime) -> tuple[Invitation, DialogueSession]:
    """The invitation behind a link, if it may still be followed; otherwise InvalidInvitation."""
    if not TOKEN_SHAPE.match(token or ""):
        raise InvalidInvitation()
    invitation = (await db.exec(select(Invitation).where(Invitation.token_hash == hash_token(token)))).first()
    if invitation is None or invitation_state(invitation, now) not in USABLE_STATES:
        raise InvalidInvitation()
    session = await db.get(DialogueSession, invitation.session_id)
    if session is None or session.status not in JOINABLE:
        raise InvalidInvitation()
    return invitation, session


# The same person across a series ---------------------------------------------------------

# Survey responses live in app/outcomes, above this package: they are read here as plain SQL
# (whether a key already has answers in a session), never through that package.
_ANSWERED_UNDER = text("SELECT 1 FROM survey_responses WHERE session_id = :session_id AND person_key = :person_key")


def _same_person_refused(message: str, code: str, field: str) -> Conflict:
    return Conflict(message, code=code, details=[{"field": field, "type": code, "message": message}])


async def _answered_under(db: AsyncSession, *, session_id: int, person_key: str) -> bool:
    connection = await db.connection()
    found = await connection.execute(_ANSWERED_UNDER, {"session_id": session_id, "person_key": person_key})
    return found.first() is not None


async def earlier_participants(
    db: AsyncSession, *, session: DialogueSession
) -> list[tuple[Invitation, DialogueSession]]:
    """The participant invitations of the programme's sessions that start before this one,
    latest session first: whom an invitation of this session may be marked as."""
    rows = await db.exec(
        select(Invitation, DialogueSession)
        .join(DialogueSession, col(DialogueSession.id) == col(Invitation.session_id))
        .where(
            DialogueSession.programme_id == session.programme_id,
            DialogueSession.id != session.id,
            col(DialogueSession.starts_at) < session.starts_at,
            Invitation.role == SeatRole.participant,
        )
        .order_by(col(DialogueSession.starts_at).desc(), col(Invitation.created_at), col(Invitation.id))
    )
    return list(rows.all())


async def same_person_links(
    db: AsyncSession, *, session: DialogueSession, invitations: list[Invitation]
) -> dict[int, tuple[Invitation, DialogueSession]]:
    """For each invitation of this session marked as the same person as one of an earlier
    session, the latest such earlier invitation (for facilitators' eyes: who is who)."""
    keyed = {i.id: i.person_key for i in invitations if i.person_key}
    if not keyed:
        return {}
    links: dict[int, tuple[Invitation, DialogueSession]] = {}
    for earlier, earlier_session in await earlier_participants(db, session=session):
        for invitation_id, key in keyed.items():
            if earlier.person_key == key and invitation_id not in links:
                links[invitation_id] = (earlier, earlier_session)
    return links


async def mark_same_person(
    db: AsyncSession, *, invitation: Invitation, earlier_id: int, field: str = "earlier_id"
) -> Invitation:
    """Mark an invitation as the same person as a participant's invitation of an earlier
    session of the same programme (facilitators know who is who): it takes the earlier
    invitation's programme-level pseudonymous key, so the person's survey answers across the
    series are linked. Refused when this invitation's answers are already stored under
    another key, when another invitation of this session is that person already, or when
    either is not a participant's. Invitations of later sessions marked as this one follow."""
    session = await db.get(DialogueSession, invitation.session_id)
    earlier = await db.get(Invitation, earlier_id)
    earlier_session = await db.get(DialogueSession, earlier.session_id) if earlier is not None else None
    if (
        session is None
        or earlier is None
        or earlier_session is None
        or earlier_session.programme_id != session.programme_id
    ):
        message = Msg("There is no such invitation in this programme.")
        raise NotFound(message, details=[{"field": field, "type": "not_found", "message": message}])
    if earlier_session.id == session.id or earlier_session.starts_at >= session.starts_at:
        raise _same_person_refused(
            Msg("Choose an invitation of a session that starts before this one."), "not_earlier", field
        )
    if invitation.role is not SeatRole.participant or earlier.role is not SeatRole.participant:
        raise _same_person_refused(
            Msg("Only participants' invitations can be marked as the same person."), "not_participants", field
        )
    if earlier.person_key is None:
        earlier.person_key = secrets.token_hex(16)
        db.add(earlier)
    key = earlier.person_key
    old = invitation.person_key
    if old == key:
        await db.flush()
        return invitation
    taken = (
        await db.exec(
            select(Invitation.id).where(
                Invitation.session_id == session.id, Invitation.person_key == key, Invitation.id != invitation.id
            )
        )
    ).first()
    if taken is not None:
        raise _same_person_refused(
            Msg("Another invitation of this session is already marked as this person."), "person_taken", field
        )
    followers: list[Invitation] = []
    if old is not None:
        if await _answered_under(db, session_id=session.id, person_key=old):
            raise _same_person_refused(
                Msg(
                    "This person has already answered a survey of this session under their own key; "
                    "their answers cannot be linked to the earlier session any more."
                ),
                "already_answered",
                field,
            )
        # Invitations of later sessions that were marked as this one are the same person too.
        later = await db.exec(
            select(Invitation, DialogueSession)
            .join(DialogueSession, col(DialogueSession.id) == col(Invitation.session_id))
            .where(
                DialogueSession.programme_id == session.programme_id,
                col(DialogueSession.starts_at) > session.starts_at,
                Invitation.person_key == old,
            )
        )
        for follower, follower_session in later.all():
            if await _answered_under(db, session_id=follower_session.id, person_key=old):
                raise _same_person_refused(
                    Msg(
                        "A later session's invitation marked as this person already has survey answers; "
                        "the link cannot be changed any more."
                    ),
                    "already_answered",
                    field,
                )
            twin = await db.exec(
                select(Invitation.id).where(
                    Invitation.session_id == follower_session.id,
                    Invitation.person_key == key,
                    Invitation.id != follower.id,
                )
            )
            if twin.first() is not None:
                raise _same_person_refused(
                    Msg("Another invitation of this session is already marked as this person."), "person_taken", field
                )
            followers.append(follower)
    for row in (invitation, *followers):
        row.person_key = key
        db.add(row)
    await db.flush()
    return invitation
