"""A breakout agenda item from beginning to end, through the room's commands: the groups
proposed and opened, each person told where to go, each group talking in its own room and
writing its report, people moved, the clock, and the return with the agreed reports."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from app.dialogues.models import DialogueSession, Seat, SeatRole
from app.errors import AppError
from app.facilitation.room import Actor
from app.main import create_app
from tests.breakouts.conftest import EIGHT, Breakout


async def test_a_whole_caucus_from_proposal_to_the_reports_in_the_main_room(make_breakout):
    caucus: Breakout = await make_breakout(grouping="caucus", open=False)
    room = caucus.room
    nigar, ani, rauf, lusine = (caucus.seat(n) for n in ("nigar", "ani", "rauf", "lusine"))

    # The agenda is on the breakout item, for everyone.
    agenda = (await room.welcome(room.people["ani"]))["state"]["agenda"]
    assert agenda["item"]["id"] == caucus.item_id and agenda["item"]["kind"] == "breakout"

    # Proposed: one group per community, in the programme's order, people in seat order. Nothing changes yet.
    proposal = await room.act(room.facilitator, "breakout_propose", item_id=caucus.item_id)
    assert proposal["groups"] == [
        {"community": "a", "seat_ids": [nigar, rauf]},
        {"community": "b", "seat_ids": [ani, lusine]},
    ]
    assert proposal["unplaced"] == []
    assert await caucus.current() is None, "a proposal opens nothing"

    # Opened as proposed.
    view = await caucus.open()
    assert view["status"] == "open" and view["grouping"] == "caucus" and view["item_id"] == caucus.item_id
    assert [(g["number"], g["community"], g["seat_ids"]) for g in view["groups"]] == [
        (1, "a", [nigar, rauf]),
        (2, "b", [ani, lusine]),
    ]
    assert view["unplaced"] == []
    assert view["remaining_seconds"] == 600.0, "the item's planned 10 minutes"
    one, two = view["groups"]
    assert one["session_id"] != two["session_id"] != room.session_id
    opened = await room.last("breakout_changed")
    assert opened["action"] == "opened" and opened["audience"] == "all" and opened["breakout"] == view

    # Everyone's welcome in the main room says where their group meets.
    for name, group in (("nigar", one), ("rauf", one), ("ani", two), ("lusine", two)):
        welcome = await room.welcome(room.people[name])
        assert welcome["you"]["group_session_id"] == group["session_id"], name
        assert welcome["state"]["breakout"]["id"] == view["id"]
    assert (await room.welcome(room.facilitator))["you"]["group_session_id"] is None, "facilitators are placed nowhere"

    # Each group's room: a live child session whose welcome shows the group and its (empty) report.
    m_nigar, m_rauf = await caucus.member("nigar"), await caucus.member("rauf")
    m_ani, m_lusine = await caucus.member("ani"), await caucus.member("lusine")
    for member, group, main_seat in ((m_nigar, one, nigar), (m_ani, two, ani)):
        welcome = await caucus.welcome(member)
        assert welcome["state"]["status"] == "live"
        assert welcome["you"]["seat_id"] == member.seat_id != main_seat, "the child seat of the group's room"
        assert welcome["you"]["main_seat_id"] == main_seat
        assert welcome["state"]["breakout"]["id"] == view["id"]
        assert welcome["state"]["group"] == {
            "id": group["id"],
            "number": group["number"],
            "community": group["community"],
            "main_session_id": room.session_id,
            "report": {"group_id": group["id"], "version": 0, "text": "", "ready": [], "agreed": False},
        }
    async with caucus.app.state.db.unit_of_work() as db:
        group_room = await db.get(DialogueSession, one["session_id"])
        child = await db.get(Seat, m_nigar.seat_id)
        main_seat_row = await db.get(Seat, nigar)
        assert group_room.parent_id == room.session_id
        assert child.parent_seat_id == nigar and child.display_name == main_seat_row.display_name

    # Statements in group 1 stay in group 1's log.
    await caucus.say(m_nigar, "Among ourselves: what do we want to bring back?")
    await caucus.say(m_ani, "In group two, something else.")
    assert await caucus.texts(one["session_id"]) == ["Among ourselves: what do we want to bring back?"]
    assert await caucus.texts(two["session_id"]) == ["In group two, something else."]
    assert await caucus.texts(room.session_id) == []

    # The report: group 1 writes it and both say ready; group 2 leaves a draft nobody agreed.
    for member in (m_nigar, m_rauf, m_ani, m_lusine):
        await caucus.arrive(member)
    draft = await caucus.act(m_nigar, "report_edit", text="We want the border open for students.", version=0)
    assert draft == {
        "group_id": one["id"],
        "version": 1,
        "text": "We want the border open for students.",
        "ready": [],
        "agreed": False,
    }
    half = await caucus.act(m_nigar, "report_ready", version=1, ready=True)
    assert half["ready"] == [m_nigar.seat_id] and not half["agreed"], "Rauf is there and has not said ready"
    with pytest.raises(AppError) as stale:
        await caucus.act(m_rauf, "report_edit", text="Open for everyone.", version=0)
    assert stale.value.code == "report_changed" and stale.value.message
    edited = await caucus.act(
        m_rauf, "report_edit", text="We want the border open for students and traders.", version=1
    )
    assert edited["version"] == 2 and edited["ready"] == [] and not edited["agreed"], "an edit asks everyone again"
    await caucus.act(m_nigar, "report_ready", version=2, ready=True)
    agreed = await caucus.act(m_rauf, "report_ready", version=2, ready=True)
    assert agreed["agreed"] and sorted(agreed["ready"]) == sorted([m_nigar.seat_id, m_rauf.seat_id])
    changed = [e for e in await caucus.events(one["session_id"]) if e["type"] == "report_changed"]
    assert changed[-1]["agreed"] and changed[-1]["text"] == agreed["text"] and changed[-1]["version"] == 2
    assert not [e for e in await caucus.events(room.session_id) if e["type"] == "report_changed"], "only in its room"
    await caucus.act(m_ani, "report_edit", text="A draft we never agreed on.", version=0)
    assert (await caucus.welcome(m_nigar))["state"]["group"]["report"] == agreed

    # The end: the agreed report is group 1's statement in the main room; the draft is not posted.
    main_before = len(await caucus.events(room.session_id))
    ended = await room.act(room.facilitator, "breakout_end", breakout_id=view["id"])
    assert ended["status"] == "ended" and ended["unplaced"] == []
    posted = [e for e in await caucus.events(room.session_id, after=0) if e["type"] == "statement"]
    assert [p["statement"]["text"] for p in posted] == ["We want the border open for students and traders."]
    author = posted[0]["statement"]
    async with caucus.app.state.db.unit_of_work() as db:
        seat = await db.get(Seat, author["seat_id"])
        assert seat.role is SeatRole.group and seat.display_name == "Group 1"
    assert (author["author"], author["role"], author["community"]) == ("Group 1", "group", "a"), "the caucus's"
    for group in (one, two):
        assert await caucus.status(group["session_id"]) == "ended"
        last = [e for e in await caucus.events(group["session_id"]) if e["type"] == "breakout_changed"][-1]
        assert last["action"] == "ended" and last["breakout"]["status"] == "ended"
    main_ended = [e for e in await caucus.events(room.session_id, after=main_before) if e["type"] == "breakout_changed"]
    assert [e["action"] for e in main_ended] == ["ended"]
    for name in ("nigar", "ani"):
        welcome = await room.welcome(room.people[name])
        assert welcome["state"]["breakout"] is None and welcome["you"]["group_session_id"] is None


# Opening: where the groups come from ------------------------------------------------------


async def test_the_groups_open_only_on_a_live_session_with_the_breakout_item_current(make_breakout):
    caucus: Breakout = await make_breakout(open=False)
    room = caucus.room
    first = (await room.welcome(room.facilitator))["state"]["agenda_items"][0]["id"]
    await room.act(room.facilitator, "agenda_go", current_item_id=caucus.item_id, item_id=first)
    with pytest.raises(AppError) as elsewhere:
        await caucus.open()
    assert elsewhere.value.code == "not_current_item"
    with pytest.raises(AppError) as not_breakout:
        await room.act(room.facilitator, "breakout_propose", item_id=first)
    assert not_breakout.value.code == "not_a_breakout"
    await room.act(room.facilitator, "agenda_go", current_item_id=first, item_id=caucus.item_id)
    await room.act(room.facilitator, "session_pause", reason="Tea")
    with pytest.raises(AppError) as paused:
        await caucus.open()
    assert paused.value.code == "session_paused"
    await room.act(room.facilitator, "session_resume")
    await caucus.open(minutes=5)
    assert caucus.view["remaining_seconds"] == 300.0
    with pytest.raises(AppError) as twice:
        await caucus.open()
    assert twice.value.code == "breakout_open"


async def test_mixed_groups_of_four_balance_the_two_communities(make_breakout):
    mixed: Breakout = await make_breakout(grouping="mixed", group_size=4, people=EIGHT, open=False)
    community = {mixed.seat(name): key for name, key in EIGHT}
    proposal = await mixed.room.act(mixed.room.facilitator, "breakout_propose", item_id=mixed.item_id)
    assert len(proposal["groups"]) == 2 and proposal["unplaced"] == []
    view = await mixed.open()
    assert [g["community"] for g in view["groups"]] == [None, None], "a mixed group is nobody's caucus"
    assert [g["seat_ids"] for g in view["groups"]] == [g["seat_ids"] for g in proposal["groups"]]
    for group in view["groups"]:
        keys = [community[s] for s in group["seat_ids"]]
        assert sorted(keys) == ["a", "a", "b", "b"], group
    placed = [s for g in view["groups"] for s in g["seat_ids"]]
    assert sorted(placed) == sorted(community), "everyone placed once"


async def test_an_odd_number_of_people_is_balanced_within_one(make_breakout):
    seven = (
        ("nigar", "a"),
        ("ani", "b"),
        ("rauf", "a"),
        ("lusine", "b"),
        ("leyla", "a"),
        ("armen", "b"),
        ("elvin", "a"),
    )
    mixed: Breakout = await make_breakout(grouping="mixed", group_size=3, people=seven)
    community = {mixed.seat(name): key for name, key in seven}
    sizes = [len(g["seat_ids"]) for g in mixed.view["groups"]]
    assert sum(sizes) == 7 and max(sizes) - min(sizes) <= 1
    for key in ("a", "b"):
        counts = [sum(community[s] == key for s in g["seat_ids"]) for g in mixed.view["groups"]]
        assert max(counts) - min(counts) <= 1, (key, counts)


async def test_manual_groups_are_drawn_by_the_facilitator(make_breakout):
    manual: Breakout = await make_breakout(grouping="manual", open=False)
    nigar, ani, rauf, lusine = (manual.seat(n) for n in ("nigar", "ani", "rauf", "lusine"))
    proposal = await manual.room.act(manual.room.facilitator, "breakout_propose", item_id=manual.item_id)
    assert proposal["groups"] == [] and proposal["unplaced"] == [nigar, ani, rauf, lusine]
    with pytest.raises(AppError) as none:
        await manual.open()
    assert none.value.code == "groups_needed" and none.value.message
    with pytest.raises(AppError) as empty_list:
        await manual.open(groups=[])
    assert empty_list.value.code == "groups_needed"
    view = await manual.open(groups=[[nigar, ani], [rauf]])
    assert [(g["number"], g["community"], g["seat_ids"]) for g in view["groups"]] == [
        (1, None, [nigar, ani]),
        (2, None, [rauf]),
    ]
    assert view["unplaced"] == [lusine], "left out of the drawing: in the main room"
    assert (await manual.room.welcome(manual.room.people["lusine"]))["you"]["group_session_id"] is None


@pytest.mark.parametrize(
    ("drawn", "code"),
    [
        (lambda s, f: [[s["nigar"], s["ani"]], [s["ani"], s["rauf"]]], "seat_twice"),
        (lambda s, f: [[s["nigar"], 987654]], "unknown_seat"),
        (lambda s, f: [[s["nigar"]], []], "empty_group"),
        (lambda s, f: [[s["nigar"], f]], "unknown_seat"),
    ],
    ids=["a seat twice", "an unknown seat", "an empty group", "a facilitator's seat"],
)
async def test_badly_drawn_groups_are_refused_clearly(make_breakout, drawn, code):
    manual: Breakout = await make_breakout(grouping="manual", open=False)
    seats = {name: manual.seat(name) for name in manual.room.people}
    with pytest.raises(AppError) as refused:
        await manual.open(groups=drawn(seats, manual.room.facilitator.seat_id))
    assert refused.value.code == code and refused.value.message
    assert await manual.current() is None, "nothing opened"


async def test_a_caucus_drawn_by_hand_keeps_a_community_only_where_everyone_shares_it(make_breakout):
    caucus: Breakout = await make_breakout(open=False)
    nigar, ani, rauf, lusine = (caucus.seat(n) for n in ("nigar", "ani", "rauf", "lusine"))
    view = await caucus.open(groups=[[nigar, rauf, ani], [lusine]])
    assert [g["community"] for g in view["groups"]] == [None, "b"]


# While the groups meet -------------------------------------------------------------------


async def test_a_person_is_moved_between_groups_and_back_to_the_main_room(caucus: Breakout):
    room = caucus.room
    one, two = caucus.view["groups"]
    nigar = caucus.seat("nigar")
    in_one = await caucus.member("nigar")

    moved = await room.act(room.facilitator, "breakout_move", breakout_id=caucus.id, seat_id=nigar, group_id=two["id"])
    assert caucus.group_of("nigar", moved)["id"] == two["id"] and nigar not in moved["groups"][0]["seat_ids"]
    old = await caucus.child(one["session_id"], nigar)
    assert old.id == in_one.seat_id and old.status.value == "left"
    new = await caucus.child(two["session_id"], nigar)
    assert new.status.value == "admitted"
    left = [e for e in await caucus.events(one["session_id"]) if e["type"] == "seat_changed"][-1]
    assert left["action"] == "moved" and left["seat"]["seat_id"] == old.id
    placed = [e for e in await caucus.events(two["session_id"]) if e["type"] == "seat_changed"][-1]
    assert placed["action"] == "placed" and placed["seat"]["seat_id"] == new.id
    for session_id in (room.session_id, one["session_id"], two["session_id"]):
        last = [e for e in await caucus.events(session_id) if e["type"] == "breakout_changed"][-1]
        assert last["action"] == "moved" and last["breakout"] == moved, session_id
    assert (await room.welcome(room.people["nigar"]))["you"]["group_session_id"] == two["session_id"]
    with pytest.raises(AppError) as refused:
        await caucus.say(in_one, "Still here?")
    assert refused.value.code == "not_admitted", "the old group's seat has left"

    back = await room.act(room.facilitator, "breakout_move", breakout_id=caucus.id, seat_id=nigar, group_id=None)
    assert back["unplaced"] == [nigar] and all(nigar not in g["seat_ids"] for g in back["groups"])
    assert (await caucus.child(two["session_id"], nigar)).status.value == "left"
    assert (await room.welcome(room.people["nigar"]))["you"]["group_session_id"] is None
    with pytest.raises(AppError) as again:
        await room.act(room.facilitator, "breakout_move", breakout_id=caucus.id, seat_id=nigar, group_id=None)
    assert again.value.code == "already_there"

    home = await room.act(room.facilitator, "breakout_move", breakout_id=caucus.id, seat_id=nigar, group_id=one["id"])
    assert caucus.group_of("nigar", home)["id"] == one["id"]
    assert (await caucus.child(one["session_id"], nigar)).id == in_one.seat_id, "the same seat, taken up again"
    await caucus.say(in_one, "Back with my caucus.")

    moves = await caucus.audit("breakout_move")
    opening = [(m.target_seat_id, m.details["group"]) for m in moves[:4]]
    assert sorted(opening) == sorted(
        [(caucus.seat("nigar"), 1), (caucus.seat("rauf"), 1), (caucus.seat("ani"), 2), (caucus.seat("lusine"), 2)]
    )
    assert [(m.target_seat_id, m.details["group"]) for m in moves[4:]] == [(nigar, 2), (nigar, None), (nigar, 1)]
    assert all(m.actor_seat_id == room.facilitator.seat_id for m in moves)
    assert len(await caucus.audit("breakout_open")) == 1


async def test_a_move_names_a_group_and_an_admitted_participant_of_this_breakout(caucus: Breakout):
    room = caucus.room
    one = caucus.view["groups"][0]
    for fields, code in (
        ({"seat_id": caucus.seat("ani"), "group_id": 987654}, "unknown_group"),
        ({"seat_id": room.facilitator.seat_id, "group_id": one["id"]}, "unknown_seat"),
        ({"seat_id": caucus.seat("nigar"), "group_id": one["id"]}, "already_there"),
    ):
        with pytest.raises(AppError) as refused:
            await room.act(room.facilitator, "breakout_move", breakout_id=caucus.id, **fields)
        assert refused.value.code == code, fields
    with pytest.raises(AppError) as unknown:
        await room.act(room.facilitator, "breakout_move", breakout_id=987654, seat_id=caucus.seat("ani"), group_id=None)
    assert unknown.value.code == "unknown_breakout"


async def test_a_late_arrival_waits_unplaced_until_a_facilitator_places_them(caucus: Breakout):
    room = caucus.room
    kamran = await room.add_seat("Kamran", community="a", role=SeatRole.participant)
    now = await caucus.current()
    assert now["unplaced"] == [kamran.seat_id]
    # Every room is told at once (the console lists them to place), not at the next move.
    arrived = [e for e in await caucus.events(room.session_id) if e["type"] == "breakout_changed"][-1]
    assert arrived["action"] == "arrived" and arrived["breakout"]["unplaced"] == [kamran.seat_id]
    assert (await room.welcome(kamran))["you"]["group_session_id"] is None
    one = caucus.view["groups"][0]
    placed = await room.act(
        room.facilitator, "breakout_move", breakout_id=caucus.id, seat_id=kamran.seat_id, group_id=one["id"]
    )
    assert kamran.seat_id in placed["groups"][0]["seat_ids"] and placed["unplaced"] == []
    assert (await room.welcome(kamran))["you"]["group_session_id"] == one["session_id"]
    seat = await caucus.child(one["session_id"], kamran.seat_id)
    assert seat is not None and seat.status.value == "admitted"
    await caucus.say(Actor(session_id=one["session_id"], seat_id=seat.id), "Sorry I am late.")
    assert await caucus.texts(one["session_id"]) == ["Sorry I am late."]
    move = (await caucus.audit("breakout_move"))[-1]
    assert move.target_seat_id == kamran.seat_id and move.details == {"breakout_id": caucus.id, "group": 1}


# The clock -------------------------------------------------------------------------------


async def _agree(caucus: Breakout, name: str, text: str) -> None:
    """Everyone of the person's group present, a report written and said ready by all."""
    group = caucus.group_of(name)
    members = [await caucus.member(n) for n in caucus.room.people if caucus.seat(n) in group["seat_ids"]]
    for member in members:
        await caucus.arrive(member)
    report = await caucus.act(members[0], "report_edit", text=text, version=0)
    for member in members:
        report = await caucus.act(member, "report_ready", version=report["version"], ready=True)
    assert report["agreed"]


