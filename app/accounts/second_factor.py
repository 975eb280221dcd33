"""The rules for staff accounts' second factor: who needs one, enrolment, codes at login
(throttled, never twice), recovery codes, disabling, and the admin's clearing of a lost one.

The log records what happened to whose account, never a secret or a code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import Role, User
from app.config import Settings
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.messages import Msg
from app.security import second_factor as totp
from app.security.login_sessions import end_all_login_sessions
from app.security.models import RecoveryCode, SecondFactor
from app.security.throttle import LoginThrottle

log = structlog.get_logger(__name__)

# An enrolment that was started but not confirmed keeps its secret this long, so that
# reloading the page shows the same QR code; after that a new secret is drawn.
ENROLMENT_FRESH = timedelta(hours=1)


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    qr_code: str  # an SVG data URI

    @property
    def grouped_secret(self) -> str:
        return totp.grouped_secret(self.secret)


@dataclass(frozen=True)
class FactorStatus:
    enrolled: bool
    required: bool
    confirmed_at: datetime | None
    recovery_codes_left: int


def is_required(settings: Settings, role: Role) -> bool:
    return role.value in settings.require_totp_for


def _wrong_code(
    message: str = Msg("The code is not correct. Enter the current code from your app."),
) -> ValidationFailed:
    return ValidationFailed(
        message, code="wrong_code", details=[{"field": "code", "type": "wrong_code", "message": message}]
    )


def _throttle_key(user_id: int) -> str:
    # Its own budget, apart from the password's: a right password gives the password's
    # budget back, and must not give back the code's.
    return f"second-factor:{user_id}"


async def confirmed_factor(db: AsyncSession, *, user_id: int) -> SecondFactor | None:
    factor = await db.get(SecondFactor, user_id)
    return factor if factor is not None and factor.confirmed_at is not None else None


async def status(db: AsyncSession, *, user: User, settings: Settings) -> FactorStatus:
    factor = await confirmed_factor(db, user_id=user.id)
    left = (
        await db.exec(
            select(func.count())
            .select_from(RecoveryCode)
            .where(col(RecoveryCode.user_id) == user.id, col(RecoveryCode.used_at).is_(None))
        )
    ).one()
    return FactorStatus(
        enrolled=factor is not None,
        required=is_required(settings, user.role),
        confirmed_at=factor.confirmed_at if factor else None,
        recovery_codes_left=int(left) if factor else 0,
    )


async def enrolled_user_ids(db: AsyncSession) -> set[int]:
    rows = await db.exec(select(SecondFactor.user_id).where(col(SecondFactor.confirmed_at).is_not(None)))
    return set(rows.all())


async def start_enrolment(db: AsyncSession, *, user: User, settings: Settings, now: datetime) -> Enrolment:
    """The secret to put into an authenticator app; the same one until confirmed or stale."""
    key = settings.effective_secret
    factor = await db.get(SecondFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict(
            Msg("A second factor is already set up for this account."), code="second_factor_already_enrolled"
        )
    if factor is not None and now - factor.created_at < ENROLMENT_FRESH:
        secret = totp.unseal_secret(factor.secret, key=key)
    else:
        secret = totp.new_totp_secret()
        if factor is None:
            factor = SecondFactor(user_id=user.id, secret="", created_at=now)
        factor.secret = totp.seal_secret(secret, key=key)
        factor.created_at = now
        factor.last_used_step = None
        db.add(factor)
        await db.flush()
    uri = totp.provisioning_uri(secret, account_name=user.username)
    return Enrolment(secret=secret, uri=uri, qr_code=totp.qr_code_data_uri(uri))


async def _replace_recovery_codes(db: AsyncSession, *, user_id: int, key: str, now: datetime) -> list[str]:
    await db.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    codes = totp.new_recovery_codes()
    for code in codes:
        db.add(RecoveryCode(user_id=user_id, code_hash=totp.recovery_code_hash(code, key=key), created_at=now))
    await db.flush()
    return codes


async def _accept_step(db: AsyncSession, *, user_id: int, step: int) -> bool:
    """Record that this time step was used; False if it (or a later one) already was.

    One conditional UPDATE, so two requests racing with the same code cannot both win.
    """
    result = await db.exec(
        update(SecondFactor)
        .where(
            col(SecondFactor.user_id) == user_id,
            or_(col(SecondFactor.last_used_step).is_(None), col(SecondFactor.last_used_step) < step),
        )
        .values(last_used_step=step)
    )
    return bool(result.rowcount)


async def _check_totp(db: AsyncSession, *, factor: SecondFactor, code: str, key: str, now: datetime) -> None:
    step = totp.matching_step(totp.unseal_secret(factor.secret, key=key), code, now=now)
    if step is None:
        raise _wrong_code()
    if not await _accept_step(db, user_id=factor.user_id, step=step):
        raise _wrong_code(Msg("This code was used already. Wait for the next code in your app and enter that one."))


async def confirm_enrolment(
    db: AsyncSession,
    *,
    user: User,
    code: str,
    settings: Settings,
    throttle: LoginThrottle,
    client_address: str | None,
    now: datetime,
) -> list[str]:
    """Turn the started enrolment on with a first code from the app; return the recovery codes (shown once)."""
    key = settings.effective_secret
    factor = await db.get(SecondFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict(
            Msg("A second factor is already set up for this account."), code="second_factor_already_enrolled"
        )
    if factor is None or now - factor.created_at >= ENROLMENT_FRESH:
        raise Conflict(Msg("The set-up has expired. Start again with a new code."), code="enrolment_expired")
    await throttle.spend_attempt(username=_throttle_key(user.id), client_address=client_address)
    await _check_totp(db, factor=factor, code=code, key=key, now=now)
    await throttle.record_success(username=_throttle_key(user.id))
    factor.confirmed_at = now
    db.add(factor)
    codes = await _replace_recovery_codes(db, user_id=user.id, key=key, now=now)
    log.info("second_factor_enrolled", user_id=user.id)
    return codes


async def verify(
    db: AsyncSession,
    *,
    user: User,
    code: str,
    settings: Settings,
    throttle: LoginThrottle,
    client_address: str | None,
    now: datetime,
    allow_recovery_code: bool = True,
) -> None:
    """Check a code from the authenticator, or (allowed by default) one of the recovery codes,
    which is then spent. Throttled per account; a code is never accepted twice."""
    key = settings.effective_secret
    factor = await confirmed_factor(db, user_id=user.id)
    if factor is None:
        raise Conflict(Msg("No second factor is set up for this account."), code="second_factor_not_enrolled")
    await throttle.spend_attempt(username=_throttle_key(user.id), client_address=client_address)
    if totp.looks_like_totp(code):
        await _check_totp(db, factor=factor, code=code, key=key, now=now)
    elif allow_recovery_code:
        spent = await db.exec(
            update(RecoveryCode)
            .where(
                col(RecoveryCode.user_id) == user.id,
                col(RecoveryCode.code_hash) == totp.recovery_code_hash(code, key=key),
                col(RecoveryCode.used_at).is_(None),
            )
            .values(used_at=now)
        )
        if not spent.rowcount:
            raise _wrong_code(
                Msg("The code is not correct. Enter the current code from your app, or an unused recovery code.")
            )
        log.info("second_factor_recovery_code_used", user_id=user.id)
    else:
        raise _wrong_code()
    await throttle.record_success(username=_throttle_key(user.id))


async def regenerate_recovery_codes(
    db: AsyncSession,
    *,
    user: User,
    code: str,
    settings: Settings,
    throttle: LoginThrottle,
    client_address: str | None,
    now: datetime,
) -> list[str]:
    """New recovery codes for old ones (all of which stop working); needs a current code from the app."""
    await verify(
        db,
        user=user,
        code=code,
        settings=settings,
        throttle=throttle,
        client_address=client_address,
        now=now,
        allow_recovery_code=False,
    )
    codes = await _replace_recovery_codes(db, user_id=user.id, key=settings.effective_secret, now=now)
    log.info("second_factor_recovery_codes_replaced", user_id=user.id)
    return codes


async def _remove(db: AsyncSession, *, user_id: int) -> None:
    await db.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    await db.exec(delete(SecondFactor).where(col(SecondFactor.user_id) == user_id))


async def disable(
    db: AsyncSession,
    *,
    user: User,
    code: str,
    settings: Settings,
    throttle: LoginThrottle,
    client_address: str | None,
    now: datetime,
) -> None:
    """Turn one's own second factor off, with a code; refused where the role requires one."""
    if is_required(settings, user.role):
        raise PermissionDenied(
            Msg(
                "Your role needs a second factor: it cannot be turned off. An administrator can clear it if your authenticator is lost."
            ),
            code="second_factor_required_by_role",
        )
    await verify(db, user=user, code=code, settings=settings, throttle=throttle, client_address=client_address, now=now)
    await _remove(db, user_id=user.id)
    log.info("second_factor_disabled", user_id=user.id)


async def clear_by_admin(db: AsyncSession, *, actor: User, user_id: int, now: datetime) -> User:
    """An admin removes a person's second factor (a lost phone); the person's logins end, and
    the next login sets one up again where the role requires it."""
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound(Msg("There is no such account."))
    await _remove(db, user_id=user.id)
    await end_all_login_sessions(db, user_id=user.id, now=now, reason="second_factor_cleared")
    await db.flush()
    log.info("second_factor_cleared", user_id=user.id, by_user_id=actor.id)
    return user
