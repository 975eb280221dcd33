"""Breakouts over real sockets: a caucus opened from the console, each group's room a child
session entered with the MAIN session's seat cookie, its events in order on every instance,
the report agreed and brought back, and a ban or a move in the main room closing the group's
connection wherever it is. Every test runs on one instance (SQLite and the in-process broker
in the first pass) and on two instances sharing PostgreSQL and Redis (.ci/run's second pass)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.accounts.models import Role
from app.dialogues import agenda
from app.dialogues.models import AgendaKind, DialogueSession
from app.dialogues.schemas import AgendaItemIn, BreakoutSettings
from app.live.protocol import CLOSE_MOVED, CLOSE_RIGHT_ENDED
from tests.backends import PG_URL, REDIS_URL
from tests.factories import Person, go_live, make_programme, make_session, seat_for
from tests.live.room_client import login_cookie, open_room
from tests.live.test_facilitated_session import Console, assert_clean_sequence
from tests.servers import Server

REPORT = "We want the river cleaned together, and a shared school trip."


@dataclass
class Caucus:
    session_id: int
    item_id: int
    facilitator: str  # username
    people: dict[str, Person]  # nigar, rauf: community a; ani, lusine: community b


async def make_caucus(app, make_account) -> Caucus:
    """A live session with a caucus item (one group per community, no transcript) and four
    admitted participants, two of each community."""
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user])
    session = await make_session(app, facilitator=facilitator.user, programme=programme, capacity=8)
    async with app.state.db.unit_of_work() as db:
        row = await db.get(DialogueSession, session.id)
        item = await agenda.add_item(
            db,
            session=row,
            data=AgendaItemIn(
                kind=AgendaKind.breakout,
                title="Caucus",
                planned_minutes=15,
                breakout=BreakoutSettings(grouping="caucus"),
            ),
        )
        item_id = item.id
    await go_live(app, session)
    people = {
        name: await seat_for(app, facilitator=facilitator.user, session=session, community=key, name=name.title())
        for name, key in (("nigar", "a"), ("rauf", "a"), ("ani", "b"), ("lusine", "b"))
    }
    return Caucus(session.id, item_id, facilitator.username, people)


@pytest.fixture
async def caucus(app, make_account) -> Caucus:
    return await make_caucus(app, make_account)


@pytest.fixture(
    params=[
        "one instance",
        pytest.param(
            "two instances",
            marks=pytest.mark.skipif(
                not (PG_URL and REDIS_URL),
                reason="several instances need PostgreSQL and Redis (.ci/run's second pass)",
            ),
        ),
    ]
)
def instances(request, server_factory) -> tuple[Server, Server]:
    """(A, B): two instances on one database and one Redis, or the same one twice."""
    one = server_factory().start()
    return (one, one) if request.param == "one instance" else (one, server_factory().start())


async def enter(server: Server, session_id: int, cookie: str, *, after: int = 0) -> Console:
    client = await open_room(server, session_id, cookie, after=after)
    console = Console(client.socket)
    await console.until(lambda f: f["type"] == "welcome")
    return console


def welcome_of(client: Console) -> dict[str, Any]:
    return next(f for f in client.frames if f["type"] == "welcome")


async def open_caucus(host: Console, room: Caucus) -> dict[str, Any]:
    await host.do("agenda_go", current_item_id=None, item_id=room.item_id)
    view = await host.do("breakout_open", item_id=room.item_id)
    assert view["status"] == "open" and view["grouping"] == "caucus"
    return view


def group_of(view: dict[str, Any], community: str) -> dict[str, Any]:
    return next(g for g in view["groups"] if g["community"] == community)


async def closed_with(client: Console, timeout: float = 5.0) -> int | None:
    """Read until the server closes the socket; the close code it sent."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await client.next(timeout=timeout)
    return closed.value.rcvd.code if closed.value.rcvd else None


def texts(client: Console) -> list[str]:
    return [f["statement"]["text"] for f in client.frames if f["type"] == "statement"]


