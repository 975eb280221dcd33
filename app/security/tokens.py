"""Random bearer tokens and the hashes under which they are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits of randomness


def new_token(nbytes: int = TOKEN_BYTES) -> str:
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """SHA-256 is enough for tokens of 128+ random bits: there is nothing to brute-force."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def keyed_digest(secret: str, *parts: str) -> str:
    """An HMAC over the parts, for values that must not be forgeable or reversible."""
    message = "\x1f".join(parts).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
