"""Pub/sub between app instances: in-process for one process, Redis for several.

The broker is only the fast path. It may drop a message (a subscriber that falls
behind, a Redis reconnect); the room event log in the database, with its sequence
numbers, is what makes loss impossible. So a subscription that overflowed or
lived through a reconnect is marked `stale`, and its reader must catch up from
the database before trusting what comes next.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Callable
from typing import Protocol

import structlog
from redis import asyncio as aioredis
from redis.asyncio.client import PubSub

log = structlog.get_logger(__name__)

DEFAULT_QUEUE_SIZE = 1024
PUBLISH_TIMEOUT = 1.0  # seconds; an acknowledgement waits for the publish, so it must not hang


class Subscription:
    """One reader of one channel, with a bounded queue."""

    def __init__(self, channel: str, *, maxsize: int = DEFAULT_QUEUE_SIZE) -> None:
        self.channel = channel
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=maxsize)
        self.stale = False  # messages may have been lost: catch up from the database
        self.wake = asyncio.Event()

    def offer(self, data: bytes) -> None:
        try:
            self.queue.put_nowait(data)
        except asyncio.QueueFull:
            self.stale = True
        self.wake.set()

    def mark_stale(self) -> None:
        self.stale = True
        self.wake.set()

    def drain(self) -> list[bytes]:
        items: list[bytes] = []
        while not self.queue.empty():
            items.append(self.queue.get_nowait())
        self.wake.clear()
        return items


ControlHandler = Callable[[bytes], None]


class Broker(Protocol):
    """`on_control` is called, in order with the room messages, for every message on the
    control channel (revocations); `publish_control` sends one to every other instance."""

    name: str
    on_control: ControlHandler | None

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def publish(self, channel: str, data: bytes) -> None: ...
    async def publish_control(self, data: bytes) -> bool: ...
    async def subscribe(self, channel: str, *, maxsize: int = ...) -> Subscription: ...
    async def unsubscribe(self, subscription: Subscription) -> None: ...
    async def ping(self) -> bool: ...


class _Fanout:
    """Local subscriptions by channel, shared by both brokers."""

    def __init__(self) -> None:
        self.by_channel: dict[str, set[Subscription]] = defaultdict(set)

    def add(self, subscription: Subscription) -> bool:
        first = not self.by_channel[subscription.channel]
        self.by_channel[subscription.channel].add(subscription)
        return first

    def remove(self, subscription: Subscription) -> bool:
        subs = self.by_channel.get(subscription.channel)
        if not subs:
            return False
        subs.discard(subscription)
        if not subs:
            del self.by_channel[subscription.channel]
            return True
        return False

    def deliver(self, channel: str, data: bytes) -> None:
        for subscription in tuple(self.by_channel.get(channel, ())):
            subscription.offer(data)

    def mark_all_stale(self) -> None:
        for subs in self.by_channel.values():
            for subscription in subs:
                subscription.mark_stale()


class MemoryBroker:
    """Delivers within this process only; for SQLite and single-process deployments."""

    name = "memory"

    def __init__(self) -> None:
        self._fanout = _Fanout()
        self.on_control: ControlHandler | None = None

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._fanout.mark_all_stale()

    async def publish(self, channel: str, data: bytes) -> None:
        self._fanout.deliver(channel, data)

    async def publish_control(self, data: bytes) -> bool:
        return True  # one process: the hub has already applied it here

    async def subscribe(self, channel: str, *, maxsize: int = DEFAULT_QUEUE_SIZE) -> Subscription:
        subscription = Subscription(channel, maxsize=maxsize)
        self._fanout.add(subscription)
        return subscription

    async def unsubscribe(self, subscription: Subscription) -> None:
        self._fanout.remove(subscription)

    async def ping(self) -> bool:
        return True


class RedisBroker:
    """Redis pub/sub with one listener that reconnects and resubscribes by itself."""

    name = "redis"

    def __init__(self, url: str, *, prefix: str = "roundtable:") -> None:
        self._url = url
        self._prefix = prefix
        # Keepalive and a periodic PING notice a connection that died without a reset,
        # which would otherwise look like a quiet channel forever.
        self._redis = aioredis.Redis.from_url(
            url, socket_connect_timeout=3, socket_keepalive=True, health_check_interval=15
        )
        self._fanout = _Fanout()
        self.on_control: ControlHandler | None = None
        self._pubsub: PubSub | None = None
        self._listener: asyncio.Task[None] | None = None
        self._closing = False
        self.connected = False
        self.reconnects = 0

    def _key(self, channel: str) -> str:
        return f"{self._prefix}room:{channel}"

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="redis-broker-listener")

    async def close(self) -> None:
        self._closing = True
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        await self._redis.aclose()

    async def publish(self, channel: str, data: bytes) -> None:
        # A failed publish loses nothing: the event is already in the database and
        # readers find it by sequence number. While Redis is away this instance's own rooms
        # still hear it at once; the others catch up from the log when it is back.
        if not self.connected and self.reconnects:
            self._fanout.deliver(channel, data)
            return
        try:
            await asyncio.wait_for(self._redis.publish(self._key(channel), data), timeout=PUBLISH_TIMEOUT)
        except Exception as exc:
            log.warning("broker_publish_failed", error_type=type(exc).__name__)
            self._fanout.deliver(channel, data)

    async def publish_control(self, data: bytes) -> bool:
        """False when Redis did not take it (the other instances learn at their next revalidation)."""
        if not self.connected and self.reconnects:
            return False
        try:
            await asyncio.wait_for(self._redis.publish(f"{self._prefix}control", data), timeout=PUBLISH_TIMEOUT)
            return True
        except Exception as exc:
            log.warning("broker_control_publish_failed", error_type=type(exc).__name__)
            return False

    async def subscribe(self, channel: str, *, maxsize: int = DEFAULT_QUEUE_SIZE) -> Subscription:
        subscription = Subscription(channel, maxsize=maxsize)
        if not self.connected:
            # Redis may not hear of this channel until the listener reconnects and
            # reconciles; until then the reader must rely on the database.
            subscription.mark_stale()
        if self._fanout.add(subscription) and self._pubsub is not None and self.connected:
            with contextlib.suppress(Exception):
                await self._pubsub.subscribe(self._key(channel))
        return subscription

    async def unsubscribe(self, subscription: Subscription) -> None:
        if self._fanout.remove(subscription) and self._pubsub is not None and self.connected:
            with contextlib.suppress(Exception):
                await self._pubsub.unsubscribe(self._key(subscription.channel))

    async def ping(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self._redis.ping(), timeout=2))
        except Exception:
            return False

    async def _listen(self) -> None:
        delay = 0.1
        while not self._closing:
            try:
                self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                await self._pubsub.subscribe(f"{self._prefix}control")
                channels = [self._key(c) for c in self._fanout.by_channel]
                if channels:
                    await self._pubsub.subscribe(*channels)
                self.connected = True
                # Channels subscribed locally while the list above was being sent
                # saw connected=False and left it to us: subscribe them now.
                registered = {c.decode() if isinstance(c, bytes) else c for c in self._pubsub.channels}
                missing = [self._key(c) for c in list(self._fanout.by_channel) if self._key(c) not in registered]
                if missing:
                    await self._pubsub.subscribe(*missing)
                if self.reconnects:
                    log.info("broker_reconnected", reconnects=self.reconnects)
                    # Anything published while we were away is gone from pub/sub.
                    self._fanout.mark_all_stale()
                delay = 0.1
                room_prefix, control = f"{self._prefix}room:", f"{self._prefix}control"
                while not self._closing:
                    message = await self._pubsub.get_message(timeout=1.0)
                    if message is None or message.get("type") != "message":
                        continue
                    key = message["channel"].decode()
                    if key.startswith(room_prefix):
                        self._fanout.deliver(key[len(room_prefix) :], message["data"])
                    elif key == control and self.on_control is not None:
                        # Handled before the next message is read: a revocation closes the
                        # connections before any room message published after it reaches them.
                        try:
                            self.on_control(message["data"])
                        except Exception as exc:
                            log.warning("broker_control_failed", error_type=type(exc).__name__)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._closing:
                    return
                if self.connected:
                    log.warning("broker_disconnected", error_type=type(exc).__name__)
                self.connected = False
                self.reconnects += 1
                with contextlib.suppress(Exception):
                    if self._pubsub is not None:
                        await self._pubsub.aclose()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)


def make_broker(redis_url: str | None, *, prefix: str = "roundtable:") -> Broker:
    if redis_url:
        return RedisBroker(redis_url, prefix=prefix)
    return MemoryBroker()
