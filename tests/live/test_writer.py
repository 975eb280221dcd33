"""Group commit (app/live/writer.py) and the statement path's cached room facts
(app/facilitation/room_facts.py): one transaction per batch, failures alone, resends
answered with the first acknowledgement, a cache that another instance's change makes stale."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from app.db import Database, DatabaseUnavailable
from app.errors import AppError
from app.events.log import read_events
from app.events.models import Statement
from app.facilitation import room_facts
from app.facilitation.room import Actor
from app.facilitation.statements import Posted
from app.live.commands import COMMANDS
from app.live.dispatch import asked, run_command
from app.live.writer import RoomWriter


def _command(type: str, **fields):
    return COMMANDS.validate_python({"type": type, **fields})


async def _send(writer: RoomWriter, room, actor: Actor, type: str, **fields):
    """As the endpoint sends it: a statement may take the fast path (app/facilitation/statement_batch.py)."""
    command = _command(type, **fields)
    now = room.clock.now()
    return await writer.run(
        actor.session_id,
        lambda db: run_command(db, actor=actor, command=command, now=now),
        statement=asked(actor, command, now),
    )


def _published(monkeypatch, db) -> list:
    """What the database's publisher is handed after each commit, kept in a list."""
    sent: list = []

    async def publisher(items):
        sent.extend(items)

    monkeypatch.setattr(db, "publisher", publisher)
    return sent


def _say(writer, room, actor, text, client_id=None):
    return _send(writer, room, actor, "statement", client_id=client_id or uuid.uuid4().hex, text=text)


async def _log_seqs(room) -> list[int]:
    async with room.app.state.db.unit_of_work() as db:
        return [e.seq for e in await read_events(db, session_id=room.session_id, after=0)]


async def test_a_batch_commits_once_and_a_command_that_fails_its_checks_fails_alone(room):
    writer = RoomWriter(room.app.state.db)
    nigar, ani, rauf, lusine = (room.people[name] for name in ("nigar", "ani", "rauf", "lusine"))
    await room.act(room.facilitator, "mute", seat_id=ani.seat_id)
    before = (await _log_seqs(room))[-1]
    try:
        results = await asyncio.gather(
            _say(writer, room, nigar, "First."),
            _say(writer, room, ani, "Refused: muted."),
            _send(writer, room, lusine, "react", statement_id=10**6, reaction="hear_you", on=True),  # no such statement
            _say(writer, room, rauf, "Second."),
            _send(writer, room, nigar, "hand_raise"),
            return_exceptions=True,
        )
    finally:
        await writer.close()
    assert writer.batches == 1, "everything that waited went into one transaction"
    first, muted, unknown, second, hand = results
    assert isinstance(muted, AppError) and muted.code == "muted"
    assert isinstance(unknown, AppError)
    assert isinstance(first, Posted) and isinstance(second, Posted) and not isinstance(hand, BaseException)
    assert (first.seq, second.seq) == (before + 1, before + 2), "in the order they arrived"
    seqs = await _log_seqs(room)
    assert seqs == list(range(1, seqs[-1] + 1)), "no gap where the refused ones were"
    assert seqs[-1] == before + 3  # two statements and the raised hand
    async with room.app.state.db.unit_of_work() as db:
        texts = (await db.exec(select(Statement.text).where(Statement.session_id == room.session_id))).all()
    assert "First." in texts and "Second." in texts and "Refused: muted." not in texts


async def test_a_resend_after_a_lost_acknowledgement_gets_the_first_one(room):
    """The commit happened, the acknowledgement never reached the client (the server died
    in between, the connection dropped): the resend with the same client id is answered
    with the first statement's id and number, and nothing is stored twice, even once the
    seat has been taken out of the room."""
    writer = RoomWriter(room.app.state.db)
    nigar = room.people["nigar"]
    client_id = uuid.uuid4().hex
    try:
        first = await _say(writer, room, nigar, "Said once.", client_id)
        last = (await _log_seqs(room))[-1]
        again, together = await asyncio.gather(
            _say(writer, room, nigar, "Said once.", client_id), _say(writer, room, nigar, "Said once.", client_id)
        )
        await room.act(room.facilitator, "remove", seat_id=nigar.seat_id, reason="Left the workshop.")
        after_removal = await _say(writer, room, nigar, "Said once.", client_id)
    finally:
        await writer.close()
    for answer in (again, together, after_removal):
        assert (answer.statement_id, answer.seq, answer.duplicate) == (first.statement_id, first.seq, True)
    seqs = await _log_seqs(room)
    assert seqs[:last] == list(range(1, last + 1)) and seqs == list(range(1, seqs[-1] + 1))
    async with room.app.state.db.unit_of_work() as db:
        rows = (await db.exec(select(Statement).where(Statement.client_id == client_id))).all()
    assert len(rows) == 1


async def test_another_instances_change_is_seen_before_the_next_write(room):
    """Instance A has the room's facts in memory; instance B (its own engine, its own
    cache) mutes a participant; A's next statement from that participant is refused."""
    ani = room.people["ani"]
    a = RoomWriter(room.app.state.db)
    other = Database(room.app.state.db.url)
    b = RoomWriter(other)
    try:
        await _say(a, room, ani, "Before the mute.")  # A now knows the room
        await _send(b, room, room.facilitator, "mute", seat_id=ani.seat_id, reason="A pause, please.")
        with pytest.raises(AppError) as refused:
            await _say(a, room, ani, "After the mute.")
        assert refused.value.code == "muted"
        await _send(b, room, room.facilitator, "unmute", seat_id=ani.seat_id)
        await _say(a, room, ani, "After the unmute.")
        await _send(b, room, room.facilitator, "session_pause", reason="Tea")
        with pytest.raises(AppError) as paused:
            await _say(a, room, ani, "While paused.")
        assert paused.value.code == "session_paused"
    finally:
        await a.close()
        await b.close()
        await other.dispose()


