"""Balance: each community's share of turns and words, in the session and in the current item."""

from __future__ import annotations

from typing import Any

import pytest

from app.errors import AppError
from app.events.models import Statement
from app.facilitation.balance import balance


def _by_key(part: dict) -> dict[str, tuple[int, int]]:
    return {c["key"]: (c["turns"], c["words"]) for c in part["communities"]}


def _assert_shares_add_up(part: dict) -> None:
    for share in ("turn_share", "word_share"):
        assert sum(c[share] for c in part["communities"]) == pytest.approx(1, abs=0.002)


async def test_turns_and_words_per_community(room) -> None:
    nigar, ani, rauf, lusine = (room.people[n] for n in ("nigar", "ani", "rauf", "lusine"))
    await room.say(nigar, "one two three")
    await room.say(nigar, "four")  # the same turn
    await room.say(ani, "  five   six ")
    await room.say(room.facilitator, "thank you both, let us hear more")  # not counted, but ends Ani's turn
    await room.say(ani, "seven")
    hidden = await room.say(rauf, "eight nine ten")
    await room.act(room.facilitator, "hide", statement_id=hidden.statement_id, reason="Off topic")
    taken_back = await room.say(lusine, "words I take back")
    await room.act(lusine, "withdraw", statement_id=taken_back.statement_id)

    result = await room.act(room.facilitator, "balance")
    assert result["item"] is None  # no agenda item running yet
    session = result["session"]
    assert [c["key"] for c in session["communities"]] == ["a", "b"]
    # a: Nigar (1 turn, 4 words) + Rauf's hidden statement (1 turn, 3 words); b: Ani twice (3 words).
    assert _by_key(session) == {"a": (2, 7), "b": (2, 3)}
    assert session["turns"] == 4 and session["words"] == 10
    assert session["communities"][0]["turn_share"] == 0.5 and session["communities"][0]["word_share"] == 0.7
    _assert_shares_add_up(session)


async def test_the_current_item_counts_on_its_own(room) -> None:
    nigar, ani, lusine = room.people["nigar"], room.people["ani"], room.people["lusine"]
    await room.say(nigar, "before the agenda started")
    first = await room.act(room.facilitator, "agenda_next", current_item_id=None)
    await room.say(nigar, "again")  # a new turn in the item, though Nigar also spoke last before it
    await room.say(ani, "a b")
    await room.say(lusine, "c d e")

    result = await room.act(room.facilitator, "balance")
    assert _by_key(result["session"]) == {"a": (1, 5), "b": (2, 5)}  # one run of Nigar across the item change
    assert _by_key(result["item"]) == {"a": (1, 1), "b": (2, 5)}
    assert result["item"]["turns"] == 3 and result["item"]["words"] == 6
    assert result["item"]["communities"][1]["turn_share"] == pytest.approx(0.667)
    _assert_shares_add_up(result["item"])

    await room.act(room.facilitator, "agenda_next", current_item_id=first["item"]["id"])
    fresh = await room.act(room.facilitator, "balance")
    assert fresh["item"] == {
        "communities": [{"key": k, "turns": 0, "words": 0, "turn_share": 0, "word_share": 0} for k in ("a", "b")],
        "turns": 0,
        "words": 0,
    }
    assert fresh["session"] == result["session"]


async def test_every_community_even_silent_ones(make_room) -> None:
    room = await make_room(keys=("a", "b", "c"))
    result = await room.act(room.facilitator, "balance")
    assert [c["key"] for c in result["session"]["communities"]] == ["a", "b", "c"]
    assert all(
        c["turns"] == c["words"] == c["turn_share"] == c["word_share"] == 0 for c in result["session"]["communities"]
    )
    await room.say(room.people["ani"], "only me")
    shares = [c["word_share"] for c in (await room.act(room.facilitator, "balance"))["session"]["communities"]]
    assert shares == [0, 1, 0]


async def test_only_facilitators_see_the_balance(room) -> None:
    with pytest.raises(AppError) as caught:
        await room.act(room.people["nigar"], "balance")
    assert caught.value.code == "facilitators_only"


async def test_ten_thousand_statements_quickly(room) -> None:
    seats = [room.people[n].seat_id for n in ("nigar", "ani", "rauf", "lusine")] + [room.facilitator.seat_id]
    now = room.clock.now()
    async with room.app.state.db.unit_of_work() as db:
        for seq in range(1, 10_001):
            seat = seats[(seq // 3) % len(seats)]  # runs of three statements by one seat
            db.add(
                Statement(
                    session_id=room.session_id,
                    seat_id=seat,
                    client_id=f"bulk-{seq}",
                    text="a few words here",
                    seq=seq,
                    created_at=now,
                )
            )
        await db.flush()
    async with room.app.state.db.unit_of_work() as db:
        result: dict[str, Any] = await balance(db, session_id=room.session_id, agenda_item_id=None)
    session = result["session"]
    assert session["words"] == 4 * sum(1 for seq in range(1, 10_001) if (seq // 3) % 5 != 4)
    assert session["turns"] == sum(1 for run in range(0, 10_001 // 3 + 1) if run % 5 != 4)
    _assert_shares_add_up(session)
