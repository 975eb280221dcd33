"""Breakouts in the transcripts: the main session's transcript holds each agreed report as a
statement of its group ("Group N", anonymised like any statement) and never the groups' own
words; a group's room keeps a transcript of its own only when the breakout item says so
(`keep_transcript`), and then only through the usual review and release; organisers never
see a group's room as a session of the programme."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest

from app.dialogues import agenda
from app.dialogues.models import AgendaKind, DialogueSession, Seat, SessionStatus
from app.dialogues.schemas import AgendaItemIn, BreakoutSettings
from app.facilitation import presence
from app.facilitation.breakout_rooms import seat_in_room
from app.facilitation.room import Actor
from app.facilitation.statements import post_statement
from tests.factories import InRoom
from tests.transcripts.conftest import Readers


@dataclass
class Groups:
    """A breakout opened in an in-process room, and its people's seats in the groups' rooms."""

    room: InRoom
    view: dict[str, Any]
    members: dict[str, Actor] = field(default_factory=dict)  # name → their seat in their group's room

    def group(self, community: str) -> dict[str, Any]:
        return next(g for g in self.view["groups"] if g["community"] == community)

    def room_of(self, name: str) -> int:
        seat_id = self.room.people[name].seat_id
        return next(g["session_id"] for g in self.view["groups"] if seat_id in g["seat_ids"])

    async def enter(self, name: str) -> Actor:
        """The person's seat in their group's room, present there (as with an open connection)."""
        if name not in self.members:
            app, room_id = self.room.app, self.room_of(name)
            async with app.state.db.unit_of_work() as db:
                seat = await seat_in_room(db, room_id=room_id, main_seat_id=self.room.people[name].seat_id)
                assert seat is not None, name
                await presence.arrive(
                    db,
                    connection_id=f"test-{uuid.uuid4().hex}",
                    seat_id=seat.id,
                    instance_id=app.state.instance_id,
                    now=self.room.clock.now(),
                    per_seat=3,
                    per_account=3,
                )
            self.members[name] = Actor(session_id=room_id, seat_id=seat.id)
        return self.members[name]

    async def say(self, name: str, text: str) -> int:
        actor = await self.enter(name)
        self.room.clock.advance(seconds=20)
        async with self.room.app.state.db.unit_of_work() as db:
            posted = await post_statement(
                db,
                session_id=actor.session_id,
                seat_id=actor.seat_id,
                client_id=uuid.uuid4().hex,
                text=text,
                reply_to=None,
                now=self.room.clock.now(),
            )
        return posted.statement_id

    async def report(self, names: list[str], text: str, *, agree: bool = True) -> dict[str, Any]:
        """The first writes the report; every one of them says it is ready (unless not `agree`)."""
        actors = [await self.enter(name) for name in names]
        report = await self.room.act(actors[0], "report_edit", text=text, version=0)
        if agree:
            for actor in actors:
                report = await self.room.act(actor, "report_ready", version=report["version"], ready=True)
            assert report["agreed"], report
        return report

    async def end(self) -> dict[str, Any]:
        return await self.room.act(self.room.facilitator, "breakout_end", breakout_id=self.view["id"])


async def open_groups(
    room: InRoom, *, keep_transcript: bool, grouping: Literal["caucus", "mixed", "manual"] = "caucus"
) -> Groups:
    async with room.app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, room.session_id)
        item = await agenda.add_item(
            db,
            session=session,
            data=AgendaItemIn(
                kind=AgendaKind.breakout,
                title="Caucus",
                planned_minutes=20,
                breakout=BreakoutSettings(grouping=grouping, keep_transcript=keep_transcript),
            ),
        )
        item_id = item.id
    await room.act(room.facilitator, "agenda_go", current_item_id=None, item_id=item_id)
    view = await room.act(room.facilitator, "breakout_open", item_id=item_id)
    return Groups(room, view)


def statements_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for s in document["sections"] for e in s["entries"] if e["type"] == "statement"]


async def draft(readers: Readers, session_id: int) -> Any:
    return await readers.facilitator.get(f"/api/sessions/{session_id}/transcript")


async def release(readers: Readers, session_id: int) -> Any:
    return await readers.facilitator.post(
        f"/api/sessions/{session_id}/transcript/release", headers={"X-CSRF-Token": readers.facilitator_csrf}
    )


GROUP_WORDS = {
    "nigar": "In our caucus I can say that Rauf's village still frightens me.",
    "rauf": "Nigar, the orchard by the bridge is where we could start.",
    "ani": "Our side remembers the winter of the closed road.",
}
REPORT_A = "Caucus A wants the orchard by the bridge restored; Nigar will bring the maps."
REPORT_B = "Caucus B has not finished its report."


@pytest.mark.parametrize("keep_transcript", [False, True])
async def test_the_main_transcript_holds_the_agreed_reports_and_never_the_groups_words(make_readers, keep_transcript):
    readers = await make_readers()
    room = readers.room
    await room.say(room.people["ani"], "Before we split up: thank you all.")
    groups = await open_groups(room, keep_transcript=keep_transcript)
    for name, text in GROUP_WORDS.items():
        await groups.say(name, text)
    await groups.report(["rauf", "nigar"], REPORT_A)
    await groups.report(["ani", "lusine"], REPORT_B, agree=False)  # written, never agreed
    room.clock.advance(seconds=30)
    await groups.end()
    await room.say(room.people["lusine"], "Back together again.")
    await readers.end()

    made = await draft(readers, room.session_id)
    assert made.status_code == 200, made.text
    released = await readers.release()
    read = await readers.organiser.get(f"/api/transcripts/{released['id']}")
    assert read.status_code == 200, read.text
    for document in (made.json()["document"], read.json()["document"]):
        entries = statements_of(document)
        reports = [e for e in entries if e["speaker"].startswith("Group ")]
        assert [e["speaker"] for e in reports] == ["Group 1"]
        assert reports[0]["community"] == "a"
        # Anonymised as usual: the name in it is the person's pseudonym.
        assert "Nigar" not in reports[0]["text"] and "will bring the maps" in reports[0]["text"]
        assert "Participant " in reports[0]["text"]
        section = next(s for s in document["sections"] if any(e in s["entries"] for e in reports))
        assert section["kind"] == "breakout", "under the breakout's agenda item"
        said = json.dumps(document, ensure_ascii=False)
        for words in (*GROUP_WORDS.values(), "orchard by the bridge is where", REPORT_B, "closed road"):
            assert words not in said
        assert [e["text"] for e in entries if not e["speaker"].startswith("Group ")] == [
            "Before we split up: thank you all.",
            "Back together again.",
        ]
        assert document["counts"]["statements"] == 3
    russian = await readers.organiser.get(f"/transcripts/{released['id']}/export.md?language=ru")
    assert russian.status_code == 200 and "Группа 1" in russian.text, "the group's name in the reader's language"


async def test_without_keep_transcript_a_group_room_keeps_no_transcript(make_readers):
    readers = await make_readers()
    room = readers.room
    groups = await open_groups(room, keep_transcript=False)
    for name, text in GROUP_WORDS.items():
        await groups.say(name, text)
    await groups.report(["rauf", "nigar"], REPORT_A)
    await groups.end()
    await readers.end()
    await readers.release()
    for group in groups.view["groups"]:
        async with room.app.state.db.unit_of_work() as db:
            row = await db.get(DialogueSession, group["session_id"])
            assert row is not None and row.status is SessionStatus.ended and row.keep_transcript is False
        # No draft for the facilitators, no release, nothing for the organisers.
        refused = await draft(readers, group["session_id"])
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "transcript_not_kept", refused.text
        refused = await release(readers, group["session_id"])
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "transcript_not_kept", refused.text
        page = await readers.facilitator.get(f"/sessions/{group['session_id']}/transcript")
        assert page.status_code == 404
        for word in GROUP_WORDS.values():
            assert word not in page.text
        assert (await readers.organiser.get(f"/api/sessions/{group['session_id']}/transcript")).status_code in (
            403,
            404,
        )
    listed = (await readers.organiser.get(f"/api/programmes/{readers.programme_id}/transcripts")).json()
    assert len(listed) == 1 and "—" not in listed[0]["session_title"]["en"], "the main session's alone"


async def test_with_keep_transcript_a_group_room_is_reviewed_and_released_before_organisers_read_it(make_readers):
    readers = await make_readers()
    room = readers.room
    groups = await open_groups(room, keep_transcript=True)
    ours = groups.group("a")["session_id"]
    ids = {name: await groups.say(name, text) for name, text in GROUP_WORDS.items()}
    await groups.report(["rauf", "nigar"], REPORT_A)
    listing = f"/api/programmes/{readers.programme_id}/transcripts"
    async with room.app.state.db.unit_of_work() as db:
        pseudonyms = {name: (await db.get(Seat, room.people[name].seat_id)).pseudonym for name in ("nigar", "rauf")}

    # While the group meets: a draft for the facilitators only (its own statements, names
    # replaced by the same pseudonyms as in the main room), and no release yet.
    made = await draft(readers, ours)
    assert made.status_code == 200, made.text
    entries = statements_of(made.json()["document"])
    assert [e["speaker"] for e in entries] == [pseudonyms["nigar"], pseudonyms["rauf"]]
    assert entries[0]["text"] == f"In our caucus I can say that {pseudonyms['rauf']}'s village still frightens me."
    assert entries[1]["text"].startswith(f"{pseudonyms['nigar']}, the orchard")
    assert [s["id"] for s in made.json()["statements"]] == [ids["nigar"], ids["rauf"]]
    assert REPORT_A not in json.dumps(made.json(), ensure_ascii=False), "the report is the main room's"
    refused = await release(readers, ours)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "session_not_ended"
    assert (await readers.organiser.get(f"/api/sessions/{ours}/transcript")).status_code in (403, 404)
    assert (await readers.organiser.get(listing)).json() == []

    # The groups return (their rooms end): reviewed and released like any session's.
    await groups.end()
    start = GROUP_WORDS["rauf"].index("orchard")
    hidden = await readers.facilitator.post(
        f"/api/sessions/{ours}/transcript/redactions",
        headers={"X-CSRF-Token": readers.facilitator_csrf},
        json={"statement_id": ids["rauf"], "start": start, "end": start + len("orchard"), "reason": "A place"},
    )
    assert hidden.status_code == 201, hidden.text
    assert (await readers.organiser.get(listing)).json() == [], "ended is not released"
    released = await release(readers, ours)
    assert released.status_code == 200 and released.json()["released"] is True, released.text
    listed = (await readers.organiser.get(listing)).json()
    assert [t["id"] for t in listed] == [released.json()["id"]]
    assert listed[0]["session_title"]["en"].endswith("Community A")
    read = await readers.organiser.get(f"/api/transcripts/{released.json()['id']}")
    assert read.status_code == 200
    document = read.json()["document"]
    texts = [e["text"] for e in statements_of(document)]
    assert len(texts) == 2 and "village still frightens me" in texts[0] and "the [redacted] by the bridge" in texts[1]
    said = json.dumps(document, ensure_ascii=False)
    for words in ("Rauf", "Nigar", "orchard", GROUP_WORDS["ani"], REPORT_A):
        assert words not in said
    # The other caucus's room is its own: not released, not read.
    theirs = groups.group("b")["session_id"]
    assert (await draft(readers, theirs)).status_code == 200
    assert len((await readers.organiser.get(listing)).json()) == 1


async def test_organisers_never_see_a_group_room_as_a_session_of_the_programme(make_readers):
    readers = await make_readers()
    room = readers.room
    groups = await open_groups(room, keep_transcript=True)
    rooms = {g["session_id"] for g in groups.view["groups"]}
    assert len(rooms) == 2
    for during in (True, False):
        for reader in (readers.organiser, readers.facilitator):
            listed = await reader.get(f"/api/programmes/{readers.programme_id}/sessions")
            assert listed.status_code == 200
            assert [s["id"] for s in listed.json()] == [room.session_id]
            page = await reader.get(f"/programmes/{readers.programme_id}")
            assert page.status_code == 200
            for room_id in rooms:
                assert f"/sessions/{room_id}" not in page.text
        if during:
            await groups.end()
