"""Bad input in the room gets a clear answer, and the connection and the data stay intact;
`fetch` returns the whole range or says it cannot."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from app.facilitation.statements import post_statement
from tests.live.room_client import RoomClient, open_room

HUGE = 2**63


async def welcomed(client: RoomClient) -> dict:
    return await client.until(lambda f: f["type"] == "welcome")


async def still_answers(client: RoomClient) -> None:
    await client.send_json({"type": "ping"})
    await client.until(lambda f: f["type"] == "pong")


async def refused(client: RoomClient, frame: dict | str, code: str) -> dict:
    await client.socket.send(frame if isinstance(frame, str) else json.dumps(frame))
    answer = await client.until(lambda f: f["type"] == "error")
    assert answer["code"] == code, answer
    assert answer["message"]
    await still_answers(client)
    return answer


async def refused_handshake(server, live_room, path: str) -> int:
    with pytest.raises(InvalidStatus) as answer:
        await connect(
            f"{server.ws_url}{path}",
            additional_headers={"Cookie": live_room.people["ani"].cookie, "Origin": server.base_url},
        )
    return answer.value.response.status_code


async def test_a_position_or_a_session_that_is_not_a_plain_number_is_refused_before_the_room_opens(server, live_room):
    for after in ("²", "①", "٣", "-1", "1e3", str(HUGE), " 1"):
        assert await refused_handshake(server, live_room, f"/ws/sessions/{live_room.session_id}?after={after}") == 400
    for session in (str(HUGE), "10" * 40, "²", "0"):
        assert await refused_handshake(server, live_room, f"/ws/sessions/{session}") == 404, session


async def test_numbers_too_big_for_the_database_are_refused_and_the_room_goes_on(server, live_room):
    ani = await open_room(server, live_room.session_id, live_room.people["ani"].cookie)
    await welcomed(ani)
    for frame in (
        {"type": "react", "statement_id": HUGE, "reaction": "hear_you"},
        {"type": "withdraw", "statement_id": 2**31},
        {"type": "statement", "client_id": "c" * 12, "text": "Hello", "reply_to": HUGE},
        {"type": "fetch", "from_seq": 1, "to_seq": HUGE},
        {"type": "poll_answer", "poll_id": 1, "choices": [HUGE]},
        {"type": "round_pass", "round_id": 10**30},
    ):
        await refused(ani, frame, "invalid_command")


async def test_a_deeply_nested_frame_is_refused_without_losing_the_connection(server, live_room):
    ani = await open_room(server, live_room.session_id, live_room.people["ani"].cookie)
    await welcomed(ani)
    await refused(ani, "[" * 5000 + "]" * 5000, "too_deep")
    await refused(ani, '{"type": "statement", "x": ' + "{" * 5000, "too_deep")


async def test_control_characters_are_refused_in_every_text_of_the_room(server, live_room):
    ani = await open_room(server, live_room.session_id, live_room.people["ani"].cookie)
    await welcomed(ani)
    for control in ("\x00", "\x07", "\x1b", "\x7f"):
        statement = {"type": "statement", "client_id": "n" * 12, "text": f"a{control}b"}
        await refused(ani, statement, "control_characters")
        await refused(ani, {"type": "check_in", "text": f"a{control}b"}, "control_characters")
        await refused(ani, {"type": "report", "statement_id": 1, "reason": f"x{control}"}, "control_characters")
    # Tabs and line ends are text.
    await ani.say("One line\n\tand another\r\n", client_id="fine-text-1")
    assert (await ani.until(lambda f: f["type"] in ("ack", "error")))["type"] == "ack"


async def test_a_fetch_larger_than_the_send_queue_returns_the_whole_range(app, server_factory, live_room):
    server = server_factory().start()
    async with app.state.db.unit_of_work() as db:  # 300 statements, straight into the log
        for i in range(300):
            posted = await post_statement(
                db,
                session_id=live_room.session_id,
                seat_id=live_room.people["nigar"].seat_id,
                client_id=f"bulk-{i:05d}",
                text=f"Statement {i}",
                reply_to=None,
                now=app.state.clock.now(),
            )
    newest = posted.seq
    ani = await open_room(server, live_room.session_id, live_room.people["ani"].cookie, after=newest)
    welcome = await welcomed(ani)
    assert welcome["last_seq"] == newest

    await ani.send_json({"type": "fetch", "from_seq": 1, "to_seq": newest})
    frames: list[dict] = []
    while len(frames) < newest:  # live events (her own arrival) may come between
        frame = await ani.next()
        assert frame["type"] != "range_unavailable", frame
        if frame.get("seq", newest + 1) <= newest:
            frames.append(frame)
    assert [f["seq"] for f in frames] == list(range(1, newest + 1))
    assert sum(f["type"] == "statement" for f in frames) == 300

    # After the range the room goes on live, nothing skipped.
    await ani.say("Live again", client_id="after-fetch-1")
    ack = await ani.until(lambda f: f["type"] == "ack")
    if not any(f["type"] == "statement" and f["seq"] == ack["seq"] for f in ani.frames):  # may come before the ack
        await ani.until(lambda f: f["type"] == "statement" and f["seq"] == ack["seq"])
    live = [f["seq"] for f in ani.frames if f.get("seq", 0) > newest and f["type"] != "ack"]
    assert live == list(range(newest + 1, ack["seq"] + 1)), "live events go on without a gap"

    await ani.send_json({"type": "fetch", "from_seq": 1, "to_seq": newest + 50})
    gone = await ani.until(lambda f: f["type"] == "range_unavailable")
    assert (gone["from_seq"], gone["to_seq"]) == (1, newest + 50)
