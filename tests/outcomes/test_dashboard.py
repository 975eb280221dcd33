"""The dashboard's figures: a known surveyed session checked against hand-computed values,
the minimum-group rule, a series linked by person key, and who may read the pages."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import aclosing
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from app.accounts.models import Role
from app.dialogues import sessions as session_service
from app.dialogues.models import DialogueSession, Invitation, Seat, SessionStatus
from app.outcomes import answers, dashboard
from app.outcomes.models import OutcomeSnapshot, Phase, SurveyAnswer, SurveyResponse, TextReview
from app.programmes import service as programme_service
from app.programmes.models import MemberRole, Programme
from tests.factories import InRoom, go_live, make_session, page_log_in, seat_for
from tests.outcomes.conftest import Surveyed

# Before and after of warmth towards community b, community a's five people.
A_BEFORE = {"aperson0": 40, "aperson1": 50, "aperson2": 60, "aperson3": 50, "aperson4": 50}
A_AFTER = {"aperson0": 60, "aperson1": 60, "aperson2": 70, "aperson3": 50, "aperson4": 60}
A_BEFORE_CHOICE = {"aperson0": "never", "aperson1": "never", "aperson2": "once", "aperson3": "several"}
HOPES = ["Zebra crossings", "bridges", "Apples", "a shared table", "Mountains"]


def group(part: dict[str, Any], key: str) -> dict[str, Any]:
    return next(g for g in part["groups"] if g["community"] == key)


async def say(room: InRoom, name: str, text: str) -> Any:
    return await room.say(room.people[name], text)


async def release_texts(app, session_id: int, item_key: str, decide) -> None:
    """Decide every free text of an item in the test database (the review is another module's)."""
    async with app.state.db.unit_of_work() as db:
        rows = (
            await db.exec(
                select(SurveyAnswer)
                .join(SurveyResponse, col(SurveyResponse.id) == col(SurveyAnswer.response_id))
                .where(SurveyResponse.session_id == session_id, SurveyAnswer.item_key == item_key)
            )
        ).all()
        for row in rows:
            review, shown = decide(row.text)
            row.review, row.shown_text = review, shown
            db.add(row)


async def document(app, programme_id: int, session_id: int | None) -> dict[str, Any]:
    async with app.state.db.unit_of_work() as db:
        programme = await db.get(Programme, programme_id)
        session = await db.get(DialogueSession, session_id) if session_id else None
        return await dashboard.dashboard(db, programme=programme, session=session)


async def known_session(surveyed: Surveyed, notes: Sequence[str] = ()) -> None:
    """Five people of each community; what they say, vote and answer is below (with `notes`,
    community a's post-survey notes, released)."""
    room = surveyed.room
    await room.act(room.facilitator, "agenda_next", current_item_id=None)
    await say(room, "aperson0", "one two three")
    await say(room, "aperson0", "four")  # the same turn
    await say(room, "bperson0", "five six")
    await room.say(room.facilitator, "Thank you")  # facilitators break runs but never count
    await say(room, "aperson1", "seven")
    gone = await say(room, "bperson1", "taken back words here")
    await room.act(room.people["bperson1"], "withdraw", statement_id=gone.statement_id)
    poll = await room.act(room.facilitator, "poll_open", question="Useful?", options=["Yes", "Somewhat", "No"])
    for name, choice in zip(("aperson0", "aperson1", "aperson2", "bperson0", "bperson1"), (0, 0, 1, 0, 1), strict=True):
        await room.act(room.people[name], "poll_answer", poll_id=poll["id"], choices=[choice])
    await room.act(room.facilitator, "poll_close", poll_id=poll["id"])
    small = await room.act(room.facilitator, "poll_open", question="Small?", options=["Yes", "No"])
    for name in ("aperson0", "bperson0"):
        await room.act(room.people[name], "poll_answer", poll_id=small["id"], choices=[0])
    await room.act(room.facilitator, "poll_close", poll_id=small["id"])
    for index, name in enumerate(A_BEFORE):
        values = {"warmth_b": str(A_BEFORE[name]), "hopes": HOPES[index]}
        if name in A_BEFORE_CHOICE:
            values["before"] = A_BEFORE_CHOICE[name]
        await surveyed.answer(name, Phase.pre, values)
    for name in ("bperson0", "bperson1"):  # two of b: below the minimum
        await surveyed.answer(name, Phase.pre, {"warmth_a": "50", "before": "once", "hopes": "Pending words"})
    await surveyed.answer("bperson2", Phase.pre, None)
    await surveyed.end()
    for index, name in enumerate(A_AFTER):
        values = {"warmth_b": str(A_AFTER[name])}
        if index < len(notes):
            values["note"] = notes[index]
        await surveyed.answer(name, Phase.post, values)
    for name in ("bperson0", "bperson1"):
        await surveyed.answer(name, Phase.post, {"warmth_a": "70"})

    def decide(text: str) -> tuple[TextReview, str | None]:
        if text == "Pending words":
            return TextReview.pending, None
        if text == "bridges":
            return TextReview.withheld, None
        return TextReview.released, text.replace("Zebra", "[name]")

    await release_texts(room.app, room.session_id, "hopes", decide)
    await release_texts(room.app, room.session_id, "note", lambda t: (TextReview.released, t))


async def test_a_known_session_gives_the_hand_computed_figures(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=5)
    await known_session(surveyed)
    doc = await document(app, surveyed.programme_id, surveyed.room.session_id)

    assert doc["scope"] == "session" and doc["min_group"] == 5
    assert [s["id"] for s in doc["sessions"]] == [surveyed.room.session_id]
    assert doc["attendance"] == {
        "groups": [{"community": "a", "shown": True, "n": 5}, {"community": "b", "shown": True, "n": 5}],
        "total": 10,
    }
    # a: aperson0's two statements are one turn, aperson1 another: 2 turns, 3 + 1 + 1 words;
    # b: one turn of two words (the withdrawn statement does not count).
    overall = doc["balance"]["overall"]
    assert overall["turns"] == 3 and overall["words"] == 7 and overall["shares"] is True
    assert group(overall, "a") == {
        "community": "a",
        "shown": True,
        "turns": 2,
        "words": 5,
        "turn_share": 0.6667,
        "word_share": 0.7143,
    }
    assert group(overall, "b")["turns"] == 1 and group(overall, "b")["words"] == 2
    check_in = doc["balance"]["parts"][0]
    assert check_in["turns"] == 3 and check_in["words"] == 7
    assert all(part["turns"] == 0 for part in doc["balance"]["parts"][1:])

    useful, small = doc["polls"]
    assert useful["shown"] is True and useful["voters"] == 5 and useful["counts"] == [3, 2, 0]
    assert small == {
        "session_id": surveyed.room.session_id,
        "question": {"en": "Small?"},
        "options": [{"en": "Yes"}, {"en": "No"}],
        "multiple": False,
        "shown": False,
    }

    changes = {c["key"]: c for c in doc["survey"]["changes"]}
    warmth_b = group(changes["warmth_b"], "a")
    # Changes 20, 10, 10, 0, 10: mean 10, s = √50, t(0.975, 4) = 2.776445 → ± 8.7798.
    assert warmth_b["n"] == 5 and warmth_b["before"] == 50 and warmth_b["after"] == 60 and warmth_b["change"] == 10
    assert warmth_b["low"] == pytest.approx(1.2202, abs=1e-4)
    assert warmth_b["high"] == pytest.approx(18.7798, abs=1e-4)
    assert group(changes["warmth_b"], "b") == {"community": "b", "shown": False}
    assert group(changes["warmth_a"], "b") == {"community": "b", "shown": False}  # two pairs only
    assert changes["warmth_b"]["scale"] == [0, 100] and changes["warmth_b"]["towards"] == "b"

    before = next(c for c in doc["survey"]["choices"] if c["key"] == "before")
    assert before["phase"] == "pre"
    # Four of a chose (aperson4 left it out): below five.
    assert group(before, "a") == {"community": "a", "shown": False}
    assert group(before, "b") == {"community": "b", "shown": False}

    # Five texts: one pending, one withheld, three released: fewer than five released.
    (hopes,) = doc["survey"]["texts"]
    assert hopes["shown"] is False and "answers" not in hopes


async def test_released_texts_show_at_the_minimum_without_community_in_a_stable_order(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=5)
    for index, name in enumerate(A_BEFORE):
        await surveyed.answer(name, Phase.pre, {"hopes": HOPES[index], "before": "once"})
    await surveyed.answer("bperson0", Phase.pre, {"hopes": "Secret pending"})
    await release_texts(
        app,
        surveyed.room.session_id,
        "hopes",
        lambda t: (TextReview.pending, None) if t == "Secret pending" else (TextReview.released, t),
    )
    doc = await document(app, surveyed.programme_id, surveyed.room.session_id)
    (hopes,) = doc["survey"]["texts"]
    assert hopes == {
        "key": "hopes",
        "phase": "pre",
        "text": hopes["text"],
        "shown": True,
        "answers": ["a shared table", "Apples", "bridges", "Mountains", "Zebra crossings"],
    }
    before = next(c for c in doc["survey"]["choices"] if c["key"] == "before")
    assert group(before, "a") == {"community": "a", "shown": True, "n": 5, "counts": [0, 5, 0]}


async def small_room(make_room, sizes: dict[str, int], **fields: Any) -> Surveyed:
    people = [(f"{key}person{n}", key) for key, size in sizes.items() for n in range(size)]
    room = await make_room(people=people, keys=tuple(sizes), **fields)
    async with room.app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, room.session_id)
    return Surveyed(room, session.programme_id)


