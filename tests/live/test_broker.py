"""The broker: the configured one (Redis when the run has it, else in-process)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis

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


async def settle(broker, *subscriptions) -> None:
    """Redis subscriptions are asynchronous: wait until the listener has them, then
    forget the 'stale' mark a subscription gets before the broker is connected."""
    if isinstance(broker, RedisBroker):
        for _ in range(100):
            if broker.connected:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)
    for sub in subscriptions:
        sub.drain()
        sub.stale = False


async def test_a_published_message_reaches_every_subscriber_of_that_channel_only(broker):
    a1 = await broker.subscribe("session-1")
    a2 = await broker.subscribe("session-1")
    b = await broker.subscribe("session-2")
    await settle(broker, a1, a2, b)
    await broker.publish("session-1", b"hello")
    assert await receive(a1) == [b"hello"]
    assert await receive(a2) == [b"hello"]
    await asyncio.sleep(0.05)
    assert b.drain() == []


async def test_after_unsubscribe_nothing_more_arrives(broker):
    sub = await broker.subscribe("session-3")
    await settle(broker, sub)
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
    broker = RedisBroker(redis_available, prefix=f"rt-test-{uuid.uuid4().hex[:8]}:")
    await broker.start()
    try:
        sub = await broker.subscribe("room")
        await settle(broker, sub)
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


async def test_a_channel_subscribed_while_redis_is_away_is_stale_then_served(redis_available):
    if not redis_available:
        pytest.skip("needs ROUNDTABLE_TEST_REDIS_URL (run by .ci/run's second pass)")
    broker = RedisBroker(redis_available, prefix=f"rt-test-{uuid.uuid4().hex[:8]}:")
    sub = await broker.subscribe("early")  # before the listener has connected at all
    assert sub.stale
    await broker.start()
    try:
        await settle(broker, sub)
        await broker.publish("early", b"first")
        assert await receive(sub) == [b"first"]
    finally:
        await broker.close()


async def test_readyz_says_degraded_and_reconnecting_while_the_listener_is_down(client, app):
    if app.state.broker.name != "redis":
        assert (await client.get("/readyz")).json()["checks"]["broker"] == "ok"
        return
    await settle(app.state.broker)  # let the listener connect first
    app.state.broker.connected = False
    try:
        response = await client.get("/readyz")
    finally:
        app.state.broker.connected = True
    # Degraded, not out of service: rooms go on without the broker (docs/deployment.md, "Faults").
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"] == "reconnecting"