async def test_a_batch_the_database_refuses_answers_everyone_try_again_and_stores_nothing(room):
    writer = RoomWriter(room.app.state.db)
    nigar, rauf = room.people["nigar"], room.people["rauf"]
    before = await _log_seqs(room)

    async def database_away(db):  # what the driver raises when the database is locked or gone
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    async def our_own_fault(db):
        raise KeyError("a bug of ours")

    try:
        away = await asyncio.gather(  # commands of the full path (statements may take the fast one)
            _send(writer, room, nigar, "hand_raise"),
            writer.run(room.session_id, database_away),
            _send(writer, room, rauf, "hand_raise"),
            return_exceptions=True,
        )
        alone = await asyncio.gather(
            _say(writer, room, nigar, "Stored."),
            writer.run(room.session_id, our_own_fault),
            _say(writer, room, rauf, "Stored too."),
            return_exceptions=True,
        )
    finally:
        await writer.close()
    assert all(isinstance(r, AppError) and r.code == "try_again" for r in away), away
    assert isinstance(alone[1], KeyError), "a fault of the command's own fails it alone"
    assert isinstance(alone[0], Posted) and isinstance(alone[2], Posted)
    assert alone[0].seq == before[-1] + 1, "the failed batch used no number"
    assert len(await _log_seqs(room)) == len(before) + 2


async def test_the_writer_refuses_new_work_once_closed(room):
    writer = RoomWriter(room.app.state.db)
    await writer.close()
    with pytest.raises(AppError) as stopped:
        await _say(writer, room, room.people["nigar"], "Too late.")
    assert stopped.value.code == "try_again"


async def test_the_fast_path_stores_and_sends_what_the_full_path_would(room, monkeypatch):
    """A statement sent without the fast path (as the writer runs one it defers) and the
    same through the fast path: same rows, same log entries, same live frames."""
    db = room.app.state.db
    writer = RoomWriter(db)
    sent = _published(monkeypatch, db)
    nigar, ani = room.people["nigar"], room.people["ani"]
    try:
        command = _command("statement", client_id=uuid.uuid4().hex, text="  Բարև, salam, привет 🕊️  ")
        now = room.clock.now()
        full = await writer.run(nigar.session_id, lambda db: run_command(db, actor=nigar, command=command, now=now))
        calls: list = []

        async def full_path(*args, **kwargs):
            calls.append(kwargs)
            raise AssertionError("the full path was taken")

        monkeypatch.setattr("app.live.dispatch.post_statement", full_path)
        fast = await asyncio.gather(
            _say(writer, room, ani, "  Բարև, salam, привет 🕊️  "), _say(writer, room, nigar, "Second.")
        )
    finally:
        await writer.close()
    assert not calls, "the fast path stored them"
    assert [p.seq for p in fast] == [full.seq + 1, full.seq + 2]
    frames = {item.frame["statement_id"]: item.frame for item in sent if item.frame["type"] == "statement"}
    first, second = frames[full.statement_id], frames[fast[0].statement_id]
    assert set(first) == set(second) and set(first["statement"]) == set(second["statement"])
    assert second["statement"]["text"] == first["statement"]["text"] == "Բարև, salam, привет 🕊️"
    for key in ("role", "state", "reactions", "translations", "translation_pending", "waiting_for", "reply_to"):
        assert first["statement"][key] == second["statement"][key], key
    assert second["statement"]["author"] == "Ani" and second["statement"]["community"] == "b"
    logged = {e["statement_id"]: e for e in await room.events() if e["type"] == "statement"}
    assert set(logged[full.statement_id]) == set(logged[fast[0].statement_id])
    async with db.unit_of_work() as session:
        rows = {
            row.id: row
            for row in (await session.exec(select(Statement).where(Statement.session_id == room.session_id))).all()
        }
    a, b = rows[full.statement_id], rows[fast[0].statement_id]
    assert (a.text, a.hidden_at, a.withdrawn_at, a.agenda_item_id) == (
        b.text,
        b.hidden_at,
        b.withdrawn_at,
        b.agenda_item_id,
    )
    assert b.seq == fast[0].seq and b.created_at == room.clock.now()


async def test_a_fast_batch_the_database_refuses_answers_try_again_and_forgets_the_facts(room, monkeypatch):
    db = room.app.state.db
    writer = RoomWriter(db)
    nigar, rauf = room.people["nigar"], room.people["rauf"]
    try:
        await _say(writer, room, nigar, "Known room.")
        before = await _log_seqs(room)
        assert room.session_id in room_facts.cache_of(db.engine)

        async def away(work):
            raise DatabaseUnavailable()

        monkeypatch.setattr(db, "run_in_transaction", away)
        lost = await asyncio.gather(
            _say(writer, room, nigar, "Lost."), _say(writer, room, rauf, "Lost too."), return_exceptions=True
        )
        monkeypatch.undo()
        assert all(isinstance(r, AppError) and r.code == "try_again" for r in lost), lost
        assert await _log_seqs(room) == before
        again = await _say(writer, room, rauf, "Sent again.")
    finally:
        await writer.close()
    assert again.seq == before[-1] + 1