async def test_a_community_below_the_minimum_is_hidden_and_no_total_gives_it_away(app, make_room) -> None:
    surveyed = await small_room(make_room, {"a": 5, "b": 2})
    room = surveyed.room
    await say(room, "aperson0", "one two")
    await say(room, "bperson0", "three")
    for name in [*(f"aperson{n}" for n in range(5)), "bperson0", "bperson1"]:
        await surveyed.answer(name, Phase.pre, {"warmth_a": "40", "warmth_b": "40"})
    await surveyed.end()
    for name in [*(f"aperson{n}" for n in range(5)), "bperson0", "bperson1"]:
        await surveyed.answer(name, Phase.post, {"warmth_a": "50", "warmth_b": "60"})
    doc = await document(app, surveyed.programme_id, room.session_id)
    assert doc["attendance"] == {
        "groups": [{"community": "a", "shown": True, "n": 5}, {"community": "b", "shown": False}],
        "total": None,
    }
    overall = doc["balance"]["overall"]
    assert overall["turns"] is None and overall["words"] is None and overall["shares"] is False
    assert group(overall, "a") == {"community": "a", "shown": True, "turns": 1, "words": 2}  # no share
    assert group(overall, "b") == {"community": "b", "shown": False}
    for change in doc["survey"]["changes"]:
        assert group(change, "b") == {"community": "b", "shown": False}
        assert group(change, "a")["n"] == 5
    assert doc["sessions"][0]["attendance"]["total"] is None

    # At the programme level too: the minimum is a setting, never below three.
    async with app.state.db.unit_of_work() as db:
        programme = await db.get(Programme, surveyed.programme_id)
        programme.survey_min_group = 2
        db.add(programme)
    doc = await document(app, surveyed.programme_id, None)
    assert doc["min_group"] == 3
    assert group(doc["attendance"], "b") == {"community": "b", "shown": False}
    async with app.state.db.unit_of_work() as db:
        programme = await db.get(Programme, surveyed.programme_id)
        programme.survey_min_group = 7
        db.add(programme)
    doc = await document(app, surveyed.programme_id, None)
    assert all(not g["shown"] for g in doc["attendance"]["groups"])
    assert all(not g["shown"] for c in doc["survey"]["changes"] for g in c["groups"])


