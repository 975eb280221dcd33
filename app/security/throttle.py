"""Login throttling per account and per client, on the `limits` library.

Counts login attempts in a moving window; a successful login resets its account's
count. Counters live in memory for a single
process and in Redis when several instances share the load. Clients are keyed by
an HMAC of their address, so no IP address is ever stored, even in Redis.
"""

from __future__ import annotations

import math
import time

import limits
from limits.aio.storage import Storage as AsyncStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from app.errors import TooManyRequests
from app.security.tokens import keyed_digest


def make_storage(redis_url: str | None, *, key_prefix: str, name: str) -> AsyncStorage:
    """Counters in memory for one process, in Redis when instances share the load."""
    if redis_url:
        uri = "async+" + redis_url if not redis_url.startswith("async+") else redis_url
        storage = storage_from_string(uri, implementation="redispy", key_prefix=f"{key_prefix}{name}")
    else:
        storage = storage_from_string("async+memory://")
    # An "async+" URI always gives an asyncio storage (the limiters assert the same).
    assert isinstance(storage, AsyncStorage)
    return storage


class StatementLimit:
    """How fast one seat may post statements; answers how long to wait, or None."""

    def __init__(self, *, rate: str, redis_url: str | None, key_prefix: str) -> None:
        self._limiter = MovingWindowRateLimiter(make_storage(redis_url, key_prefix=key_prefix, name="statements"))
        self._rate = limits.parse(rate)
        self.rate = rate

    async def statement_wait(self, seat_id: int) -> float | None:
        if await self._limiter.hit(self._rate, "seat", str(seat_id)):
            return None
        stats = await self._limiter.get_window_stats(self._rate, "seat", str(seat_id))
        return round(max(0.1, stats.reset_time - time.time()), 1)


class LoginThrottle:
    def __init__(
        self,
        *,
        per_account: str,
        per_client: str,
        secret: str,
        redis_url: str | None = None,
        key_prefix: str = "roundtable:",
    ) -> None:
        storage = make_storage(redis_url, key_prefix=key_prefix, name="throttle")
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)
        self._per_account = limits.parse(per_account)
        self._per_client = limits.parse(per_client)
        self._secret = secret

    def _client_key(self, client_address: str | None) -> str:
        return keyed_digest(self._secret, "login-client", client_address or "unknown")[:32]

    @staticmethod
    def _account_key(username: str) -> str:
        return username.strip().lower()[:64]

    async def spend_attempt(self, *, username: str, client_address: str | None) -> None:
        """Take one attempt from both budgets before any password is checked.

        Spending first (an atomic hit in memory and in Redis) means parallel guesses
        cannot all slip through while the slow password check runs; a successful
        login gives the account's budget back.
        """
        budgets = [
            (self._per_account, "account", self._account_key(username)),
            (self._per_client, "client", self._client_key(client_address)),
        ]
        for item, kind, key in budgets:
            if not await self._limiter.hit(item, kind, key):
                stats = await self._limiter.get_window_stats(item, kind, key)
                wait = max(1, math.ceil(stats.reset_time - time.time()))
                minutes = max(1, math.ceil(wait / 60))
                raise TooManyRequests(
                    f"Too many failed logins. Please wait {minutes} minute{'s' if minutes != 1 else ''} and try again.",
                    code="login_throttled",
                    retry_after=wait,
                )

    async def record_success(self, *, username: str) -> None:
        await self._limiter.clear(self._per_account, "account", self._account_key(username))

    async def ping(self) -> bool:
        return bool(await self._storage.check())
