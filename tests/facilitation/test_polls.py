"""Live polls through the real dispatcher: opening, answering, changing, closing, results,
who may do what, and anonymity as a leak test (no event or view says who chose what)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.dialogues.models import Seat, SeatRole
from app.errors import AppError
from app.facilitation import audit
from app.facilitation.room import Actor


async def _refused(awaitable: Any) -> str:
    with pytest.raises(AppError) as caught:
        await awaitable
    return caught.value.code


async def _open(room: Any, **fields: Any) -> dict:
    fields = {"question": "Did this round help you listen?", "options": ["Yes", "Somewhat", "No"], **fields}
    return await room.act(room.facilitator, "poll_open", **fields)


def _poll_frames(events: list[dict]) -> list[dict]:
    return [e for e in events if e["type"].startswith("poll_")]


async def test_open_answer_change_close_with_results(room) -> None:
    started = await room.act(room.facilitator, "agenda_next", current_item_id=None)
    poll = await _open(room, options=["  Yes ", "Somewhat", "No"])
    assert poll["options"] == [{"en": "Yes"}, {"en": "Somewhat"}, {"en": "No"}]  # a plain string: the first language
    assert poll["question"] == {"en": "Did this round help you listen?"}
    assert poll["status"] == "open" and poll["anonymous"] is True and poll["multiple"] is False
    assert poll["agenda_item_id"] == started["item"]["id"]
    assert poll["answered"] == 0 and poll["results"] is None
    opened = await room.last("poll_changed")
    assert opened["action"] == "opened" and opened["poll"] == poll and opened["audience"] == "all"

    mine = await room.act(room.people["nigar"], "poll_answer", poll_id=poll["id"], choices=[0])
    assert mine["your_choices"] == [0] and mine["answered"] == 1 and mine["results"] is None
    await room.act(room.people["ani"], "poll_answer", poll_id=poll["id"], choices=[1])
    await room.act(room.people["rauf"], "poll_answer", poll_id=poll["id"], choices=[0])
    changed = await room.act(room.people["nigar"], "poll_answer", poll_id=poll["id"], choices=[2])
    assert changed["your_choices"] == [2] and changed["answered"] == 3

    closed = await room.act(room.facilitator, "poll_close", poll_id=poll["id"])
    assert closed["status"] == "closed" and closed["closed_at"] is not None
    assert closed["results"] == {"counts": [1, 1, 1], "voters": 3}
    event = await room.last("poll_changed")
    assert event["action"] == "closed" and event["poll"] == closed

    async with room.app.state.db.unit_of_work() as db:
        actions = [e["action"] for e in await audit.entries(db, session_id=room.session_id)]
    assert "poll_open" in actions and "poll_close" in actions


async def test_multiple_choice(room) -> None:
    poll = await _open(room, question="Which topics next time?", options=["Water", "Schools", "Roads"], multiple=True)
    assert (await room.act(room.people["nigar"], "poll_answer", poll_id=poll["id"], choices=[2, 0]))[
        "your_choices"
    ] == [0, 2]
    await room.act(room.people["ani"], "poll_answer", poll_id=poll["id"], choices=[0])
    await room.act(room.people["lusine"], "poll_answer", poll_id=poll["id"], choices=[0, 1, 2])
    closed = await room.act(room.facilitator, "poll_close", poll_id=poll["id"])
    assert closed["results"] == {"counts": [3, 1, 2], "voters": 3}


async def test_bad_choices_and_bad_options(room) -> None:
    single = await _open(room)
    multiple = await _open(room, question="Which?", options=["A", "B"], multiple=True)
    nigar = room.people["nigar"]
    for poll, choices in ((single, [0, 1]), (single, [3]), (multiple, [1, 1]), (multiple, [0, 2])):
        assert await _refused(room.act(nigar, "poll_answer", poll_id=poll["id"], choices=choices)) == "bad_choices"
    for options in (["Yes", " Yes "], ["Yes", "   "], ["yes", "YES"]):
        assert await _refused(_open(room, options=options)) == "bad_options"
    assert await _refused(_open(room, question="   ")) == "bad_question"
    # Nothing half-done was stored by the refusals.
    assert [p["answered"] for p in (await room.welcome(nigar))["state"]["polls"]] == [0, 0]


async def test_closed_and_unknown_polls(room, make_room) -> None:
    poll = await _open(room)
    await room.act(room.people["nigar"], "poll_answer", poll_id=poll["id"], choices=[0])
    await room.act(room.facilitator, "poll_close", poll_id=poll["id"])
    nigar = room.people["nigar"]
    assert await _refused(room.act(nigar, "poll_answer", poll_id=poll["id"], choices=[1])) == "poll_closed"
    assert await _refused(room.act(room.facilitator, "poll_close", poll_id=poll["id"])) == "poll_closed"
    assert await _refused(room.act(nigar, "poll_answer", poll_id=poll["id"] + 1000, choices=[0])) == "unknown_poll"

    other = await make_room()
    elsewhere = await other.act(other.facilitator, "poll_open", question="Elsewhere?", options=["A", "B"])
    assert await _refused(room.act(nigar, "poll_answer", poll_id=elsewhere["id"], choices=[0])) == "unknown_poll"
    assert await _refused(room.act(room.facilitator, "poll_close", poll_id=elsewhere["id"])) == "unknown_poll"
    # The refused answer did not change the closed poll.
    assert (await room.welcome(nigar))["state"]["polls"][0]["your_choices"] == [0]


async def test_only_facilitators_open_and_close(room) -> None:
    nigar = room.people["nigar"]
    assert await _refused(room.act(nigar, "poll_open", question="Mine?", options=["A", "B"])) == "facilitators_only"
    poll = await _open(room)
    assert await _refused(room.act(nigar, "poll_close", poll_id=poll["id"])) == "facilitators_only"
    assert (await room.act(room.co_facilitator, "poll_close", poll_id=poll["id"]))["status"] == "closed"


async def test_who_may_answer(room) -> None:
    poll = await _open(room)
    observer = await room.add_seat("Watcher", role=SeatRole.observer, community=None)
    co = await room.add_seat("Cofac", role=SeatRole.co_facilitator, community="b")
    for actor in (room.facilitator, room.co_facilitator, observer):
        assert await _refused(room.act(actor, "poll_answer", poll_id=poll["id"], choices=[0])) == "cannot_answer"
    assert (await room.act(co, "poll_answer", poll_id=poll["id"], choices=[1]))["your_choices"] == [1]


async def test_polls_need_a_live_session(room) -> None:
    poll = await _open(room)
    await room.act(room.facilitator, "session_pause", reason="A short pause")
    nigar = room.people["nigar"]
    assert await _refused(room.act(nigar, "poll_answer", poll_id=poll["id"], choices=[0])) == "session_paused"
    assert await _refused(_open(room)) == "session_paused"
    # A poll can still be brought to an end while the session is paused.
    assert (await room.act(room.facilitator, "poll_close", poll_id=poll["id"]))["status"] == "closed"


async def test_poll_progress_is_for_facilitators_and_only_counts(room) -> None:
    poll = await _open(room)
    before = len(await room.events())
    await room.act(room.people["nigar"], "poll_answer", poll_id=poll["id"], choices=[0])
    await room.act(room.people["ani"], "poll_answer", poll_id=poll["id"], choices=[2])
    await room.act(room.people["nigar"], "poll_answer", poll_id=poll["id"], choices=[1])  # a change, not a new one
    answered = (await room.events())[before:]
    assert [e["type"] for e in answered] == ["poll_progress"] * 3
    for event in answered:
        assert event["audience"] == "facilitators"
        assert set(event) == {"type", "seq", "at", "audience", "poll_id", "answered"}
    assert [e["answered"] for e in answered] == [1, 2, 2]


async def _everything_seen(room: Any, actors: list[Actor]) -> list[Any]:
    """Every poll frame in the log and every seat's welcome view of the polls."""
    seen: list[Any] = _poll_frames(await room.events())
    for actor in actors:
        seen.append((await room.welcome(actor))["state"]["polls"])
    return seen