async def second_session(surveyed: Surveyed) -> tuple[int, dict[str, int]]:
    """A second live session of the same programme with the same people, each invitation
    marked as the same person as their invitation of the first session."""
    app, room = surveyed.room.app, surveyed.room
    programme = await surveyed.programme()
    session = await make_session(
        app, facilitator=room.facilitator_user, programme=programme, capacity=12, title="Second meeting"
    )
    await go_live(app, session)
    seats = {}
    for name, actor in room.people.items():
        person = await seat_for(
            app, facilitator=room.facilitator_user, session=session, community=name[0], name=name.title()
        )
        async with app.state.db.unit_of_work() as db:
            first = await db.get(Seat, actor.seat_id)
            first_key = await answers.person_key_for(db, seat=first)
            second = await db.get(Seat, person.seat_id)
            invitation = await db.get(Invitation, second.invitation_id)
            invitation.person_key = first_key
            db.add(invitation)
        seats[name] = person.seat_id
    return session.id, seats


async def answer_in(app, session_id: int, seat_id: int, phase: Phase, values: dict[str, str]) -> None:
    async with app.state.db.unit_of_work() as db:
        seat = await db.get(Seat, seat_id)
        session = await db.get(DialogueSession, session_id)
        await answers.submit(db, seat=seat, session=session, phase=phase, values=values, now=app.state.clock.now())


