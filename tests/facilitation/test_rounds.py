"""Go-around rounds: a facilitator starts a round on the agenda item's prompt, and each
participant in turn holds the talking piece, speaks, passes or passes for now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.errors import AppError
from app.facilitation import audit, rounds, timers
from tests.factories import InRoom


def seat(room: InRoom, name: str) -> int:
    return room.people[name].seat_id


def order_of(view: dict[str, Any]) -> list[int]:
    return [t["seat_id"] for t in view["turns"]]


def outcomes(room: InRoom, view: dict[str, Any]) -> dict[str, str]:
    names = {actor.seat_id: name for name, actor in room.people.items()}
    return {names[t["seat_id"]]: t["outcome"] for t in view["turns"]}


async def refused(code: str, action) -> AppError:
    with pytest.raises(AppError) as caught:
        await action
    assert caught.value.code == code, caught.value.message
    assert caught.value.message
    return caught.value


async def round_events(room: InRoom) -> list[dict[str, Any]]:
    return [e for e in await room.events() if e["type"] == "round_changed"]


async def view_now(room: InRoom) -> dict[str, Any] | None:
    async with room.app.state.db.unit_of_work() as db:
        return await rounds.current_view(db, session_id=room.session_id)


async def tick(room: InRoom) -> bool:
    """The room's clock as the keeper runs it (a look first, then the work under the lock)."""
    async with room.app.state.db.unit_of_work() as db:
        return await timers.tick(db, session_id=room.session_id, now=room.clock.now())


async def start(room: InRoom, **fields: Any) -> dict[str, Any]:
    return await room.act(room.facilitator, "round_start", **fields)


# Who goes when ---------------------------------------------------------------------------


async def test_the_default_order_alternates_communities_and_the_next_round_opens_with_the_other(room):
    check_in = await room.act(room.facilitator, "agenda_next", current_item_id=None)
    agenda = await room.act(room.facilitator, "agenda_next", current_item_id=check_in["item"]["id"])

    first = await start(room)

    assert order_of(first) == [seat(room, n) for n in ("nigar", "ani", "rauf", "lusine")]
    assert first["number"] == 1 and first["status"] == "active"
    assert first["prompt"]["en"] == "What do you hope this group can do together?"  # the item's prompt, every language
    assert first["agenda_item_id"] == agenda["item"]["id"]
    assert first["turn_seconds"] == 120
    assert first["current_seat_id"] == seat(room, "nigar")
    assert first["turn_started_at"] == room.clock.now().isoformat()
    event = (await round_events(room))[-1]
    assert event["action"] == "start" and event["audience"] == "all" and event["round"] == first

    await room.act(room.facilitator, "round_end", round_id=first["id"])
    second = await start(room)

    assert second["number"] == 2
    assert order_of(second) == [seat(room, n) for n in ("ani", "nigar", "lusine", "rauf")]


async def test_three_communities_take_turns_and_leftovers_come_last(make_room):
    room = await make_room(
        keys=("a", "b", "c"), people=(("nigar", "a"), ("rauf", "a"), ("aysel", "a"), ("ani", "b"), ("tamar", "c"))
    )

    view = await start(room)

    assert order_of(view) == [seat(room, n) for n in ("nigar", "ani", "tamar", "rauf", "aysel")]
    assert view["prompt"] == {} and view["agenda_item_id"] is None  # the agenda has not begun


async def test_a_given_order_is_kept_and_those_left_out_are_not_in_the_round(room):
    view = await start(room, order=[seat(room, "lusine"), seat(room, "rauf")], turn_seconds=60)

    assert order_of(view) == [seat(room, "lusine"), seat(room, "rauf")]
    assert view["current_seat_id"] == seat(room, "lusine")
    assert view["turn_seconds"] == 60
    entry = (await _audit(room))[-1]
    assert entry["action"] == "round_start" and entry["details"]["order"] == order_of(view)


async def test_a_bad_order_is_refused_with_the_reason(room):
    nigar, ani = seat(room, "nigar"), seat(room, "ani")

    twice = await refused("bad_order", start(room, order=[nigar, ani, nigar]))
    assert str(nigar) in twice.message and "twice" in twice.message
    await refused("bad_order", start(room, order=[nigar, room.facilitator.seat_id]))  # facilitators hold the circle
    await refused("bad_order", start(room, order=[nigar, 999_999]))
    await refused("bad_order", start(room, order=[]))

    assert await view_now(room) is None  # nothing was started


