"""Leak tests of breakout reports, as a security boundary. Reports name people (the other
caucus's too) in Latin, Cyrillic and Armenian spellings with grammatical endings, with an
e-mail and a phone: nothing an organiser can reach — the released transcripts, their
exports, every listing and page — holds a name or a contact. A report draft's words are
never in a room event's payload, nor in the server's log; `roundtable purge` removes them
with the session's words, and the groups' rooms' words with them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from app.dialogues.models import DialogueSession, Seat
from app.events.log import read_events
from app.events.models import RoomEvent, Statement
from app.facilitation.models import AuditEntry, BreakoutGroup, PrivateMessage
from app.facilitation.room import Actor
from app.facilitation.views import hydrate
from app.outcomes.retention import purge
from app.programmes.models import Programme
from app.transcripts.models import TranscriptRelease
from tests.factories import seat_for
from tests.live.room_client import login_cookie
from tests.live.test_breakouts_live import enter, group_of, make_caucus, open_caucus
from tests.servers import Server, server_env
from tests.test_logs_whole_session import leaks
from tests.transcripts.conftest import Readers
from tests.transcripts.test_breakout_transcripts import Groups, open_groups, release
from tests.transcripts.test_leaks import ENDINGS, NAMES, assert_nothing_leaks
from tests.transcripts.test_retention import everything_stored

# Who takes part: each registered in one script (display name, real name), with contacts.
JOINING = {
    "nigar": {"script": "az", "community": "a", "email": "nigar.0@mail0.org", "phone": "+994 50 012 34 50"},
    "svetlana": {"script": "ru", "community": "a", "email": "svetlana.2@mail2.org", "phone": "+7 912 345 67 89"},
    "anahit": {"script": "hy", "community": "b", "email": "anahit.1@mail1.org", "phone": "+374 91 234 567"},
}


def person(key: str) -> dict[str, str]:
    first, last = NAMES[key][JOINING[key]["script"]]
    return {"display": first, "real": f"{first} {last}", **JOINING[key]}


def spelled(key: str) -> tuple[str, set[str]]:
    """A person named in all three scripts, whole, with an ending, and by surname alone;
    and every form used."""
    parts, forms = [], set()
    for script, ending in ENDINGS.items():
        first, last = NAMES[key][script]
        parts.append(f"{first} {last}, {first}{ending} idea, {last}")
        forms |= {first, last}
    return "; ".join(parts), forms


async def join(readers: Readers) -> list[dict[str, str]]:
    """The three people, admitted to the main session with their real names and contacts."""
    room = readers.room
    async with room.app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, room.session_id)
    found = []
    for key in JOINING:
        who = person(key)
        seat = await seat_for(
            room.app,
            facilitator=room.facilitator_user,
            session=session,
            community=who["community"],
            name=who["display"],
            real_name=who["real"],
            contact=who["email"],
        )
        room.people[key] = Actor(session_id=room.session_id, seat_id=seat.seat_id)
        room.cookies[key] = seat.cookie
        found.append({**who, "handle": "@never-said", "url": "https://never.example/said"})
    return found


def reports() -> tuple[dict[str, str], set[str]]:
    """Each caucus's report names people of both caucuses, with a member's contacts."""
    anahit, anahit_forms = spelled("anahit")
    nigar, nigar_forms = spelled("nigar")
    svetlana, svetlana_forms = spelled("svetlana")
    return (
        {
            "a": f"We heard {anahit}. {nigar} will write: {JOINING['nigar']['email']}, {JOINING['svetlana']['phone']}.",
            "b": f"{nigar} and {svetlana} were fair. Call {JOINING['anahit']['phone']} or {JOINING['anahit']['email']}.",
        },
        anahit_forms | nigar_forms | svetlana_forms,
    )


async def organiser_outputs(readers: Readers, rooms: list[int]) -> list[str]:
    """Everything the programme's organiser can read: listings, pages, each released version
    and its exports, each session's plan; and what they must not reach is refused."""
    organiser, programme = readers.organiser, readers.programme_id
    outputs = []
    listed = await organiser.get(f"/api/programmes/{programme}/transcripts")
    assert listed.status_code == 200
    outputs.append(listed.text)
    urls = [
        f"/programmes/{programme}/transcripts",
        f"/api/programmes/{programme}/sessions",
        f"/programmes/{programme}",
        f"/api/programmes/{programme}",
    ]
    for release_id in (t["id"] for t in listed.json()):
        urls += [f"/api/transcripts/{release_id}", f"/transcripts/{release_id}"]
        urls += [
            f"/transcripts/{release_id}/export.{f}{q}"
            for f in ("md", "json", "csv", "html")
            for q in ("", "?language=ru")
        ]
    for url in urls:
        response = await organiser.get(url)
        assert response.status_code == 200, url
        outputs.append(response.text)
    for room_id in rooms:
        for url in (f"/api/sessions/{room_id}", f"/api/sessions/{room_id}/agenda", f"/sessions/{room_id}"):
            response = await organiser.get(url)
            assert response.status_code in (200, 403, 404), url
            outputs.append(response.text)
        for refused in (
            f"/api/sessions/{room_id}/transcript",
            f"/sessions/{room_id}/transcript",
            f"/api/sessions/{room_id}/seats",
            f"/api/sessions/{room_id}/invitations",
            f"/api/sessions/{room_id}/audit",
        ):
            assert (await organiser.get(refused)).status_code in (403, 404), refused
    return outputs


