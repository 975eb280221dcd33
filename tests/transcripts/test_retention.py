"""Retention leaves nothing behind: after `roundtable purge`, no table holds a display name,
real name, contact, report or moderation reason, private word or statement of the purged
session, in any column, JSON payloads included; the released transcript (pseudonyms only)
stays readable, and what the session's figures are counted from stays."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel, func, select

from app.accounts.models import Role
from app.dialogues import seats as seat_service
from app.dialogues.models import DialogueSession, Invitation, Seat
from app.events.models import RoomEvent, Translation
from app.facilitation import lobby
from app.facilitation.models import PollAnswer
from app.facilitation.room import Actor
from app.outcomes import answers as survey_answers
from app.outcomes.models import OutcomeSnapshot, Phase, SurveyAnswer, SurveyResponse, TextReview
from app.outcomes.retention import purge
from app.programmes import service as programme_service
from app.programmes.models import MemberRole, Programme
from tests.factories import DEFAULT_PASSWORD, Account, api_login, make_invitation

# Who takes part: display name, real name, contact, community; in three scripts.
JOINING = {
    "gunay": ("Günay", "Günay Məmmədova", "gunay.mammadova@example.az", "a"),
    "svetlana": ("Светлана", "Светлана Орлова", "+7 912 345 67 89", "b"),
    "anahit": ("Անահիտ", "Անահիտ Սարգսյան", "@anahit_sargsyan", "b"),
    "tamar": ("Tamar", "Tamar Beridze", "tamar.beridze@example.ge", "a"),
}
REASONS = {
    "hide": "Правило 3: Светлана назвала деревню",
    "report": "Այս խոսքը վիրավորական է Անահիտի համար",
    "mute": "Günay asked for a pause from Tamar",
    "remove": "Tamar Beridze broke ground rule 2 again",
    "pause": "Pausing while Günay Məmmədova reconnects",
    "redaction": "Hides the village Günay named",
}
TRANSLATED = (
    "Светлана, спасибо. Пишите мне на gunay.mammadova@example.az.",
    "Я Անահիտ, меня знает Tamar Beridze; я @anahit_sargsyan в сети.",
    "Bizim kənd — Светлана Kirovkadandır, Orlova orada yaşayır.",
    "Անահիտ Սարգսյան withdraws this translation too.",
)
# Free-text survey answers naming people; one is released to organisers (after review).
SURVEYED = {
    "gunay": ("Хочу понять, что думает Светлана.", "Tamar Beridze was kind to me."),
    "svetlana": ("Günay Məmmədova is why I came.", "Пишите мне: +7 912 345 67 89"),
    "anahit": ("Անահիտ Սարգսյան hopes for peace.", "Tamar and I will meet again."),
}
PRIVATE = ("Keep an eye on Светлана tonight", "Անահիտ, how are you feeling?", "Լավ եմ, շնորհակալություն։")


async def _join(app, facilitator, session, key: str) -> Actor:
    display, real, contact, community = JOINING[key]
    invitation, _token = await make_invitation(
        app, facilitator=facilitator, session=session, community=community, real_name=real, contact=contact
    )
    now = app.state.clock.now()
    async with app.state.db.unit_of_work() as db:
        row = await db.get(Invitation, invitation.id)
        await seat_service.give_consent(
            db, invitation=row, session=session, rules_version=1, accept_rules=True, accept_transcript=True, now=now
        )
        seat, _cookie = await lobby.take_seat(db, invitation=row, session=session, display_name=display, now=now)
        await lobby.admit(db, seat=seat, now=now)
    return Actor(session_id=session.id, seat_id=seat.id)


async def _survey(app, actor: Actor, phase: Phase, values: dict[str, str]) -> None:
    async with app.state.db.unit_of_work() as db:
        seat = await db.get(Seat, actor.seat_id)
        session = await db.get(DialogueSession, actor.session_id)
        await survey_answers.submit(
            db, seat=seat, session=session, phase=phase, values=values, now=app.state.clock.now()
        )


async def everything_stored(app) -> list[tuple[str, str, str]]:
    """Every value of every column of every table, as text: (table, column, value)."""
    found = []
    async with app.state.db.unit_of_work() as db:
        connection = await db.connection()
        for table in SQLModel.metadata.sorted_tables:
            for row in (await connection.execute(sa.select(table))).mappings():
                for column, value in row.items():
                    if isinstance(value, dict | list):
                        value = json.dumps(value, ensure_ascii=False)
                    found.append((table.name, column, str(value)))
    return found


async def _count(app, query: Any) -> int:
    async with app.state.db.unit_of_work() as db:
        return (await db.exec(query)).one()


async def test_purge_leaves_no_name_contact_reason_or_word_of_the_session_anywhere(
    make_readers, make_account, new_client
):
    r = await make_readers(people=())
    room, app = r.room, r.room.app
    async with app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, room.session_id)
    people = {key: await _join(app, room.facilitator_user, session, key) for key in JOINING}
    gunay, svetlana, anahit, tamar = (people[k] for k in ("gunay", "svetlana", "anahit", "tamar"))

    # The session: statements naming each other, a reply, a hidden one, a withdrawn one, a
    # report, a mute, a removal, a pause, check-ins, the back-channel, a poll, reactions.
    await room.act(room.facilitator, "agenda_next", current_item_id=None)
    said = [
        (gunay, "Светлана, thank you. Write to me at gunay.mammadova@example.az any time."),
        (svetlana, "Günay, я согласна. Мой номер +7 912 345 67 89, звоните."),
        (anahit, "Ես Անահիտն եմ, Tamar Beridze knows me; I am @anahit_sargsyan online."),
        (tamar, "Tamar here: tamar.beridze@example.ge, and Անահիտ is my neighbour."),
    ]
    ids = [(await room.say(actor, text)).statement_id for actor, text in said]
    hidden = await room.say(svetlana, "Наша деревня — Светлана из Кировки, где живёт Орлова.")
    withdrawn = await room.say(anahit, "Անահիտ Սարգսյան takes these words back.")
    # Translations, of kept, hidden and withdrawn statements alike, naming people too.
    for actor, statement_id, language, text in (
        (room.facilitator, ids[0], "ru", TRANSLATED[0]),
        (anahit, ids[2], "ru", TRANSLATED[1]),
        (room.facilitator, hidden.statement_id, "az", TRANSLATED[2]),
        (anahit, withdrawn.statement_id, "en", TRANSLATED[3]),
    ):
        await room.act(
            actor, "translate", client_id=uuid.uuid4().hex, statement_id=statement_id, language=language, text=text
        )
    await room.act(room.facilitator, "hide", statement_id=hidden.statement_id, reason=REASONS["hide"])
    await room.act(anahit, "withdraw", statement_id=withdrawn.statement_id)
    await room.act(gunay, "report", statement_id=ids[1], reason=REASONS["report"])
    await room.act(gunay, "react", statement_id=ids[2], reaction="thank_you")
    await room.act(room.facilitator, "mute", seat_id=tamar.seat_id, minutes=5, reason=REASONS["mute"])
    await room.act(room.facilitator, "remove", seat_id=tamar.seat_id, reason=REASONS["remove"])
    await room.act(room.facilitator, "session_pause", reason=REASONS["pause"])
    await room.act(room.facilitator, "session_resume")
    await room.act(room.facilitator, "backchannel", text=PRIVATE[0])
    await room.act(room.facilitator, "check_in", seat_id=anahit.seat_id, text=PRIVATE[1])
    await room.act(anahit, "check_in", text=PRIVATE[2])
    poll = await room.act(
        room.facilitator, "poll_open", question="Did what Günay said help?", options=["Yes", "Ask Светлана"]
    )
    poll_id = poll["id"]
    await room.act(gunay, "poll_answer", poll_id=poll_id, choices=[0])
    await room.act(svetlana, "poll_answer", poll_id=poll_id, choices=[1])
    await room.act(room.facilitator, "poll_close", poll_id=poll_id)
    for key, (hopes, _note) in SURVEYED.items():
        await _survey(app, people[key], Phase.pre, {"warmth_a": "40", "trust": "3", "hopes": hopes})
    await r.end()
    for key, (_hopes, note) in SURVEYED.items():
        await _survey(app, people[key], Phase.post, {"warmth_a": "60", "trust": "5", "note": note})
    async with app.state.db.unit_of_work() as db:
        released_text = (await db.exec(select(SurveyAnswer).where(SurveyAnswer.item_key == "note"))).first()
        released_text.review, released_text.shown_text = TextReview.released, released_text.text
        db.add(released_text)

    # The review: a span hidden by hand, with its reason; a summary that names people.
    headers = {"X-CSRF-Token": r.facilitator_csrf}
    url = f"/api/sessions/{room.session_id}/transcript"
    made = await r.facilitator.post(
        f"{url}/redactions",
        headers=headers,
        json={"statement_id": ids[0], "start": 0, "end": 9, "reason": REASONS["redaction"]},
    )
    assert made.status_code == 201, made.text
    saved = await r.facilitator.put(
        f"{url}/outcomes",
        headers=headers,
        json={
            "summary": {
                "en": "Günay and Светлана found common ground.",
                "ru": "Günay и Светлана нашли общий язык.",
                "hy": "Günay-ն և Անահիտը համաձայնեցին։",
            },
            "agreed_points": [{"en": "Անահիտ hosts next time.", "az": "Növbəti dəfə Tamar qəbul edir."}],
        },
    )
    assert saved.status_code == 200
    released = await r.release()
    async with app.state.db.unit_of_work() as db:
        programme = await db.get(Programme, r.programme_id)
        programme.retention_days = 30
        db.add(programme)
    seats_before = await _count(app, select(func.count()).select_from(Seat).where(Seat.session_id == room.session_id))

    room.clock.advance(timedelta(days=31))
    async with app.state.db.unit_of_work() as db:
        both = await purge(db, now=room.clock.now())
    done = both.transcripts
    assert (both.survey_sessions, both.survey_responses) == (1, 6)
    assert await _count(app, select(func.count()).select_from(SurveyResponse)) == 0
    assert await _count(app, select(func.count()).select_from(SurveyAnswer)) == 0
    # The aggregates stay, for the session and for the programme.
    assert await _count(app, select(func.count()).select_from(OutcomeSnapshot)) == 2
    assert (done.sessions, done.statements, done.private_messages, done.reports) == (1, 6, 3, 1)
    assert done.translations == 4
    assert await _count(app, select(func.count()).select_from(Translation)) == 0
    assert done.identities == 4 and done.events > 0

    # Nothing of the session's people, reasons or words, in any table.
    secrets = [
        *(name for display, real, _contact, _c in JOINING.values() for name in (display, real, *real.split())),
        *(contact for _d, _r, contact, _c in JOINING.values()),
        "mammadova@example",
        "912 345",
        "anahit_sargsyan",
        *REASONS.values(),
        *PRIVATE,
        *(text for _actor, text in said),
        *TRANSLATED,
        *(text for pair in SURVEYED.values() for text in pair),
        "Kirovka",
        "Кировки",
        "takes these words back",
    ]
    stored = await everything_stored(app)
    for secret in secrets:
        hits = [(table, column) for table, column, value in stored if secret.casefold() in value.casefold()]
        assert not hits, (secret, hits)

    async with app.state.db.unit_of_work() as db:
        again = await purge(db, now=room.clock.now())
        assert (again.transcripts.sessions, again.survey_sessions) == (0, 0), "a second run finds nothing left"

    # What the figures are counted from stays: seats, poll answers, when it went live and ended.
    seats_after = await _count(app, select(func.count()).select_from(Seat).where(Seat.session_id == room.session_id))
    assert seats_after == seats_before
    assert await _count(app, select(func.count()).select_from(PollAnswer)) == 2
    statuses = await _count(
        app,
        select(func.count())
        .select_from(RoomEvent)
        .where(RoomEvent.session_id == room.session_id, RoomEvent.type == "session_status"),
    )
    assert statuses >= 3

    # The released transcript is still there for the organisers (a month on: a fresh login).
    reader = await make_account(Role.organiser)
    async with app.state.db.unit_of_work() as db:
        programme = await db.get(Programme, r.programme_id)
        await programme_service.add_member(
            db, programme=programme, username=reader.username, role=MemberRole.organiser, now=room.clock.now()
        )
    organiser = new_client("198.51.100.60")
    await api_login(organiser, reader)
    document = (await organiser.get(f"/api/transcripts/{released['id']}")).json()["document"]
    statements = [e for s in document["sections"] for e in s["entries"] if e["type"] == "statement"]
    assert len(statements) == 4 and all(e["speaker"].startswith("Participant ") for e in statements)
    assert "звоните" in statements[1]["text"] and "[phone]" in statements[1]["text"]
    assert document["summary"]["en"].startswith("Participant ") and "common ground" in document["summary"]["en"]
    assert document["summary"]["ru"].startswith("Участник ") and "общий язык" in document["summary"]["ru"]
    assert [t["language"] for t in statements[0]["translations"]] == ["ru"], "the kept statements' translations stay"
    assert "[email]" in statements[0]["translations"][0]["text"]
    for fmt in ("md", "json", "csv", "html"):
        assert (await organiser.get(f"/transcripts/{released['id']}/export.{fmt}")).status_code == 200
    facilitator = new_client("198.51.100.61")
    csrf = await api_login(facilitator, Account(room.facilitator_user, DEFAULT_PASSWORD))
    refused = await facilitator.post(f"{url}/release", headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "raw_statements_purged"
