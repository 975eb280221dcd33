"""The rules for accounts: creating, authenticating, disabling, resetting and changing passwords."""

from __future__ import annotations

import re
from datetime import datetime

import structlog
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import Role, User
from app.accounts.schemas import USERNAME_PATTERN
from app.errors import BadRequest, Conflict, NotAuthenticated, NotFound, ValidationFailed
from app.messages import Msg
from app.security.login_sessions import end_all_login_sessions
from app.security.passwords import Passwords, check_password_strength
from app.security.throttle import LoginThrottle

log = structlog.get_logger(__name__)


async def get_user(db: AsyncSession, *, user_id: int) -> User:
    """The account with this id, or NotFound."""
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound(Msg("There is no such account."))
    return user


async def list_users(db: AsyncSession) -> list[User]:
    """Every account, admins first, then by username."""
    users = (await db.exec(select(User).order_by(col(User.role), col(User.username)))).all()
    return list(users)


async def create_user(
    db: AsyncSession,
    *,
    username: str,
    full_name: str,
    role: Role,
    password: str,
    passwords: Passwords,
    now: datetime,
) -> User:
    """Create an account after checking the password; a taken username is a Conflict."""
    username = username.strip().lower()
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise ValidationFailed(
            Msg("Use 3–64 lower-case letters, digits, dots, dashes or underscores for the username."),
            code="bad_username",
            details=[{"field": "username", "type": "bad_username", "message": Msg("Not a valid username.")}],
        )
    full_name = full_name.strip()
    if not 1 <= len(full_name) <= 200:
        raise ValidationFailed(Msg("The full name needs 1 to 200 characters."), code="bad_full_name")
    check_password_strength(password, username=username)
    existing = (await db.exec(select(User).where(User.username == username))).first()
    if existing is not None:
        raise Conflict(Msg("The username '{username}' is taken.", username=username), code="username_taken")
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        password_hash=await passwords.hash(password),
        created_at=now,
        updated_at=now,
    )
    try:
        # The INSERT runs inside the savepoint, so losing a race spoils only the savepoint.
        async with db.begin_nested():
            db.add(user)
            await db.flush()
    except IntegrityError as exc:  # a concurrent request took the name first
        raise Conflict(Msg("The username '{username}' is taken.", username=username), code="username_taken") from exc
    return user


async def authenticate(
    db: AsyncSession,
    *,
    username: str,
    password: str,
    client_address: str | None,
    passwords: Passwords,
    throttle: LoginThrottle,
    now: datetime,
) -> User:
    """Check a login attempt; throttled, timing-equal for unknown users, rehashes old hashes."""
    normalised = username.strip().lower()
    await throttle.spend_attempt(username=normalised, client_address=client_address)
    user = (await db.exec(select(User).where(User.username == normalised))).first()
    result = await passwords.verify(user.password_hash if user else None, password)
    if user is None or not result.ok or not user.is_active:
        # One message for every failure, so the answer does not reveal which accounts exist.
        raise NotAuthenticated(Msg("The username or password is not correct."), code="login_failed")
    if result.new_hash is not None:
        user.password_hash = result.new_hash
        user.updated_at = now
        db.add(user)
    await throttle.record_success(username=normalised)
    return user


async def set_active(db: AsyncSession, *, actor: User, user_id: int, active: bool, now: datetime) -> User:
    """Disable or re-enable an account; disabling ends all its login sessions."""
    user = await get_user(db, user_id=user_id)
    if user.id == actor.id and not active:
        raise BadRequest(Msg("You cannot disable your own account."), code="cannot_disable_self")
    if user.is_active == active:
        return user
    user.is_active = active
    user.disabled_at = None if active else now
    user.updated_at = now
    db.add(user)
    if not active:
        await end_all_login_sessions(db, user_id=user.id, now=now, reason="disabled")
    await db.flush()
    return user


async def reset_password(db: AsyncSession, *, user_id: int, password: str, passwords: Passwords, now: datetime) -> User:
    """Set a new password; every existing login of the account ends, and the next login must
    choose a password of its own (the admin knows this one)."""
    user = await get_user(db, user_id=user_id)
    check_password_strength(password, username=user.username)
    user.password_hash = await passwords.hash(password)
    user.must_change_password = True
    user.updated_at = now
    db.add(user)
    await end_all_login_sessions(db, user_id=user.id, now=now, reason="password_reset")
    await db.flush()
    log.info("password_reset_by_admin", user_id=user.id)
    return user


def _field_error(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details=[{"field": field, "type": code, "message": message}])


async def set_own_password(
    db: AsyncSession, *, user: User, new_password: str, passwords: Passwords, now: datetime, keep_login: int | None
) -> User:
    """The person's own new password. Every other login of the account ends (one stolen
    elsewhere among them); `keep_login`, the one that made the change, goes on."""
    try:
        check_password_strength(new_password, username=user.username)
    except ValidationFailed as exc:
        raise _field_error("new_password", exc.code, exc.message) from exc
    if (await passwords.verify(user.password_hash, new_password)).ok:
        raise _field_error("new_password", "same_password", Msg("Choose a password different from the current one."))
    user.password_hash = await passwords.hash(new_password)
    user.must_change_password = False
    user.updated_at = now
    db.add(user)
    await end_all_login_sessions(db, user_id=user.id, now=now, reason="password_changed", keep=keep_login)
    await db.flush()
    log.info("password_changed", user_id=user.id)
    return user


async def change_own_password(
    db: AsyncSession,
    *,
    user: User,
    current_password: str,
    new_password: str,
    passwords: Passwords,
    throttle: LoginThrottle,
    client_address: str | None,
    login_id: int,
    now: datetime,
) -> User:
    """A logged-in person changes their password; the current one is asked for (and its
    guesses throttled like logins), so an unattended browser is not enough."""
    await throttle.spend_attempt(username=user.username, client_address=client_address)
    if not (await passwords.verify(user.password_hash, current_password)).ok:
        raise _field_error("current_password", "wrong_password", Msg("The current password is not correct."))
    await throttle.record_success(username=user.username)
    return await set_own_password(
        db, user=user, new_password=new_password, passwords=passwords, now=now, keep_login=login_id
    )