async def test_when_the_time_is_up_the_groups_return_by_themselves_with_their_reports(caucus: Breakout):
    room = caucus.room
    await _agree(caucus, "ani", "Community B asks for a joint working group.")
    ends_at = datetime.fromisoformat(caucus.view["ends_at"])
    caucus.clock.advance(seconds=(ends_at - caucus.clock.now()).total_seconds() - 1)
    await caucus.tick()
    assert (await caucus.current())["status"] == "open", "a second before the end"
    caucus.clock.advance(seconds=2)
    assert await caucus.tick()
    assert await caucus.current() is None
    assert await caucus.texts(room.session_id) == ["Community B asks for a joint working group."]
    ended = await room.last("breakout_changed")
    assert ended["action"] == "ended" and ended["breakout"]["remaining_seconds"] == 0
    for group in caucus.view["groups"]:
        assert await caucus.status(group["session_id"]) == "ended"
    entry = (await caucus.audit("breakout_end"))[-1]
    assert entry.actor_seat_id is None and entry.details["on_time"] and entry.details["reports"] == 1
    assert not await caucus.tick(), "ended once"


async def test_extending_moves_the_end_and_the_clock_follows_it(caucus: Breakout):
    room = caucus.room
    ends_at = datetime.fromisoformat(caucus.view["ends_at"])
    extended = await room.act(room.facilitator, "breakout_extend", breakout_id=caucus.id, minutes=5)
    assert datetime.fromisoformat(extended["ends_at"]) == ends_at + timedelta(minutes=5)
    assert extended["remaining_seconds"] == 900.0
    for session_id in [room.session_id] + [g["session_id"] for g in caucus.view["groups"]]:
        last = [e for e in await caucus.events(session_id) if e["type"] == "breakout_changed"][-1]
        assert last["action"] == "extended" and last["breakout"]["ends_at"] == extended["ends_at"]
    with pytest.raises(ValidationError):  # 1 to 120 minutes, checked with the command
        await room.act(room.facilitator, "breakout_extend", breakout_id=caucus.id, minutes=121)
    caucus.clock.advance(minutes=11)
    await caucus.tick()
    assert (await caucus.current())["status"] == "open", "past the first end, before the new one"
    caucus.clock.advance(minutes=5)
    await caucus.tick()
    assert await caucus.current() is None
    assert (await caucus.audit("breakout_extend"))[0].details == {"breakout_id": caucus.id, "minutes": 5}


