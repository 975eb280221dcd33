"""Pages for following an invitation: language, ground rules and consent, name, lobby.

The link's token is read once from the URL and then kept in an HttpOnly cookie
scoped to /join, so it does not stay in the address bar or travel further.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.deps import DbDep, NowDep, PathId, require_csrf
from app.dialogues import invitations, seats
from app.dialogues.content import languages_of
from app.dialogues.invitations import InvalidInvitation
from app.dialogues.models import DialogueSession, Invitation, SeatRole, SeatStatus
from app.dialogues.seat_cookie import seat_cookie_name, set_seat_cookie
from app.dialogues.sessions import current_rules
from app.errors import AppError
from app.facilitation import devices, lobby
from app.facilitation.entry import ROOM_STATUSES
from app.messages import Msg
from app.outcomes import answers
from app.outcomes.models import Phase
from app.programmes.models import UI_LANGUAGES, Programme
from app.security.cookies import clear_private_cookie, set_private_cookie
from app.transcripts import service as transcripts
from app.web.forms import FormState
from app.web.i18n import CONTENT_LANGUAGE_NAMES, page_language
from app.web.redirects import see_other
from app.web.survey_pages import DONE_NOTES
from app.web.templating import render_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

JOIN_COOKIE = "rt_join"


async def _pending(request: Request, db: DbDep, now: NowDep) -> tuple[Invitation, DialogueSession]:
    """The invitation this browser is following; InvalidInvitation (its own page) if none."""
    return await invitations.find_usable_invitation(db, token=request.cookies.get(JOIN_COOKIE, ""), now=now)


PendingDep = Annotated[tuple[Invitation, DialogueSession], Depends(_pending)]


@router.get("/join/language")
async def join_language(request: Request, db: DbDep, now: NowDep, pending: PendingDep) -> Response:
    invitation, session = pending
    programme = await db.get(Programme, session.programme_id)
    offered = [code for code in UI_LANGUAGES if programme and code in programme.languages] or list(UI_LANGUAGES)
    others = [code for code in UI_LANGUAGES if code not in offered]
    return render_page(
        request,
        "join/language.html",
        {
            "offered": offered,
            "others": others,
            "language_names": CONTENT_LANGUAGE_NAMES,
            "current": invitation.language,
            "participant_language": invitation.language,
            "survey_step": invitation.role is SeatRole.participant,
        },
    )


@router.post("/join/language")
async def join_language_submit(request: Request, db: DbDep, now: NowDep, pending: PendingDep) -> Response:
    invitation, _session = pending
    language = str((await request.form()).get("language", ""))
    seats.choose_language(db, invitation=invitation, language=language)  # an unknown one: 422
    # Nothing about the choice is kept in the browser: on a shared device a language
    # could hint at a community.
    return see_other("/join/rules")


async def _rules_page(
    request: Request,
    db: DbDep,
    invitation: Invitation,
    session: DialogueSession,
    form: FormState,
    status_code: int = 200,
) -> Response:
    rules = await current_rules(db, session_id=session.id)
    languages = await languages_of(db, session=session)
    # The page's language: the one the person chose while joining, unless they switched it.
    lang = page_language(request, {"participant_language": invitation.language})
    return render_page(
        request,
        "join/rules.html",
        {
            "lang": lang,
            "languages": languages,
            "session": session,
            "rules": rules,
            # In the reader's language (or a fallback, marked); the consent records which.
            "rules_text": seats.rules_shown(rules, lang, languages),
            "form": form,
            "role": invitation.role,
            "participant_language": invitation.language,
            "survey_step": invitation.role is SeatRole.participant,
        },
        status_code=status_code,
    )


@router.get("/join/rules")
async def join_rules(request: Request, db: DbDep, now: NowDep, pending: PendingDep) -> Response:
    invitation, session = pending
    return await _rules_page(
        request, db, invitation, session, FormState(fields=frozenset({"accept_rules", "accept_transcript"}))
    )


@router.post("/join/rules")
async def join_rules_submit(request: Request, db: DbDep, now: NowDep, pending: PendingDep) -> Response:
    invitation, session = pending
    raw = await request.form()
    form = FormState(values={}, fields=frozenset({"accept_rules", "accept_transcript"}))
    try:
        async with db.begin_nested():
            await seats.give_consent(
                db,
                invitation=invitation,
                session=session,
                rules_version=int(str(raw.get("rules_version", "0")) or 0),
                accept_rules=bool(raw.get("accept_rules")),
                accept_transcript=bool(raw.get("accept_transcript")),
                now=now,
                rules_language=str(raw.get("rules_language", ""))[:16] or None,
            )
        return see_other("/join/name")
    except AppError as exc:
        for detail in exc.details or []:
            form.errors[detail["field"]] = detail["message"]
        if not form.errors:
            form.message = exc.message
    except ValueError:
        form.message = Msg("Please read the ground rules again.")
    return await _rules_page(request, db, invitation, session, form, status_code=422)


@router.get("/join/name")
async def join_name(request: Request, db: DbDep, now: NowDep, pending: PendingDep) -> Response:
    invitation, session = pending
    if invitation.consented_at is None:
        return see_other("/join/rules")
    return render_page(
        request,
        "join/name.html",
        {
            "session": session,
            "form": FormState(fields=frozenset({"display_name"})),
            "participant_language": invitation.language,
            "survey_step": invitation.role is SeatRole.participant,
        },
    )


@router.post("/join/name")
async def join_name_submit(request: Request, db: DbDep, now: NowDep, pending: PendingDep) -> Response:
    invitation, session = pending
    name = str((await request.form()).get("display_name", ""))
    form = FormState(values={"display_name": name}, fields=frozenset({"display_name"}))
    try:
        async with db.begin_nested():
            seat, cookie = await lobby.take_seat(db, invitation=invitation, session=session, display_name=name, now=now)
        # The pre-survey next, where one is offered (participants; optional, and it says so).
        surveyed = await answers.offer(db, seat=seat, session=session, phase=Phase.pre, now=now)
        response = see_other(f"/sessions/{session.id}/{'survey/pre' if surveyed else 'waiting'}")
        set_seat_cookie(request, response, session_id=session.id, token=cookie)
        clear_private_cookie(request, response, JOIN_COOKIE, path="/join")
        return response
    except AppError as exc:
        if exc.code == "consent_required":
            return see_other("/join/rules")
        form.errors["display_name"] = exc.message
    return render_page(
        request,
        "join/name.html",
        {
            "session": session,
            "form": form,
            "participant_language": invitation.language,
            "survey_step": invitation.role is SeatRole.participant,
        },
        status_code=422,
    )


@router.get("/sessions/{session_id}/waiting")
async def waiting_room(
    session_id: PathId, request: Request, db: DbDep, now: NowDep, error: str = "", done: str = "", survey: str = ""
) -> Response:
    """A participant's own page before the live room: waiting, admitted, or turned away."""
    seat = await seats.seat_by_cookie(
        db, session_id=session_id, token=request.cookies.get(seat_cookie_name(session_id))
    )
    if seat is None:
        raise InvalidInvitation()
    session = await db.get(DialogueSession, session_id)
    if seat.status is SeatStatus.admitted and session is not None and session.status.value in ROOM_STATUSES:
        return see_other(f"/sessions/{session_id}/room")  # the room is open: straight in
    finished = session is not None and session.status.value in ("ended", "archived")
    mine = await transcripts.own_statements(db, seat=seat) if finished else []
    if session is None:
        raise InvalidInvitation()
    deadline = await transcripts.withdrawal_deadline(db, session=session) if finished else None
    # The survey of the moment, while it is offered: before the session, and after it until its deadline.
    survey_offer = await answers.offer(
        db, seat=seat, session=session, phase=Phase.post if finished else Phase.pre, now=now
    )
    return render_page(
        request,
        "join/waiting.html",
        {
            "seat": seat,
            "session": session,
            # The texts (the title, the facilitators' message to the lobby) in the page's language.
            "languages": await languages_of(db, session=session),
            "finished": finished,
            "fingerprint": lobby.waiting_fingerprint(seat, session),
            "mine": mine,
            # Until when their words may be withdrawn (a date, in the session's time zone).
            "withdraw_until": deadline,
            "withdraw_open": deadline is not None and now <= deadline,
            "error": error,
            "done": done,
            "survey_offer": survey_offer,
            # A thank-you after a survey was answered or skipped (survey_pages.py).
            "survey_note": survey if survey in DONE_NOTES else "",
            # The joining steps list "Survey" for the seats that get one.
            "survey_step": seat.role in answers.ANSWERING_ROLES,
        },
    )


# Last, so that /join/language and the other steps are not taken for a token.
@router.get("/join/{token}", name="join_start")
async def join_start(token: str, request: Request, db: DbDep, now: NowDep) -> Response:
    try:
        invitation, _session = await invitations.find_usable_invitation(db, token=token, now=now)
    except InvalidInvitation:
        # Used already: the same person may come back on this device (web/device_pages.py).
        await devices.movable_seat(db, token=token, now=now)
        response = see_other("/join/continue")
        set_private_cookie(request, response, JOIN_COOKIE, token, max_age=3600, path="/join")
        return response
    response = see_other("/join/language" if invitation.language is None else "/join/rules")
    set_private_cookie(request, response, JOIN_COOKIE, token, max_age=3 * 3600, path="/join")
    return response
