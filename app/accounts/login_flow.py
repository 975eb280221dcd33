"""A login in steps: the password first, then what the account still needs before its login
session is made — a second-factor code, a new password after an admin's reset, or setting up
a second factor that the role requires. Until every step is done there is no login session
at all, only a short-lived signed pending-login token (app/security/second_factor.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts import second_factor
from app.accounts.models import User
from app.config import Settings
from app.errors import Conflict, NotAuthenticated
from app.messages import Msg
from app.security.second_factor import (
    LoginStep,
    PendingLogin,
    issue_pending_login,
    password_marker,
    read_pending_login,
)
from app.security.tokens import same

STEP_MESSAGES = {
    LoginStep.second_factor: Msg("Enter the code from your authenticator app, or one of your recovery codes."),
    LoginStep.password_change: Msg("An administrator set your password. Choose a new one before you go on."),
    LoginStep.second_factor_enrolment: Msg(
        "Your role needs a second factor. Set up an authenticator app before you go on."
    ),
}


async def next_step(db: AsyncSession, *, user: User, settings: Settings, factor_passed: bool) -> LoginStep | None:
    """What this login still needs, in order: the code (before anything can be changed), a new
    password, then a second factor if the role needs one and none is set up. None: done."""
    factor = await second_factor.confirmed_factor(db, user_id=user.id)
    if factor is not None and not factor_passed:
        return LoginStep.second_factor
    if user.must_change_password:
        return LoginStep.password_change
    if factor is None and second_factor.is_required(settings, user.role):
        return LoginStep.second_factor_enrolment
    return None


def pending_token(user: User, *, step: LoginStep, factor_passed: bool, settings: Settings, now: datetime) -> str:
    return issue_pending_login(
        user_id=user.id,
        step=step,
        factor_passed=factor_passed,
        password_hash=user.password_hash,
        key=settings.effective_secret,
        now=now,
    )


def login_expired() -> NotAuthenticated:
    return NotAuthenticated(
        Msg("Your login has expired or was interrupted. Please log in again."), code="login_expired"
    )


async def resume(
    db: AsyncSession, *, token: str | None, settings: Settings, now: datetime
) -> tuple[User, PendingLogin]:
    """The account and progress a pending-login token names; the account must still be active
    and have the password the login was started with."""
    key = settings.effective_secret
    pending = read_pending_login(token, key=key, now=now)
    if pending is None:
        raise login_expired()
    user = await db.get(User, pending.user_id)
    if user is None or not user.is_active:
        raise login_expired()
    if not same(password_marker(user.password_hash, key=key), pending.password_marker):
        raise login_expired()
    return user, pending


async def expect_step(
    db: AsyncSession, *, user: User, pending: PendingLogin, settings: Settings, step: LoginStep
) -> None:
    """Refuse a step the login is not at (a form from an older tab, a skipped step)."""
    actual = await next_step(db, user=user, settings=settings, factor_passed=pending.factor_passed)
    if actual is not step:
        raise Conflict(Msg("This step of the login is not the one to do now."), code="wrong_login_step")