async def test_a_caucus_meets_agrees_a_report_and_brings_it_back(instances, caucus):
    a, b = instances
    room, people = caucus, caucus.people
    host = await enter(a, room.session_id, login_cookie(a, room.facilitator))
    main = {
        "nigar": await enter(a, room.session_id, people["nigar"].cookie),
        "rauf": await enter(b, room.session_id, people["rauf"].cookie),
        "ani": await enter(b, room.session_id, people["ani"].cookie),
    }
    assert welcome_of(main["rauf"])["state"]["breakout"] is None
    view = await open_caucus(host, room)
    ours, theirs = group_of(view, "a"), group_of(view, "b")
    assert sorted(ours["seat_ids"]) == sorted([people["nigar"].seat_id, people["rauf"].seat_id])
    assert sorted(theirs["seat_ids"]) == sorted([people["ani"].seat_id, people["lusine"].seat_id])
    # The main room, on the other instance, is told where everyone goes.
    opened = await main["rauf"].event("breakout_changed", action="opened")
    assert opened["breakout"]["groups"] == view["groups"]

    # Each enters their group's room with the main session's seat cookie, on either instance.
    nigar = await enter(a, ours["session_id"], people["nigar"].cookie)
    rauf = await enter(b, ours["session_id"], people["rauf"].cookie)
    ani = await enter(b, theirs["session_id"], people["ani"].cookie)
    welcome = welcome_of(rauf)
    assert welcome["you"]["main_seat_id"] == people["rauf"].seat_id
    assert welcome["you"]["seat_id"] != people["rauf"].seat_id, "a seat of the group's room"
    assert welcome["state"]["group"]["community"] == "a"
    assert welcome["state"]["group"]["main_session_id"] == room.session_id
    assert welcome["state"]["breakout"]["id"] == view["id"]
    late = await enter(b, room.session_id, people["nigar"].cookie)  # the main room's welcome says where to go
    assert welcome_of(late)["you"]["group_session_id"] == ours["session_id"]
    assert welcome_of(late)["state"]["breakout"]["id"] == view["id"]
    await late.socket.close()

    # Someone of the other caucus has no place in this room.
    with pytest.raises(InvalidStatus) as refused:
        await open_room(a, ours["session_id"], people["ani"].cookie)
    assert refused.value.response.status_code == 403
    assert json.loads(refused.value.response.body)["error"]["code"] == "not_in_group"

    # A statement in the group reaches the group, on the other instance, and nobody else.
    await nigar.say("Only for our caucus: the river matters most.")
    said = await nigar.until(lambda f: f["type"] == "ack")
    heard = await rauf.event("statement")
    assert heard["seq"] == said["seq"] and heard["statement"]["text"] == "Only for our caucus: the river matters most."
    assert heard["statement"]["author"] == "Nigar"
    await ani.say("In the other caucus.")
    await ani.until(lambda f: f["type"] == "ack")

    # The report: written by one, ready from every member present, agreed.
    written = await rauf.do("report_edit", text=REPORT, version=0)
    assert written["version"] == 1 and written["text"] == REPORT and not written["agreed"]
    changed = await nigar.event("report_changed", version=1)
    assert changed["text"] == REPORT and changed["ready"] == []
    stale = await nigar.send("report_edit", text="Something else", version=0)
    assert stale["type"] == "error" and stale["code"] == "report_changed"
    first = await nigar.do("report_ready", version=1, ready=True)
    assert first["ready"] == [welcome_of(nigar)["you"]["seat_id"]] and not first["agreed"]
    agreed = await rauf.do("report_ready", version=1, ready=True)
    assert agreed["agreed"] and sorted(agreed["ready"]) == sorted(
        [welcome_of(nigar)["you"]["seat_id"], welcome["you"]["seat_id"]]
    )
    assert (await nigar.event("report_changed", agreed=True))["text"] == REPORT
    glance = await host.do("breakout_glance", breakout_id=view["id"])
    ours_now = next(g for g in glance["groups"] if g["group_id"] == ours["id"])
    assert ours_now["statements"] == 1 and ours_now["report"] == {
        "written": True,
        "agreed": True,
        "ready": 2,
        "present": 2,
    }
    assert sorted(ours_now["present"]) == sorted([people["nigar"].seat_id, people["rauf"].seat_id])

    # The facilitator (instance A) brings the groups back: the main room on instance B hears
    # it, and the agreed report arrives as the group's statement; the other caucus's draft
    # was never agreed, so nothing of it comes.
    ended = await host.do("breakout_end", breakout_id=view["id"])
    assert ended["status"] == "ended"
    back = await main["rauf"].event("breakout_changed", action="ended")
    assert back["breakout"]["status"] == "ended"
    report = await main["rauf"].event("statement")
    assert report["statement"]["text"] == REPORT
    assert report["statement"]["role"] == "group" and report["statement"]["author"] == "Group 1"
    assert report["statement"]["community"] == "a"
    assert report["seq"] < back["seq"], "the report is posted before the groups are told they are back"
    for client in (rauf, nigar, ani):
        await client.event("session_status", status="ended")
    assert (await rauf.event("breakout_changed", action="ended"))["breakout"]["id"] == view["id"]

    # What each saw: no gaps, no duplicates; no group's words in any main room or the other group.
    for client in (host, *main.values()):
        await client.settle()
        assert_clean_sequence(client)
        assert texts(client) == [REPORT]
    for client in (nigar, rauf, ani):
        await client.settle()
        assert_clean_sequence(client)
    assert texts(rauf) == texts(nigar) == ["Only for our caucus: the river matters most."]
    assert texts(ani) == ["In the other caucus."]
    assert REPORT not in json.dumps(ani.frames)
    for client in (host, *main.values(), nigar, rauf, ani):
        await client.socket.close()


