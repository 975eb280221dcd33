"""Dependencies shared by routes: the unit of work, the clock, the current account."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.login_flow import STEP_MESSAGES
from app.accounts.models import Role, User, Viewer
from app.config import Settings
from app.db import MAX_ID
from app.errors import NotAuthenticated, PermissionDenied
from app.security.cookies import LOGIN_COOKIE
from app.security.csrf import check_origin, verify_csrf
from app.security.login_sessions import ActiveLogin, SessionPolicy, resolve_login_session
from app.security.passwords import Passwords
from app.security.pending_login import peek_pending_login
from app.security.throttle import LoginThrottle


async def _unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    # scope="function" below: the commit happens before the response is sent, so
    # nothing is acknowledged that was not stored.
    async with request.app.state.db.unit_of_work() as session:
        yield session


DbDep = Annotated[AsyncSession, Depends(_unit_of_work, scope="function")]

# An id in a path: a whole number the database can hold (a larger one is answered 422, not
# passed on to overflow there).
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def remember_viewer(request: Request, login_id: int | None, user: User | None) -> None:
    """Keep who is asking on request.state as plain values (CSRF binding, page header)."""
    request.state.login_id = login_id
    request.state.user = (
        Viewer(id=user.id, username=user.username, full_name=user.full_name, role=user.role)
        if user is not None
        else None
    )


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_now(request: Request) -> datetime:
    return request.app.state.clock.now()


def get_passwords(request: Request) -> Passwords:
    return request.app.state.passwords


def get_throttle(request: Request) -> LoginThrottle:
    return request.app.state.throttle


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
NowDep = Annotated[datetime, Depends(get_now)]
PasswordsDep = Annotated[Passwords, Depends(get_passwords)]
ThrottleDep = Annotated[LoginThrottle, Depends(get_throttle)]


def session_policy(settings: Settings) -> SessionPolicy:
    return SessionPolicy(
        idle=timedelta(minutes=settings.login_idle_minutes),
        absolute=timedelta(hours=settings.login_absolute_hours),
    )


async def get_optional_login(request: Request, db: DbDep, settings: SettingsDep, now: NowDep) -> ActiveLogin | None:
    """The login behind the cookie, if any; also remembered on request.state for CSRF."""
    active = await resolve_login_session(
        db, token=request.cookies.get(LOGIN_COOKIE), now=now, policy=session_policy(settings)
    )
    remember_viewer(request, active.login.id if active else None, active.user if active else None)
    return active


OptionalLogin = Annotated[ActiveLogin | None, Depends(get_optional_login)]


async def require_csrf(request: Request, _login: OptionalLogin) -> None:
    """Router dependency: every unsafe request from a browser needs a valid CSRF token."""
    await verify_csrf(request)


async def require_same_origin(request: Request) -> None:
    """For the few unsafe JSON routes open to non-browser clients (API login)."""
    check_origin(request)


async def get_current_login(request: Request, login: OptionalLogin) -> ActiveLogin:
    if login is None:
        pending = peek_pending_login(request)
        if pending is not None:
            # A login still in its steps has no session yet; say which step it waits for
            # (pages go to /login, which resumes it).
            raise NotAuthenticated(STEP_MESSAGES[pending.step], code=f"{pending.step.value}_required")
        raise NotAuthenticated()
    return login


CurrentLogin = Annotated[ActiveLogin, Depends(get_current_login)]


async def get_current_user(login: CurrentLogin) -> User:
    return login.user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency that lets only accounts with one of these roles through."""

    async def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise PermissionDenied()
        return user

    return check


AdminUser = Annotated[User, Depends(require_role(Role.admin))]


def client_address(request: Request) -> str | None:
    """The peer address (after trusted proxy headers); used only for throttling, never logged."""
    return request.client.host if request.client else None
