"""Interpretation over real sockets against a real server: an interpreter translates what a
participant says; the translation is a room event (after its statement, acknowledged after
commit, once per client id), caught up after a reconnect, and it leaves every view with its
statement when that is withdrawn or hidden."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from app.accounts.models import Role
from app.dialogues.models import SeatRole
from tests.factories import Person, go_live, make_programme, make_session, seat_for
from tests.live.room_client import RoomClient, login_cookie, open_room
from tests.servers import Server


@dataclass
class Interpreted:
    session_id: int
    facilitator: str  # username
    nigar: Person
    ani: Person
    lena: Person  # the interpreter
    guest: Person  # an observer


@pytest.fixture
async def interpreted(app, make_account) -> Interpreted:
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user])
    session = await make_session(app, facilitator=facilitator.user, programme=programme, capacity=6)
    await go_live(app, session)

    async def seat(
        name: str, community: str | None, role: SeatRole = SeatRole.participant, language: str = "en"
    ) -> Person:
        return await seat_for(
            app,
            facilitator=facilitator.user,
            session=session,
            community=community,
            name=name,
            role=role,
            language=language,
        )

    return Interpreted(
        session.id,
        facilitator.username,
        nigar=await seat("Nigar", "a", language="az"),
        ani=await seat("Ani", "b", language="hy"),
        lena=await seat("Lena", None, SeatRole.interpreter),
        guest=await seat("Guest", None, SeatRole.observer),
    )


class Client(RoomClient):
    async def send(self, type: str, **fields: Any) -> dict[str, Any]:
        ref = uuid.uuid4().hex[:12]
        await self.socket.send(json.dumps({"type": type, "ref": ref, **fields}))
        return await self.until(lambda f: f.get("ref") == ref and f["type"] in ("ok", "error"))

    async def translate(self, statement_id: int, language: str, text: str, client_id: str | None = None) -> dict:
        return await self.send(
            "translate",
            statement_id=statement_id,
            language=language,
            text=text,
            client_id=client_id or uuid.uuid4().hex,
        )

    async def drain(self, seconds: float = 0.7) -> list[dict[str, Any]]:
        """Every frame until the room goes quiet."""
        got = []
        try:
            while True:
                got.append(await self.next(timeout=seconds))
        except (TimeoutError, ConnectionClosed):
            pass
        return got


async def enter(server: Server, session_id: int, cookie: str, *, after: int = 0) -> Client:
    client = Client((await open_room(server, session_id, cookie, after=after)).socket)
    await client.until(lambda f: f["type"] == "welcome")
    return client


def translations_in(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in frames if f["type"] == "translation_posted"]


async def test_a_translation_follows_its_statement_acknowledged_after_commit_and_only_once(server, interpreted):
    room = interpreted
    nigar = await enter(server, room.session_id, room.nigar.cookie)
    ani = await enter(server, room.session_id, room.ani.cookie)
    lena = await enter(server, room.session_id, room.lena.cookie)
    assert lena.frames[0]["you"]["role"] == "interpreter"

    # The interpreter does not speak in the dialogue.
    refused_id = await lena.say("My own view.")
    refusal = await lena.until(lambda f: f["type"] == "error" and f.get("client_id") == refused_id)
    assert refusal["code"] == "interpreters_translate" and refusal["message"]

    await nigar.say("Biz qonşu idik.")
    ack = await nigar.until(lambda f: f["type"] == "ack")
    heard = await lena.until(lambda f: f["type"] == "statement")
    assert heard["statement"]["translation_pending"] is True, "an interpreter is in the room"

    ok = await lena.translate(ack["statement_id"], "hy", "Մենք հարևաններ էինք։", client_id="lena-000001")
    assert ok["type"] == "ok", ok
    result = ok["result"]
    assert result["seq"] > ack["seq"] and result["by"] == "interpreter" and result["duplicate"] is False

    # Acknowledged means committed: someone who comes in now reads it from the database.
    newcomer = await enter(server, room.session_id, room.guest.cookie)
    caught_up = await newcomer.drain()
    statement = next(f for f in caught_up if f["type"] == "statement")["statement"]
    assert statement["translations"] == [
        {
            "translation_id": result["translation_id"],
            "language": "hy",
            "text": "Մենք հարևաններ էինք։",
            "by": "interpreter",
        }
    ]
    assert [f["seq"] for f in translations_in(caught_up)] == [result["seq"]]

    # Everyone hears it live, after the statement, in the same order.
    posted = await ani.until(lambda f: f["type"] == "translation_posted")
    assert posted["seq"] == result["seq"] and posted["statement_id"] == ack["statement_id"]
    assert posted["translation"]["text"] == "Մենք հարևաններ էինք։" and posted["translation"]["by"] == "interpreter"
    assert posted["translation_pending"] is True, "Russian and English are still to come"

    # A resend with the same client id is answered as before and stores nothing.
    again = await lena.translate(ack["statement_id"], "hy", "Մենք հարևաններ էինք։", client_id="lena-000001")
    assert again["result"] == {**result, "duplicate": True}

    # The author may translate their own words; someone else's, not; an observer, nothing.
    own = await nigar.translate(ack["statement_id"], "ru", "Мы были соседями.")
    assert own["type"] == "ok" and own["result"]["by"] == "author"
    assert (await ani.translate(ack["statement_id"], "ru", "Соседи."))["code"] == "not_your_statement"
    assert (await newcomer.translate(ack["statement_id"], "ru", "Соседи."))["code"] == "observer"
    assert (await lena.translate(ack["statement_id"], "ka", "x"))["code"] == "unknown_language"
    assert (await lena.translate(ack["statement_id"], "not a language", "x"))["code"] == "invalid_command"

    frames = await ani.drain()
    assert [f["by"] for f in translations_in(ani.frames)] == ["interpreter", "author"], "the resend made no event"
    assert not [f for f in frames if f["type"] == "error"]
    for client in (ani, lena, nigar):
        seqs = client.seqs()
        assert seqs == list(range(seqs[0], seqs[-1] + 1)), "in order, no gaps, no duplicates"
        await client.socket.close()
    await newcomer.socket.close()


async def test_a_reconnecting_reader_catches_up_on_the_translations_it_missed(server, interpreted):
    room = interpreted
    nigar = await enter(server, room.session_id, room.nigar.cookie)
    lena = await enter(server, room.session_id, room.lena.cookie)
    ani = await enter(server, room.session_id, room.ani.cookie)
    await nigar.say("Ev, bağ, çay.")
    ack = await nigar.until(lambda f: f["type"] == "ack")
    await ani.until(lambda f: f["type"] == "statement")
    left_at = max(ani.seqs())
    await ani.socket.close()

    ok = await lena.translate(ack["statement_id"], "hy", "Տուն, այգի, թեյ։")
    assert ok["type"] == "ok", ok

    back = await enter(server, room.session_id, room.ani.cookie, after=left_at)
    missed = translations_in(await back.drain())
    assert [f["seq"] for f in missed] == [ok["result"]["seq"]]
    assert missed[0]["translation"]["text"] == "Տուն, այգի, թեյ։"

    # The same range fetched again is the same frame.
    await back.send_json({"type": "fetch", "from_seq": left_at + 1, "to_seq": ok["result"]["seq"]})
    fetched = translations_in(await back.drain())
    assert fetched == missed
    for client in (nigar, lena, back):
        await client.socket.close()


async def test_withdrawn_and_hidden_statements_take_their_translations_out_of_every_view(server, interpreted):
    room = interpreted
    host = await enter(server, room.session_id, login_cookie(server, room.facilitator))
    nigar = await enter(server, room.session_id, room.nigar.cookie)
    lena = await enter(server, room.session_id, room.lena.cookie)
    ani = await enter(server, room.session_id, room.ani.cookie)

    await nigar.say("Bunu geri götürürəm.")
    withdrawn = await nigar.until(lambda f: f["type"] == "ack")
    await nigar.say("Bunu fasilitator gizlədəcək.")
    hidden = await nigar.until(lambda f: f["type"] == "ack")
    for statement_id, text in ((withdrawn["statement_id"], "ВОЗЬМУ НАЗАД"), (hidden["statement_id"], "СКРОЕТ")):
        assert (await lena.translate(statement_id, "ru", text))["type"] == "ok"

    assert (await nigar.send("withdraw", statement_id=withdrawn["statement_id"]))["type"] == "ok"
    assert (await host.send("hide", statement_id=hidden["statement_id"], reason="Off topic."))["type"] == "ok"
    changed = [f for f in await ani.drain() if f["type"] == "statement_changed"]
    assert [f["state"] for f in changed] == ["withdrawn", "hidden"]
    assert (await lena.translate(hidden["statement_id"], "hy", "x"))["code"] == "statement_gone"

    # Read back, by a participant and by a facilitator, from the start: the words are gone.
    for cookie in (room.ani.cookie, login_cookie(server, room.facilitator)):
        later = await enter(server, room.session_id, cookie)
        await later.drain()
        frames = later.frames  # the welcome and everything after it
        raw = json.dumps(frames, ensure_ascii=False)
        assert "ВОЗЬМУ" not in raw and "СКРОЕТ" not in raw
        assert [f["translation"] for f in translations_in(frames)] == [None, None]
        statements = [f["statement"] for f in frames if f["type"] == "statement"]
        assert [(s["state"], s["translations"]) for s in statements] == [("withdrawn", []), ("hidden", [])]
        await later.socket.close()
    for client in (host, nigar, lena, ani):
        await client.socket.close()
