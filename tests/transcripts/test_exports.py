"""What an organiser takes away: the HTML export is a document of its own (nothing of the
person who downloaded it, no script, no load from anywhere, its own inline style only, in
the reader's language), CSV opens right in a spreadsheet (a byte-order mark, no formulas),
and a statement keeps its number from one released version to the next."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import uuid
from typing import Any

import pytest

from app.dialogues.models import DialogueSession, Seat
from app.facilitation.statements import post_statement
from app.transcripts import export, service
from app.web.i18n import translations_for

ARMENIAN = "Մենք խոսեցինք դպրոցների մասին։"
RUSSIAN = "Моя бабушка жила в соседнем селе."
AZERBAIJANI = "Biz məktəb haqqında danışdıq."


async def _released(r) -> dict:
    listed = (await r.organiser.get(f"/api/programmes/{r.programme_id}/transcripts")).json()
    return (await r.organiser.get(f"/api/transcripts/{listed[0]['id']}")).json()


async def _session_in_three_scripts(r) -> int:
    room = r.room
    await room.act(room.facilitator, "agenda_next", current_item_id=None)
    await room.say(room.people["ani"], ARMENIAN)
    await room.say(room.people["nigar"], RUSSIAN)
    await room.say(room.people["rauf"], AZERBAIJANI)
    await r.end()
    saved = await r.facilitator.put(
        f"/api/sessions/{room.session_id}/transcript/outcomes",
        headers={"X-CSRF-Token": r.facilitator_csrf},
        json={"summary": "Ամփոփում: we met.", "agreed_points": ["Встретиться снова."]},
    )
    assert saved.status_code == 200
    return (await r.release())["id"]


async def test_the_html_export_is_a_standalone_document_with_nothing_of_the_viewer(make_readers):
    r = await make_readers()
    release_id = await _session_in_three_scripts(r)
    response = await r.organiser.get(f"/transcripts/{release_id}/export.html")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert (
        response.headers["content-disposition"] == f'attachment; filename="transcript-{r.room.session_id}-v1-en.html"'
    )
    html = response.text
    assert html.startswith("<!doctype html>") and '<meta charset="utf-8">' in html

    # Nothing of the organiser's session: no name, no token, no navigation, no way back.
    me = (await r.organiser.get("/api/auth/me")).json()["user"]
    for own in (me["full_name"], me["username"], r.organiser_csrf):
        assert own not in html, own
    for piece in ("<nav", "<form", "<script", "<link", "<img", "<iframe", "csrf", "/static/", "Log out", "src="):
        assert piece not in html.casefold(), piece
    assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', html)), "links stay in the document"

    # Its own style, and a policy in the file that allows exactly that style and nothing else.
    digest = _style_digest(html)
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert meta and meta.group(1) == (
        f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )

    # The words, each marked with the language its script shows.
    assert f'<p lang="hy">{ARMENIAN}</p>' in html
    assert f'<p lang="ru">{RUSSIAN}</p>' in html
    assert f'<p lang="az">{AZERBAIJANI}</p>' in html
    assert '<html lang="en">' in html and ">Summary<" in html


def _style_digest(html: str) -> str:
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) == 1 and "font" in styles[0]
    return base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()


async def test_the_html_export_response_allows_only_its_own_style(make_readers):
    """The app's policy is for app pages (its scripts, its stylesheet); the download's own
    allows no script, no load, nothing but its inline style."""
    r = await make_readers()
    release_id = await _session_in_three_scripts(r)
    response = await r.organiser.get(f"/transcripts/{release_id}/export.html")
    digest = _style_digest(response.text)
    assert response.headers["content-security-policy"] == (
        f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("lang", ["hy", "ru", "az"])
async def test_the_html_export_speaks_the_readers_language(make_readers, lang):
    r = await make_readers()
    release_id = await _session_in_three_scripts(r)
    r.organiser.cookies.set("rt_lang", lang)
    html = (await r.organiser.get(f"/transcripts/{release_id}/export.html")).text
    words = translations_for(lang)
    assert f'<html lang="{lang}">' in html
    for heading in ("Summary", "Agreed points", "Transcript"):
        assert words.gettext(heading) != heading and f"{words.gettext(heading)}<" in html, heading
    assert 'class="community">' + {"hy": "Համայնք Ա", "ru": "Сообщество А", "az": "İcma A"}[lang] in html


async def test_the_reading_page_in_the_app_stays_an_app_page(make_readers):
    r = await make_readers()
    release_id = await _session_in_three_scripts(r)
    page = (await r.organiser.get(f"/transcripts/{release_id}")).text
    assert "/static/css/app.css" in page and f"/transcripts/{release_id}/export.html" in page
    assert ARMENIAN in page and RUSSIAN in page


async def test_csv_starts_with_a_byte_order_mark_and_keeps_every_script(make_readers):
    r = await make_readers()
    release_id = await _session_in_three_scripts(r)
    response = await r.organiser.get(f"/transcripts/{release_id}/export.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content[:3] == b"\xef\xbb\xbf"
    assert response.content.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "section",
        "type",
        "number",
        "offset",
        "speaker",
        "role",
        "community",
        "reply_to",
        "text",
        "language",
        "translated_by",
    ]
    assert [row[8] for row in rows if row[1] == "statement"] == [ARMENIAN, RUSSIAN, AZERBAIJANI]


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("https://example.org","click")',
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "\n=1+1",
        "  =1+1",
        "＝1+1",
        "＋1",
    ],
)
def test_no_csv_cell_is_read_as_a_formula(text):
    document: dict[str, Any] = {
        "communities": [],
        "sections": [
            {
                "title": text,
                "kind": "discussion",
                "entries": [
                    {
                        "type": "statement",
                        "speaker": "Participant 1",
                        "role": "participant",
                        "community": None,
                        "offset_seconds": 0,
                        "number": 1,
                        "text": text,
                        "reply_to": None,
                        "redactions": [],
                    },
                    {
                        "type": "poll",
                        "question": text,
                        "options": ["a", "b"],
                        "counts": [1, 2],
                        "multiple": False,
                        "offset_seconds": 5,
                    },
                ],
            }
        ],
    }
    rows = list(csv.reader(io.StringIO(export.to_csv(document).removeprefix(export.BOM))))
    for row in rows[1:]:
        assert row[0] == "'" + text, row  # the section's title
        assert row[8].startswith("'"), row
    assert rows[1][8] == "'" + text


def test_ordinary_csv_cells_are_left_as_they_are():
    document: dict[str, Any] = {
        "communities": [],
        "sections": [
            {
                "title": "Opening",
                "kind": None,
                "entries": [
                    {
                        "type": "statement",
                        "speaker": "Participant 1",
                        "role": "participant",
                        "community": None,
                        "offset_seconds": 0,
                        "number": 1,
                        "text": "A sum: 1 + 1 = 2, and a-b.",
                        "reply_to": None,
                        "redactions": [],
                    }
                ],
            }
        ],
    }
    rows = list(csv.reader(io.StringIO(export.to_csv(document).removeprefix(export.BOM))))
    assert rows[1][0] == "Opening" and rows[1][8] == "A sum: 1 + 1 = 2, and a-b."


async def _say(room, actor, text: str, reply_to: int | None = None) -> int:
    async with room.app.state.db.unit_of_work() as db:
        result = await post_statement(
            db,
            session_id=room.session_id,
            seat_id=actor.seat_id,
            client_id=uuid.uuid4().hex,
            text=text,
            reply_to=reply_to,
            now=room.clock.now(),
        )
    return result.statement_id


async def test_statement_numbers_stay_the_same_from_one_version_to_the_next(make_readers):
    r = await make_readers()
    room = r.room
    first = await _say(room, room.people["nigar"], "One.")
    second = await _say(room, room.people["rauf"], "Two, which I will take back.")
    third = await _say(room, room.people["ani"], "Three.")
    await _say(room, room.people["lusine"], "Four, answering three.", reply_to=third)
    await _say(room, room.people["nigar"], "Five, answering one.", reply_to=first)
    await r.end()
    await r.release()
    before = (await _released(r))["document"]
    numbered = {e["text"]: e["number"] for s in before["sections"] for e in s["entries"] if e["type"] == "statement"}
    assert numbered["Three."] == 3 and numbered["Two, which I will take back."] == 2

    async with room.app.state.db.unit_of_work() as db:  # the participant's withdrawal, after the release
        seat = await db.get(Seat, room.people["rauf"].seat_id)
        await service.withdraw(db, seat=seat, statement_id=second, now=room.clock.now())
    after = await _released(r)
    assert after["version"] == 2
    statements = [e for s in after["document"]["sections"] for e in s["entries"] if e["type"] == "statement"]
    assert [(e["number"], e["text"]) for e in statements] == [
        (1, "One."),
        (3, "Three."),
        (4, "Four, answering three."),
        (5, "Five, answering one."),
    ]
    assert [e["reply_to"] for e in statements] == [None, None, 3, 1], "references keep pointing at the same words"
    assert after["document"]["counts"]["statements"] == 4

    # A statement a facilitator hides later leaves its number unused too.
    await room.act(room.facilitator, "hide", statement_id=third, reason="Ground rule 2")
    await r.release()
    third_version = await _released(r)
    statements = [e for s in third_version["document"]["sections"] for e in s["entries"] if e["type"] == "statement"]
    assert [e["number"] for e in statements] == [1, 4, 5]
    assert [e["reply_to"] for e in statements] == [None, None, 1], "an answer to a removed statement answers nothing"
    markdown = (await r.organiser.get(f"/transcripts/{third_version['id']}/export.md")).text
    assert "**#4 " in markdown and "**#2 " not in markdown and "**#3 " not in markdown


async def test_a_name_in_the_session_title_never_reaches_the_programmes_list(make_readers):
    r = await make_readers()
    room = r.room
    async with room.app.state.db.unit_of_work() as db:  # a facilitator named someone in the title
        session = await db.get(DialogueSession, room.session_id)
        assert session is not None
        session.title = {"en": "A meeting with Нигяр", "ru": "Встреча с Нигяр"}
        db.add(session)
    await room.say(room.people["ani"], "Hello.")
    await r.end()
    await r.release()
    for path in (f"/api/programmes/{r.programme_id}/transcripts", f"/programmes/{r.programme_id}/transcripts"):
        answer = await r.organiser.get(path)
        assert answer.status_code == 200
        assert "Нигяр" not in answer.text and "A meeting with" in answer.text, path
    listed = (await r.organiser.get(f"/api/programmes/{r.programme_id}/transcripts")).json()
    assert listed[0]["session_title"]["ru"].startswith("Встреча с Участник ")
