"""Login throttling per account and per client, and the statement rate, on `limits`.

Counts login attempts in a moving window; a successful login resets its account's
count. Counters live in memory for a single process and in Redis when several
instances share the load. Clients are keyed by an HMAC of their address, so no IP
address is ever stored, even in Redis.

When Redis cannot be reached the limits go on, per instance: each limiter falls back to
counters in this process's memory (saying so once in the log, and in /readyz), and tries
Redis again every few seconds. An outage of Redis is an outage of speed, never of the room
or of logging in.
"""

from __future__ import annotations

import asyncio
import math
import time

import limits
import structlog
from limits.aio.storage import Storage as AsyncStorage
from limits.aio.strategies import MovingWindowRateLimiter, WindowStats
from limits.storage import storage_from_string

from app.errors import TooManyRequests
from app.messages import Msg
from app.security.tokens import keyed_digest

log = structlog.get_logger(__name__)

RETRY_SHARED_AFTER = 5.0  # seconds between attempts to get back to Redis
REDIS_TIMEOUT = 0.5  # seconds a limit check may wait for Redis before counting locally


def make_storage(redis_url: str | None, *, key_prefix: str, name: str) -> AsyncStorage:
    """Counters in memory for one process, in Redis when instances share the load."""
    if redis_url:
        uri = "async+" + redis_url if not redis_url.startswith("async+") else redis_url
        storage = storage_from_string(
            uri,
            implementation="redispy",
            key_prefix=f"{key_prefix}{name}",
            socket_connect_timeout=REDIS_TIMEOUT,
            socket_timeout=REDIS_TIMEOUT,
        )
    else:
        storage = storage_from_string("async+memory://")
    # An "async+" URI always gives an asyncio storage (the limiters assert the same).
    assert isinstance(storage, AsyncStorage)
    return storage


class Limiter:
    """A moving-window limiter on shared counters (Redis) that falls back to this instance's
    own counters while the shared ones cannot be reached."""

    def __init__(self, storage: AsyncStorage, *, name: str, shared: bool) -> None:
        self._shared = MovingWindowRateLimiter(storage)
        self._storage = storage
        self._local = MovingWindowRateLimiter(make_storage(None, key_prefix="", name=name))
        self._name = name
        self.is_shared = shared
        self._down_since: float | None = None  # monotonic time the shared counters failed

    @property
    def per_instance(self) -> bool:
        """True while counting per instance because Redis cannot be reached."""
        return self._down_since is not None

    def _use_shared(self) -> bool:
        if not self.is_shared or self._down_since is None:
            return self.is_shared
        return time.monotonic() - self._down_since >= RETRY_SHARED_AFTER

    def _failed(self, exc: Exception) -> None:
        if self._down_since is None:
            log.warning("rate_limits_per_instance", limiter=self._name, error_type=type(exc).__name__)
        self._down_since = time.monotonic()

    def _recovered(self) -> None:
        if self._down_since is not None:
            log.info("rate_limits_shared_again", limiter=self._name)
            self._down_since = None

    async def hit(self, item: limits.RateLimitItem, *identifiers: str) -> bool:
        if self._use_shared():
            try:
                allowed = await asyncio.wait_for(self._shared.hit(item, *identifiers), timeout=REDIS_TIMEOUT * 2)
            except Exception as exc:
                self._failed(exc)
            else:
                self._recovered()
                return allowed
        return await self._local.hit(item, *identifiers)

    async def get_window_stats(self, item: limits.RateLimitItem, *identifiers: str) -> WindowStats:
        if self._use_shared():
            try:
                return await asyncio.wait_for(
                    self._shared.get_window_stats(item, *identifiers), timeout=REDIS_TIMEOUT * 2
                )
            except Exception as exc:
                self._failed(exc)
        return await self._local.get_window_stats(item, *identifiers)

    async def clear(self, item: limits.RateLimitItem, *identifiers: str) -> None:
        await self._local.clear(item, *identifiers)
        if self._use_shared():
            try:
                await asyncio.wait_for(self._shared.clear(item, *identifiers), timeout=REDIS_TIMEOUT * 2)
            except Exception as exc:
                self._failed(exc)

    async def ping(self) -> bool:
        """Whether the shared counters answer (True without Redis: nothing to reach)."""
        if not self.is_shared:
            return True
        try:
            healthy = bool(await asyncio.wait_for(self._storage.check(), timeout=REDIS_TIMEOUT * 2))
        except Exception:
            return False
        return healthy


class StatementLimit:
    """How fast one seat may post statements; answers how long to wait, or None."""

    def __init__(self, *, rate: str, redis_url: str | None, key_prefix: str) -> None:
        storage = make_storage(redis_url, key_prefix=key_prefix, name="statements")
        self._limiter = Limiter(storage, name="statements", shared=redis_url is not None)
        self._rate = limits.parse(rate)
        self.rate = rate

    @property
    def per_instance(self) -> bool:
        return self._limiter.per_instance

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
        self._limiter = Limiter(storage, name="login", shared=redis_url is not None)
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
                    Msg("Too many failed logins. Please wait {minutes} minute and try again.", minutes=minutes)
                    if minutes == 1
                    else Msg("Too many failed logins. Please wait {minutes} minutes and try again.", minutes=minutes),
                    code="login_throttled",
                    retry_after=wait,
                )

    async def record_success(self, *, username: str) -> None:
        await self._limiter.clear(self._per_account, "account", self._account_key(username))

    @property
    def per_instance(self) -> bool:
        return self._limiter.per_instance

    async def ping(self) -> bool:
        return await self._limiter.ping()