async def end_session(app, session_id: int) -> None:
    async with app.state.db.unit_of_work() as db:
        row = await db.get(DialogueSession, session_id)
        await session_service.change_status(
            db, session=row, to=SessionStatus.ended, reason=None, now=app.state.clock.now()
        )


async def test_a_series_links_the_earliest_before_to_the_latest_after(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=5)
    first_before = [10, 20, 30, 40, 50]
    second_after = [30, 30, 50, 40, 80]  # changes 20, 10, 20, 0, 30: mean 16
    names = list(A_BEFORE)
    for name, value in zip(names, first_before, strict=True):
        await surveyed.answer(name, Phase.pre, {"trust": "2", "warmth_b": str(value)})
    await surveyed.end()
    for name in names:
        await surveyed.answer(name, Phase.post, {"warmth_b": "99"})  # not the latest after
    app.state.clock.advance(days=7)
    second_id, seats = await second_session(surveyed)
    for name in names:
        await answer_in(app, second_id, seats[name], Phase.pre, {"warmth_b": "0"})  # not the earliest before
    await end_session(app, second_id)
    for name, value in zip(names, second_after, strict=True):
        await answer_in(app, second_id, seats[name], Phase.post, {"warmth_b": str(value), "trust": "5"})

    doc = await document(app, surveyed.programme_id, None)
    assert doc["scope"] == "programme"
    assert [s["id"] for s in doc["sessions"]] == [surveyed.room.session_id, second_id]
    warmth = group(next(c for c in doc["survey"]["changes"] if c["key"] == "warmth_b"), "a")
    assert (warmth["n"], warmth["before"], warmth["after"], warmth["change"]) == (5, 30, 46, 16)
    trust = group(next(c for c in doc["survey"]["changes"] if c["key"] == "trust"), "a")
    assert (trust["n"], trust["before"], trust["after"], trust["change"]) == (5, 2, 5, 3)
    assert trust["low"] == trust["high"] == 3  # no spread: an interval of width zero
    # Each session alone pairs its own before and after.
    one = await document(app, surveyed.programme_id, surveyed.room.session_id)
    alone = group(next(c for c in one["survey"]["changes"] if c["key"] == "warmth_b"), "a")
    assert (alone["before"], alone["after"]) == (30, 99)
    # Attendance over the series: five of each in each session.
    assert doc["attendance"]["total"] == 20
    assert [p["session_id"] for p in doc["balance"]["parts"]] == [surveyed.room.session_id, second_id]