async def test_anonymous_poll_never_says_who_chose_what(room) -> None:
    co = await room.add_seat("Cofac", role=SeatRole.co_facilitator, community="b")
    poll = await _open(room)
    choices = {"nigar": [0], "ani": [1], "rauf": [2], "lusine": [0]}
    returned = [
        await room.act(room.people[name], "poll_answer", poll_id=poll["id"], choices=chosen)
        for name, chosen in choices.items()
    ]
    await room.act(co, "poll_answer", poll_id=poll["id"], choices=[1])
    everyone = [*room.people.values(), room.facilitator, room.co_facilitator, co]
    while_open = await _everything_seen(room, everyone)
    closed = await room.act(room.facilitator, "poll_close", poll_id=poll["id"])
    assert closed["results"] == {"counts": [2, 2, 1], "voters": 5}
    seen = [*while_open, *await _everything_seen(room, everyone), closed, *returned]

    async with room.app.state.db.unit_of_work() as db:
        answering = [*room.people.values(), co]
        names = {(await db.get(Seat, a.seat_id)).display_name for a in answering}
        seen.append([e for e in await audit.entries(db, session_id=room.session_id) if e["action"].startswith("poll")])
    text = json.dumps(seen, default=str)
    for name in names:
        assert name not in text  # no answering seat's name anywhere near a poll
    for key in ('"seat_id"', '"by_option"', '"choices"'):
        assert key not in text
    assert not [e for e in await room.events() if e["type"].startswith("poll") and e["audience"].startswith("seat:")]

    # Each seat's view differs from the room's only by its own choices.
    views = {}
    for actor in everyone:
        view = (await room.welcome(actor))["state"]["polls"][0]
        views[actor.seat_id] = view.pop("your_choices")
        assert view == closed
    assert views[room.people["ani"].seat_id] == [1]
    assert views[room.facilitator.seat_id] is None and views[co.seat_id] == [1]