async def test_ending_the_session_while_the_groups_meet_brings_them_back_first(caucus: Breakout):
    room = caucus.room
    await _agree(caucus, "nigar", "Community A will bring a proposal next time.")
    await room.act(room.facilitator, "session_end")
    log = await caucus.events(room.session_id)
    kinds = [(e["type"], e.get("action") or e.get("status")) for e in log]
    returned = kinds.index(("breakout_changed", "ended"))
    assert kinds.index(("session_status", "ended")) > returned, "the groups come back, then the session ends"
    report = next(e for e in log if e["type"] == "statement")
    assert (
        report["statement"]["text"] == "Community A will bring a proposal next time." and log.index(report) < returned
    )
    for group in caucus.view["groups"]:
        assert await caucus.status(group["session_id"]) == "ended"
    assert (await caucus.audit("breakout_end"))[-1].actor_seat_id == room.facilitator.seat_id


async def test_moving_the_agenda_on_while_the_groups_meet_brings_them_back_first(caucus: Breakout):
    room = caucus.room
    await _agree(caucus, "nigar", "We will write to each other.")
    await room.act(room.facilitator, "agenda_back", current_item_id=caucus.item_id)
    log = await caucus.events(room.session_id)
    returned = next(i for i, e in enumerate(log) if e["type"] == "breakout_changed" and e["action"] == "ended")
    moved = next(i for i, e in enumerate(log) if e["type"] == "agenda_changed" and e["action"] == "back")
    report = next(i for i, e in enumerate(log) if e["type"] == "statement")
    assert report < returned < moved, "the report, the return, then the next item"
    assert log[report]["statement"]["role"] == "group"
    for group in caucus.view["groups"]:
        assert await caucus.status(group["session_id"]) == "ended"
    welcome = await room.welcome(room.people["nigar"])
    assert welcome["state"]["breakout"] is None and welcome["you"]["group_session_id"] is None


