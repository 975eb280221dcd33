"""JSON API for the people of a session: invitations and the lobby (facilitators only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status

from app.deps import CurrentUser, DbDep, NowDep, PathId, require_csrf
from app.dialogues import invitations, seats
from app.dialogues.deps import SessionFacilitatorDep
from app.dialogues.present import invitation_public, join_link, seat_public
from app.dialogues.schemas import (
    InvitationBulk,
    InvitationCreate,
    InvitationPublic,
    LobbyMessageIn,
    SamePersonIn,
    SeatDecision,
    SeatPublic,
)
from app.facilitation import lobby
from app.programmes.service import communities_of

router = APIRouter(prefix="/api/sessions/{session_id}", tags=["people"], dependencies=[Depends(require_csrf)])


async def _communities(db: DbDep, programme_id: PathId) -> dict:
    return {c.id: c for c in await communities_of(db, programme_id=programme_id)}


@router.get("/invitations")
async def list_invitations(access: SessionFacilitatorDep, db: DbDep, now: NowDep) -> list[InvitationPublic]:
    """Every invitation with its state; links are not shown again."""
    communities = await _communities(db, access.session.programme_id)
    rows = await invitations.list_invitations(db, session_id=access.session.id)
    return [invitation_public(i, s, communities, now=now) for i, s in rows]


@router.post("/invitations", status_code=status.HTTP_201_CREATED)
async def create_invitation(
    request: Request, body: InvitationCreate, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> InvitationPublic:
    """A personal link for one person. The link is in this answer only."""
    invitation, token = await invitations.create_invitation(db, session=access.session, actor=user, data=body, now=now)
    communities = await _communities(db, access.session.programme_id)
    return invitation_public(invitation, None, communities, now=now, link=join_link(request, token))


@router.post("/invitations/bulk", status_code=status.HTTP_201_CREATED)
async def create_invitations_in_bulk(
    request: Request, body: InvitationBulk, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> list[InvitationPublic]:
    """One invitation per CSV line (community, role, real name, contact); all or none."""
    created = await invitations.create_bulk(db, session=access.session, actor=user, text=body.csv, now=now)
    communities = await _communities(db, access.session.programme_id)
    return [invitation_public(i, None, communities, now=now, link=join_link(request, t)) for i, t in created]


@router.post("/invitations/{invitation_id}/revoke")
async def revoke_invitation(
    invitation_id: PathId, access: SessionFacilitatorDep, db: DbDep, now: NowDep
) -> InvitationPublic:
    """Stop a link from working."""
    invitation = await invitations.get_invitation(db, session=access.session, invitation_id=invitation_id)
    await invitations.revoke_invitation(db, invitation=invitation, now=now)
    return invitation_public(invitation, None, await _communities(db, access.session.programme_id), now=now)


@router.post("/invitations/{invitation_id}/reissue")
async def reissue_invitation(
    request: Request, invitation_id: PathId, access: SessionFacilitatorDep, db: DbDep, now: NowDep
) -> InvitationPublic:
    """A new link for the same person; the old one stops working."""
    invitation = await invitations.get_invitation(db, session=access.session, invitation_id=invitation_id)
    invitation, token = await invitations.reissue_invitation(db, session=access.session, invitation=invitation, now=now)
    communities = await _communities(db, access.session.programme_id)
    seat = await seats.seat_of_invitation(db, invitation_id=invitation.id)
    return invitation_public(invitation, seat, communities, now=now, link=join_link(request, token))


@router.post("/invitations/{invitation_id}/same-person")
async def mark_same_person(
    invitation_id: PathId, body: SamePersonIn, access: SessionFacilitatorDep, db: DbDep, now: NowDep
) -> InvitationPublic:
    """Mark this invitation as the same person as a participant's invitation of an earlier
    session of the programme, so their survey answers across the series are linked. What links
    them is never shown, to anyone."""
    invitation = await invitations.get_invitation(db, session=access.session, invitation_id=invitation_id)
    await invitations.mark_same_person(db, invitation=invitation, earlier_id=body.earlier_id)
    seat = await seats.seat_of_invitation(db, invitation_id=invitation.id)
    return invitation_public(invitation, seat, await _communities(db, access.session.programme_id), now=now)


@router.get("/seats")
async def list_seats(access: SessionFacilitatorDep, db: DbDep) -> list[SeatPublic]:
    """Everyone who has joined, with their status (lobby, admitted, …) and, for facilitators'
    eyes only, the name their invitation was made for."""
    rows = await seats.seats_with_invitations(db, session_id=access.session.id)
    return [seat_public(s, c, invited_as) for s, c, invited_as in rows]


@router.post("/seats/{seat_id}/admit")
async def admit_seat(
    seat_id: PathId, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> SeatPublic:
    """Let someone in from the lobby (or readmit someone removed)."""
    seat = await lobby.admit(
        db, seat=await seats.get_seat(db, session=access.session, seat_id=seat_id), now=now, by=user.id
    )
    return seat_public(seat, None)


@router.post("/seats/{seat_id}/refuse")
async def refuse_seat(
    seat_id: PathId, body: SeatDecision, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> SeatPublic:
    """Turn someone away from the lobby, with a reason they will see."""
    seat = await lobby.refuse(
        db,
        seat=await seats.get_seat(db, session=access.session, seat_id=seat_id),
        reason=body.reason,
        now=now,
        by=user.id,
    )
    return seat_public(seat, None)


@router.post("/lobby/admit-all")
async def admit_everyone(access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep) -> list[SeatPublic]:
    """Admit everyone waiting in the lobby."""
    return [seat_public(s, None) for s in await lobby.admit_all(db, session=access.session, now=now, by=user.id)]


@router.put("/lobby/message")
async def set_lobby_message(
    body: LobbyMessageIn, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> dict[str, str]:
    """The message everyone waiting in the lobby reads, shown to them at once; the answer is
    the whole message, by language."""
    return await lobby.set_message(db, session=access.session, message=body.lobby_message, now=now, by=user.id)
