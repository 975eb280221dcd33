"""The broker: the configured one (Redis when the run has it, else in-process)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from app.live.broker import MemoryBroker, RedisBroker, make_broker


@pytest.fixture
async def broker(redis_available):
    instance = make_broker(redis_available, prefix=f"rt-test-{uuid.uuid4().hex[:8]}:")
    await instance.start()
    yield instance
    await instance.close()


async def receive(subscription, timeout: float = 3.0) -> list[bytes]:
    await asyncio.wait_for(subscription.wake.wait(), timeout)
    return subscription.drain()


async def settle(broker) -> None:
    """Redis subscriptions are asynchronous: wait until the listener has them."""
    if isinstance(broker, RedisBroker):
        for _ in range(100):
            if broker.connected:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)


async def test_a_published_message_reaches_every_subscriber_of_that_channel_only(broker):
    a1 = await broker.subscribe("session-1")
    a2 = await broker.subscribe("session-1")
    b = await broker.subscribe("session-2")
    await settle(broker)
    await broker.publish("session-1", b"hello")
    assert await receive(a1) == [b"hello"]
    assert await receive(a2) == [b"hello"]
    await asyncio.sleep(0.05)
    assert b.drain() == []


async def test_after_unsubscribe_nothing_more_arrives(broker):
    sub = await broker.subscribe("session-3")
    await settle(broker)
    await broker.unsubscribe(sub)
    await broker.publish("session-3", b"late")
    await asyncio.sleep(0.1)
    assert sub.drain() == []


async def test_a_subscriber_that_falls_behind_is_marked_stale_not_grown():
    broker = MemoryBroker()
    sub = await broker.subscribe("room", maxsize=3)
    for i in range(10):
        await broker.publish("room", str(i).encode())
    assert sub.queue.qsize() == 3
    assert sub.stale  # its reader must catch up from the database


async def test_ping_answers(broker):
    assert await broker.ping() is True


async def test_the_redis_listener_reconnects_by_itself_and_marks_readers_stale(redis_available):
    if not redis_available:
        pytest.skip("needs ROUNDTABLE_TEST_REDIS_URL (run by .ci/run's second pass)")
    import redis.asyncio as aioredis

    broker = RedisBroker(redis_available, prefix=f"rt-test-{uuid.uuid4().hex[:8]}:")
    await broker.start()
    try:
        sub = await broker.subscribe("room")
        await settle(broker)
        admin = aioredis.Redis.from_url(redis_available)
        await admin.client_kill_filter(_type="pubsub")
        await admin.aclose()
        for _ in range(100):
            if broker.reconnects and broker.connected:
                break
            await asyncio.sleep(0.05)
        assert broker.reconnects >= 1 and broker.connected
        assert sub.stale
        await asyncio.sleep(0.1)
        sub.drain()
        await broker.publish("room", b"after")
        assert await receive(sub) == [b"after"]
    finally:
        await broker.close()
