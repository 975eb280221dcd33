"""Coming back on another device: a used personal link, opened on a browser that does not
hold the seat, asks "Continue as <display name> on this device?"; confirming moves the seat
here (app/facilitation/devices.py). Registered before join_pages, whose /join/{token} is last."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.deps import DbDep, NowDep, require_csrf
from app.dialogues import seats
from app.dialogues.content import languages_of
from app.dialogues.seat_cookie import seat_cookie_name, set_seat_cookie
from app.facilitation import devices
from app.security.cookies import clear_private_cookie
from app.web.join_pages import JOIN_COOKIE
from app.web.redirects import see_other
from app.web.templating import render_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


@router.get("/join/continue")
async def continue_here(request: Request, db: DbDep, now: NowDep) -> Response:
    found = await devices.movable_seat(db, token=request.cookies.get(JOIN_COOKIE, ""), now=now)
    held = await seats.seat_by_cookie(
        db, session_id=found.session.id, token=request.cookies.get(seat_cookie_name(found.session.id))
    )
    if held is not None and held.id == found.seat.id:  # this browser holds the seat already
        return see_other(f"/sessions/{found.session.id}/waiting")
    return render_page(
        request,
        "join/continue.html",
        {
            "seat": found.seat,
            "session": found.session,
            "languages": await languages_of(db, session=found.session),
            "lang": found.seat.language,
        },
    )


@router.post("/join/continue")
async def continue_here_submit(request: Request, db: DbDep, now: NowDep) -> Response:
    seat, cookie_token = await devices.move_seat(db, token=request.cookies.get(JOIN_COOKIE, ""), now=now)
    response = see_other(f"/sessions/{seat.session_id}/waiting")
    set_seat_cookie(request, response, session_id=seat.session_id, token=cookie_token)
    clear_private_cookie(request, response, JOIN_COOKIE, path="/join")
    return response
