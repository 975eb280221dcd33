"""Turning rows into the response models the API and the pages show."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.content import languages_of
from app.dialogues.invitations import invitation_state
from app.dialogues.models import AgendaItem, DialogueSession, Invitation, Seat
from app.dialogues.schemas import (
    AgendaItemPublic,
    InvitationPublic,
    QuotaPublic,
    SeatPublic,
    SessionPublic,
)
from app.dialogues.sessions import TRANSITIONS, current_rules, ends_at, quotas_of
from app.programmes.models import Community
from app.programmes.service import communities_of
from app.programmes.texts import texts_of


def join_link(request: Request, token: str) -> str:
    """The personal link an invitation's token opens (shown once, when it is made)."""
    return str(request.url_for("join_start", token=token))


async def session_public(db: AsyncSession, session: DialogueSession) -> SessionPublic:
    communities = await communities_of(db, programme_id=session.programme_id)
    quotas = await quotas_of(db, session_id=session.id)
    rules = await current_rules(db, session_id=session.id)
    languages = await languages_of(db, session=session)
    first = languages[0]
    return SessionPublic(
        id=session.id,
        programme_id=session.programme_id,
        languages=languages,
        title=texts_of(session.title, first),
        description=texts_of(session.description, first),
        lobby_message=texts_of(session.lobby_message, first),
        pause_message=texts_of(session.pause_message, first),
        starts_at=session.starts_at,
        ends_at=ends_at(session),
        time_zone=session.time_zone,
        planned_minutes=session.planned_minutes,
        capacity=session.capacity,
        quotas=[QuotaPublic(community_key=c.key, seats=quotas.get(c.id, 0)) for c in communities],
        status=session.status,
        cancel_reason=session.cancel_reason,
        show_communities=session.show_communities,
        speaking_mode=session.speaking_mode,
        admission=session.admission,
        keep_transcript=session.keep_transcript,
        ground_rules_version=rules.version,
        ground_rules=texts_of(rules.text, first),
        allowed_transitions=list(TRANSITIONS[session.status]),
    )


def agenda_public(items: list[AgendaItem]) -> list[AgendaItemPublic]:
    return [AgendaItemPublic.model_validate(item, from_attributes=True) for item in items]


def invitation_public(
    invitation: Invitation,
    seat: Seat | None,
    communities: dict[int, Community],
    *,
    now: datetime,
    link: str | None = None,
) -> InvitationPublic:
    community = communities.get(invitation.community_id) if invitation.community_id else None
    return InvitationPublic(
        id=invitation.id,
        role=invitation.role,
        community=community.key if community else None,
        real_name=invitation.real_name,
        contact=invitation.contact,
        language=invitation.language,
        state=invitation_state(invitation, now, has_seat=seat is not None),
        expires_at=invitation.expires_at,
        issued_at=invitation.issued_at,
        seat_id=seat.id if seat else None,
        link=link,
    )


def seat_public(seat: Seat, community: Community | None, invited_as: str | None = None) -> SeatPublic:
    return SeatPublic(
        invited_as=invited_as,
        id=seat.id,
        display_name=seat.display_name,
        pseudonym=seat.pseudonym,
        community=community.key if community else None,
        role=seat.role,
        status=seat.status,
        joined_at=seat.joined_at,
    )
