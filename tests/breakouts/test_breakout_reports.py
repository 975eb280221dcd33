"""A group's report: a draft any member edits (naming the version they edited), agreed when
every member present in the group's room said ready to the current text, and posted into the
main room as the group's statement when the groups return; a draft nobody agreed stays behind."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlmodel import select

from app.dialogues.models import Seat, SeatRole
from app.errors import AppError
from app.events.models import RoomEvent
from app.facilitation.breakout_reports import MAX_REPORT_CHARS
from app.facilitation.room import Actor
from tests.breakouts.conftest import EIGHT, Breakout


async def present(caucus: Breakout, *names: str) -> list[Actor]:
    """The people's connections to their groups' rooms are open."""
    members = [await caucus.member(name) for name in names]
    for member in members:
        await caucus.arrive(member)
    return members


async def test_a_report_is_agreed_when_every_member_present_said_ready(caucus: Breakout):
    nigar, rauf = await present(caucus, "nigar", "rauf")
    report = await caucus.act(nigar, "report_edit", text="  We ask for a second meeting.  ", version=0)
    assert report["text"] == "We ask for a second meeting." and report["version"] == 1
    assert not (await caucus.act(nigar, "report_ready", version=1, ready=True))["agreed"], "Rauf has not said so"
    agreed = await caucus.act(rauf, "report_ready", version=1, ready=True)
    assert agreed["agreed"] and agreed["ready"] == sorted([nigar.seat_id, rauf.seat_id])

    taken_back = await caucus.act(rauf, "report_ready", version=1, ready=False)
    assert not taken_back["agreed"] and taken_back["ready"] == [nigar.seat_id]
    again = await caucus.act(rauf, "report_ready", version=1, ready=True)
    assert again["agreed"]


async def test_a_member_without_a_connection_does_not_hold_the_report_back(caucus: Breakout):
    (nigar,) = await present(caucus, "nigar")  # Rauf's connection is closed
    await caucus.act(nigar, "report_edit", text="What we agreed.", version=0)
    assert (await caucus.act(nigar, "report_ready", version=1, ready=True))["agreed"]
    rauf = await caucus.member("rauf")
    connection = await caucus.arrive(rauf)
    assert not (await caucus.welcome(nigar))["state"]["group"]["report"]["agreed"], "Rauf is back: he is asked too"
    await caucus.depart(connection)
    assert (await caucus.welcome(nigar))["state"]["group"]["report"]["agreed"]


async def test_an_edit_asks_everyone_again(caucus: Breakout):
    nigar, rauf = await present(caucus, "nigar", "rauf")
    await caucus.act(nigar, "report_edit", text="First words.", version=0)
    await caucus.act(nigar, "report_ready", version=1, ready=True)
    await caucus.act(rauf, "report_ready", version=1, ready=True)
    edited = await caucus.act(rauf, "report_edit", text="Better words.", version=1)
    assert edited["version"] == 2 and edited["ready"] == [] and not edited["agreed"]
    unchanged = await caucus.act(nigar, "report_edit", text="Better words.", version=2)
    assert unchanged == edited, "the same words again change nothing"
    assert [e["version"] for e in await _report_events(caucus, "nigar")] == [1, 1, 1, 2]


async def test_a_stale_version_is_refused_so_nobody_overwrites_unseen(caucus: Breakout):
    nigar, rauf = await present(caucus, "nigar", "rauf")
    await caucus.act(nigar, "report_edit", text="Nigar's words.", version=0)
    with pytest.raises(AppError) as edit:
        await caucus.act(rauf, "report_edit", text="Rauf's words, typed at the same time.", version=0)
    assert edit.value.code == "report_changed" and edit.value.message
    with pytest.raises(AppError) as ready:
        await caucus.act(rauf, "report_ready", version=0, ready=True)
    assert ready.value.code == "report_changed"
    assert (await caucus.welcome(rauf))["state"]["group"]["report"]["text"] == "Nigar's words."


async def test_an_empty_report_cannot_be_ready_and_clearing_one_undoes_the_agreement(caucus: Breakout):
    (nigar,) = await present(caucus, "nigar")
    with pytest.raises(AppError) as empty:
        await caucus.act(nigar, "report_ready", version=0, ready=True)
    assert empty.value.code == "report_empty"
    await caucus.act(nigar, "report_edit", text="Something.", version=0)
    await caucus.act(nigar, "report_ready", version=1, ready=True)
    cleared = await caucus.act(nigar, "report_edit", text="", version=1)
    assert cleared == {**cleared, "version": 2, "text": "", "ready": [], "agreed": False}
    with pytest.raises(ValidationError):  # checked with the command
        await caucus.act(nigar, "report_edit", text="x" * (MAX_REPORT_CHARS + 1), version=2)


async def test_a_visitor_may_mark_ready_but_only_members_agree(caucus: Breakout):
    visitor = await caucus.visit(caucus.view["groups"][0])
    await caucus.arrive(visitor)
    await caucus.act(visitor, "report_edit", text="Notes the facilitator helped with.", version=0)
    alone = await caucus.act(visitor, "report_ready", version=1, ready=True)
    assert alone["ready"] == [visitor.seat_id] and not alone["agreed"], "no member present has said ready"
    (nigar,) = await present(caucus, "nigar")
    assert (await caucus.act(nigar, "report_ready", version=1, ready=True))["agreed"]


async def test_a_newcomer_to_the_group_is_asked_and_someone_moved_out_is_not(caucus: Breakout):
    room = caucus.room
    one, two = caucus.view["groups"]
    nigar, rauf = await present(caucus, "nigar", "rauf")
    await caucus.act(nigar, "report_edit", text="Agreed among two.", version=0)
    await caucus.act(nigar, "report_ready", version=1, ready=True)
    assert (await caucus.act(rauf, "report_ready", version=1, ready=True))["agreed"]
    moved = await room.act(
        room.facilitator, "breakout_move", breakout_id=caucus.id, seat_id=caucus.seat("ani"), group_id=one["id"]
    )
    ani = await caucus.member("ani", caucus.group_of("ani", moved))
    await caucus.arrive(ani)
    assert not (await caucus.welcome(nigar))["state"]["group"]["report"]["agreed"], "Ani has not said ready"
    await room.act(
        room.facilitator, "breakout_move", breakout_id=caucus.id, seat_id=caucus.seat("ani"), group_id=two["id"]
    )
    assert (await caucus.welcome(nigar))["state"]["group"]["report"]["agreed"], "Ani went back to her caucus"
    assert (await caucus.act(nigar, "report_ready", version=1, ready=True))["agreed"]


async def test_reports_are_written_only_in_a_meeting_group(caucus: Breakout):
    room = caucus.room
    with pytest.raises(AppError) as main:
        await room.act(room.people["nigar"], "report_edit", text="In the main room?", version=0)
    assert main.value.code == "not_in_group"
    nigar = await caucus.member("nigar")
    await room.act(room.facilitator, "breakout_end", breakout_id=caucus.id)
    with pytest.raises(AppError) as ended:
        await caucus.act(nigar, "report_edit", text="Too late.", version=0)
    assert ended.value.code == "not_in_group"


async def _report_events(caucus: Breakout, name: str) -> list[dict]:
    return [e for e in await caucus.events(caucus.group_of(name)["session_id"]) if e["type"] == "report_changed"]


async def test_the_log_keeps_the_report_s_words_with_the_group_and_joins_them_when_read(caucus: Breakout):
    (nigar,) = await present(caucus, "nigar")
    await caucus.act(nigar, "report_edit", text="Words of the report.", version=0)
    (frame,) = await _report_events(caucus, "nigar")
    assert frame["text"] == "Words of the report." and frame["audience"] == "all"
    assert frame["group_id"] == caucus.group_of("nigar")["id"] and frame["version"] == 1 and frame["ready"] == []
    async with caucus.app.state.db.unit_of_work() as db:
        stored = (
            await db.exec(
                select(RoomEvent).where(RoomEvent.session_id == nigar.session_id, RoomEvent.type == "report_changed")
            )
        ).one()
    assert "text" not in stored.payload and "Words of the report." not in str(stored.payload)


async def test_only_agreed_reports_return_to_the_main_room_each_signed_by_its_group(make_breakout):
    mixed: Breakout = await make_breakout(grouping="mixed", group_size=4, people=EIGHT)
    room = mixed.room
    one, two = mixed.view["groups"]
    first = [n for n, _ in EIGHT if mixed.seat(n) in one["seat_ids"]]
    second = [n for n, _ in EIGHT if mixed.seat(n) in two["seat_ids"]]
    members = await present(mixed, *first)
    await mixed.act(members[0], "report_edit", text="Group one agrees on a joint statement.", version=0)
    for member in members:
        await mixed.act(member, "report_ready", version=1, ready=True)
    others = await present(mixed, *second)
    await mixed.act(others[0], "report_edit", text="Group two could not agree.", version=0)
    await mixed.act(others[0], "report_ready", version=1, ready=True)  # three others did not

    glance = await room.act(room.facilitator, "breakout_glance", breakout_id=mixed.id)
    assert glance["breakout_id"] == mixed.id and glance["remaining_seconds"] == 600.0
    assert [g["group_id"] for g in glance["groups"]] == [one["id"], two["id"]]
    assert glance["groups"][0]["present"] == sorted(one["seat_ids"]), "main seats of who is there"
    assert glance["groups"][0]["report"] == {"written": True, "agreed": True, "ready": 4, "present": 4}
    assert glance["groups"][1]["report"] == {"written": True, "agreed": False, "ready": 1, "present": 4}
    await mixed.say(members[1], "A word in group one.")
    assert [
        g["statements"] for g in (await room.act(room.facilitator, "breakout_glance", breakout_id=mixed.id))["groups"]
    ] == [1, 0]

    await room.act(room.facilitator, "breakout_end", breakout_id=mixed.id)
    posted = [e["statement"] for e in await mixed.events(room.session_id) if e["type"] == "statement"]
    assert [(p["text"], p["author"], p["role"], p["community"]) for p in posted] == [
        ("Group one agrees on a joint statement.", "Group 1", "group", None)
    ]
    async with mixed.app.state.db.unit_of_work() as db:
        author = await db.get(Seat, posted[0]["seat_id"])
        assert author.session_id == room.session_id and author.role is SeatRole.group
        assert author.status.value == "left", "nobody sits in a group's seat"
    welcome = await room.welcome(room.people["nigar"])
    assert all(p["seat_id"] != posted[0]["seat_id"] for p in welcome["state"]["present"])


async def test_a_group_signs_its_reports_with_the_same_seat_in_a_later_breakout(caucus: Breakout):
    room = caucus.room

    async def agree(text: str) -> int:
        members = await present(caucus, "nigar", "rauf")
        report = await caucus.act(members[0], "report_edit", text=text, version=0)
        for member in members:
            await caucus.act(member, "report_ready", version=report["version"], ready=True)
        await room.act(room.facilitator, "breakout_end", breakout_id=caucus.id)
        return [e for e in await caucus.events(room.session_id) if e["type"] == "statement"][-1]["statement"]["seat_id"]

    first = await agree("Our first report.")
    await caucus.open()
    assert await agree("Our second report.") == first
    assert await caucus.texts(room.session_id) == ["Our first report.", "Our second report."]
