"""Two app instances sharing PostgreSQL and Redis: one room, one order, nothing lost."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import pytest
from websockets.exceptions import ConnectionClosed

from tests.backends import PG_URL, REDIS_URL
from tests.live.room_client import open_room
from tests.servers import free_port

pytestmark = pytest.mark.skipif(
    not (PG_URL and REDIS_URL), reason="several instances need PostgreSQL and Redis (.ci/run's second pass)"
)


async def drain(client, seconds: float = 1.0) -> None:
    try:
        while True:
            await client.next(timeout=seconds)
    except (TimeoutError, ConnectionClosed):
        pass


def statement_seqs(client) -> list[int]:
    return [f["seq"] for f in client.frames if f["type"] == "statement"]


def assert_clean_sequence(client) -> None:
    seqs = client.seqs()
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)), "in order, no duplicates"
    assert seqs == list(range(seqs[0], seqs[-1] + 1)), "no gaps"


async def test_clients_on_two_instances_see_the_same_events_in_the_same_order(server_factory, live_room):
    one, two = server_factory().start(), server_factory().start()
    nigar = await open_room(one, live_room.session_id, live_room.people["nigar"].cookie)
    ani = await open_room(two, live_room.session_id, live_room.people["ani"].cookie)
    rauf = await open_room(one, live_room.session_id, live_room.people["rauf"].cookie)
    for client in (nigar, ani, rauf):
        await client.until(lambda f: f["type"] == "welcome")
    for i in range(6):
        for client in (nigar, ani):
            await client.say(f"{(client is nigar and 'N') or 'A'}{i}")
    await asyncio.sleep(0.5)
    for client in (nigar, ani, rauf):
        await drain(client)
    orders = [
        [(f["seq"], f["statement"]["text"]) for f in c.frames if f["type"] == "statement"] for c in (nigar, ani, rauf)
    ]
    assert len(orders[0]) == 12
    assert orders[0] == orders[1] == orders[2]
    for client in (nigar, ani, rauf):
        assert_clean_sequence(client)


async def test_an_instance_killed_mid_session_loses_and_duplicates_nothing(server_factory, live_room):
    one, two = server_factory().start(), server_factory().start()
    nigar = await open_room(one, live_room.session_id, live_room.people["nigar"].cookie)
    ani = await open_room(two, live_room.session_id, live_room.people["ani"].cookie)
    await nigar.until(lambda f: f["type"] == "welcome")
    await ani.until(lambda f: f["type"] == "presence_joined" and f["seat"]["display_name"] == "Nigar", timeout=10)
    acked = []
    for i in range(4):
        await nigar.say(f"before {i}")
        acked.append((await nigar.until(lambda f: f["type"] == "ack"))["seq"])
    one.kill()  # SIGKILL: no goodbye, no presence cleanup
    with pytest.raises(ConnectionClosed):
        while True:
            await nigar.next(timeout=5)
    seen = max(statement_seqs(nigar), default=0)
    # Nigar's client reconnects to the other instance from the last event it saw.
    last_event = max(nigar.seqs())
    again = await open_room(two, live_room.session_id, live_room.people["nigar"].cookie, after=last_event)
    await again.until(lambda f: f["type"] == "welcome")
    for i in range(3):
        await again.say(f"after {i}")
        acked.append((await again.until(lambda f: f["type"] == "ack"))["seq"])
    await drain(again)
    await drain(ani)
    together = sorted(set(statement_seqs(nigar)) | set(statement_seqs(again)))
    assert together == acked and seen <= acked[3]
    assert set(statement_seqs(nigar)) & set(statement_seqs(again)) == set(), "nothing twice"
    assert statement_seqs(ani) == acked
    assert_clean_sequence(ani)


async def test_the_seats_of_a_dead_instance_are_shown_as_gone_within_bounded_time(server_factory, live_room):
    one, two = server_factory().start(), server_factory().start()
    rauf = await open_room(one, live_room.session_id, live_room.people["rauf"].cookie)
    ani = await open_room(two, live_room.session_id, live_room.people["ani"].cookie)
    await rauf.until(lambda f: f["type"] == "welcome")
    await ani.until(lambda f: f["type"] == "presence_joined" and f["seat"]["display_name"] == "Rauf", timeout=10)
    started = time.monotonic()
    one.kill()
    left = await ani.until(lambda f: f["type"] == "presence_left" and f["seat"]["display_name"] == "Rauf", timeout=15)
    # The presence timeout is 3 s in these tests; sweeps run every beat.
    assert time.monotonic() - started < 10
    assert left["seq"] > 0


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of this test's own, so it can be restarted without touching anyone else's."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed to test a Redis restart")
    port = free_port()

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.3)
        return process

    state = {"process": start()}

    def restart(pause: float = 1.0) -> None:
        state["process"].terminate()
        state["process"].wait()
        time.sleep(pause)
        state["process"] = start()

    yield f"redis://127.0.0.1:{port}/0", restart
    state["process"].terminate()
    state["process"].wait()


async def test_a_redis_restart_mid_session_loses_nothing_acknowledged(server_factory, live_room, private_redis):
    url, restart = private_redis
    one = server_factory(ROUNDTABLE_REDIS_URL=url).start()
    two = server_factory(ROUNDTABLE_REDIS_URL=url).start()
    nigar = await open_room(one, live_room.session_id, live_room.people["nigar"].cookie)
    ani = await open_room(two, live_room.session_id, live_room.people["ani"].cookie)
    await nigar.until(lambda f: f["type"] == "welcome")
    await ani.until(lambda f: f["type"] == "welcome")
    acked = []
    await nigar.say("before the restart")
    acked.append((await nigar.until(lambda f: f["type"] == "ack"))["seq"])
    loop = asyncio.get_running_loop()
    restarting = loop.run_in_executor(None, restart, 2.0)
    await asyncio.sleep(0.3)
    for i in range(3):  # while Redis is down: stored and acknowledged all the same
        await nigar.say(f"during {i}")
        acked.append((await nigar.until(lambda f: f["type"] == "ack", timeout=10))["seq"])
    await restarting
    await nigar.say("after the restart")
    acked.append((await nigar.until(lambda f: f["type"] == "ack", timeout=10))["seq"])
    deadline = loop.time() + 20
    while statement_seqs(ani) != acked and loop.time() < deadline:
        await drain(ani, 0.5)
    assert statement_seqs(ani) == acked
    assert_clean_sequence(ani)
