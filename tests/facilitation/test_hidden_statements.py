"""A hidden statement: nobody reads it in the room, a facilitator may read it (audit-logged)
and show it again, to everyone, with its translations."""

from __future__ import annotations

import pytest

from app.errors import AppError
from app.facilitation import audit


async def test_a_facilitator_reads_a_hidden_statement_and_shows_it_again(room):
    nigar, ani = room.people["nigar"], room.people["ani"]
    said = await room.say(nigar, "Words someone found hard.")
    await room.act(room.facilitator, "hide", statement_id=said.statement_id, reason="Checking with the author.")
    assert "found hard" not in str(await room.events()), "hidden from the room"
    read = await room.act(room.co_facilitator, "hidden_read", statement_id=said.statement_id)
    assert read == {
        "statement_id": said.statement_id,
        "text": "Words someone found hard.",
        "reason": "Checking with the author.",
    }
    assert "found hard" not in str(await room.events()), "reading it is no event"

    await room.act(room.facilitator, "unhide", statement_id=said.statement_id)
    frames = await room.events()
    shown = [f for f in frames if f["type"] == "statement_changed" and f["state"] == "visible"]
    assert len(shown) == 1 and shown[0]["audience"] == "all"
    assert shown[0]["statement"]["text"] == "Words someone found hard."
    assert shown[0]["statement"]["state"] == "visible"
    posted = next(f for f in frames if f["type"] == "statement")["statement"]
    assert posted["text"] == "Words someone found hard.", "a newcomer reads it again"
    await room.act(ani, "react", statement_id=said.statement_id, reaction="hear_you")  # it takes part again

    async with room.app.state.db.unit_of_work() as db:
        actions = [e["action"] for e in await audit.entries(db, session_id=room.session_id)]
    assert {"hide", "hidden_read", "unhide"} <= set(actions), actions


async def test_only_a_hidden_statement_can_be_read_or_shown_again_and_only_by_facilitators(room):
    nigar, ani = room.people["nigar"], room.people["ani"]
    said = await room.say(nigar, "An ordinary statement.")
    for command in ("hidden_read", "unhide"):
        with pytest.raises(AppError) as visible:
            await room.act(room.facilitator, command, statement_id=said.statement_id)
        assert visible.value.code == "not_hidden"
    await room.act(room.facilitator, "hide", statement_id=said.statement_id, reason="x")
    for command in ("hidden_read", "unhide"):
        with pytest.raises(AppError) as refused:
            await room.act(ani, command, statement_id=said.statement_id)
        assert refused.value.code == "facilitators_only"
        with pytest.raises(AppError) as unknown:
            await room.act(room.facilitator, command, statement_id=99999)
        assert unknown.value.code == "unknown_statement"
    mine = await room.say(ani, "I take this back.")
    await room.act(room.facilitator, "hide", statement_id=mine.statement_id, reason="x")
    await room.act(ani, "withdraw", statement_id=mine.statement_id)
    with pytest.raises(AppError) as gone:
        await room.act(room.facilitator, "hidden_read", statement_id=mine.statement_id)
    assert gone.value.code in ("already_withdrawn", "not_hidden")