async def test_muted_participants_are_left_out_of_a_new_round(room):
    await room.act(room.facilitator, "mute", seat_id=seat(room, "ani"), minutes=5, reason="Take a breath")

    view = await start(room)

    assert order_of(view) == [seat(room, n) for n in ("nigar", "lusine", "rauf")]  # still alternating
    await room.act(room.facilitator, "round_end", round_id=view["id"])
    await refused("bad_order", start(room, order=[seat(room, "ani"), seat(room, "nigar")]))


async def test_a_round_needs_a_live_session_with_participants_in_it(make_room):
    closed = await make_room(live=False)
    await refused("room_not_live", start(closed))

    empty = await make_room(people=())
    await refused("no_participants", start(empty))


async def test_one_round_at_a_time(room):
    view = await start(room)
    await refused("round_active", start(room))

    await room.act(room.facilitator, "round_end", round_id=view["id"])
    await refused("round_not_active", room.act(room.facilitator, "round_next", round_id=view["id"]))
    await refused("unknown_round", room.act(room.facilitator, "round_next", round_id=view["id"] + 1000))


# Taking turns ------------------------------------------------------------------------------


async def test_the_speaker_speaks_then_hands_the_piece_on(room):
    view = await start(room)
    await room.say(room.people["nigar"], "I hope we can listen before we answer.")
    room.clock.advance(seconds=40)

    after = await room.act(room.people["nigar"], "round_done", round_id=view["id"])

    assert outcomes(room, after)["nigar"] == "spoke"
    assert after["current_seat_id"] == seat(room, "ani")
    assert after["turn_started_at"] == room.clock.now().isoformat()
    assert (await round_events(room))[-1]["action"] == "spoke"


async def test_done_without_a_statement_and_a_plain_pass_are_passes(room):
    view = await start(room)

    after = await room.act(room.people["nigar"], "round_done", round_id=view["id"])
    assert outcomes(room, after)["nigar"] == "passed"
    assert (await round_events(room))[-1]["action"] == "passed"

    after = await room.act(room.people["ani"], "round_pass", round_id=view["id"])
    assert outcomes(room, after)["ani"] == "passed" and after["counted_as_pass"] is False
    assert after["current_seat_id"] == seat(room, "rauf")


async def test_pass_for_now_goes_to_the_end_and_comes_back(room):
    view = await start(room)

    after = await room.act(room.people["nigar"], "round_pass", round_id=view["id"], for_now=True)

    assert order_of(after) == [seat(room, n) for n in ("ani", "rauf", "lusine", "nigar")]
    assert [t["position"] for t in after["turns"]] == [1, 2, 3, 4]
    assert after["turns"][-1] == {"seat_id": seat(room, "nigar"), "position": 4, "outcome": "pending", "deferred": 1}
    assert after["current_seat_id"] == seat(room, "ani")
    assert (await round_events(room))[-1]["action"] == "passed_for_now"
    await refused("not_your_turn", room.say(room.people["nigar"], "Actually, one thing..."))

    for name in ("ani", "rauf", "lusine"):
        after = await room.act(room.people[name], "round_done", round_id=view["id"])

    assert after["current_seat_id"] == seat(room, "nigar")  # back for their turn
    await room.say(room.people["nigar"], "Now I am ready.")
    final = await room.act(room.people["nigar"], "round_done", round_id=view["id"])
    assert final["status"] == "ended"
    assert outcomes(room, final)["nigar"] == "spoke"


async def test_the_last_one_passing_for_now_passes(room):
    view = await start(room, order=[seat(room, "ani"), seat(room, "rauf")])
    await room.act(room.people["ani"], "round_pass", round_id=view["id"], for_now=True)
    await room.act(room.people["rauf"], "round_done", round_id=view["id"])

    again = await room.act(room.people["ani"], "round_pass", round_id=view["id"], for_now=True)

    assert again["counted_as_pass"] is True
    assert again["status"] == "ended" and again["current_seat_id"] is None
    assert outcomes(room, again) == {"ani": "passed", "rauf": "passed"}
    assert (await round_events(room))[-1]["action"] == "ended"


async def test_only_the_current_speaker_may_post_a_statement(room):
    view = await start(room, order=[seat(room, "nigar"), seat(room, "ani")])

    waiting = await refused("not_your_turn", room.say(room.people["ani"], "Me too!"))
    assert "wait for your turn" in waiting.message
    outside = await refused("not_your_turn", room.say(room.people["rauf"], "And me."))
    assert "not part of it" in outside.message
    await room.say(room.people["nigar"], "I begin.")
    await room.say(room.facilitator, "Thank you, Nigar.")  # facilitators always may
    await room.act(room.people["nigar"], "round_done", round_id=view["id"])
    done = await refused("not_your_turn", room.say(room.people["nigar"], "One more thing"))
    assert "turn in this round is over" in done.message
    await room.act(room.people["ani"], "round_done", round_id=view["id"])

    await room.say(room.people["rauf"], "The round is over, so I may speak.")


