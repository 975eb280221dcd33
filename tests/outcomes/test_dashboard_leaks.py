"""Leak test of the outcomes dashboard, as a security boundary: people with generated names in
Latin (Azerbaijani), Cyrillic and Armenian scripts join a session in communities of random
sizes, say things, vote, and answer both surveys, some free texts released, some pending,
some withheld. Nothing the programme's organiser can reach of the dashboard — its pages,
charts, CSV files and printable documents, and the document itself — holds a display name,
real name, contact, pseudonym, person key, or a free text that was not released; and no
group below the programme's minimum shows a number.

Each example is a whole session in a fresh app on the test's database, so examples are few.
"""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import itertools
import json
import re
import uuid
from typing import Any

import httpx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.accounts.models import Role
from app.accounts.service import create_user
from app.clock import ManualClock
from app.config import PROJECT_ROOT
from app.dialogues.models import DialogueSession, Seat, SessionStatus
from app.dialogues.sessions import change_status
from app.errors import ValidationFailed
from app.facilitation.entry import facilitator_seat
from app.facilitation.room import Actor
from app.facilitation.statements import post_statement
from app.live.commands import COMMANDS
from app.live.dispatch import run_command
from app.main import create_app
from app.outcomes import answers, dashboard
from app.outcomes.models import Phase, SurveyAnswer, SurveyResponse, TextReview
from app.programmes.models import MIN_GROUP_FLOOR, Programme
from app.security.names import check_display_name, name_key
from tests.backends import make_settings
from tests.factories import LABELS, make_programme, make_session, seat_for
from tests.transcripts.test_leaks import a_name

TOO_FEW = "Too few answers to show"
COUNTER = itertools.count()
SECRET_LETTERS = "bcdfghjklmnpqrstvwxz"


@st.composite
def scenarios(draw) -> dict[str, Any]:
    minimum = draw(st.integers(min_value=MIN_GROUP_FLOOR, max_value=6))
    sizes = {"a": draw(st.integers(min_value=1, max_value=7)), "b": draw(st.integers(min_value=1, max_value=7))}
    people = []
    for community, size in sizes.items():
        for index in range(size):
            script = draw(st.sampled_from(("az", "ru", "hy")))
            display, _ = draw(a_name(script))
            real, _ = draw(a_name(script))
            user = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=5, max_size=8))
            people.append(
                {
                    "community": community,
                    "display": display,
                    "real": real,
                    "email": f"{user}{community}{index}@mail.example.org",
                    # Each free text carries a word of its own, to find it wherever it went.
                    "secret": draw(st.text(alphabet=SECRET_LETTERS, min_size=10, max_size=10)),
                    "review": draw(st.sampled_from(tuple(TextReview))),
                    "votes": draw(st.booleans()),
                    "warmth": (draw(st.integers(0, 100)), draw(st.integers(0, 100))),
                }
            )
    assume(all(_acceptable(p["display"]) for p in people))
    assume(not any(_app_word(p[k]) for p in people for k in ("display", "real")))
    assume(len({name_key(p["display"]) for p in people}) == len(people))
    assume(len({p["secret"] for p in people}) == len(people))
    return {"minimum": minimum, "sizes": sizes, "people": people}


def _words(text: str) -> set[str]:
    """The words of a text: runs of letters and their marks, case folded."""
    return {w.casefold() for w in re.findall(r"[^\W\d_]+(?:[\u0300-\u036f\u055f]*[^\W\d_]+)*", text)}


@functools.cache
def _app_words() -> frozenset[str]:
    """Every word the app itself may print: its templates, code, catalogs, the test's labels."""
    sources = [*(PROJECT_ROOT / "frontend").glob("templates/**/*.html"), *(PROJECT_ROOT / "app").glob("**/*.py")]
    sources += (PROJECT_ROOT / "frontend" / "translations").glob("*/LC_MESSAGES/messages.po")
    found = {w for path in sources for w in _words(path.read_text(encoding="utf-8"))}
    return frozenset(found | {w for labels in LABELS.values() for text in labels.values() for w in _words(text)})


def _app_word(name: str) -> bool:
    """A generated name that is one of the app's own words would be found on every page."""
    return any(part in _app_words() for part in _words(name))


def _acceptable(name: str) -> bool:
    try:
        check_display_name(name)
    except ValidationFailed:
        return False
    return True


