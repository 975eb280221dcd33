"""The mechanics of staff accounts' second factor: TOTP secrets (RFC 6238, pyotp), their QR
code (segno, an SVG data URI the CSP's `img-src data:` allows), recovery codes and the
short-lived signed token that carries a login between its password step and its session.

No database here: app/accounts/second_factor.py holds the rules.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import pyotp
import segno

from app.security.tokens import keyed_digest, same

ISSUER = "Roundtable"
DIGITS = 6
PERIOD_SECONDS = 30
# One step either side: a phone's clock a little off, or a code typed as it turned over.
VALID_WINDOW = 1

RECOVERY_CODE_COUNT = 10
# Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, U/V).
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
RECOVERY_GROUP = 5  # shown as two groups of five: ABCDE-FGHJK (about 48 bits)

PENDING_LOGIN_COOKIE = "rt_pending_login"
PENDING_LOGIN_TTL = timedelta(minutes=10)

_CODE = re.compile(r"^\d{6}$")


# Secrets at rest ---------------------------------------------------------------------------
#
# A sealed secret names how it was sealed. Only "plain:" exists today: no maintained
# authenticated-encryption library is a dependency yet (`cryptography` would be; its Fernet
# with a key derived from the secret key is the intended "fernet:" scheme). Unsealing
# dispatches on the prefix, so secrets stored now keep working when encryption arrives.


def seal_secret(secret: str, *, key: str) -> str:
    """The TOTP secret as stored. `key` is the deployment's secret key (for the coming scheme)."""
    del key  # not used by the "plain:" scheme
    return "plain:" + secret


def unseal_secret(sealed: str, *, key: str) -> str:
    del key
    scheme, _, value = sealed.partition(":")
    if scheme != "plain" or not value:
        raise ValueError(f"unknown sealing scheme {scheme!r}")
    return value


# TOTP ----------------------------------------------------------------------------------------


def new_totp_secret() -> str:
    """160 random bits in base32, as RFC 4226 recommends and authenticator apps expect."""
    return pyotp.random_base32(length=32)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_SECONDS)


def provisioning_uri(secret: str, *, account_name: str) -> str:
    return _totp(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """The otpauth URI as a QR code in an SVG data URI, black on white for any theme."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff"))


def grouped_secret(secret: str) -> str:
    """The secret in groups of four letters, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    """What people type: spaces and dashes ("123 456") are not part of the code."""
    return re.sub(r"[\s-]", "", code)


def looks_like_totp(code: str) -> bool:
    return bool(_CODE.match(normalise_code(code)))


def matching_step(secret: str, code: str, *, now: datetime) -> int | None:
    """The time step whose code this is (within the valid window), or None.

    The caller stores the step and accepts only newer ones, so a code seen once cannot be
    played again (pyotp's `verify` does not say which step matched, hence this loop).
    """
    code = normalise_code(code)
    if not _CODE.match(code):
        return None
    totp = _totp(secret)
    current = totp.timecode(now)
    found: int | None = None
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        # Every candidate is compared, so the time taken does not tell which one matched.
        if hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            found = current + offset
    return found


# Recovery codes ------------------------------------------------------------------------------


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(2 * RECOVERY_GROUP))
        codes.add(f"{raw[:RECOVERY_GROUP]}-{raw[RECOVERY_GROUP:]}")
    return sorted(codes)


def normalise_recovery_code(code: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", code.upper())


def recovery_code_hash(code: str, *, key: str) -> str:
    """A keyed hash: the codes are random enough that a fast HMAC cannot be brute-forced."""
    return keyed_digest(key, "recovery-code", normalise_recovery_code(code))


# Pending login -------------------------------------------------------------------------------


class LoginStep(StrEnum):
    """What a login still needs after its password was right."""

    second_factor = "second_factor"  # a code from the authenticator, or a recovery code
    password_change = "password_change"  # an admin reset the password: choose a new one
    second_factor_enrolment = "second_factor_enrolment"  # the role needs a factor: set one up


@dataclass(frozen=True)
class PendingLogin:
    user_id: int
    issued: int  # seconds since the epoch, by the app's clock
    step: LoginStep
    factor_passed: bool
    password_marker: str


def password_marker(password_hash: str, *, key: str) -> str:
    """Binds a pending login to the password it was started with: a reset ends it."""
    return keyed_digest(key, "pending-login-password", password_hash)[:16]


def _signature(key: str, body: str) -> str:
    return keyed_digest(key, "pending-login", body)


def issue_pending_login(
    *, user_id: int, step: LoginStep, factor_passed: bool, password_hash: str, key: str, now: datetime
) -> str:
    """An opaque value for the pending-login cookie. Never holds the password, only an HMAC of its hash."""
    marker = password_marker(password_hash, key=key)
    body = f"{user_id}.{int(now.timestamp())}.{step.value}.{int(factor_passed)}.{marker}"
    encoded = base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")
    return f"{encoded}.{_signature(key, body)}"


def read_pending_login(token: str | None, *, key: str, now: datetime) -> PendingLogin | None:
    """The pending login a cookie names, if its signature holds and it is still fresh."""
    if not token or len(token) > 512:
        return None
    encoded, _, signature = token.rpartition(".")
    try:
        body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not same(_signature(key, body), signature):
        return None
    try:
        user_id, issued, step, factor_passed, marker = body.split(".")
        pending = PendingLogin(
            user_id=int(user_id),
            issued=int(issued),
            step=LoginStep(step),
            factor_passed=factor_passed == "1",
            password_marker=marker,
        )
    except ValueError:
        return None
    age = now.timestamp() - pending.issued
    if not -60 <= age < PENDING_LOGIN_TTL.total_seconds():
        return None
    return pending
