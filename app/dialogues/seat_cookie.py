"""The seat cookie: an HttpOnly cookie per session that says which seat this browser holds."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from app.deps import DbDep
from app.dialogues.models import Seat
from app.dialogues.seats import seat_by_cookie
from app.errors import NotAuthenticated
from app.messages import Msg
from app.security.cookies import set_private_cookie

SEAT_COOKIE_DAYS = 30


def seat_cookie_name(session_id: int) -> str:
    return f"rt_seat_{session_id}"


def set_seat_cookie(request: Request, response: Response, *, session_id: int, token: str) -> None:
    set_private_cookie(request, response, seat_cookie_name(session_id), token, max_age=SEAT_COOKIE_DAYS * 86400)


async def current_seat(session_id: int, request: Request, db: DbDep) -> Seat:
    seat = await seat_by_cookie(db, session_id=session_id, token=request.cookies.get(seat_cookie_name(session_id)))
    if seat is None:
        raise NotAuthenticated(Msg("Open your invitation link to join this session."), code="no_seat")
    request.state.seat_language = seat.language  # errors answer in the seat's language (web/error_pages.py)
    return seat


SeatDep = Annotated[Seat, Depends(current_seat)]