async def test_named_poll_shows_names_at_close(room) -> None:
    poll = await _open(room, anonymous=False, options=["Yes", "No"])
    await room.act(room.people["nigar"], "poll_answer", poll_id=poll["id"], choices=[1])
    await room.act(room.people["ani"], "poll_answer", poll_id=poll["id"], choices=[1])
    open_view = await room.act(room.people["rauf"], "poll_answer", poll_id=poll["id"], choices=[0])
    assert open_view["results"] is None and "Nigar" not in json.dumps(open_view)
    closed = await room.act(room.facilitator, "poll_close", poll_id=poll["id"])
    assert closed["results"] == {"counts": [1, 2], "voters": 3, "by_option": [["Rauf"], ["Ani", "Nigar"]]}
    assert (await room.last("poll_changed"))["poll"]["results"]["by_option"] == [["Rauf"], ["Ani", "Nigar"]]


async def test_welcome_shows_every_poll_with_your_choices(room) -> None:
    first = await _open(room, question="First?")
    second = await _open(room, question="Second?", options=["A", "B", "C"], multiple=True)
    await room.act(room.people["nigar"], "poll_answer", poll_id=first["id"], choices=[1])
    await room.act(room.people["nigar"], "poll_answer", poll_id=second["id"], choices=[0, 2])
    await room.act(room.facilitator, "poll_close", poll_id=first["id"])

    polls = (await room.welcome(room.people["nigar"]))["state"]["polls"]
    assert [p["id"] for p in polls] == [first["id"], second["id"]]
    assert [p["your_choices"] for p in polls] == [[1], [0, 2]]
    assert [p["status"] for p in polls] == ["closed", "open"]
    assert polls[1]["results"] is None and polls[1]["answered"] == 1
    assert [p["your_choices"] for p in (await room.welcome(room.people["ani"]))["state"]["polls"]] == [None, None]
