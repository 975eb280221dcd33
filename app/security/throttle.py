"""Login throttling per account and per client, on the `limits` library.

Counts failed logins in a moving window. Counters live in memory for a single
process and in Redis when several instances share the load. Clients are keyed by
an HMAC of their address, so no IP address is ever stored, even in Redis.
"""

from __future__ import annotations

import math
import time

import limits
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from app.errors import TooManyRequests
from app.security.tokens import keyed_digest


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
        if redis_url:
            uri = "async+" + redis_url if not redis_url.startswith("async+") else redis_url
            storage = storage_from_string(
                uri, implementation="redispy", key_prefix=f"{key_prefix}throttle"
            )
        else:
            storage = storage_from_string("async+memory://")
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

    async def check(self, *, username: str, client_address: str | None) -> None:
        """Refuse the attempt before any password is checked if either budget is spent."""
        checks = [
            (self._per_account, "account", self._account_key(username)),
            (self._per_client, "client", self._client_key(client_address)),
        ]
        for item, kind, key in checks:
            if not await self._limiter.test(item, kind, key):
                stats = await self._limiter.get_window_stats(item, kind, key)
                wait = max(1, math.ceil(stats.reset_time - time.time()))
                minutes = max(1, math.ceil(wait / 60))
                raise TooManyRequests(
                    f"Too many failed logins. Please wait {minutes} minute"
                    f"{'s' if minutes != 1 else ''} and try again.",
                    code="login_throttled",
                    retry_after=wait,
                )

    async def record_failure(self, *, username: str, client_address: str | None) -> None:
        await self._limiter.hit(self._per_account, "account", self._account_key(username))
        await self._limiter.hit(self._per_client, "client", self._client_key(client_address))

    async def record_success(self, *, username: str) -> None:
        await self._limiter.clear(self._per_account, "account", self._account_key(username))

    async def ping(self) -> bool:
        return bool(await self._storage.check())
