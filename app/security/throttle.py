"""Login throttling per account and per client, and the statement rate.

Counts login attempts in a moving window (`limits`); a successful login resets its
account's count. Counters live in memory for a single process and in Redis when several
instances share the load. Clients are keyed by an HMAC of their address, so no IP
address is ever stored, even in Redis.

The statement rate is asked on every statement, so in memory it is a token bucket per seat
(`TokenBucket`): plain arithmetic on the event loop, never a thread or another task. With
Redis the shared moving window stays the truth; the bucket counts while Redis is away.

When Redis cannot be reached the limits go on, per instance: each limiter falls back to
counters in this process's memory (saying so once in the log, and in /readyz), and tries
Redis again every few seconds. An outage of Redis is an outage of speed, never of the room
or of logging in.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Hashable

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


class Failover:
    """Whether to count on the shared counters (Redis) or on this instance's own.

    After a failure the shared counters rest for `RETRY_SHARED_AFTER` seconds, then are
    tried again; the change is logged once each way.
    """

    def __init__(self, *, name: str, shared: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.is_shared = shared
        self._clock = clock
        self._down_since: float | None = None  # the clock's time the shared counters failed

    @property
    def per_instance(self) -> bool:
        """True while counting per instance because Redis cannot be reached."""
        return self._down_since is not None

    def use_shared(self) -> bool:
        if not self.is_shared or self._down_since is None:
            return self.is_shared
        return self._clock() - self._down_since >= RETRY_SHARED_AFTER

    def failed(self, exc: Exception) -> None:
        if self._down_since is None:
            log.warning("rate_limits_per_instance", limiter=self.name, error_type=type(exc).__name__)
        self._down_since = self._clock()

    def recovered(self) -> None:
        if self._down_since is not None:
            log.info("rate_limits_shared_again", limiter=self.name)
            self._down_since = None


class Limiter:
    """A moving-window limiter on shared counters (Redis) that falls back to this instance's
    own counters while the shared ones cannot be reached."""

    def __init__(self, storage: AsyncStorage, *, name: str, shared: bool) -> None:
        self._shared = MovingWindowRateLimiter(storage)
        self._storage = storage
        self._local = MovingWindowRateLimiter(make_storage(None, key_prefix="", name=name))
        self._failover = Failover(name=name, shared=shared)
        self.is_shared = shared

    @property
    def per_instance(self) -> bool:
        """True while counting per instance because Redis cannot be reached."""
        return self._failover.per_instance

    async def hit(self, item: limits.RateLimitItem, *identifiers: str) -> bool:
        if self._failover.use_shared():
            try:
                allowed = await asyncio.wait_for(self._shared.hit(item, *identifiers), timeout=REDIS_TIMEOUT * 2)
            except Exception as exc:
                self._failover.failed(exc)
            else:
                self._failover.recovered()
                return allowed
        return await self._local.hit(item, *identifiers)

    async def get_window_stats(self, item: limits.RateLimitItem, *identifiers: str) -> WindowStats:
        if self._failover.use_shared():
            try:
                return await asyncio.wait_for(
                    self._shared.get_window_stats(item, *identifiers), timeout=REDIS_TIMEOUT * 2
                )
            except Exception as exc:
                self._failover.failed(exc)
        return await self._local.get_window_stats(item, *identifiers)

    async def clear(self, item: limits.RateLimitItem, *identifiers: str) -> None:
        await self._local.clear(item, *identifiers)
        if self._failover.use_shared():
            try:
                await asyncio.wait_for(self._shared.clear(item, *identifiers), timeout=REDIS_TIMEOUT * 2)
            except Exception as exc:
                self._failover.failed(exc)

    async def ping(self) -> bool:
        """Whether the shared counters answer (True without Redis: nothing to reach)."""
        if not self.is_shared:
            return True
        try:
            healthy = bool(await asyncio.wait_for(self._storage.check(), timeout=REDIS_TIMEOUT * 2))
        except Exception:
            return False
        return healthy


class TokenBucket:
    """A token bucket per key, in this process's memory, for a rate such as "6/10 seconds".

    Each key holds up to N tokens (N of the rate) and gets N back per period, added lazily
    when the key is next asked about; a key seen for the first time starts full. A key whose
    bucket is full again is the same as one never seen, so such keys are dropped whenever
    the map grows past `prune_above` (and the bound then doubles past what is left, so the
    pass costs O(1) per call however busy the room). Synchronous: nothing here awaits.
    """

    __slots__ = ("_buckets", "_capacity", "_clock", "_min_prune_above", "_per_second", "_prune_above")

    def __init__(
        self, rate: limits.RateLimitItem, *, clock: Callable[[], float] = time.monotonic, prune_above: int = 4096
    ) -> None:
        if rate.amount < 1:
            raise ValueError(f"a rate must allow at least one per period, not {rate}")
        self._capacity = float(rate.amount)
        self._per_second = rate.amount / rate.get_expiry()
        self._clock = clock
        self._buckets: dict[Hashable, tuple[float, float]] = {}  # key -> (tokens, clock time)
        self._min_prune_above = self._prune_above = prune_above

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: Hashable) -> float | None:
        """Take a token for `key`: None if there was one, else the seconds until there is."""
        now = self._clock()
        entry = self._buckets.get(key)
        if entry is None:
            tokens = self._capacity
        else:
            tokens, last = entry
            if now > last:
                tokens = min(self._capacity, tokens + (now - last) * self._per_second)
        if tokens < 1.0:
            return (1.0 - tokens) / self._per_second  # nothing stored: the refill is lazy
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > self._prune_above:
            self._prune(now)
        return None

    def _prune(self, now: float) -> None:
        capacity, per_second = self._capacity, self._per_second
        # A new dict rather than deletions: a dict never gives back the room it once needed.
        self._buckets = {
            key: (tokens, last)
            for key, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * per_second < capacity
        }
        self._prune_above = max(self._min_prune_above, 2 * len(self._buckets))


def _wait_seconds(seconds: float) -> float:
    """A wait to tell the client: in tenths of a second, rounded up, at least 0.1."""
    return max(0.1, math.ceil(round(seconds * 10, 6)) / 10)


class StatementLimit:
    """How fast one seat may post statements; answers how long to wait, or None.

    In memory (one instance, or several while Redis is away) a token bucket per seat; with
    Redis the moving window in Redis that every instance shares.
    """

    def __init__(
        self, *, rate: str, redis_url: str | None, key_prefix: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = limits.parse(rate)
        self.rate = rate
        self._local = TokenBucket(self._rate, clock=clock)
        self._failover = Failover(name="statements", shared=redis_url is not None, clock=clock)
        self._shared = (
            MovingWindowRateLimiter(make_storage(redis_url, key_prefix=key_prefix, name="statements"))
            if redis_url
            else None
        )

    @property
    def per_instance(self) -> bool:
        return self._failover.per_instance

    async def statement_wait(self, seat_id: int) -> float | None:
        """None when the seat may post now (its turn is spent), else the seconds to wait.

        Without Redis (or while it rests after failing) this never suspends: no await, no
        thread, so it is cheap on the hot path of every statement.
        """
        if self._shared is not None and self._failover.use_shared():
            try:
                wait = await asyncio.wait_for(self._shared_wait(self._shared, seat_id), timeout=REDIS_TIMEOUT * 2)
            except Exception as exc:
                self._failover.failed(exc)
            else:
                self._failover.recovered()
                return wait
        wait = self._local.take(seat_id)
        return None if wait is None else _wait_seconds(wait)

    async def _shared_wait(self, shared: MovingWindowRateLimiter, seat_id: int) -> float | None:
        key = str(seat_id)
        if await shared.hit(self._rate, "seat", key):
            return None
        stats = await shared.get_window_stats(self._rate, "seat", key)
        return _wait_seconds(stats.reset_time - time.time())


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
