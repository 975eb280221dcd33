"""A session run end to end yields a reviewed, released transcript that an organiser can read
and export, and that never shows who said what."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app.accounts.models import User
from app.dialogues.models import DialogueSession, Invitation, Seat
from app.errors import AppError
from app.events.models import Statement
from app.programmes.models import Programme
from app.transcripts import service
from app.transcripts.models import TranscriptRelease
from app.transcripts.retention import purge
from tests.factories import DEFAULT_PASSWORD, Account, api_login

NAMES = ("Nigar", "Ani", "Rauf", "Lusine")


async def _get(client, url: str, expect: int = 200):
    response = await client.get(url)
    assert response.status_code == expect, (url, response.status_code, response.text[:300])
    return response


async def organiser_views(r, release_id: int) -> list[str]:
    """Everything an organiser can reach about the released transcript, as text."""
    texts = [
        (await _get(r.organiser, f"/api/programmes/{r.programme_id}/transcripts")).text,
        (await _get(r.organiser, f"/programmes/{r.programme_id}/transcripts")).text,
        (await _get(r.organiser, f"/api/transcripts/{release_id}")).text,
        (await _get(r.organiser, f"/transcripts/{release_id}")).text,
    ]
    for fmt in ("md", "json", "csv", "html"):
        texts.append((await _get(r.organiser, f"/transcripts/{release_id}/export.{fmt}")).text)
    return texts


async def test_a_session_becomes_a_reviewed_released_transcript_an_organiser_reads(make_readers):
    r = await make_readers()
    room = r.room
    nigar, ani = room.people["nigar"], room.people["ani"]
    item = (await room.act(room.facilitator, "agenda_next", current_item_id=None))["item"]
    first = await room.say(nigar, "Hello Ani, I am glad you came. Write to me at nigar.a@example.org.")
    await room.say(ani, "Thank you, Nigar! Call me on +374 10 123456 or find @ani_y online.")
    await room.say(room.facilitator, "Thank you both. Let us go around.")
    hidden = await room.say(nigar, "Something the facilitators hid.")
    await room.act(room.facilitator, "hide", statement_id=hidden.statement_id, reason="Ground rule 3")
    withdrawn = await room.say(ani, "Something I take back.")
    await room.act(ani, "withdraw", statement_id=withdrawn.statement_id)
    await room.act(room.facilitator, "backchannel", text="Only for us facilitators.")
    await room.act(room.facilitator, "check_in", seat_id=ani.seat_id, text="Private check-in words.")
    await r.end()

    # The facilitator's review: suggestions marked, one hand-made redaction, a summary.
    url = f"/api/sessions/{room.session_id}/transcript"
    draft = (await _get(r.facilitator, url)).json()
    marks = {m["kind"] for s in draft["statements"] for m in s["marks"]}
    assert {"name", "email", "phone", "handle"} <= marks
    headers = {"X-CSRF-Token": r.facilitator_csrf}
    made = await r.facilitator.post(
        f"{url}/redactions",
        headers=headers,
        json={"statement_id": first.statement_id, "start": 13, "end": 23, "reason": "Too personal"},
    )
    assert made.status_code == 201, made.text
    saved = await r.facilitator.put(
        f"{url}/outcomes",
        headers=headers,
        json={"summary": "A first, careful meeting.", "agreed_points": ["Meet again in May"]},
    )
    assert saved.status_code == 200
    assert (await r.organiser.get(url)).status_code in (403, 404), "organisers never reach a draft"
    page = (await _get(r.facilitator, f"/sessions/{room.session_id}/transcript")).text
    assert "«Ani»" in page and "[email]" in page and "Too personal" not in page  # reasons stay in the decisions
    assert "A first, careful meeting." in page and "Release this version to the organisers" in page
    released = await r.release()
    assert released["released"] and released["version"] == 1

    # What the organiser reads.
    listed = (await _get(r.organiser, f"/api/programmes/{r.programme_id}/transcripts")).json()
    assert [t["version"] for t in listed] == [1]
    document = (await _get(r.organiser, f"/api/transcripts/{listed[0]['id']}")).json()["document"]
    assert document["version"] == 1 and document["released_by"] == "Facilitator 1"
    assert document["summary"] == {"en": "A first, careful meeting."}
    assert document["agreed_points"] == [{"en": "Meet again in May"}]
    section = next(s for s in document["sections"] if s["title"] == item["title"])
    kinds = [e["type"] for e in section["entries"]]
    assert kinds == ["statement", "statement", "statement", "removed"], kinds
    texts = [e["text"] for e in section["entries"] if e["type"] == "statement"]
    assert "[redacted]" in texts[0] and "[email]" in texts[0] and "[phone]" in texts[1] and "[handle]" in texts[1]
    assert section["entries"][2]["speaker"] == "Facilitator 1" and section["entries"][0]["speaker"].startswith(
        "Participant "
    )
    everything = "\n".join(await organiser_views(r, listed[0]["id"]))
    for secret in (
        *NAMES,
        "example.org",
        "123456",
        "ani_y",
        "hid.",
        "take back",
        "Only for us",
        "Private check-in",
        "Too personal",
        "Ground rule 3",
        "Test Facilitator",
    ):
        assert secret not in everything, secret


async def test_a_withdrawal_after_release_makes_a_new_version_without_it(make_readers, new_client):
    r = await make_readers()
    room = r.room
    said = await room.say(room.people["rauf"], "Words I will think better of.")
    await room.say(room.people["lusine"], "Words that stay.")
    await r.end()
    await r.release()
    async with room.app.state.db.unit_of_work() as db:
        seat = await db.get(Seat, room.people["rauf"].seat_id)
        await service.withdraw(db, seat=seat, statement_id=said.statement_id, now=room.clock.now())
    listed = (await _get(r.organiser, f"/api/programmes/{r.programme_id}/transcripts")).json()
    assert [t["version"] for t in listed] == [2]
    newest = (await _get(r.organiser, f"/api/transcripts/{listed[0]['id']}")).json()
    assert "think better" not in json.dumps(newest) and "Words that stay." in json.dumps(newest)
    releases = (await _get(r.facilitator, f"/api/sessions/{room.session_id}/transcript")).json()["releases"]
    first_id = next(v["id"] for v in releases if v["version"] == 1)
    old = (await _get(r.organiser, f"/api/transcripts/{first_id}")).json()
    assert (old["version"], old["newest_version"], old["superseded"]) == (1, 2, True), (
        "a reader of version 1 learns of 2"
    )
    assert "document" not in old, "the withdrawn words in version 1 are no longer shown"
    page = (await _get(r.organiser, f"/transcripts/{first_id}")).text
    assert "newer version" in page and "think better" not in page
    export = await r.organiser.get(f"/transcripts/{first_id}/export.md")
    assert export.status_code == 409 and "think better" not in export.text


async def test_withdrawing_closes_after_the_programmes_window(make_readers):
    r = await make_readers()
    room = r.room
    said = await room.say(room.people["rauf"], "Late regrets.")
    await r.end()
    room.clock.advance(timedelta(hours=73))
    async with room.app.state.db.unit_of_work() as db:
        seat = await db.get(Seat, room.people["rauf"].seat_id)
        with pytest.raises(AppError) as closed:
            await service.withdraw(db, seat=seat, statement_id=said.statement_id, now=room.clock.now())
    assert closed.value.code == "withdrawal_closed"


async def test_the_participant_s_page_names_the_withdrawal_deadline_and_closes_it_after(make_readers, new_client):
    r = await make_readers()
    room = r.room
    await room.say(room.people["ani"], "Mine to keep or take back.")
    await r.end()
    async with room.app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, room.session_id)
        deadline = await service.withdrawal_deadline(db, session=session)
    assert deadline is not None and deadline - room.clock.now() == timedelta(hours=72)
    browser = new_client("198.51.100.42")
    name, value = room.cookies["ani"].split("=", 1)
    browser.cookies.set(name, value)
    page = await _get(browser, f"/sessions/{room.session_id}/waiting")
    assert f'<time datetime="{deadline.isoformat()}" data-local-time>' in page.text
    assert "for a while" not in page.text and "/withdraw" in page.text
    room.clock.advance(timedelta(hours=72, minutes=1))
    closed = await _get(browser, f"/sessions/{room.session_id}/waiting")
    assert "The time to withdraw statements is over." in closed.text
    assert "Mine to keep or take back." in closed.text and "/withdraw" not in closed.text


async def test_release_can_need_two_facilitators(make_readers, make_account, new_client):
    r = await make_readers()
    room = r.room
    await room.say(room.people["nigar"], "One statement.")
    await r.end()
    headers = {"X-CSRF-Token": r.facilitator_csrf}
    await r.facilitator.put(
        f"/api/sessions/{room.session_id}/transcript/outcomes",
        headers=headers,
        json={"summary": "", "agreed_points": [], "two_to_release": True},
    )
    first = await r.release()
    assert first["released"] is False and "second facilitator" in first["message"]
    again = await r.release()
    assert again["released"] is False, "the same facilitator twice is still one"
    async with room.app.state.db.unit_of_work() as db:
        co_seat = await db.get(Seat, room.co_facilitator.seat_id)
        co_user = await db.get(User, co_seat.user_id)
    co = new_client("198.51.100.30")
    csrf = await api_login(co, Account(co_user, DEFAULT_PASSWORD))
    second = await co.post(f"/api/sessions/{room.session_id}/transcript/release", headers={"X-CSRF-Token": csrf})
    assert second.json()["released"] is True and second.json()["version"] == 1


async def test_a_transcript_is_released_only_after_the_session(make_readers):
    r = await make_readers()
    response = await r.facilitator.post(
        f"/api/sessions/{r.room.session_id}/transcript/release", headers={"X-CSRF-Token": r.facilitator_csrf}
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "session_not_ended"


async def test_purge_deletes_raw_words_after_the_retention_period_and_keeps_the_transcript(make_readers):
    r = await make_readers()
    room = r.room
    await room.say(room.people["nigar"], "Raw words.")
    await r.end()
    await r.release()
    async with room.app.state.db.unit_of_work() as db:
        programme = await db.get(Programme, r.programme_id)
        programme.retention_days = 30
        db.add(programme)
    room.clock.advance(timedelta(days=29))
    async with room.app.state.db.unit_of_work() as db:
        assert (await purge(db, now=room.clock.now())).sessions == 0
    room.clock.advance(timedelta(days=2))
    async with room.app.state.db.unit_of_work() as db:
        done = await purge(db, now=room.clock.now())
    assert done.sessions == 1 and done.statements == 1
    async with room.app.state.db.unit_of_work() as db:
        assert (await db.exec(select(Statement).where(Statement.session_id == room.session_id))).all() == []
        seats = (await db.exec(select(Seat).where(Seat.session_id == room.session_id))).all()
        assert all(s.display_name == s.pseudonym for s in seats)
        invitations = (await db.exec(select(Invitation).where(Invitation.session_id == room.session_id))).all()
        assert all(i.real_name is None and i.contact is None for i in invitations)
    async with room.app.state.db.unit_of_work() as db:  # (a month on, the organiser's login has expired)
        kept = (await db.exec(select(TranscriptRelease).where(TranscriptRelease.session_id == room.session_id))).all()
    assert len(kept) == 1 and "Raw words." in json.dumps(kept[0].document), "the released transcript stays"


async def test_a_participant_withdraws_from_their_page_after_the_session(make_readers, new_client):
    r = await make_readers()
    room = r.room
    said = await room.say(room.people["ani"], "Words to take back from home.")
    kept = await room.say(room.people["ani"], "Words only I may take back.")
    await r.end()
    await r.release()
    browser = new_client("198.51.100.40")
    name, value = room.cookies["ani"].split("=", 1)
    browser.cookies.set(name, value)
    page = await _get(browser, f"/sessions/{room.session_id}/waiting")
    assert "Words to take back from home." in page.text
    csrf_field = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert csrf_field
    csrf = csrf_field.group(1)
    done = await browser.post(
        f"/sessions/{room.session_id}/statements/{said.statement_id}/withdraw", data={"csrf_token": csrf}
    )
    assert done.status_code == 303 and done.headers["location"].endswith("done=withdrawn")
    again = await _get(browser, f"/sessions/{room.session_id}/waiting?done=withdrawn")
    assert "Words to take back from home." not in again.text
    listed = (await _get(r.organiser, f"/api/programmes/{r.programme_id}/transcripts")).json()
    assert listed[0]["version"] == 2
    other = new_client("198.51.100.41")  # someone else's browser cannot withdraw her words
    name, value = room.cookies["nigar"].split("=", 1)
    other.cookies.set(name, value)
    page = await _get(other, f"/sessions/{room.session_id}/waiting")
    csrf_meta = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert csrf_meta
    csrf = csrf_meta.group(1)
    refused = await other.post(
        f"/sessions/{room.session_id}/statements/{kept.statement_id}/withdraw", data={"csrf_token": csrf}
    )
    assert refused.headers["location"].endswith("error=unknown_statement")
    assert "Words only I may take back." in (await _get(browser, f"/sessions/{room.session_id}/waiting")).text


async def test_organisers_set_the_retention_period_and_the_withdrawal_window(make_readers):
    r = await make_readers()
    url = f"/api/programmes/{r.programme_id}"
    set_ = await r.organiser.patch(
        url, json={"retention_days": 90, "withdrawal_hours": 48}, headers={"X-CSRF-Token": r.organiser_csrf}
    )
    assert set_.status_code == 200 and (set_.json()["retention_days"], set_.json()["withdrawal_hours"]) == (90, 48)
    kept = await r.organiser.patch(url, json={"keep_raw_statements": True}, headers={"X-CSRF-Token": r.organiser_csrf})
    assert kept.json()["retention_days"] is None
    bad = await r.organiser.patch(url, json={"retention_days": 0}, headers={"X-CSRF-Token": r.organiser_csrf})
    assert bad.status_code == 422
    facilitator = await r.facilitator.patch(
        url, json={"retention_days": 1}, headers={"X-CSRF-Token": r.facilitator_csrf}
    )
    assert facilitator.status_code in (403, 404), "organisers decide retention"