async def test_a_snapshot_stands_in_for_purged_answers(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=5)
    for name in A_BEFORE:
        await surveyed.answer(name, Phase.pre, {"warmth_b": "40"})
    await surveyed.end()
    for name in A_BEFORE:
        await surveyed.answer(name, Phase.post, {"warmth_b": "50"})
    session_id, programme_id = surveyed.room.session_id, surveyed.programme_id
    async with app.state.db.unit_of_work() as db:
        kept = {
            sid: await dashboard.snapshot(db, programme_id=programme_id, session_id=sid) for sid in (session_id, None)
        }
        for sid, doc in kept.items():
            db.add(
                OutcomeSnapshot(programme_id=programme_id, session_id=sid, taken_at=app.state.clock.now(), document=doc)
            )
        for response in (await db.exec(select(SurveyResponse))).all():
            await db.delete(response)
    for sid in (session_id, None):
        doc = await document(app, programme_id, sid)
        change = group(doc["survey"]["changes"][0], "a")
        assert change["change"] == 10 and doc["survey"]["as_of"] == app.state.clock.now().isoformat()


# The pages ------------------------------------------------------------------------------


async def member_client(app, programme_id: int, role: MemberRole, make_account) -> httpx.AsyncClient:
    account = await make_account(Role.organiser if role is MemberRole.organiser else Role.facilitator)
    async with app.state.db.unit_of_work() as db:
        programme = await db.get(Programme, programme_id)
        await programme_service.add_member(
            db, programme=programme, username=account.username, role=role, now=app.state.clock.now()
        )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    await page_log_in(client, account)
    return client


async def test_members_read_the_pages_and_another_programmes_session_is_not_there(
    app, make_surveyed, make_account
) -> None:
    surveyed = await make_surveyed(per_community=5)
    await known_session(surveyed)
    other = await make_surveyed(per_community=1)
    pid, sid = surveyed.programme_id, surveyed.room.session_id
    for role in (MemberRole.organiser, MemberRole.facilitator):
        client = await member_client(app, pid, role, make_account)
        async with aclosing(client):
            page = await client.get(f"/programmes/{pid}/outcomes")
            assert page.status_code == 200
            assert f'href="/programmes/{pid}/outcomes/sessions/{sid}"' in page.text
            assert "<svg" in page.text and "Too few answers to show" in page.text
            assert "/static/css/outcomes.css" in page.text
            one = await client.get(f"/programmes/{pid}/outcomes/sessions/{sid}")
            assert one.status_code == 200
            assert "Community A" in one.text and "Useful?" in one.text
            assert "[name] crossings" not in one.text  # three released texts: below five
            home = await client.get(f"/programmes/{pid}")
            assert f'href="/programmes/{pid}/outcomes"' in home.text
            for url in (
                f"/programmes/{pid}/outcomes/sessions/{other.room.session_id}",
                f"/programmes/{pid}/outcomes/sessions/{other.room.session_id}.csv",
                f"/programmes/{pid}/outcomes/sessions/{other.room.session_id}/print",
                f"/programmes/{other.programme_id}/outcomes",
                f"/programmes/{pid}/outcomes/sessions/{10**6}",
            ):
                assert (await client.get(url)).status_code == 404, url