async def test_a_group_room_catches_up_after_a_reconnect_without_gaps_or_duplicates(instances, caucus):
    a, b = instances
    room, people = caucus, caucus.people
    host = await enter(a, room.session_id, login_cookie(a, room.facilitator))
    view = await open_caucus(host, room)
    ours = group_of(view, "a")
    nigar = await enter(a, ours["session_id"], people["nigar"].cookie)
    rauf = await enter(b, ours["session_id"], people["rauf"].cookie)
    said = []
    for n in range(3):
        await nigar.say(f"Before the reconnect {n}")
        said.append((await nigar.until(lambda f: f["type"] == "ack"))["seq"])
    await rauf.until(lambda f: f["type"] == "statement" and f["seq"] == said[-1])
    seen = max(rauf.seqs())
    await rauf.socket.close()
    for n in range(3):
        await nigar.say(f"While away {n}")
        said.append((await nigar.until(lambda f: f["type"] == "ack"))["seq"])
    await nigar.do("report_edit", text="A draft while Rauf was away.", version=0)
    await host.do("breakout_broadcast", breakout_id=view["id"], text="Ten minutes left.")
    await nigar.event("broadcast")

    # Back, on the other instance, from the last event seen: everything after it once.
    again = await enter(a, ours["session_id"], people["rauf"].cookie, after=seen)
    await nigar.say("After the reconnect")
    said.append((await nigar.until(lambda f: f["type"] == "ack"))["seq"])
    await again.until(lambda f: f["type"] == "statement" and f["seq"] == said[-1])
    await again.settle()
    before, after = rauf.seqs(), again.seqs()
    assert set(before) & set(after) == set(), "nothing twice"
    assert min(after) == seen + 1, "nothing skipped"
    together = before + after
    assert together == list(range(together[0], together[-1] + 1)), "in order, no gaps"
    statements = [f["seq"] for f in rauf.frames + again.frames if f["type"] == "statement"]
    assert statements == said
    assert (next(f for f in again.frames if f["type"] == "report_changed"))["text"] == "A draft while Rauf was away."
    assert (next(f for f in again.frames if f["type"] == "broadcast"))["text"] == "Ten minutes left."
    for client in (host, nigar, again):
        await client.socket.close()


