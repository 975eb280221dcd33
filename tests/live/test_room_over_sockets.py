"""The room over real sockets against a real uvicorn process."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.dialogues.models import Seat, SeatStatus
from tests.live.room_client import open_room


async def test_a_statement_is_acknowledged_after_commit_and_seen_by_everyone_in_order(server, live_room):
    nigar = await open_room(server, live_room.session_id, live_room.people["nigar"].cookie)
    ani = await open_room(server, live_room.session_id, live_room.people["ani"].cookie)
    welcome = await nigar.until(lambda f: f["type"] == "welcome")
    assert welcome["state"]["status"] == "live" and welcome["you"]["display_name"] == "Nigar"
    client_id = await nigar.say("I am glad we are here.")
    ack = await nigar.until(lambda f: f["type"] == "ack")
    assert ack["client_id"] == client_id and ack["seq"] >= 1
    heard = await ani.until(lambda f: f["type"] == "statement")
    assert heard["seq"] == ack["seq"]
    assert heard["statement"]["text"] == "I am glad we are here." and heard["statement"]["author"] == "Nigar"
    await nigar.socket.close()
    await ani.socket.close()


async def test_sending_the_same_client_id_again_stores_nothing_new(server, live_room):
    nigar = await open_room(server, live_room.session_id, live_room.people["nigar"].cookie)
    client_id = await nigar.say("Once only.", client_id="resend-0001")
    first = await nigar.until(lambda f: f["type"] == "ack")
    await nigar.say("Once only.", client_id="resend-0001")
    second = await nigar.until(lambda f: f["type"] == "ack")
    assert (first["seq"], first["statement_id"]) == (second["seq"], second["statement_id"])
    await nigar.socket.close()
    later = await open_room(server, live_room.session_id, live_room.people["ani"].cookie)
    await later.until(lambda f: f["type"] == "welcome")
    texts = []
    try:
        while True:
            frame = await later.next(timeout=1.0)
            if frame["type"] == "statement":
                texts.append(frame["statement"]["text"])
    except TimeoutError:
        pass
    assert texts == ["Once only."] and client_id == "resend-0001"


@pytest.mark.parametrize(
    ("after", "expect"),
    [("inside", "the rest"), ("zero", "everything"), ("future", "reload"), ("malformed", "refused")],
)
async def test_catching_up_from_a_position(server, live_room, after, expect):
    nigar = await open_room(server, live_room.session_id, live_room.people["nigar"].cookie)
    acks = []
    for i in range(5):
        await nigar.say(f"Statement {i}")
        acks.append((await nigar.until(lambda f: f["type"] == "ack"))["seq"])
    await nigar.socket.close()
    cookie = live_room.people["ani"].cookie
    position = {"inside": acks[2], "zero": 0, "future": acks[-1] + 100, "malformed": "-3x"}[after]
    if expect == "refused":
        with pytest.raises(InvalidStatus) as refused:
            await open_room(server, live_room.session_id, cookie, after=position)
        assert refused.value.response.status_code == 400
        return
    ani = await open_room(server, live_room.session_id, cookie, after=position)
    if expect == "reload":
        frame = await ani.next()
        assert frame["type"] == "range_unavailable"
        with pytest.raises(ConnectionClosed) as closed:
            await ani.next()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4409
        return
    await ani.until(lambda f: f["type"] == "welcome")
    statements = []
    try:
        while True:
            frame = await ani.next(timeout=1.0)
            if frame["type"] == "statement":
                statements.append(frame["seq"])
    except TimeoutError:
        pass
    wanted = [s for s in acks if s > position]
    assert statements == wanted
    seqs = ani.seqs()
    assert seqs == sorted(set(seqs)), "no duplicates, in order"
    assert seqs == list(range(position + 1, seqs[-1] + 1)), "no gaps"
    await ani.socket.close()


async def test_bad_frames_get_error_events_and_the_connection_stays(server, live_room):
    nigar = await open_room(server, live_room.session_id, live_room.people["nigar"].cookie)
    await nigar.until(lambda f: f["type"] == "welcome")
    cases = [
        ("{not json", "malformed_json"),
        (json.dumps({"type": "dance"}), "unknown_command"),
        (json.dumps({"type": "statement", "client_id": "abcdefgh", "text": 5}), "invalid_command"),
        (json.dumps({"type": "statement", "client_id": "abcdefgh", "text": "x" * 2001}), "statement_too_long"),
        (json.dumps({"type": "statement", "client_id": "abcdefgh", "text": "hi", "extra": 1}), "invalid_command"),
        (
            json.dumps({"type": "statement", "client_id": "abcdefgh", "text": "hi", "reply_to": 999999}),
            "unknown_reply_to",
        ),
    ]
    for raw, code in cases:
        await nigar.socket.send(raw)
        error = await nigar.until(lambda f: f["type"] == "error")
        assert error["code"] == code, (raw, error)
        assert error["message"]
    # A refused command still names what it answers, so the client can match it.
    await nigar.socket.send(json.dumps({"type": "mute", "ref": "ref-1", "seat_id": "nobody"}))
    error = await nigar.until(lambda f: f["type"] == "error")
    assert (error["code"], error["ref"]) == ("invalid_command", "ref-1")
    await nigar.socket.send(json.dumps({"type": "statement", "client_id": "abcdefgh", "text": "x" * 2001}))
    error = await nigar.until(lambda f: f["type"] == "error")
    assert (error["code"], error["client_id"]) == ("statement_too_long", "abcdefgh")
    await nigar.socket.send(json.dumps({"type": "ping"}))
    assert (await nigar.until(lambda f: f["type"] in ("pong",)))["type"] == "pong"
    await nigar.socket.close()


async def test_too_many_statements_are_answered_with_the_limit_and_the_connection_stays(server_factory, live_room):
    server = server_factory(ROUNDTABLE_STATEMENT_RATE="6/10 seconds").start()
    nigar = await open_room(server, live_room.session_id, live_room.people["nigar"].cookie)
    for i in range(8):
        await nigar.say(f"Quick {i}")
    answers: list[dict[str, Any]] = []
    while len(answers) < 8:
        frame = await nigar.next()
        if frame["type"] in ("ack", "error"):
            answers.append(frame)
    limited = [a for a in answers if a["type"] == "error"]
    assert [a["type"] for a in answers].count("ack") == 6
    assert limited and limited[0]["code"] == "rate_limited" and limited[0]["retry_after"] > 0
    await nigar.socket.send(json.dumps({"type": "ping"}))
    await nigar.until(lambda f: f["type"] == "pong")
    await nigar.socket.close()


async def test_a_frame_over_the_size_limit_closes_with_1009(server, live_room):
    nigar = await open_room(server, live_room.session_id, live_room.people["nigar"].cookie)
    await nigar.socket.send("x" * (200 * 1024))
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await nigar.next()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_binary_frames_close_with_1008(server, live_room):
    nigar = await open_room(server, live_room.session_id, live_room.people["nigar"].cookie)
    await nigar.socket.send(b"\x00\x01")
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await nigar.next()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


@pytest.mark.parametrize("case", ["foreign origin", "no cookie", "cookie for another session", "removed seat"])
async def test_refused_handshakes(app, server, live_room, case):
    cookie = live_room.people["rauf"].cookie
    origin = None
    if case == "foreign origin":
        origin = "https://evil.example"
    elif case == "no cookie":
        cookie = ""
    elif case == "cookie for another session":
        cookie = live_room.other_cookie
    elif case == "removed seat":
        async with app.state.db.unit_of_work() as db:
            seat = await db.get(Seat, live_room.people["rauf"].seat_id)
            seat.status = SeatStatus.removed
            db.add(seat)
    with pytest.raises(InvalidStatus) as refused:
        await open_room(server, live_room.session_id, cookie, origin=origin)
    expected = {"foreign origin": 403, "no cookie": 401, "cookie for another session": 401, "removed seat": 403}[case]
    assert refused.value.response.status_code == expected
    assert b"error" in refused.value.response.body


async def test_sigterm_tells_clients_to_reconnect_with_1012(server, live_room):
    nigar = await open_room(server, live_room.session_id, live_room.people["nigar"].cookie)
    await nigar.until(lambda f: f["type"] == "welcome")
    stopping = asyncio.get_running_loop().run_in_executor(None, server.stop)
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await nigar.next(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    await stopping