async def test_the_dashboard_reads_in_the_readers_language(app, make_surveyed, make_account) -> None:
    surveyed = await make_surveyed(per_community=5)
    for name in A_BEFORE:
        await surveyed.answer(name, Phase.pre, {"warmth_b": "40"})
    await surveyed.end()
    for name in A_BEFORE:
        await surveyed.answer(name, Phase.post, {"warmth_b": "50"})
    client = await member_client(app, surveyed.programme_id, MemberRole.organiser, make_account)
    async with aclosing(client):
        client.cookies.set("rt_lang", "hy")
        page = await client.get(f"/programmes/{surveyed.programme_id}/outcomes/sessions/{surveyed.room.session_id}")
    assert page.status_code == 200 and '<html lang="hy">' in page.text
    assert "Համայնք Ա" in page.text and "Community A" not in page.text
    # The thermometer's question names the community it is about, in Armenian.
    assert "Համայնք Բ" in page.text and "{community}" not in page.text


async def test_a_session_not_held_yet_says_so(app, make_room, make_account) -> None:
    surveyed = await small_room(make_room, {"a": 1, "b": 1}, live=False)
    client = await member_client(app, surveyed.programme_id, MemberRole.facilitator, make_account)
    async with aclosing(client):
        page = await client.get(f"/programmes/{surveyed.programme_id}/outcomes/sessions/{surveyed.room.session_id}")
        listing = await client.get(f"/programmes/{surveyed.programme_id}/outcomes")
    assert page.status_code == 200 and "This session has not been held yet." in page.text
    assert "No session of this programme has been held yet." in listing.text


async def test_the_dashboards_own_words_are_translated(app, make_room, make_account) -> None:
    """Passes once the catalogs hold the dashboard's words (/tmp/tr_dashboard.json)."""
    surveyed = await small_room(make_room, {"a": 1, "b": 1})
    client = await member_client(app, surveyed.programme_id, MemberRole.organiser, make_account)
    async with aclosing(client):
        for language, words in {
            "hy": ("Արդյունքներ", "Ցույց տալու համար պատասխանները շատ քիչ են"),
            "ru": ("Результаты", "Слишком мало ответов, чтобы показать"),
            "az": ("Nəticələr", "Göstərmək üçün cavablar çox azdır"),
        }.items():
            client.cookies.set("rt_lang", language)
            page = await client.get(f"/programmes/{surveyed.programme_id}/outcomes/sessions/{surveyed.room.session_id}")
            for word in words:
                assert word in page.text, (language, word)
            assert "Too few answers to show" not in page.text


async def test_a_series_hides_a_group_that_one_session_would_single_out(app, make_surveyed) -> None:
    """Four people's change counts in the first session, one person's in the second: the
    programme's five pairs are not shown, or the programme minus the first session's figure
    would be that one person's answers."""
    surveyed = await make_surveyed(per_community=5)
    names = list(A_BEFORE)
    for name in names:
        await surveyed.answer(name, Phase.pre, {"warmth_b": "40"})
    await surveyed.end()
    for name in names[1:]:
        await surveyed.answer(name, Phase.post, {"warmth_b": "50"})
    app.state.clock.advance(days=7)
    second_id, seats = await second_session(surveyed)
    await end_session(app, second_id)
    await answer_in(app, second_id, seats[names[0]], Phase.post, {"warmth_b": "90"})

    doc = await document(app, surveyed.programme_id, None)
    warmth = group(next(c for c in doc["survey"]["changes"] if c["key"] == "warmth_b"), "a")
    assert warmth == {"community": "a", "shown": False}
    # A person whose only "after" came before their only "before" has no pair.
    assert "n" not in warmth


async def test_an_after_that_precedes_the_before_is_no_pair(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=5)
    names = list(A_BEFORE)
    await surveyed.end()
    for name in names:
        await surveyed.answer(name, Phase.post, {"warmth_b": "90"})
    app.state.clock.advance(days=7)
    second_id, seats = await second_session(surveyed)
    for name in names:
        await answer_in(app, second_id, seats[name], Phase.pre, {"warmth_b": "10"})
    doc = await document(app, surveyed.programme_id, None)
    assert not any(g.get("shown") for c in doc["survey"]["changes"] for g in c["groups"])