@pytest.mark.parametrize("keep_transcript", [False, True])
async def test_reports_naming_people_in_three_scripts_leak_nowhere_an_organiser_can_reach(
    make_readers, keep_transcript
):
    readers = await make_readers(people=())
    room = readers.room
    found = await join(readers)
    groups = await open_groups(room, keep_transcript=keep_transcript)
    written, forms = reports()
    await groups.report(["nigar", "svetlana"], written["a"])
    await groups.report(["anahit"], written["b"])
    # In the groups, people name those of the other caucus, and real names.
    other, other_forms = spelled("anahit")
    await groups.say("svetlana", f"{other} told me at {JOINING['anahit']['email']}.")
    mine, mine_forms = spelled("svetlana")
    await groups.say("anahit", f"{mine} phoned me from {JOINING['svetlana']['phone']}.")
    await groups.end()
    await readers.end()
    released = [await readers.release()]
    rooms = [g["session_id"] for g in groups.view["groups"]]
    if keep_transcript:
        for room_id in rooms:
            made = await release(readers, room_id)
            assert made.status_code == 200, made.text
            released.append(made.json())

    outputs = await organiser_outputs(readers, [room.session_id, *rooms])
    listed = json.loads(outputs[0])
    assert len(listed) == len(released) == (3 if keep_transcript else 1)
    main = (await readers.organiser.get(f"/api/transcripts/{released[0]['id']}")).json()["document"]
    entries = [e for s in main["sections"] for e in s["entries"] if e["type"] == "statement"]
    assert sorted(e["speaker"] for e in entries) == ["Group 1", "Group 2"], "both reports are there"
    for entry in entries:
        assert "Participant " in entry["text"] and "[email]" in entry["text"] and "[phone]" in entry["text"]
    cookies = [room.cookies[k].split("=", 1)[1] for k in JOINING]
    assert_nothing_leaks(outputs, cookies, found, also=tuple(forms | other_forms | mine_forms))


DRAFTS = (
    "First draft: the orchard behind the mill is where we met Gulnara",
    "Second draft: we ask for the orchard behind the mill to be restored",
)
BROADCAST = "Five minutes left; please finish the sentence about the mill"
SAID_IN_GROUP = "Only in the caucus: my uncle's house by the mill"


