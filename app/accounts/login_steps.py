"""The HTTP side of a login in steps, shared by the pages and the JSON API: after each step,
either open the login session (every step done) or hand the browser the next step's
pending-login cookie."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts import login_flow
from app.accounts.models import User
from app.config import Settings
from app.deps import session_policy
from app.security.login_cookie import open_login
from app.security.pending_login import clear_pending_cookie, pending_cookie, set_pending_cookie
from app.security.second_factor import LoginStep


async def advance(
    request: Request,
    response: Response,
    db: AsyncSession,
    *,
    user: User,
    factor_passed: bool,
    settings: Settings,
    now: datetime,
) -> LoginStep | None:
    """Open the login if nothing is left to do (None), else set the next step's cookie and name it."""
    step = await login_flow.next_step(db, user=user, settings=settings, factor_passed=factor_passed)
    if step is None:
        if pending_cookie(request) is not None:
            clear_pending_cookie(request, response)
        await open_login(request, response, db, user=user, now=now, settings=settings, policy=session_policy(settings))
        return None
    token = login_flow.pending_token(user, step=step, factor_passed=factor_passed, settings=settings, now=now)
    set_pending_cookie(request, response, token)
    return step