async def _build(app, clock: ManualClock, case: dict[str, Any]) -> tuple[int, int, str, list[str], list[str]]:
    """The session of the case, ended and answered; its programme, session, the organiser's
    username, and the person keys and pseudonyms it made."""
    tag = f"{next(COUNTER)}{uuid.uuid4().hex[:6]}"
    async with app.state.db.unit_of_work() as db:
        staff = {
            role: await create_user(
                db,
                username=f"{role.value}-{tag}",
                full_name=f"Staff {tag}",
                role=role,
                password="a long enough secret",
                passwords=app.state.passwords,
                now=clock.now(),
            )
            for role in (Role.organiser, Role.facilitator)
        }
    programme = await make_programme(app, organiser=staff[Role.organiser], facilitators=[staff[Role.facilitator]])
    async with app.state.db.unit_of_work() as db:
        row = await db.get(Programme, programme.id)
        row.survey_min_group = case["minimum"]
        db.add(row)
    session = await make_session(app, facilitator=staff[Role.facilitator], programme=programme, capacity=16)
    async with app.state.db.unit_of_work() as db:
        row = await db.get(DialogueSession, session.id)
        for status in (SessionStatus.scheduled, SessionStatus.open, SessionStatus.live):
            await change_status(db, session=row, to=status, reason=None, now=clock.now())
        facilitator = await facilitator_seat(db, session=row, user=staff[Role.facilitator], now=clock.now())
    seats = []
    for person in case["people"]:
        seated = await seat_for(
            app,
            facilitator=staff[Role.facilitator],
            session=session,
            community=person["community"],
            name=person["display"],
            real_name=person["real"],
            contact=person["email"],
        )
        seats.append(seated.seat_id)
    others = itertools.cycle(case["people"][1:] + case["people"][:1])
    for seat_id, other in zip(seats, others, strict=False):
        clock.advance(seconds=20)
        async with app.state.db.unit_of_work() as db:
            text = f"I listened to {other['display']} and {other['real']} today"
            await post_statement(
                db,
                session_id=session.id,
                seat_id=seat_id,
                client_id=uuid.uuid4().hex,
                text=text,
                reply_to=None,
                now=clock.now(),
            )

    async def act(actor: Actor, type: str, **fields: Any) -> Any:
        async with app.state.db.unit_of_work() as db:
            return await run_command(
                db, actor=actor, command=COMMANDS.validate_python({"type": type, **fields}), now=clock.now()
            )

    staff_actor = Actor(session_id=session.id, seat_id=facilitator.id)
    poll = await act(staff_actor, "poll_open", question="Was this useful?", options=["Yes", "No"])
    for seat_id, person in zip(seats, case["people"], strict=True):
        if person["votes"]:
            await act(Actor(session_id=session.id, seat_id=seat_id), "poll_answer", poll_id=poll["id"], choices=[0])
    await act(staff_actor, "poll_close", poll_id=poll["id"])

    async def answer(seat_id: int, phase: Phase, values: dict[str, str]) -> None:
        async with app.state.db.unit_of_work() as db:
            seat = await db.get(Seat, seat_id)
            row = await db.get(DialogueSession, session.id)
            await answers.submit(db, seat=seat, session=row, phase=phase, values=values, now=clock.now())

    for seat_id, person in zip(seats, case["people"], strict=True):
        text = f"{person['secret']} with {person['display']}"
        await answer(seat_id, Phase.pre, {"warmth_a": str(person["warmth"][0]), "before": "once", "hopes": text})
    async with app.state.db.unit_of_work() as db:
        row = await db.get(DialogueSession, session.id)
        await change_status(db, session=row, to=SessionStatus.ended, reason=None, now=clock.now())
    for seat_id, person in zip(seats, case["people"], strict=True):
        await answer(seat_id, Phase.post, {"warmth_a": str(person["warmth"][1]), "again": "yes"})
    by_secret = {p["secret"]: p for p in case["people"]}
    async with app.state.db.unit_of_work() as db:
        for found in (await db.exec(select(SurveyAnswer).where(SurveyAnswer.item_key == "hopes"))).all():
            person = by_secret.get((found.text or "").split(" ")[0])
            if person is None:  # another example's answer
                continue
            found.review = person["review"]
            # A facilitator released it with the name taken out; withheld and pending: nothing.
            found.shown_text = f"{person['secret'].upper()} [name]" if person["review"] is TextReview.released else None
            db.add(found)
        keys = [
            r.person_key
            for r in (await db.exec(select(SurveyResponse).where(SurveyResponse.session_id == session.id))).all()
        ]
        pseudonyms = [s.pseudonym for s in (await db.exec(select(Seat).where(Seat.session_id == session.id))).all()]
    return programme.id, session.id, f"organiser-{tag}", keys, pseudonyms


