"""The room page: a participant's room (seat cookie) or the facilitator's console (login).

The page is a shell; the browser app (frontend/static/js/room/) fills it over the room's
WebSocket. Whoever may not be in the room is sent where they belong: the waiting page for
a seat that is not admitted (or a room not open yet), the login for nobody at all.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.deps import DbDep, OptionalLogin, PathId
from app.dialogues.content import languages_of
from app.dialogues.models import DialogueSession, SeatStatus
from app.dialogues.seat_cookie import seat_cookie_name
from app.dialogues.seats import seat_by_cookie
from app.dialogues.sessions import session_access
from app.errors import NotAuthenticated, NotFound
from app.facilitation.entry import ROOM_STATUSES
from app.facilitation.statements import MAX_STATEMENT_CHARS
from app.messages import Msg
from app.programmes.models import Programme
from app.programmes.service import communities_of
from app.programmes.texts import pick
from app.web import i18n
from app.web.redirects import see_other
from app.web.templating import render_page

router = APIRouter()


@router.get("/sessions/{session_id}/room")
async def room_page(session_id: PathId, request: Request, db: DbDep, login: OptionalLogin) -> Response:
    session = await db.get(DialogueSession, session_id)
    if session is None:
        raise NotFound(Msg("There is no such session."))
    seat = await seat_by_cookie(db, session_id=session_id, token=request.cookies.get(seat_cookie_name(session_id)))
    if seat is not None and seat.user_id is None:
        if seat.status is not SeatStatus.admitted or session.status.value not in ROOM_STATUSES:
            return see_other(f"/sessions/{session_id}/waiting")
        role = "participant"
    elif login is not None:
        access = await session_access(db, user=login.user, session_id=session_id, facilitator=True)
        session = access.session
        role = "facilitator"
    else:
        raise NotAuthenticated(Msg("Open your invitation link or log in first."))
    # The same choice as every page's (the footer's switch, the seat's language, the browser's):
    # the page and the room's own catalog must agree.
    language_hint = {"participant_language": seat.language} if role == "participant" and seat else {}
    lang = i18n.page_language(request, language_hint)
    communities = {
        c.key: c.labels.get(lang) or c.labels.get("en") or c.key
        for c in await communities_of(db, programme_id=session.programme_id)
    }
    languages = await languages_of(db, session=session)
    programme = await db.get(Programme, session.programme_id)
    return render_page(
        request,
        "room/room.html",
        {
            "session": session,
            # The title in the reader's language (or a marked fallback); the room's other texts
            # are picked in the browser from the welcome frame's maps, by the same rule.
            "title": pick(session.title, lang, languages),
            "facilitator": role == "facilitator",
            "room_open": session.status.value in ROOM_STATUSES,
            **language_hint,
            "room_data": {
                "session_id": session.id,
                "role": role,
                "lang": lang,
                "communities": communities,
                # Each programme language's name, for the console's fields in each language.
                "language_names": {code: i18n.CONTENT_LANGUAGE_NAMES.get(code, code) for code in languages},
                "waiting_url": f"/sessions/{session.id}/waiting",
                "max_statement_chars": MAX_STATEMENT_CHARS,
                # What the closing screen tells participants when the session ends.
                "keep_transcript": session.keep_transcript,
                "withdrawal_hours": programme.withdrawal_hours if programme else 72,
            },
        },
    )
