"""One session through every fault in turn, with clients that resend (same client_id)
through all of it: Redis stopped, then PostgreSQL restarted, then one of the two
instances SIGKILLed. Two of the clients also send every statement a second time after
its ack; each must get the same ack back and the statement must be stored once."""

from __future__ import annotations

import asyncio

from tests.faults.harness import (
    HttpProbe,
    Journal,
    Scenario,
    account,
    make_clients,
    room_on_own_database,
    settle,
    verdict,
)

NAMES = ("nigar", "ani", "rauf", "lusine", "elvin", "mariam")

# Three faults, each short: Redis away 10 s (should cost no connection), PostgreSQL away
# 6 s (backoff 0.5..4 s: about 5 attempts), the SIGKILL (2 to 3 attempts to reach the
# survivor). 12 is that sum with a margin for the jitter; a reconnect loop is far above.
MAX_RECONNECTS = 12


async def test_clients_resend_through_a_redis_outage_a_postgres_restart_and_a_sigkill(
    private_postgres, private_redis, instances
):
    url = private_postgres.url
    room = await room_on_own_database(url, NAMES)
    one = instances(url, private_redis.url).start()
    two = instances(url, private_redis.url).start()
    journal = Journal()
    clients = make_clients(NAMES, room=room, servers=[one, two], journal=journal, resenders=["rauf", "lusine"])
    probe = HttpProbe([one, two], room.facilitator, journal, every=2.0)
    scenario = Scenario(clients, probe)
    try:
        journal.enter("before")
        await asyncio.sleep(3)
        journal.enter("redis down")
        await asyncio.to_thread(private_redis.stop)
        await asyncio.sleep(10)
        await asyncio.to_thread(private_redis.start)
        journal.enter("redis back")
        await asyncio.sleep(4)
        journal.enter("database down")
        await asyncio.to_thread(private_postgres.stop)
        await asyncio.sleep(6)
        await asyncio.to_thread(private_postgres.start)
        journal.enter("database back")
        await asyncio.sleep(5)
        journal.enter("instance killed")
        journal.killed.add(one.port)
        await asyncio.to_thread(one.kill)
        await asyncio.sleep(6)
        journal.enter("after")
        await asyncio.sleep(3)
        await settle(clients, journal)
    finally:
        await scenario.finish()

    probe.check(allow_503_in={"database down", "database back"})
    await account(
        clients,
        journal,
        database_url=url,
        room=room,
        catch_up_on=two,
        catch_up_as="ani",
        max_reconnects=MAX_RECONNECTS,
    )
    resent = sum(len(c.first_acks) for c in clients)
    if resent == 0:
        journal.fail("the resenders never resent an acknowledged statement")
    verdict(journal, clients, probe)
