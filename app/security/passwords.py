"""Password hashing with argon2id, run in a worker thread so the event loop keeps serving."""

from __future__ import annotations

from dataclasses import dataclass

import anyio.to_thread
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.errors import ValidationFailed
from app.messages import Msg

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


@dataclass(frozen=True)
class Verification:
    ok: bool
    new_hash: str | None = None  # set when the stored hash used older parameters


class Passwords:
    """argon2id at the configured cost (OWASP: m=19 MiB, t=2, p=1 at the least)."""

    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        # A hash to verify against when the account does not exist, so that a wrong
        # username takes as long as a wrong password.
        self._dummy_hash = self._hasher.hash("roundtable-timing-equaliser")

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> Verification:
        return await anyio.to_thread.run_sync(self._verify_sync, stored_hash, password)

    def _verify_sync(self, stored_hash: str | None, password: str) -> Verification:
        try:
            self._hasher.verify(stored_hash or self._dummy_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verification(ok=False)
        if stored_hash is None:
            return Verification(ok=False)
        if self._hasher.check_needs_rehash(stored_hash):
            return Verification(ok=True, new_hash=self._hasher.hash(password))
        return Verification(ok=True)


def check_password_strength(password: str, *, username: str = "") -> None:
    """Refuse passwords that are too short, too long or trivially guessable."""
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Msg("The password needs at least {min_length} characters.", min_length=MIN_PASSWORD_LENGTH))
    elif len(password) > MAX_PASSWORD_LENGTH:
        problems.append(Msg("The password may have at most {max_length} characters.", max_length=MAX_PASSWORD_LENGTH))
    elif len(set(password)) < 4:
        problems.append(Msg("The password repeats too few different characters."))
    elif username and username.lower() in password.lower():
        problems.append(Msg("The password must not contain the username."))
    if problems:
        raise ValidationFailed(
            problems[0],
            code="weak_password",
            details=[{"field": "password", "type": "weak_password", "message": problems[0]}],
        )