async def test_only_the_speaker_finishes_or_passes_their_turn(room):
    view = await start(room)
    await refused("not_your_turn", room.act(room.people["ani"], "round_done", round_id=view["id"]))
    await refused("not_your_turn", room.act(room.people["ani"], "round_pass", round_id=view["id"], for_now=True))
    await refused("not_your_turn", room.act(room.facilitator, "round_done", round_id=view["id"]))


async def test_participants_cannot_run_the_round(room):
    view = await start(room)
    ani = room.people["ani"]
    await refused("facilitators_only", room.act(ani, "round_start"))
    await refused("facilitators_only", room.act(ani, "round_skip", round_id=view["id"], seat_id=seat(room, "nigar")))
    await refused("facilitators_only", room.act(ani, "round_reorder", round_id=view["id"], order=[seat(room, "ani")]))
    await refused("facilitators_only", room.act(ani, "round_next", round_id=view["id"]))
    await refused("facilitators_only", room.act(ani, "round_end", round_id=view["id"]))

    assert await view_now(room) == view


# A facilitator steers ----------------------------------------------------------------------


async def test_a_facilitator_moves_the_round_on(room):
    view = await start(room)
    await room.say(room.people["nigar"], "Something long...")

    after = await room.act(room.co_facilitator, "round_next", round_id=view["id"])
    assert outcomes(room, after)["nigar"] == "spoke"
    after = await room.act(room.co_facilitator, "round_next", round_id=view["id"])
    assert outcomes(room, after)["ani"] == "passed"
    assert after["current_seat_id"] == seat(room, "rauf")
    assert (await round_events(room))[-1]["action"] == "next"
    assert [e["action"] for e in await _audit(room)][-2:] == ["round_next", "round_next"]


async def test_reorder_sets_who_is_still_to_speak(room):
    view = await start(room)
    nigar, ani, rauf, lusine = (seat(room, n) for n in ("nigar", "ani", "rauf", "lusine"))
    started = view["turn_started_at"]
    room.clock.advance(seconds=20)

    kept = await room.act(room.facilitator, "round_reorder", round_id=view["id"], order=[nigar, lusine, rauf, ani])
    assert order_of(kept) == [nigar, lusine, rauf, ani]
    assert kept["turn_started_at"] == started  # the speaker keeps their clock

    moved = await room.act(room.facilitator, "round_reorder", round_id=view["id"], order=[rauf, nigar, lusine, ani])
    assert moved["current_seat_id"] == rauf
    assert moved["turn_started_at"] == room.clock.now().isoformat()
    assert (await round_events(room))[-1]["action"] == "reordered"

    await room.act(room.people["rauf"], "round_done", round_id=view["id"])
    missing = await refused(
        "bad_order", room.act(room.facilitator, "round_reorder", round_id=view["id"], order=[nigar, lusine])
    )
    assert str(ani) in missing.message
    await refused(
        "bad_order", room.act(room.facilitator, "round_reorder", round_id=view["id"], order=[nigar, lusine, ani, rauf])
    )  # rauf has had his turn
    await refused(
        "bad_order", room.act(room.facilitator, "round_reorder", round_id=view["id"], order=[nigar, lusine, ani, ani])
    )


async def test_skipping_the_current_speaker_and_a_later_one(room):
    view = await start(room)

    later = await room.act(room.facilitator, "round_skip", round_id=view["id"], seat_id=seat(room, "rauf"))
    assert outcomes(room, later)["rauf"] == "skipped"
    assert later["current_seat_id"] == seat(room, "nigar")
    assert later["turn_started_at"] == view["turn_started_at"]

    room.clock.advance(seconds=10)
    current = await room.act(room.facilitator, "round_skip", round_id=view["id"], seat_id=seat(room, "nigar"))
    assert outcomes(room, current)["nigar"] == "skipped"
    assert current["current_seat_id"] == seat(room, "ani")
    assert current["turn_started_at"] == room.clock.now().isoformat()
    assert (await round_events(room))[-1]["action"] == "skipped"

    await refused(
        "not_pending", room.act(room.facilitator, "round_skip", round_id=view["id"], seat_id=seat(room, "nigar"))
    )
    entry = (await _audit(room))[-1]
    assert entry["action"] == "round_skip" and entry["target_seat_id"] == seat(room, "nigar")


