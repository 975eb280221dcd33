"""Alerts stay in every facilitator's console until one of them marks them done: break
requests, reports, time-up nudges and participants' check-in messages."""

from __future__ import annotations

import pytest

from app.errors import AppError
from app.facilitation import audit


async def test_each_kind_of_alert_can_be_marked_done_once_and_everyone_hears_of_it(room):
    nigar, ani = room.people["nigar"], room.people["ani"]
    said = await room.say(nigar, "Something sharp.")
    await room.act(ani, "break_request")
    await room.act(ani, "report", statement_id=said.statement_id, reason="It hurt.")
    await room.act(ani, "check_in", text="Can we talk after this?")
    frames = await room.events()
    alerts = [f for f in frames if f["type"] in ("break_requested", "report_made", "private_message")]
    assert len(alerts) == 3
    for alert in alerts:
        assert await room.act(room.facilitator, "alert_done", alert_seq=alert["seq"]) == {
            "alert_seq": alert["seq"],
            "done": True,
        }
    # A second facilitator marking the same alert again changes nothing.
    await room.act(room.co_facilitator, "alert_done", alert_seq=alerts[0]["seq"])
    done = [f for f in await room.events() if f["type"] == "alert_done"]
    assert sorted(f["alert_seq"] for f in done) == sorted(a["seq"] for a in alerts)
    assert all(f["audience"] == "facilitators" for f in done)


async def test_only_alerts_can_be_marked_done_and_only_by_facilitators(room):
    nigar, ani = room.people["nigar"], room.people["ani"]
    said = await room.say(nigar, "An ordinary statement.")
    statement = next(f for f in await room.events() if f["type"] == "statement")
    for seq in (statement["seq"], 99999):
        with pytest.raises(AppError) as refused:
            await room.act(room.facilitator, "alert_done", alert_seq=seq)
        assert refused.value.code == "alert_not_found"
    await room.act(ani, "report", statement_id=said.statement_id, reason="x")
    report = next(f for f in await room.events() if f["type"] == "report_made")
    with pytest.raises(AppError) as participant:
        await room.act(ani, "alert_done", alert_seq=report["seq"])
    assert participant.value.code == "facilitators_only"
    assert not [f for f in await room.events() if f["type"] == "alert_done"]


async def test_marking_an_alert_done_is_in_the_audit_log(room):
    await room.act(room.people["ani"], "break_request")
    request = next(f for f in await room.events() if f["type"] == "break_requested")
    await room.act(room.facilitator, "alert_done", alert_seq=request["seq"])
    async with room.app.state.db.unit_of_work() as db:
        entries = await audit.entries(db, session_id=room.session_id)
    assert any(e["action"] == "alert_done" for e in entries), entries
