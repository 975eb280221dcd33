"""A whole facilitated session run through the protocol alone, against real servers:
the facilitator's console and two participants from different communities."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.accounts.models import Role
from app.dialogues import sessions as session_service
from app.dialogues.agenda import add_item
from app.dialogues.models import AgendaKind, DialogueSession, SessionStatus
from app.dialogues.schemas import AgendaItemIn
from app.events.schemas import ROOM_EVENT_TYPES
from app.live.protocol import CLOSE_RIGHT_ENDED
from tests.backends import PG_URL, REDIS_URL
from tests.factories import make_programme, make_session, seat_for
from tests.live.room_client import RoomClient, StaffBrowser, login_cookie, open_room
from tests.servers import Server


@dataclass
class Facilitated:
    session_id: int
    facilitator: str  # username
    co_facilitator: str
    outsider: str
    nigar: Any
    ani: Any
    caucus_item: int  # a breakout item at the agenda's end: a caucus per community


@pytest.fixture
async def facilitated(app, make_account) -> Facilitated:
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    co = await make_account(Role.facilitator)
    outsider = await make_account(Role.facilitator)
    programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user, co.user])
    await make_programme(app, organiser=organiser.user, facilitators=[outsider.user], name="Elsewhere")
    session = await make_session(
        app, facilitator=facilitator.user, programme=programme, capacity=6, speaking_mode="queued"
    )
    async with app.state.db.unit_of_work() as db:
        row = await db.get(DialogueSession, session.id)
        for status in (SessionStatus.scheduled, SessionStatus.open):  # the facilitator starts it live
            await session_service.change_status(db, session=row, to=status, reason=None, now=app.state.clock.now())
        caucus = await add_item(
            db, session=row, data=AgendaItemIn(kind=AgendaKind.breakout, title="Caucus", planned_minutes=10)
        )
    nigar = await seat_for(app, facilitator=facilitator.user, session=session, community="a", name="Nigar")
    ani = await seat_for(app, facilitator=facilitator.user, session=session, community="b", name="Ani")
    return Facilitated(session.id, facilitator.username, co.username, outsider.username, nigar, ani, caucus.id)


class Console(RoomClient):
    """A room client that sends commands and waits for their answers."""

    async def send(self, type: str, **fields: Any) -> dict[str, Any]:
        ref = uuid.uuid4().hex[:12]
        await self.socket.send(json.dumps({"type": type, "ref": ref, **fields}))
        answer = await self.until(lambda f: f.get("ref") == ref and f["type"] in ("ok", "error"))
        return answer

    async def do(self, type: str, **fields: Any) -> Any:
        answer = await self.send(type, **fields)
        assert answer["type"] == "ok", answer
        return answer["result"]

    async def refused(self, type: str, code: str, **fields: Any) -> dict[str, Any]:
        answer = await self.send(type, **fields)
        assert answer["type"] == "error" and answer["code"] == code, answer
        assert answer["message"]
        return answer

    async def event(self, type: str, timeout: float = 5.0, **match: Any) -> dict[str, Any]:
        seen = [f for f in self.frames if f["type"] == type and all(f.get(k) == v for k, v in match.items())]
        if seen:
            return seen[-1]
        return await self.until(
            lambda f: f["type"] == type and all(f.get(k) == v for k, v in match.items()), timeout=timeout
        )

    async def settle(self, seconds: float = 0.5) -> None:
        try:
            while True:
                await self.next(timeout=seconds)
        except (TimeoutError, ConnectionClosed):
            pass


async def enter(server: Server, session_id: int, cookie: str) -> Console:
    client = await open_room(server, session_id, cookie)
    console = Console(client.socket)
    await console.until(lambda f: f["type"] == "welcome")
    return console


def assert_clean_sequence(client: RoomClient) -> None:
    seqs = client.seqs()
    assert seqs == list(range(seqs[0], seqs[-1] + 1)), "in order, no gaps, no duplicates"


async def test_a_full_session_runs_through_the_protocol_alone(server, facilitated):
    room = facilitated
    host = await enter(server, room.session_id, login_cookie(server, room.facilitator))
    nigar = await enter(server, room.session_id, room.nigar.cookie)
    ani = await enter(server, room.session_id, room.ani.cookie)
    a, b = room.nigar.seat_id, room.ani.seat_id
    welcome = next(f for f in ani.frames if f["type"] == "welcome")["state"]
    assert welcome["languages"] == ["en", "ru", "az", "hy"] and welcome["title"] == {"en": "First meeting"}
    assert welcome["pause_message"] == {} and welcome["agenda_items"][0]["title"]["en"]

    # Start, and the first agenda item.
    await nigar.refused("session_start", "facilitators_only")
    assert (await host.do("session_start"))["status"] == "live"
    await ani.event("session_status", status="live")
    item = (await host.do("agenda_next", current_item_id=None))["item"]
    assert (await ani.event("agenda_changed"))["agenda"]["item"]["prompt"] == item["prompt"]

    # A go-around: the talking piece passes between the communities.
    started = await host.do("round_start", turn_seconds=120)
    assert [t["seat_id"] for t in started["turns"]] == [a, b]
    await ani.refused("statement", "not_your_turn", client_id=uuid.uuid4().hex, text="Me first?")
    await nigar.say("I came because I want my children to travel.")
    await nigar.until(lambda f: f["type"] == "ack")
    await nigar.do("round_done", round_id=started["id"])
    passed = await ani.do("round_pass", round_id=started["id"], for_now=True)  # the last one: counts as a pass
    assert passed["status"] == "ended"

    # The floor.
    second = (await host.do("agenda_next", current_item_id=item["id"]))["item"]
    await ani.do("hand_raise")
    assert (await host.event("floor_changed", action="hand_raised"))["floor"]["queue"] == [b]
    await host.do("floor_give", seat_id=b, seconds=120)
    await ani.say("I hear you, and I was afraid too.")
    ani_said = await ani.until(lambda f: f["type"] == "ack")
    await nigar.refused("statement", "not_your_floor", client_id=uuid.uuid4().hex, text="Wait")
    await host.do("floor_take")

    # A poll.
    poll = await host.do("poll_open", question="Shall we meet again?", options=["Yes", "Not yet"])
    await nigar.do("poll_answer", poll_id=poll["id"], choices=[0])
    await ani.do("poll_answer", poll_id=poll["id"], choices=[0])
    closed = await host.do("poll_close", poll_id=poll["id"])
    assert closed["results"]["counts"] == [2, 0]
    assert (await nigar.event("poll_changed", action="closed"))["poll"]["results"]["counts"] == [2, 0]
    # Its words in the programme's languages: a map, or a plain string for the first language;
    # a language the programme does not have gets a clear error frame.
    assert closed["question"] == {"en": "Shall we meet again?"} and closed["options"] == [
        {"en": "Yes"},
        {"en": "Not yet"},
    ]
    await host.refused("poll_open", "unknown_language", question={"en": "Again?", "ka": "?"}, options=["A", "B"])
    texts = {
        "question": {"az": "Yenidən görüşək?", "hy": "Կհանդիպե՞նք նորից"},
        "options": [{"az": "Bəli", "hy": "Այո"}, "No"],
    }
    both = await host.do("poll_open", **texts)

    def opened(f: dict) -> bool:
        return f["type"] == "poll_changed" and f["poll"]["id"] == both["id"]

    seen = (next((f for f in ani.frames if opened(f)), None) or await ani.until(opened))["poll"]
    assert seen["question"] == texts["question"] and seen["options"] == [{"az": "Bəli", "hy": "Այո"}, {"en": "No"}]
    await host.do("poll_close", poll_id=both["id"])

    # Participant controls.
    await nigar.do("react", statement_id=ani_said["statement_id"], reaction="hear_you")
    await ani.event("reactions_changed")
    # An author translates their own words; everyone receives it.
    await ani.do(
        "translate", statement_id=ani_said["statement_id"], language="en", text="In English.", client_id="translation-1"
    )
    translated = await nigar.event("translation_posted")
    assert translated["translation"]["text"] == "In English." and translated["translation"]["by"] == "author"
    await host.do("floor_give", seat_id=a)
    await nigar.say("Some words I will regret.")
    regret = await nigar.until(lambda f: f["type"] == "ack")
    await nigar.say("Some words that cross a line.")
    crossing = await nigar.until(lambda f: f["type"] == "ack")
    await host.do("floor_take")
    await ani.do("report", statement_id=crossing["statement_id"], reason="That hurt.")
    await ani.do("break_request")
    assert (await host.event("report_made"))["reason"] == "That hurt."
    requested = await host.event("break_requested")
    assert requested["seat_id"] == b
    await host.do("alert_done", alert_seq=requested["seq"])  # the break is taken care of
    await host.event("alert_done", alert_seq=requested["seq"])
    await nigar.do("withdraw", statement_id=regret["statement_id"])
    await ani.event("statement_changed", statement_id=regret["statement_id"], state="withdrawn")
    late = await enter(server, room.session_id, login_cookie(server, room.co_facilitator))  # catches up from 0
    await late.settle()
    assert "Some words I will regret." not in json.dumps(late.frames), "withdrawn words are gone from later views"
    assert any(f["type"] == "statement" and f["statement"]["state"] == "withdrawn" for f in late.frames)
    await late.socket.close()

    # A caucus: each community in its own room (Ani keeps the main room open too), the
    # facilitator visiting Ani's; her group's agreed report comes back as its statement.
    await host.do("agenda_go", current_item_id=second["id"], item_id=room.caucus_item)
    caucus = await host.do("breakout_open", item_id=room.caucus_item)
    assert [g["seat_ids"] for g in caucus["groups"]] == [[a], [b]]
    told = await ani.event("breakout_changed", action="opened")
    group = next(g for g in told["breakout"]["groups"] if b in g["seat_ids"])
    ani_group = await enter(server, group["session_id"], room.ani.cookie)  # her main room's seat cookie
    in_group = next(f for f in ani_group.frames if f["type"] == "welcome")
    assert in_group["you"]["main_seat_id"] == b and in_group["state"]["group"]["community"] == "b"
    visit = await enter(server, group["session_id"], login_cookie(server, room.facilitator))
    await host.do("breakout_broadcast", breakout_id=caucus["id"], text="Five minutes left.")
    assert (await ani_group.event("broadcast"))["text"] == "Five minutes left."
    report = await ani_group.do("report_edit", text="We would like to meet again.", version=0)
    await ani_group.do("report_ready", version=report["version"], ready=True)
    assert (await visit.event("report_changed", agreed=True))["text"] == "We would like to meet again."
    await ani_group.do("break_request")
    alert = await host.event("group_alert", kind="break_requested")
    assert alert["group_id"] == group["id"]
    await host.do("alert_done", alert_seq=alert["seq"])
    await visit.refused("session_end", "main_room_only")
    await host.do("breakout_end", breakout_id=caucus["id"])

    def reported(f: dict) -> bool:
        return f["type"] == "statement" and f["statement"]["role"] == "group"

    back = next((f for f in ani.frames if reported(f)), None) or await ani.until(reported)
    assert (back["statement"]["author"], back["statement"]["text"]) == ("Group 2", "We would like to meet again.")
    await ani.event("breakout_changed", action="ended")
    for client in (ani_group, visit):
        await client.event("session_status", status="ended")
        assert_clean_sequence(client)
        await client.socket.close()

    # Moderation.
    await host.do("hide", statement_id=crossing["statement_id"], reason="Ground rule 3.")
    told = await nigar.event("moderation", action="hidden")
    assert told["reason"] == "Ground rule 3." and told["statement_id"] == crossing["statement_id"]
    await host.do("mute", seat_id=b, minutes=2, reason="Let us take a breath.")
    assert (await ani.event("moderation", action="muted"))["reason"] == "Let us take a breath."
    await ani.refused("hand_raise", "muted")
    await host.do("unmute", seat_id=b)
    await host.do("slow_mode", seconds=5)
    await host.do("lock", locked=True)
    assert (await nigar.event("room_settings", locked=True))["slow_mode_seconds"] == 5

    # Private words and the balance.
    await host.do("backchannel", text="Going well so far.")
    await host.do("check_in", seat_id=b, text="Are you all right?")
    await ani.do("check_in", text="Yes, thank you.")
    balance = await host.do("balance")
    assert {c["key"] for c in balance["session"]["communities"]} == {"a", "b"}
    await nigar.refused("balance", "facilitators_only")

    # Pause, resume, remove, end.
    await host.do("session_pause", reason="Five minutes to breathe.")
    await nigar.refused("react", "session_paused", statement_id=ani_said["statement_id"], reaction="thank_you")
    await host.do("session_resume")
    await host.do("send_to_lobby", seat_id=a, reason="Let us talk before you come back.")
    assert (await nigar.event("moderation", action="send_to_lobby"))["reason"].startswith("Let us talk")
    with pytest.raises(ConnectionClosed) as closed_socket:
        while True:
            await nigar.next()
    assert closed_socket.value.rcvd is not None and closed_socket.value.rcvd.code == CLOSE_RIGHT_ENDED
    # The message to everyone waiting, written from the console's lobby (over HTTP): the
    # facilitators' consoles hear it, the room does not.
    said = await asyncio.to_thread(
        StaffBrowser(server, room.facilitator).send,
        "PUT",
        f"/api/sessions/{room.session_id}/lobby/message",
        json={"lobby_message": "Back in five minutes."},
    )
    assert said.status_code == 200, said.text
    assert (await host.event("lobby_message"))["lobby_message"] == {"en": "Back in five minutes."}
    await host.do("session_end")
    await ani.event("session_status", status="ended")
    await host.settle()
    await ani.settle()

    # What each saw: every frame a protocol frame (checked on receipt), no gaps, private
    # words only where they belong.
    for client in (host, ani):
        assert_clean_sequence(client)
    host_types = {f["type"] for f in host.frames + visit.frames}  # the main room, and the group visited
    assert set(ROOM_EVENT_TYPES) - host_types == {"time_up", "turn_warning"}, "the clocks are tested in-process"
    ani_text = json.dumps(ani.frames)
    assert "Going well so far." not in ani_text and "That hurt." not in ani_text
    for frame in ani.frames:
        assert frame["type"] not in (
            "report_made",
            "break_requested",
            "group_alert",
            "poll_progress",
            "alert_done",
            "lobby_message",
        )
    for client in (host, nigar, ani):
        await client.socket.close()
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        log = await http.get(
            f"/api/sessions/{room.session_id}/audit", headers={"Cookie": login_cookie(server, room.facilitator)}
        )
    actions = [e["action"] for e in log.json()]
    assert log.status_code == 200 and actions[:3] == ["session_start", "agenda_next", "round_start"]
    assert {"hide", "mute", "unmute", "send_to_lobby", "session_end"} <= set(actions)


async def test_no_place_for_a_facilitator_of_another_programme(server, facilitated):
    with pytest.raises(InvalidStatus) as refused:
        await open_room(server, facilitated.session_id, login_cookie(server, facilitated.outsider))
    assert refused.value.response.status_code == 404, "as if the session did not exist"


async def test_the_room_state_survives_a_restart(server_factory, facilitated):
    room = facilitated
    first = server_factory().start()
    host = await enter(first, room.session_id, login_cookie(first, room.facilitator))
    await host.do("session_start")
    item = (await host.do("agenda_next", current_item_id=None))["item"]
    await host.do("mute", seat_id=room.ani.seat_id, reason="One minute, please.")
    await host.do("floor_give", seat_id=room.nigar.seat_id, seconds=600)
    await host.do("slow_mode", seconds=20)
    before = await enter(first, room.session_id, room.nigar.cookie)
    state_before = before.frames[-1]["state"]
    first.stop()
    second = server_factory().start()
    after = await enter(second, room.session_id, room.nigar.cookie)
    state_after = after.frames[-1]["state"]
    for key in ("status", "floor", "muted", "slow_mode_seconds", "polls", "round"):
        assert state_after[key] == state_before[key], key
    assert state_after["agenda"]["item"]["id"] == item["id"] and state_after["agenda"]["running"]
    assert state_after["agenda"]["ends_at"][:16] == state_before["agenda"]["ends_at"][:16], "the same clock"
    ani = await enter(second, room.session_id, room.ani.cookie)
    await ani.refused("statement", "muted", client_id=uuid.uuid4().hex, text="Still muted?")
    for client in (after, ani):
        await client.socket.close()


@pytest.mark.skipif(
    not (PG_URL and REDIS_URL), reason="several instances need PostgreSQL and Redis (.ci/run's second pass)"
)
async def test_two_facilitators_on_two_instances_advance_the_agenda_once(server_factory, facilitated):
    room = facilitated
    one, two = server_factory().start(), server_factory().start()
    host = await enter(one, room.session_id, login_cookie(one, room.facilitator))
    co = await enter(two, room.session_id, login_cookie(two, room.co_facilitator))
    await host.do("session_start")
    first = (await host.do("agenda_next", current_item_id=None))["item"]
    await co.event("agenda_changed")
    answers = await asyncio.gather(
        host.send("agenda_next", current_item_id=first["id"]), co.send("agenda_next", current_item_id=first["id"])
    )
    assert sorted(a["type"] for a in answers) == ["error", "ok"]
    assert next(a for a in answers if a["type"] == "error")["code"] == "agenda_moved"
    for client in (host, co):
        await client.settle()
        moves = [f for f in client.frames if f["type"] == "agenda_changed"]
        assert [m["agenda"]["item"]["position"] for m in moves] == [0, 1], "moved once, seen once on each instance"
        assert_clean_sequence(client)
    # Both muting the same person at once: one mute, one clear refusal or a no-op.
    answers = await asyncio.gather(
        host.send("mute", seat_id=room.ani.seat_id), co.send("mute", seat_id=room.ani.seat_id)
    )
    assert all(a["type"] == "ok" for a in answers)
    fresh = await enter(one, room.session_id, room.ani.cookie)
    assert fresh.frames[-1]["you"]["muted"]
    for client in (host, co, fresh):
        await client.socket.close()


@pytest.mark.skipif(
    not (PG_URL and REDIS_URL), reason="several instances need PostgreSQL and Redis (.ci/run's second pass)"
)
async def test_a_mute_on_one_instance_holds_on_the_next_statement_on_the_other(server_factory, facilitated):
    """Instance two keeps the room's facts in memory for its statements' fast path; a mute
    made on instance one is seen there before its next write, not after some expiry."""
    room = facilitated
    one, two = server_factory().start(), server_factory().start()
    host = await enter(one, room.session_id, login_cookie(one, room.facilitator))
    await host.do("session_start")
    await host.do("floor_give", seat_id=room.ani.seat_id, seconds=600)
    ani = await enter(two, room.session_id, room.ani.cookie)

    async def said(text: str) -> dict[str, Any]:
        client_id = await ani.say(text)
        return await ani.until(lambda f: f["type"] in ("ack", "error") and f.get("client_id") == client_id)

    for n in range(3):  # two now knows the room: the later ones take the fast path
        assert (await said(f"Before the mute {n}."))["type"] == "ack"
    await host.do("mute", seat_id=room.ani.seat_id, reason="One minute, please.")
    refused = await said("Right after the mute.")
    assert (refused["type"], refused["code"]) == ("error", "muted")
    await host.do("unmute", seat_id=room.ani.seat_id)
    no_floor = await said("After the unmute.")  # the mute took the floor from her
    assert (no_floor["type"], no_floor["code"]) == ("error", "not_your_floor")
    await host.do("floor_give", seat_id=room.ani.seat_id, seconds=600)
    assert (await said("With the floor again."))["type"] == "ack"
    await host.do("session_pause", reason="Tea")
    paused = await said("While paused.")
    assert (paused["type"], paused["code"]) == ("error", "session_paused")
    for client in (host, ani):
        await client.settle()
        assert_clean_sequence(client)
        await client.socket.close()
