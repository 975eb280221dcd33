"""Server-side login sessions: created at login, checked on each request, revocable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.db import publish_after_commit
from app.events.revocations import CLOSE_LOGIN_ENDED, Revoked
from app.security.models import LoginSession
from app.security.tokens import hash_token, new_token

# Writing last_seen_at on every request would turn each page view into a write.
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class ActiveLogin:
    login: LoginSession
    user: User


async def start_login_session(
    db: AsyncSession, *, user: User, now: datetime, policy: SessionPolicy
) -> tuple[str, LoginSession]:
    """Create a login session for the user; return the cookie token and the row."""
    token = new_token()
    login = LoginSession(
        token_hash=hash_token(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.absolute,
    )
    db.add(login)
    await db.flush()
    return token, login


async def resolve_login_session(
    db: AsyncSession, *, token: str | None, now: datetime, policy: SessionPolicy
) -> ActiveLogin | None:
    """The live login behind a cookie token, or None if it is unknown, expired or revoked."""
    if not token or len(token) > 128:
        return None
    row = (
        await db.exec(
            select(LoginSession, User)
            .join(User, col(User.id) == col(LoginSession.user_id))
            .where(LoginSession.token_hash == hash_token(token))
        )
    ).first()
    if row is None:
        return None
    login, user = row
    if login.revoked_at is not None or not user.is_active:
        return None
    if now >= login.expires_at:
        return None
    if now - login.last_seen_at >= policy.idle:
        return None  # expired by time: nothing to write, it can never come back
    if now - login.last_seen_at >= TOUCH_INTERVAL:
        login.last_seen_at = now
        db.add(login)
    return ActiveLogin(login=login, user=user)


async def end_login_session(db: AsyncSession, *, login: LoginSession, now: datetime, reason: str = "logout") -> None:
    login.revoked_at = now
    login.revoked_reason = reason
    db.add(login)
    await db.flush()
    # Its open room connections close too, on every instance, once this commits.
    publish_after_commit(db, Revoked(code=CLOSE_LOGIN_ENDED, reason=reason, logins=(login.id,)))


async def end_login_by_token(db: AsyncSession, *, token: str | None, now: datetime, reason: str) -> None:
    """Revoke whatever login a cookie token names (used when a browser logs in again)."""
    if token and len(token) <= 128:
        ended = (
            (
                await db.exec(
                    update(LoginSession)
                    .where(col(LoginSession.token_hash) == hash_token(token), col(LoginSession.revoked_at).is_(None))
                    .values(revoked_at=now, revoked_reason=reason)
                    .returning(col(LoginSession.id))
                )
            )
            .scalars()
            .all()
        )
        if ended:
            publish_after_commit(db, Revoked(code=CLOSE_LOGIN_ENDED, reason=reason, logins=tuple(ended)))


async def end_all_login_sessions(
    db: AsyncSession, *, user_id: int, now: datetime, reason: str, keep: int | None = None
) -> None:
    """Revoke every live login of an account (disabled, password reset), but the one `keep`
    names (the login that changed its own password goes on)."""
    statement = update(LoginSession).where(col(LoginSession.user_id) == user_id, col(LoginSession.revoked_at).is_(None))
    if keep is not None:
        statement = statement.where(col(LoginSession.id) != keep)
    await db.exec(statement.values(revoked_at=now, revoked_reason=reason))
    publish_after_commit(db, Revoked(code=CLOSE_LOGIN_ENDED, reason=reason, user=user_id, except_login=keep))
