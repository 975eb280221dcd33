"""The pending-login cookie: a login between its password step and its session."""

from __future__ import annotations

from fastapi import Request, Response

from app.security.cookies import clear_private_cookie, set_private_cookie
from app.security.second_factor import PENDING_LOGIN_COOKIE, PENDING_LOGIN_TTL, PendingLogin, read_pending_login


def set_pending_cookie(request: Request, response: Response, token: str) -> None:
    set_private_cookie(request, response, PENDING_LOGIN_COOKIE, token, max_age=int(PENDING_LOGIN_TTL.total_seconds()))


def clear_pending_cookie(request: Request, response: Response) -> None:
    clear_private_cookie(request, response, PENDING_LOGIN_COOKIE)


def pending_cookie(request: Request) -> str | None:
    return request.cookies.get(PENDING_LOGIN_COOKIE)


def peek_pending_login(request: Request) -> PendingLogin | None:
    """The pending login this browser is in, if its cookie is valid (signature and age only)."""
    state = request.app.state
    return read_pending_login(pending_cookie(request), key=state.settings.effective_secret, now=state.clock.now())