async def test_report_drafts_are_never_in_room_event_payloads_only_joined_in_when_read(make_readers):
    readers = await make_readers()
    room = readers.room
    groups = await open_groups(room, keep_transcript=False)
    await groups.say("nigar", SAID_IN_GROUP)
    rauf, nigar = await groups.enter("rauf"), await groups.enter("nigar")
    first = await room.act(rauf, "report_edit", text=DRAFTS[0], version=0)
    second = await room.act(nigar, "report_edit", text=DRAFTS[1], version=first["version"])
    for actor in (rauf, nigar):
        await room.act(actor, "report_ready", version=second["version"], ready=True)
    await room.act(await groups.enter("ani"), "report_edit", text="Caucus B: the bridge at the mill", version=0)
    await room.act(room.facilitator, "breakout_broadcast", breakout_id=groups.view["id"], text=BROADCAST)
    await room.act(room.facilitator, "breakout_glance", breakout_id=groups.view["id"])
    await groups.end()
    rooms = [room.session_id, *(g["session_id"] for g in groups.view["groups"])]

    async with room.app.state.db.unit_of_work() as db:
        events = list((await db.exec(select(RoomEvent).where(col(RoomEvent.session_id).in_(rooms)))).all())
        audit = list((await db.exec(select(AuditEntry).where(col(AuditEntry.session_id).in_(rooms)))).all())
        ours = groups.group("a")["session_id"]
        frames = await hydrate(db, await read_events(db, session_id=ours, after=0))
    assert {e.type for e in events} >= {"breakout_changed", "report_changed", "broadcast", "statement"}
    stored = json.dumps([e.payload for e in events], ensure_ascii=False)
    stored += json.dumps([[a.details, a.reason] for a in audit], ensure_ascii=False)
    for words in (*DRAFTS, BROADCAST, SAID_IN_GROUP, "Caucus B: the bridge", "orchard", "mill"):
        assert words not in stored, words
    # Read back, the words are joined in from their own rows: the draft as it is now.
    changed = [f for f in frames if f["type"] == "report_changed"]
    assert len(changed) == 4 and {f["text"] for f in changed} == {DRAFTS[1]}
    assert next(f for f in frames if f["type"] == "broadcast")["text"] == BROADCAST


@pytest.fixture(params=["console", "json"])
def debug_server(request, database_url, redis_available, tmp_path) -> Iterator[Server]:
    env = server_env(database_url, redis_available, ROUNDTABLE_LOG_LEVEL="DEBUG", ROUNDTABLE_LOG_FORMAT=request.param)
    server = Server(env=env, workdir=tmp_path)
    server.start()
    yield server
    server.stop()


async def test_report_drafts_and_group_words_never_reach_the_log(app, make_account, debug_server):
    server = debug_server
    room = await make_caucus(app, make_account)
    people = room.people
    host = await enter(server, room.session_id, login_cookie(server, room.facilitator))
    view = await open_caucus(host, room)
    ours = group_of(view, "a")["session_id"]
    nigar = await enter(server, ours, people["nigar"].cookie)
    rauf = await enter(server, ours, people["rauf"].cookie)
    await nigar.say(SAID_IN_GROUP)
    await nigar.until(lambda f: f["type"] == "ack")
    first = await rauf.do("report_edit", text=DRAFTS[0], version=0)
    second = await nigar.do("report_edit", text=DRAFTS[1], version=first["version"])
    refused = await rauf.send("report_edit", text="A stale edit about the mill pond", version=first["version"])
    assert refused["type"] == "error" and refused["code"] == "report_changed"
    too_long = await rauf.send("report_edit", text="mill " * 500, version=second["version"])
    assert too_long["type"] == "error"
    for client in (nigar, rauf):
        await client.do("report_ready", version=second["version"], ready=True)
    await host.do("breakout_broadcast", breakout_id=view["id"], text=BROADCAST)
    await host.do("breakout_end", breakout_id=view["id"])
    await host.event("statement")
    for client in (host, nigar, rauf):
        await client.socket.close()
    server.stop()

    assert server.log is not None
    log = server.log.read_text(encoding="utf-8", errors="backslashreplace")
    assert "Application startup complete" in log
    assert len(log.splitlines()) > 5, "the log was written"
    words = [*DRAFTS, "A stale edit about the mill pond", BROADCAST, SAID_IN_GROUP, "mill mill"]
    assert leaks(log, {"words": words}) == []


