"""One of two instances SIGKILLed mid-session: its clients get no close frame (the process
is gone), reconnect to the other instance with `after`, resend what was not acknowledged,
and nothing acknowledged is lost or delivered twice."""

from __future__ import annotations

import asyncio

from tests.backends import REDIS_URL
from tests.faults.harness import (
    HttpProbe,
    Journal,
    Scenario,
    account,
    build_room,
    make_clients,
    settle,
    verdict,
)

NAMES = ("nigar", "ani", "rauf", "lusine")

# A client of the killed instance: the lost connection, one refused attempt at the dead
# instance, then the survivor (3 attempts, 2 reconnects); the survivor's clients none.
# 4 leaves room for one more refused attempt under the jittered backoff.
MAX_RECONNECTS = 4


async def test_an_instance_sigkilled_mid_session_its_clients_move_to_the_other(app, database_url, instances):
    assert REDIS_URL
    room = await build_room(app, NAMES)
    one = instances(database_url, REDIS_URL).start()
    two = instances(database_url, REDIS_URL).start()
    journal = Journal()
    # nigar and rauf on `one`; ani and lusine (the resender) on `two`; then lusine moves too.
    clients = make_clients(NAMES, room=room, servers=[one, two], journal=journal, resenders=["rauf"])
    probe = HttpProbe([one, two], room.facilitator, journal)
    scenario = Scenario(clients, probe)
    try:
        journal.enter("before")
        await asyncio.sleep(5)
        journal.enter("fault")
        journal.killed.add(one.port)
        await asyncio.to_thread(one.kill)
        await asyncio.sleep(8)
        journal.enter("after")
        await asyncio.sleep(4)
        await settle(clients, journal)
    finally:
        await scenario.finish()

    probe.check(allow_503_in=set())
    for client in clients:
        if client.name in ("nigar", "rauf") and client.connections < 2:
            journal.fail(f"{client.name} never reconnected to the surviving instance")
    await account(
        clients,
        journal,
        database_url=database_url,
        room=room,
        catch_up_on=two,
        catch_up_as="ani",
        max_reconnects=MAX_RECONNECTS,
    )
    verdict(journal, clients, probe)