async def _scenario(database_url: str, redis_url: str | None, case: dict[str, Any]) -> dict[str, Any]:
    clock = ManualClock()
    app = create_app(
        make_settings(
            database_url,
            redis_url,
            password_memory_kib=8 * 1024,
            password_time_cost=1,
            login_limit_per_client="1000/minute",
        ),
        clock=clock,
    )
    async with app.router.lifespan_context(app):
        programme_id, session_id, organiser, keys, pseudonyms = await _build(app, clock, case)
        async with app.state.db.unit_of_work() as db:
            programme = await db.get(Programme, programme_id)
            session = await db.get(DialogueSession, session_id)
            documents = [
                await dashboard.dashboard(db, programme=programme, session=session),
                await dashboard.dashboard(db, programme=programme, session=None),
            ]
        transport = httpx.ASGITransport(app=app, client=("203.0.113.78", 4000))
        pages: dict[str, str] = {}
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            login = await client.post(
                "/api/auth/login", json={"username": organiser, "password": "a long enough secret"}
            )
            assert login.status_code == 200
            for base in (
                f"/programmes/{programme_id}/outcomes",
                f"/programmes/{programme_id}/outcomes/sessions/{session_id}",
            ):
                for suffix in ("", ".csv", "/print"):
                    response = await client.get(base + suffix)
                    assert response.status_code == 200, base + suffix
                    pages[base + suffix] = response.text
    return {"documents": documents, "pages": pages, "keys": keys, "pseudonyms": pseudonyms}


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(case=scenarios())
def test_the_dashboard_shows_no_one_and_no_small_group(database_url, redis_available, case):
    found = asyncio.run(_scenario(database_url, redis_available, case))
    minimum, sizes, people = case["minimum"], case["sizes"], case["people"]
    hidden = {key for key, size in sizes.items() if size < minimum}
    outputs = [json.dumps(d, ensure_ascii=False) for d in found["documents"]] + list(found["pages"].values())
    seen = "\n".join(outputs)
    folded = seen.casefold()
    words = _words(seen)

    # Nobody: no name, contact, pseudonym, person key, or words that were not released.
    for person in people:
        for name in (person["display"], person["real"]):
            assert not _words(name) & words, name  # not as a word of any output
        assert person["email"].casefold() not in folded
        if person["review"] is not TextReview.released:
            assert person["secret"].casefold() not in folded, person["review"]
        assert person["secret"] not in seen  # the words as written (before review) never show
    for key in found["keys"]:
        assert key not in seen
    for pseudonym in found["pseudonyms"]:
        assert not re.search(rf"\b{re.escape(pseudonym)}\b", seen), pseudonym
    released = [p for p in people if p["review"] is TextReview.released]
    for person in released:  # released words show only with enough of them
        assert (person["secret"].upper() in seen) == (len(released) >= minimum)

    for document in found["documents"]:
        _check_document(document, hidden, minimum, sum(p["votes"] for p in people))
    labels = {key: LABELS[key]["en"] for key in sizes}
    hidden_labels = {labels[key] for key in hidden}
    for url, text in found["pages"].items():
        if url.endswith(".csv"):
            _check_csv(text, hidden_labels)
        else:
            _check_html(text, hidden_labels)


def _check_document(document: dict[str, Any], hidden: set[str], minimum: int, voters: int) -> None:
    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "community" in value and "shown" in value:
                if value["community"] in hidden:
                    assert value == {"community": value["community"], "shown": False}
                elif value["shown"] and "n" in value:
                    assert value["n"] >= minimum
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    assert (document["attendance"]["total"] is None) == bool(hidden)
    assert (document["balance"]["overall"]["turns"] is None) == bool(hidden)
    assert document["balance"]["overall"]["shares"] == (not hidden)
    (poll,) = document["polls"]
    assert poll["shown"] == (voters >= minimum)
    assert ("counts" in poll) == poll["shown"] and ("voters" in poll) == poll["shown"]


def _check_csv(text: str, hidden_labels: set[str]) -> None:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    for table, row, column, value in rows[1:]:
        if row in hidden_labels or column in hidden_labels:
            assert value == TOO_FEW, (table, row, column, value)
        if hidden_labels and row == "All communities":
            raise AssertionError(("a total beside a hidden group", table, value))
        if hidden_labels and column == "All communities":
            assert value == "—", (table, row, value)


CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)


def _check_html(text: str, hidden_labels: set[str]) -> None:
    for table in re.findall(r"<table>(.*?)</table>", text, re.S):
        head, _, body = table.partition("</thead>")
        columns = [c.strip() for c in CELL.findall(head)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            cells = [c.strip() for c in CELL.findall(row)]
            if cells[0] in hidden_labels:
                assert all(c in (TOO_FEW, "") for c in cells[1:]), cells
            if hidden_labels and cells[0] == "All communities":
                raise AssertionError(("a total beside a hidden group", cells))
            if len(cells) == len(columns):
                for column, cell in zip(columns, cells, strict=True):
                    if column in hidden_labels:
                        assert cell == TOO_FEW, (column, cells)
                    if column == "All communities" and hidden_labels:
                        assert cell == "—", cells
    for svg in re.findall(r"<svg.*?</svg>", text, re.S):
        words = [w.strip() for w in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)]
        assert not set(words) & hidden_labels, words  # no bar, no point: only the note names it