async def test_the_groups_meet_only_while_open_and_ended_breakouts_refuse_commands(caucus: Breakout):
    room = caucus.room
    await room.act(room.facilitator, "breakout_end", breakout_id=caucus.id)
    for type, fields in (
        ("breakout_end", {}),
        ("breakout_extend", {"minutes": 5}),
        ("breakout_broadcast", {"text": "Two minutes left."}),
        ("breakout_glance", {}),
        ("breakout_move", {"seat_id": caucus.seat("ani"), "group_id": None}),
    ):
        with pytest.raises(AppError) as refused:
            await room.act(room.facilitator, type, breakout_id=caucus.id, **fields)
        assert refused.value.code == "breakout_ended", type
    member = await caucus.member("nigar")
    with pytest.raises(AppError) as closed:
        await caucus.say(member, "Anyone still here?")
    assert closed.value.code == "room_not_live", "a group's ended room takes no more statements"
    # A second breakout of the same item opens afresh, with new rooms.
    first_rooms = {g["session_id"] for g in caucus.view["groups"]}
    again = await caucus.open()
    assert {g["session_id"] for g in again["groups"]}.isdisjoint(first_rooms)


# Reconnecting ----------------------------------------------------------------------------


async def test_a_reconnect_during_a_breakout_rebuilds_both_rooms_from_the_database(caucus: Breakout, settings, clock):
    room = caucus.room
    one = caucus.view["groups"][0]
    nigar = await caucus.member("nigar")
    await caucus.arrive(nigar)
    await caucus.say(nigar, "Said before the connection dropped.")
    report = await caucus.act(nigar, "report_edit", text="Our draft.", version=0)
    await caucus.act(nigar, "report_ready", version=report["version"], ready=True)
    await room.act(
        room.facilitator, "breakout_move", breakout_id=caucus.id, seat_id=caucus.seat("lusine"), group_id=one["id"]
    )
    await room.act(room.facilitator, "breakout_extend", breakout_id=caucus.id, minutes=3)
    caucus.clock.advance(seconds=30)
    main_before = await room.welcome(room.people["nigar"])
    group_before = await caucus.welcome(nigar)

    # Another instance (nothing of the first one's memory) serves the reconnect.
    other = create_app(settings, clock=clock)
    async with other.router.lifespan_context(other):
        second = Breakout(
            type(room)(other, room.session_id, room.facilitator, room.co_facilitator, None), caucus.item_id
        )
        main_after = await second.welcome(room.people["nigar"])
        group_after = await second.welcome(nigar)
    assert main_after == main_before and group_after == group_before

    breakout = group_after["state"]["breakout"]
    assert main_after["you"]["group_session_id"] == one["session_id"]
    assert breakout["remaining_seconds"] == 13 * 60 - 30
    assert sorted(breakout["groups"][0]["seat_ids"]) == sorted(
        [caucus.seat("nigar"), caucus.seat("rauf"), caucus.seat("lusine")]
    )
    assert group_after["state"]["group"]["report"] == {
        "group_id": one["id"],
        "version": 1,
        "text": "Our draft.",
        "ready": [nigar.seat_id],
        "agreed": True,  # Nigar is the only member with a connection open, and she said ready
    }
    assert [p["seat_id"] for p in group_after["state"]["present"]] == [nigar.seat_id]
    assert (group_after["you"]["seat_id"], group_after["you"]["main_seat_id"]) == (nigar.seat_id, caucus.seat("nigar"))