async def test_a_ban_in_the_main_room_closes_the_group_connection_on_the_other_instance(instances, caucus):
    a, b = instances
    room, people = caucus, caucus.people
    host = await enter(a, room.session_id, login_cookie(a, room.facilitator))
    view = await open_caucus(host, room)
    theirs = group_of(view, "b")
    ani_main = await enter(b, room.session_id, people["ani"].cookie)
    ani = await enter(b, theirs["session_id"], people["ani"].cookie)
    lusine = await enter(a, theirs["session_id"], people["lusine"].cookie)
    await host.do("ban", seat_id=people["ani"].seat_id, reason="Threats against another participant.")
    assert await closed_with(ani) == CLOSE_RIGHT_ENDED
    assert await closed_with(ani_main) == CLOSE_RIGHT_ENDED
    changed = await lusine.until(lambda f: f["type"] == "seat_changed" and f["seat"]["status"] != "admitted")
    assert (changed["seat"]["display_name"], changed["seat"]["status"]) == ("Ani", "banned")
    for server in (a, b):  # neither room lets her in again, on any instance
        for session_id in (theirs["session_id"], room.session_id):
            with pytest.raises(InvalidStatus) as refused:
                await open_room(server, session_id, people["ani"].cookie)
            assert refused.value.response.status_code == 403
    # The group goes on without her.
    await lusine.say("We carry on.")
    assert (await lusine.until(lambda f: f["type"] in ("ack", "error")))["type"] == "ack"
    for client in (host, lusine):
        await client.socket.close()


async def test_a_move_closes_the_old_group_connection_with_4410_and_opens_the_new_group(instances, caucus):
    a, b = instances
    room, people = caucus, caucus.people
    host = await enter(a, room.session_id, login_cookie(a, room.facilitator))
    view = await open_caucus(host, room)
    ours, theirs = group_of(view, "a"), group_of(view, "b")
    rauf_main = await enter(b, room.session_id, people["rauf"].cookie)
    rauf = await enter(b, ours["session_id"], people["rauf"].cookie)
    nigar = await enter(a, ours["session_id"], people["nigar"].cookie)
    moved = await host.do(
        "breakout_move", breakout_id=view["id"], seat_id=people["rauf"].seat_id, group_id=theirs["id"]
    )
    assert people["rauf"].seat_id in group_of(moved, "b")["seat_ids"]
    assert await closed_with(rauf) == CLOSE_MOVED
    told = await rauf_main.event("breakout_changed", action="moved")
    assert people["rauf"].seat_id in group_of(told["breakout"], "b")["seat_ids"]
    assert people["rauf"].seat_id not in group_of(told["breakout"], "a")["seat_ids"]
    left = await nigar.until(lambda f: f["type"] == "seat_changed" and f["action"] == "moved")
    assert left["seat"]["display_name"] == "Rauf"
    # The old room refuses him now; the new one lets him in, on either instance.
    with pytest.raises(InvalidStatus) as refused:
        await open_room(a, ours["session_id"], people["rauf"].cookie)
    assert refused.value.response.status_code == 403
    new = await enter(a, theirs["session_id"], people["rauf"].cookie)
    assert welcome_of(new)["state"]["group"]["id"] == theirs["id"]
    await new.say("Hello from my new group.")
    assert (await new.until(lambda f: f["type"] in ("ack", "error")))["type"] == "ack"
    # Back to the main room: the new group's connection closes the same way.
    await host.do("breakout_move", breakout_id=view["id"], seat_id=people["rauf"].seat_id, group_id=None)
    assert await closed_with(new) == CLOSE_MOVED
    back = await rauf_main.until(lambda f: f["type"] == "breakout_changed" and f["seq"] > told["seq"])
    assert people["rauf"].seat_id in back["breakout"]["unplaced"]
    for client in (host, rauf_main, nigar):
        await client.socket.close()
