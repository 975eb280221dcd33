"""The rules for accounts: creating, authenticating, disabling and resetting."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import Role, User
from app.errors import BadRequest, Conflict, NotAuthenticated, NotFound
from app.security.login_sessions import end_all_login_sessions
from app.security.passwords import Passwords, check_password_strength
from app.security.throttle import LoginThrottle


async def get_user(db: AsyncSession, *, user_id: int) -> User:
    """The account with this id, or NotFound."""
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("There is no such account.")
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
    check_password_strength(password, username=username)
    existing = (await db.exec(select(User).where(User.username == username))).first()
    if existing is not None:
        raise Conflict(f"The username '{username}' is taken.", code="username_taken")
    user = User(
        username=username,
        full_name=full_name.strip(),
        role=role,
        password_hash=await passwords.hash(password),
        created_at=now,
        updated_at=now,
    )
    db.add(user)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError as exc:  # a concurrent request took the name first
        raise Conflict(f"The username '{username}' is taken.", code="username_taken") from exc
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
    await throttle.check(username=normalised, client_address=client_address)
    user = (await db.exec(select(User).where(User.username == normalised))).first()
    result = await passwords.verify(user.password_hash if user else None, password)
    if user is None or not result.ok or not user.is_active:
        await throttle.record_failure(username=normalised, client_address=client_address)
        # One message for every failure, so the answer does not reveal which accounts exist.
        raise NotAuthenticated("The username or password is not correct.", code="login_failed")
    if result.new_hash is not None:
        user.password_hash = result.new_hash
        user.updated_at = now
        db.add(user)
    await throttle.record_success(username=normalised)
    return user


async def set_active(
    db: AsyncSession, *, actor: User, user_id: int, active: bool, now: datetime
) -> User:
    """Disable or re-enable an account; disabling ends all its login sessions."""
    user = await get_user(db, user_id=user_id)
    if user.id == actor.id and not active:
        raise BadRequest("You cannot disable your own account.", code="cannot_disable_self")
    if user.is_active == active:
        return user
    user.is_active = active
    user.disabled_at = None if active else now
    user.updated_at = now
    db.add(user)
    if not active:
        await end_all_login_sessions(db, user_id=user.id, now=now, reason="disabled")  # type: ignore[arg-type]
    await db.flush()
    return user


async def reset_password(
    db: AsyncSession, *, user_id: int, password: str, passwords: Passwords, now: datetime
) -> User:
    """Set a new password; every existing login of the account ends."""
    user = await get_user(db, user_id=user_id)
    check_password_strength(password, username=user.username)
    user.password_hash = await passwords.hash(password)
    user.updated_at = now
    db.add(user)
    await end_all_login_sessions(db, user_id=user.id, now=now, reason="password_reset")  # type: ignore[arg-type]
    await db.flush()
    return user