async def test_a_removed_participants_turn_is_skipped(room):
    view = await start(room)

    await room.act(room.facilitator, "remove", seat_id=seat(room, "rauf"), reason="Left the call")
    await room.act(room.facilitator, "remove", seat_id=seat(room, "nigar"), reason="Connection trouble")

    after = await view_now(room)
    assert after is not None
    assert outcomes(room, after) == {"nigar": "skipped", "ani": "pending", "rauf": "skipped", "lusine": "pending"}
    assert after["current_seat_id"] == seat(room, "ani")
    assert [e["action"] for e in await round_events(room)] == ["start", "skipped", "skipped"]
    assert view["id"] == after["id"]


async def test_the_round_ends_when_everyone_has_had_a_turn(room):
    view = await start(room)
    for name in ("nigar", "ani", "rauf"):
        await room.act(room.people[name], "round_done", round_id=view["id"])

    last = await room.act(room.people["lusine"], "round_pass", round_id=view["id"])

    assert last["status"] == "ended" and last["current_seat_id"] is None and last["turn_ends_at"] is None
    assert (await round_events(room))[-1]["action"] == "ended"
    assert await view_now(room) is None
    await start(room)  # the next one may begin


async def test_ending_the_session_closes_the_round(room):
    view = await start(room)
    await room.act(room.facilitator, "session_end")

    event = (await round_events(room))[-1]
    assert event["action"] == "ended" and event["round"]["id"] == view["id"]
    assert event["round"]["status"] == "ended"
    assert await view_now(room) is None


# The turn clock ----------------------------------------------------------------------------


async def test_the_speaker_is_warned_then_their_time_runs_out(room):
    view = await start(room, turn_seconds=60)  # warned 15 seconds before the end
    nigar = seat(room, "nigar")

    room.clock.advance(seconds=44)
    assert await tick(room) is False
    room.clock.advance(seconds=1)
    assert await tick(room) is True
    warning = (await room.events())[-1]
    assert warning["type"] == "turn_warning" and warning["audience"] == f"seat:{nigar}"
    assert warning["seat_id"] == nigar and warning["seconds_left"] == 15
    assert await tick(room) is False  # once per turn

    room.clock.advance(seconds=15)
    assert await tick(room) is True
    after = (await round_events(room))[-1]
    assert after["action"] == "timed_out"
    assert outcomes(room, after["round"])["nigar"] == "timed_out"
    assert after["round"]["current_seat_id"] == seat(room, "ani")
    assert after["round"]["turn_ends_at"] == (room.clock.now() + timedelta(seconds=60)).isoformat()
    assert view["id"] == after["round"]["id"]


async def test_a_speaker_who_posted_and_ran_out_of_time_spoke(room):
    await start(room, turn_seconds=30)
    await room.say(room.people["nigar"], "Briefly: I hope for trust.")
    room.clock.advance(seconds=31)

    assert await tick(room) is True
    after = (await round_events(room))[-1]["round"]
    assert outcomes(room, after)["nigar"] == "spoke"


# What a newcomer sees ----------------------------------------------------------------------


async def test_the_stored_round_is_what_the_events_said(room):
    view = await start(room)
    await room.act(room.people["nigar"], "round_pass", round_id=view["id"], for_now=True)
    await room.say(room.people["ani"], "I hope we stay.")
    await room.act(room.people["ani"], "round_done", round_id=view["id"])
    await room.act(room.facilitator, "round_skip", round_id=view["id"], seat_id=seat(room, "lusine"))

    told = (await round_events(room))[-1]["round"]
    assert await view_now(room) == told
    assert (await room.welcome(room.people["rauf"]))["state"]["round"] == told
    assert told["current_seat_id"] == seat(room, "rauf")


async def _audit(room: InRoom) -> list[dict[str, Any]]:
    async with room.app.state.db.unit_of_work() as db:
        return await audit.entries(db, session_id=room.session_id)


async def test_a_pause_holds_the_round_and_the_speaker_starts_afresh_after_it(room):
    view = await start(room, turn_seconds=60)
    await room.act(room.facilitator, "session_pause", reason="Connection trouble")
    await refused("session_paused", room.act(room.people["nigar"], "round_done", round_id=view["id"]))
    room.clock.advance(minutes=10)
    await room.act(room.facilitator, "session_resume")

    async with room.app.state.db.unit_of_work() as db:  # what the resume should call (see rounds.restart_turn)
        await rounds.restart_turn(db, session_id=room.session_id, now=room.clock.now())

    after = await view_now(room)
    assert after is not None and after["current_seat_id"] == seat(room, "nigar")
    assert after["turn_started_at"] == room.clock.now().isoformat()
    assert await tick(room) is False
