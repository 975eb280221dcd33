"""The statement rate: a token bucket per seat in memory, never a thread hop or a suspension;
the moving window in Redis shared by instances; the bucket again while Redis is away."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from typing import Any

import limits
import pytest
from structlog.testing import capture_logs

from app.security.throttle import RETRY_SHARED_AFTER, StatementLimit, TokenBucket
from tests.servers import free_port


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def at_once(coro: Coroutine[Any, Any, float | None]) -> float | None:
    """Run a coroutine that must finish without ever suspending (no await that yields)."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise AssertionError("statement_wait suspended: it waited on something")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def no_threads(monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a thread hop on the statement rate's in-memory path")

    monkeypatch.setattr(asyncio, "to_thread", refuse)


def test_a_seat_posts_a_burst_of_n_then_waits_for_the_next_token(clock, no_threads):
    limit = StatementLimit(rate="6/10 seconds", redis_url=None, key_prefix="t:", clock=clock)
    for _ in range(6):
        assert at_once(limit.statement_wait(1)) is None
    assert at_once(limit.statement_wait(1)) == pytest.approx(10 / 6, abs=0.1)  # one token: a sixth of ten seconds
    clock.advance(1.0)
    assert at_once(limit.statement_wait(1)) == pytest.approx(10 / 6 - 1.0, abs=0.1)
    assert not limit.per_instance


def test_the_bucket_refills_over_time_up_to_its_size(clock, no_threads):
    limit = StatementLimit(rate="2 per 10 seconds", redis_url=None, key_prefix="t:", clock=clock)
    assert at_once(limit.statement_wait(1)) is None
    assert at_once(limit.statement_wait(1)) is None
    assert at_once(limit.statement_wait(1)) == 5.0
    clock.advance(5.0)
    assert at_once(limit.statement_wait(1)) is None  # one token back after half the period
    assert at_once(limit.statement_wait(1)) == 5.0
    clock.advance(3600)  # a long silence gives back a full bucket, never more
    assert at_once(limit.statement_wait(1)) is None
    assert at_once(limit.statement_wait(1)) is None
    assert at_once(limit.statement_wait(1)) is not None


def test_waiting_the_answered_time_is_enough(clock):
    limit = StatementLimit(rate="3/minute", redis_url=None, key_prefix="t:", clock=clock)
    for _ in range(3):
        assert at_once(limit.statement_wait(7)) is None
    clock.advance(0.35)
    wait = at_once(limit.statement_wait(7))
    assert wait == 19.7  # 19.65 seconds, rounded up to a tenth
    clock.advance(wait)
    assert at_once(limit.statement_wait(7)) is None


def test_a_wait_is_never_below_a_tenth_of_a_second(clock):
    limit = StatementLimit(rate="1/second", redis_url=None, key_prefix="t:", clock=clock)
    assert at_once(limit.statement_wait(1)) is None
    clock.advance(0.999)
    assert at_once(limit.statement_wait(1)) == 0.1


def test_seats_have_their_own_budgets(clock, no_threads):
    limit = StatementLimit(rate="2/10 seconds", redis_url=None, key_prefix="t:", clock=clock)
    assert at_once(limit.statement_wait(1)) is None
    assert at_once(limit.statement_wait(1)) is None
    assert at_once(limit.statement_wait(1)) is not None
    assert at_once(limit.statement_wait(2)) is None
    assert at_once(limit.statement_wait(2)) is None
    assert at_once(limit.statement_wait(2)) is not None
    assert at_once(limit.statement_wait(3)) is None


def test_full_buckets_are_pruned_so_memory_stays_bounded(clock):
    bucket = TokenBucket(limits.parse("2/10 seconds"), clock=clock, prune_above=8)
    for seat in range(1000):
        assert bucket.take(seat) is None
        clock.advance(1.0)  # a seat's bucket is full again five seconds after it posted
        assert len(bucket) <= 2 * 6  # twice what can be refilling at once (six seats), never more


