"""Opening and closing a login in the browser: session row, cookie, fresh CSRF nonce."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.config import Settings
from app.deps import remember_viewer
from app.security.cookies import LOGIN_COOKIE, clear_private_cookie, set_private_cookie
from app.security.csrf import rotate_nonce
from app.security.login_sessions import (
    ActiveLogin,
    SessionPolicy,
    end_login_by_token,
    end_login_session,
    start_login_session,
)


async def open_login(
    request: Request,
    response: Response,
    db: AsyncSession,
    *,
    user: User,
    now: datetime,
    settings: Settings,
    policy: SessionPolicy,
) -> None:
    # A browser that logs in again leaves no older login of its own behind.
    await end_login_by_token(db, token=request.cookies.get(LOGIN_COOKIE), now=now, reason="relogin")
    token, login = await start_login_session(db, user=user, now=now, policy=policy)
    set_private_cookie(request, response, LOGIN_COOKIE, token, max_age=settings.login_absolute_hours * 3600)
    remember_viewer(request, login.id, user)
    rotate_nonce(request)


async def close_login(
    request: Request, response: Response, db: AsyncSession, *, active: ActiveLogin | None, now: datetime
) -> None:
    if active is not None:
        await end_login_session(db, login=active.login, now=now)
    clear_private_cookie(request, response, LOGIN_COOKIE)
    remember_viewer(request, None, None)
    rotate_nonce(request)