# Visiting a group -----------------------------------------------------------------------


async def test_a_facilitator_may_visit_any_group_and_others_only_their_own(caucus: Breakout):
    room = caucus.room
    one, two = caucus.view["groups"]
    observer = await room.add_seat("Watcher", community=None, role=SeatRole.observer)
    interpreter = await room.add_seat("Tigran", community=None, role=SeatRole.interpreter, language="hy")

    async def entering(main_seat_id: int, group: dict) -> Seat:
        seat = await caucus.entering(main_seat_id, group)
        assert seat is not None
        return seat

    assert await caucus.entering(room.facilitator.seat_id, two, write=False) is None, "first made where it can write"
    for group in (one, two):
        visitor = await entering(room.facilitator.seat_id, group)
        assert visitor.session_id == group["session_id"]
        assert visitor.parent_seat_id == room.facilitator.seat_id and visitor.role is SeatRole.facilitator
        assert (await entering(room.facilitator.seat_id, group)).id == visitor.id, "the same seat next time"
        welcome = await caucus.welcome(Actor(session_id=group["session_id"], seat_id=visitor.id))
        assert welcome["you"]["role"] == "facilitator" and welcome["state"]["group"]["id"] == group["id"]
    visiting = Actor(
        session_id=two["session_id"], seat_id=(await caucus.child(two["session_id"], room.facilitator.seat_id)).id
    )
    await caucus.say(visiting, "Just listening in; carry on.")
    assert await caucus.texts(two["session_id"]) == ["Just listening in; carry on."]
    assert (await entering(interpreter.seat_id, one)).role is SeatRole.interpreter
    assert (await entering(caucus.seat("nigar"), one)).id == (await caucus.member("nigar")).seat_id

    for main_seat_id in (caucus.seat("ani"), observer.seat_id):  # placed elsewhere; an observer
        with pytest.raises(AppError) as refused:
            await entering(main_seat_id, one)
        assert refused.value.code == "not_in_group" and refused.value.message
    assert await caucus.maybe_child(one["session_id"], observer.seat_id) is None
