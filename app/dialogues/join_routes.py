"""JSON API for following an invitation: language, consent, display name, then the lobby.

Open to anyone holding a link, so like API login it takes JSON only and checks
Origin instead of a CSRF token (a JSON body cannot be sent cross-site without a
CORS preflight, which Roundtable never grants). The token travels in the body,
never in an API URL.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from app.deps import DbDep, NowDep, require_csrf, require_same_origin
from app.dialogues import invitations, seats
from app.dialogues.content import languages_of
from app.dialogues.models import DialogueSession, Invitation, Seat
from app.dialogues.schemas import JoinClaim, JoinConsent, JoinInfo, JoinLanguage, JoinToken, MySeat
from app.dialogues.seat_cookie import SeatDep, set_seat_cookie
from app.dialogues.sessions import current_rules
from app.facilitation import lobby
from app.programmes.texts import texts_of
from app.security.csrf import csrf_token

router = APIRouter(prefix="/api", tags=["joining"], dependencies=[Depends(require_csrf)])
join_router = APIRouter(prefix="/api/join", tags=["joining"], dependencies=[Depends(require_same_origin)])


async def join_info(db: DbDep, invitation: Invitation, session: DialogueSession) -> JoinInfo:
    rules = await current_rules(db, session_id=session.id)
    languages = await languages_of(db, session=session)
    shown = seats.rules_shown(rules, invitation.language, languages)
    return JoinInfo(
        session_title=texts_of(session.title, languages[0]),
        starts_at=session.starts_at,
        time_zone=session.time_zone,
        languages=languages,
        language=invitation.language,
        role=invitation.role,
        ground_rules=texts_of(rules.text, languages[0]),
        rules_version=rules.version,
        rules_language=shown.language,
        rules_fallback=shown.fallback,
        lobby_message=texts_of(session.lobby_message, languages[0]),
        keep_transcript=session.keep_transcript,
        consented=invitation.consented_at is not None and invitation.consent_rules_version == rules.version,
    )


def my_seat_view(request: Request, seat: Seat) -> MySeat:
    return MySeat(
        id=seat.id,
        session_id=seat.session_id,
        display_name=seat.display_name,
        role=seat.role,
        status=seat.status,
        status_reason=seat.status_reason,
        csrf_token=csrf_token(request),
    )


@join_router.post("")
async def look_up(body: JoinToken, db: DbDep, now: NowDep) -> JoinInfo:
    """What the link leads to. Any unusable link gets the same 404, revealing nothing."""
    invitation, session = await invitations.find_usable_invitation(db, token=body.token, now=now)
    return await join_info(db, invitation, session)


@join_router.post("/language")
async def choose_language(body: JoinLanguage, db: DbDep, now: NowDep) -> JoinInfo:
    """Remember the language the person chose."""
    invitation, session = await invitations.find_usable_invitation(db, token=body.token, now=now)
    seats.choose_language(db, invitation=invitation, language=body.language)
    return await join_info(db, invitation, session)


@join_router.post("/consent")
async def consent(body: JoinConsent, db: DbDep, now: NowDep) -> JoinInfo:
    """Accept this version of the ground rules and the anonymised transcript."""
    invitation, session = await invitations.find_usable_invitation(db, token=body.token, now=now)
    await seats.give_consent(
        db,
        invitation=invitation,
        session=session,
        rules_version=body.rules_version,
        accept_rules=body.accept_rules,
        accept_transcript=body.accept_transcript,
        now=now,
        rules_language=body.rules_language,
    )
    return await join_info(db, invitation, session)


@join_router.post("/claim")
async def claim(body: JoinClaim, request: Request, response: Response, db: DbDep, now: NowDep) -> MySeat:
    """Take the seat under a display name; the browser gets the seat cookie."""
    invitation, session = await invitations.find_usable_invitation(db, token=body.token, now=now)
    seat, cookie = await lobby.take_seat(
        db, invitation=invitation, session=session, display_name=body.display_name, now=now
    )
    set_seat_cookie(request, response, session_id=session.id, token=cookie)
    return my_seat_view(request, seat)


@router.get("/sessions/{session_id}/me")
async def my_seat(request: Request, seat: SeatDep) -> MySeat:
    """The caller's own seat (by its seat cookie): waiting in the lobby, admitted, …"""
    return my_seat_view(request, seat)