def test_pruning_forgets_only_what_makes_no_difference(clock):
    bucket = TokenBucket(limits.parse("2/10 seconds"), clock=clock, prune_above=4)
    assert bucket.take("busy") is None
    assert bucket.take("busy") is None
    clock.advance(1.0)
    for seat in range(50):  # many seats, each still refilling when the map is pruned
        assert bucket.take(seat) is None
    assert len(bucket) == 51  # nothing full, nothing dropped
    assert bucket.take("busy") == pytest.approx(4.0)  # its empty bucket was kept, not reset


def test_after_a_busy_spell_the_map_shrinks_again(clock):
    bucket = TokenBucket(limits.parse("2/10 seconds"), clock=clock, prune_above=4)
    for seat in range(100):  # a busy room: all refilling at once, the bound grows past them
        bucket.take(seat)
    assert len(bucket) == 100
    clock.advance(3600)
    for seat in range(200):  # then one seat at a time, each full again before the next
        bucket.take(("later", seat))
        clock.advance(6.0)
    assert len(bucket) <= 4


def test_a_rate_that_allows_nothing_is_refused():
    with pytest.raises(ValueError):
        StatementLimit(rate="0/second", redis_url=None, key_prefix="t:")


async def test_the_in_memory_path_never_hops_to_a_thread(no_threads):
    limit = StatementLimit(rate="2/second", redis_url=None, key_prefix="t:")
    answers = [await limit.statement_wait(seat) for seat in (1, 1, 1, 2)]
    assert answers[:2] == [None, None] and answers[2] is not None and answers[3] is None


@pytest.fixture
def shared_prefix() -> str:
    return f"rt-test-{uuid.uuid4().hex[:8]}:"


async def test_with_redis_two_instances_share_one_budget(redis_available, shared_prefix):
    if not redis_available:
        pytest.skip("needs ROUNDTABLE_TEST_REDIS_URL (run by .ci/run's second pass)")
    first = StatementLimit(rate="3/10 seconds", redis_url=redis_available, key_prefix=shared_prefix)
    second = StatementLimit(rate="3/10 seconds", redis_url=redis_available, key_prefix=shared_prefix)
    assert await first.statement_wait(1) is None
    assert await second.statement_wait(1) is None
    assert await first.statement_wait(1) is None
    wait = await second.statement_wait(1)  # each instance alone would still allow this one
    assert wait is not None and 0.1 <= wait <= 10
    assert await first.statement_wait(1) is not None
    assert await second.statement_wait(2) is None  # another seat has its own budget
    assert not first.per_instance and not second.per_instance
    other = StatementLimit(rate="3/10 seconds", redis_url=redis_available, key_prefix=f"other-{shared_prefix}")
    assert await other.statement_wait(1) is None  # another prefix, other counters


async def test_while_redis_is_away_each_instance_counts_with_the_bucket(clock):
    limit = StatementLimit(
        rate="2/10 seconds", redis_url=f"redis://127.0.0.1:{free_port()}/0", key_prefix="t:", clock=clock
    )
    with capture_logs() as logs:
        assert await limit.statement_wait(1) is None  # Redis fails; this one counts locally
        assert limit.per_instance
        assert at_once(limit.statement_wait(1)) is None  # Redis rests: the bucket, at once
        assert at_once(limit.statement_wait(1)) == 5.0
        assert at_once(limit.statement_wait(2)) is None
        clock.advance(RETRY_SHARED_AFTER)
        assert await limit.statement_wait(1) is None  # Redis tried again, still away; a token back
        assert limit.per_instance
    assert [entry["event"] for entry in logs] == ["rate_limits_per_instance"]  # said once
    assert logs[0]["limiter"] == "statements"


async def test_while_redis_rests_the_fallback_never_hops_to_a_thread(clock, no_threads):
    limit = StatementLimit(
        rate="1/10 seconds", redis_url=f"redis://127.0.0.1:{free_port()}/0", key_prefix="t:", clock=clock
    )
    assert await limit.statement_wait(1) is None
    assert limit.per_instance
    assert at_once(limit.statement_wait(1)) == 10.0
    assert at_once(limit.statement_wait(2)) is None