def secrets_of(found: list[dict[str, str]], forms: set[str]) -> list[str]:
    return [
        *forms,
        *(p[k] for p in found for k in ("display", "real", "email", "phone")),
        *DRAFTS,
        BROADCAST,
        SAID_IN_GROUP,
    ]


@pytest.mark.parametrize("keep_transcript", [False, True])
async def test_purge_removes_the_reports_and_the_group_rooms_words_with_the_session(make_readers, keep_transcript):
    readers = await make_readers(people=())
    room, app = readers.room, readers.room.app
    found = await join(readers)
    groups: Groups = await open_groups(room, keep_transcript=keep_transcript)
    written, forms = reports()
    await groups.say("nigar", SAID_IN_GROUP)
    await groups.report(["nigar", "svetlana"], written["a"])  # agreed: posted in the main room
    anahit = await groups.enter("anahit")
    draft = await room.act(anahit, "report_edit", text=DRAFTS[0], version=0)  # never agreed
    await room.act(anahit, "report_edit", text=DRAFTS[1], version=draft["version"])
    await room.act(room.facilitator, "breakout_broadcast", breakout_id=groups.view["id"], text=BROADCAST)
    await groups.end()
    await readers.end()
    released = await readers.release()
    rooms = [g["session_id"] for g in groups.view["groups"]]
    if keep_transcript:
        assert (await release(readers, rooms[0])).status_code == 200
    async with app.state.db.unit_of_work() as db:
        programme = await db.get(Programme, readers.programme_id)
        assert programme is not None
        programme.retention_days = 30
        db.add(programme)

    room.clock.advance(timedelta(days=31))
    async with app.state.db.unit_of_work() as db:
        done = (await purge(db, now=room.clock.now())).transcripts
    assert done.sessions == 1
    assert done.statements == 2, "the report posted in the main room and the group's statement"
    assert done.private_messages == 2, "the broadcast in each group's room"

    async with app.state.db.unit_of_work() as db:
        left: dict[str, Any] = {
            "reports": [
                (g.report, g.report_ready, g.report_statement_id) for g in (await db.exec(select(BreakoutGroup))).all()
            ],
            "statements": (await db.exec(select(Statement.id).where(col(Statement.session_id).in_(rooms)))).all(),
            "messages": (
                await db.exec(select(PrivateMessage.id).where(col(PrivateMessage.session_id).in_(rooms)))
            ).all(),
            "events": (
                await db.exec(
                    select(RoomEvent.type).where(
                        col(RoomEvent.session_id).in_(rooms), RoomEvent.type != "session_status"
                    )
                )
            ).all(),
            "names": (
                await db.exec(
                    select(Seat.display_name).where(
                        col(Seat.session_id).in_(rooms), col(Seat.display_name) != col(Seat.pseudonym)
                    )
                )
            ).all(),
        }
    assert left == {
        "reports": [("", [], None), ("", [], None)],
        "statements": [],
        "messages": [],
        "events": [],
        "names": [],
    }
    stored = await everything_stored(app)
    for secret in secrets_of(found, forms):
        hits = [(table, column) for table, column, value in stored if secret.casefold() in value.casefold()]
        if keep_transcript and secret == SAID_IN_GROUP:  # the group's released transcript stays
            assert hits == [("transcript_releases", "document")]
        else:
            assert not hits, (secret, hits)

    async with app.state.db.unit_of_work() as db:
        again = await purge(db, now=room.clock.now())
        kept = await db.get(TranscriptRelease, released["id"])
    assert again.transcripts.sessions == 0, "a second run finds nothing left"
    assert kept is not None, "the released transcript stays"
    entries = [e for s in kept.document["sections"] for e in s["entries"]]
    assert [e["speaker"] for e in entries] == ["Group 1"] and "[email]" in entries[0]["text"]
