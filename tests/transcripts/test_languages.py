"""A transcript in the programme's languages: the summary and agreed points are written per
language (API and page), the released document holds every facilitator's text as a map and
speakers as their stored pseudonyms, and each reader and each download reads it in one
language: pseudonyms in it ("Участник 3"), texts in it or marked "Not translated yet".
Statements appear with their translations side by side (who translated: a role, never a
name), a hidden or withdrawn statement's translations go with it, and an older document of
plain strings still reads."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from typing import Any

import pytest
from sqlmodel import select

from app.dialogues.models import SeatRole
from app.facilitation.room import Actor
from app.transcripts.models import TranscriptRelease
from app.web.i18n import translations_for

PARTICIPANT = {"en": "Participant", "ru": "Участник", "az": "İştirakçı", "hy": "Մասնակից"}
FACILITATOR = {"en": "Facilitator", "ru": "Фасилитатор", "az": "Fasilitator", "hy": "Ֆասիլիտատոր"}


async def translate(room: Any, actor: Actor, statement_id: int, language: str, text: str) -> dict[str, Any]:
    """A translation as the room takes it (the `translate` command)."""
    result: dict[str, Any] = await room.act(
        actor, "translate", client_id=uuid.uuid4().hex, statement_id=statement_id, language=language, text=text
    )
    return result


async def put_outcomes(r: Any, body: dict[str, Any]) -> Any:
    return await r.facilitator.put(
        f"/api/sessions/{r.room.session_id}/transcript/outcomes",
        headers={"X-CSRF-Token": r.facilitator_csrf},
        json=body,
    )


async def released_document(r: Any) -> tuple[int, dict[str, Any]]:
    listed = (await r.organiser.get(f"/api/programmes/{r.programme_id}/transcripts")).json()
    answer = (await r.organiser.get(f"/api/transcripts/{listed[0]['id']}")).json()
    return listed[0]["id"], answer["document"]


def statements_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for s in document["sections"] for e in s["entries"] if e["type"] == "statement"]


# The summary and agreed points, per language --------------------------------------------


async def test_the_api_takes_and_returns_maps_and_merges_edits(make_readers):
    r = await make_readers()
    await r.room.say(r.room.people["nigar"], "Hello.")
    await r.end()
    made = await put_outcomes(
        r,
        {
            "summary": {"en": "We met.", "ru": "Мы встретились.", "hy": "Մենք հանդիպեցինք։"},
            "agreed_points": [{"en": "Meet again.", "az": "Yenidən görüşək."}, "Share the photos."],
        },
    )
    assert made.status_code == 200, made.text
    assert made.json()["summary"] == {"en": "We met.", "ru": "Мы встретились.", "hy": "Մենք հանդիպեցինք։"}
    assert made.json()["agreed_points"] == [
        {"en": "Meet again.", "az": "Yenidən görüşək."},
        {"en": "Share the photos."},
    ]

    # An edit names only what changes: an empty text removes that language, the others stay.
    edited = await put_outcomes(r, {"summary": {"ru": "", "az": "Biz görüşdük."}})
    assert edited.json()["summary"] == {"en": "We met.", "hy": "Մենք հանդիպեցինք։", "az": "Biz görüşdük."}
    assert len(edited.json()["agreed_points"]) == 2, "points left out stay as they are"

    # Plain strings are the programme's first language (English here); points merge by place.
    plain = await put_outcomes(r, {"summary": "We met, at last.", "agreed_points": ["Meet again in May."]})
    assert plain.json()["summary"]["en"] == "We met, at last." and plain.json()["summary"]["hy"]
    assert plain.json()["agreed_points"] == [{"en": "Meet again in May.", "az": "Yenidən görüşək."}]

    for refused in ({"summary": {"ka": "Შეხვედრა"}}, {"agreed_points": [{"de": "Wieder treffen"}]}):
        answer = await put_outcomes(r, refused)
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        assert error["code"] == "unknown_language" and ("ka" in error["message"] or "de" in error["message"])

    draft = (await r.facilitator.get(f"/api/sessions/{r.room.session_id}/transcript")).json()
    assert draft["summary"]["az"] == "Biz görüşdük." and draft["document"]["summary"]["az"] == "Biz görüşdük."
    assert draft["languages"] == ["en", "ru", "az", "hy"]


async def test_the_review_page_has_a_field_per_language_and_zips_points_by_line(make_readers):
    r = await make_readers()
    await r.room.say(r.room.people["nigar"], "Hello.")
    await r.end()
    url = f"/sessions/{r.room.session_id}/transcript"
    saved = await r.facilitator.post(
        f"{url}/outcomes",
        data={
            "csrf_token": r.facilitator_csrf,
            "summary__en": "We met.",
            "summary__ru": "Мы встретились.",
            "summary__az": "",
            "summary__hy": "",
            "agreed_points__en": "Meet again.\nShare the photos.",
            "agreed_points__ru": "",
            "agreed_points__az": "\nŞəkilləri paylaşaq.",
            "agreed_points__hy": "Կրկին հանդիպել։\n",
        },
    )
    assert saved.status_code == 303, saved.text
    draft = (await r.facilitator.get(f"/api/sessions/{r.room.session_id}/transcript")).json()
    assert draft["summary"] == {"en": "We met.", "ru": "Мы встретились."}
    assert draft["agreed_points"] == [
        {"en": "Meet again.", "hy": "Կրկին հանդիպել։"},
        {"en": "Share the photos.", "az": "Şəkilləri paylaşaq."},
    ]
    page = (await r.facilitator.get(url)).text
    for code in ("en", "ru", "az", "hy"):
        assert f'name="summary__{code}"' in page and f'name="agreed_points__{code}"' in page
    assert re.search(r'name="summary__ru"[^>]*>Мы встретились\.</textarea>', page)
    assert re.search(r'name="agreed_points__az"[^>]*>\nŞəkilləri paylaşaq\.</textarea>', page), "line 1 is empty"
    # "Missing" marks: the summary in az and hy, the points in ru, az and hy (not all written).
    labels = re.findall(r'<label for="o-(summary|points)-(\w+)">[^<]*(<span class="badge missing">)?', page)
    missing = {(kind, code) for kind, code, mark in labels if mark}
    assert missing == {("summary", "az"), ("summary", "hy"), ("points", "ru"), ("points", "az"), ("points", "hy")}


# The released document and its readers ----------------------------------------------------


async def _a_session_with_translations(r: Any) -> dict[str, Any]:
    """A session in which an interpreter and an author translate, a statement is hidden and
    one withdrawn (each with its translation), then a summary in two languages and a release."""
    room = r.room
    interpreter = await room.add_seat("Iris", community=None, role=SeatRole.interpreter)
    nigar, ani = room.people["nigar"], room.people["ani"]
    await room.act(room.facilitator, "agenda_next", current_item_id=None)
    first = await room.say(nigar, "Biz məktəb haqqında danışdıq.")
    await translate(room, interpreter, first.statement_id, "hy", "Մենք խոսեցինք դպրոցի մասին։")
    await translate(room, interpreter, first.statement_id, "ru", "Мы говорили о школе.")
    second = await room.say(ani, "Մենք էլ։")
    await translate(room, ani, second.statement_id, "en", "We did too.")
    await translate(room, room.facilitator, second.statement_id, "az", "Biz də.")
    hidden = await room.say(nigar, "Words the facilitators hid.")
    await translate(room, interpreter, hidden.statement_id, "ru", "Скрытые слова перевода.")
    await room.act(room.facilitator, "hide", statement_id=hidden.statement_id, reason="Ground rule 2")
    withdrawn = await room.say(ani, "Words I take back.")
    await translate(room, ani, withdrawn.statement_id, "hy", "Հետ վերցված թարգմանություն։")
    await room.act(ani, "withdraw", statement_id=withdrawn.statement_id)
    await room.say(room.facilitator, "Thank you both.")
    await r.end()
    saved = await put_outcomes(
        r, {"summary": {"en": "We spoke about schools.", "hy": "Խոսեցինք դպրոցների մասին։"}, "agreed_points": []}
    )
    assert saved.status_code == 200
    return await r.release()


async def test_the_document_holds_maps_pseudonyms_and_translations_side_by_side(make_readers):
    r = await make_readers()
    await _a_session_with_translations(r)
    _id, document = await released_document(r)
    assert document["schema"] == "roundtable.transcript/2" and document["languages"] == ["en", "ru", "az", "hy"]
    assert document["session"]["title"] == {"en": "First meeting"}
    assert document["summary"] == {"en": "We spoke about schools.", "hy": "Խոսեցինք դպրոցների մասին։"}
    section = next(s for s in document["sections"] if s["kind"] is not None)
    assert isinstance(section["title"], dict) and isinstance(section["prompt"], dict)
    statements = statements_of(document)
    assert [e["text"] for e in statements] == ["Biz məktəb haqqında danışdıq.", "Մենք էլ։", "Thank you both."]
    assert all(re.fullmatch(r"(Participant|Facilitator) \d+", e["speaker"]) for e in statements), "stored forms"
    first, second, _thanks = statements
    assert [(t["language"], t["text"], t["by"]) for t in first["translations"]] == [
        ("ru", "Мы говорили о школе.", "interpreter"),
        ("hy", "Մենք խոսեցինք դպրոցի մասին։", "interpreter"),
    ], "in the programme's order of languages"
    assert [(t["language"], t["by"]) for t in second["translations"]] == [("en", "author"), ("az", "facilitator")]
    everything = json.dumps(document, ensure_ascii=False)
    for gone in ("Скрытые слова", "Հետ վերցված", "hid.", "take back", "Iris"):
        assert gone not in everything, gone


@pytest.mark.parametrize("language", ["ru", "az", "hy"])
async def test_every_export_reads_in_the_language_chosen(make_readers, language):
    r = await make_readers()
    await _a_session_with_translations(r)
    release_id, _document = await released_document(r)
    words = translations_for(language)
    base = f"/transcripts/{release_id}/export"

    html = (await r.organiser.get(f"{base}.html?language={language}")).text
    assert f'<html lang="{language}">' in html
    assert f"#1 {PARTICIPANT[language]} " in html and f"{FACILITATOR[language]} 1" in html
    assert "Participant " not in html, "no pseudonym in English"
    assert '<p lang="ru">Мы говорили о школе.</p>' in html and '<p lang="az">Biz məktəb haqqında danışdıq.</p>' in html
    assert words.gettext("Translated by an interpreter") in html and words.gettext("Original") in html
    note = words.gettext("Not translated yet")
    if language == "hy":
        assert '<p lang="hy" class="prewrap">Խոսեցինք դպրոցների մասին։</p>' in html
        assert f'lang="en">First meeting</span> <span class="muted small not-translated">({note})' in html
    else:  # the summary is in English and Armenian only: the reader gets English, marked
        assert (
            f'<p lang="en" class="prewrap">We spoke about schools.</p> <span class="muted small not-translated">({note})'
            in html
        )

    markdown = (await r.organiser.get(f"{base}.md?language={language}")).text
    assert f"**#1 {PARTICIPANT[language]} " in markdown and "> *" in markdown

    rows = list(csv.reader(io.StringIO((await r.organiser.get(f"{base}.csv?language={language}")).text[1:])))
    speakers = {row[4].rsplit(" ", 1)[0] for row in rows[1:] if row[1] == "statement"}
    assert speakers == {PARTICIPANT[language], FACILITATOR[language]}
    translations = [(row[2], row[9], row[10]) for row in rows if row[1] == "translation"]
    assert ("1", "ru", "interpreter") in translations and ("2", "en", "author") in translations

    exported = json.loads((await r.organiser.get(f"{base}.json?language={language}")).text)
    assert exported["language"] == language and isinstance(exported["session"]["title"], str)
    assert statements_of(exported)[0]["speaker"].startswith(PARTICIPANT[language] + " ")
    response = await r.organiser.get(f"{base}.json?language={language}")
    assert response.headers["content-disposition"].endswith(f'-v1-{language}.json"')


async def test_an_unknown_export_language_is_refused_readably(make_readers):
    r = await make_readers()
    await _a_session_with_translations(r)
    release_id, _document = await released_document(r)
    page = await r.organiser.get(f"/transcripts/{release_id}/export.html?language=xx", headers={"Accept": "text/html"})
    assert page.status_code == 422 and "xx" in page.text and "<html" in page.text
    data = await r.organiser.get(
        f"/transcripts/{release_id}/export.csv?language=zz", headers={"Accept": "application/json"}
    )
    assert data.status_code == 422 and data.json()["error"]["code"] == "unknown_language"


async def test_the_reading_page_speaks_the_readers_language_and_offers_downloads_in_any(make_readers):
    r = await make_readers()
    await _a_session_with_translations(r)
    release_id, _document = await released_document(r)
    r.organiser.cookies.set("rt_lang", "ru")
    page = (await r.organiser.get(f"/transcripts/{release_id}")).text
    assert '<html lang="ru">' in page and f"{PARTICIPANT['ru']} " in page and "Participant " not in page
    assert f"/transcripts/{release_id}/export.html?language=ru" in page
    assert '<select id="export-language" name="language">' in page
    for code in ("en", "ru", "az", "hy"):
        assert f'<option value="{code}"' in page
    assert "Мы говорили о школе." in page and "Biz də." in page
    # The programme's list, in the reader's language, with the title's fallback marked.
    listing = (await r.organiser.get(f"/programmes/{r.programme_id}/transcripts")).text
    assert "First meeting" in listing and translations_for("ru").gettext("Not translated yet") in listing


async def test_an_older_document_of_plain_strings_still_reads(make_readers):
    r = await make_readers()
    await r.room.say(r.room.people["nigar"], "Hello.")
    await r.end()
    release_id = (await r.release())["id"]
    old = {  # as Roundtable wrote documents before their texts had languages
        "schema": "roundtable.transcript/1",
        "session": {
            "title": "An older meeting",
            "programme": "Programme",
            "starts_at": "2026-11-20T09:00:00+00:00",
            "time_zone": "Asia/Tbilisi",
            "show_communities": False,
        },
        "communities": [],
        "summary": "An older summary.",
        "agreed_points": ["An older point."],
        "sections": [
            {
                "title": "Opening",
                "kind": None,
                "entries": [
                    {
                        "speaker": "Participant 7",
                        "role": "participant",
                        "community": None,
                        "offset_seconds": 0,
                        "type": "statement",
                        "number": 1,
                        "text": "Older words.",
                        "reply_to": None,
                        "redactions": [],
                    },
                    {
                        "type": "poll",
                        "question": "An older question?",
                        "options": ["Yes", "No"],
                        "counts": [1, 0],
                        "multiple": False,
                        "offset_seconds": 5,
                    },
                ],
            },
            {
                "title": "An older round",
                "kind": "round",
                "entries": [
                    {
                        "type": "round",
                        "number": 1,
                        "offset_seconds": 9,
                        "turns": [{"speaker": "Participant 7", "outcome": "spoke"}],
                    },
                ],
            },
        ],
        "counts": {"statements": 1, "speakers": 1},
        "version": 1,
        "released_at": "2026-11-23T10:00:00+00:00",
        "released_by": "Facilitator 1",
    }
    async with r.room.app.state.db.unit_of_work() as db:
        row = (await db.exec(select(TranscriptRelease).where(TranscriptRelease.id == release_id))).one()
        row.document = old
        db.add(row)
    r.organiser.cookies.set("rt_lang", "hy")
    note = translations_for("hy").gettext("Not translated yet")
    page = (await r.organiser.get(f"/transcripts/{release_id}")).text
    assert '<span lang="en">An older meeting</span>' in page and note in page
    assert "Մասնակից 7" in page and "Ֆասիլիտատոր 1" in page and "An older round" in page
    for fmt in ("md", "csv", "json", "html"):
        response = await r.organiser.get(f"/transcripts/{release_id}/export.{fmt}?language=ru")
        assert response.status_code == 200, (fmt, response.text[:300])
        assert "Участник 7" in response.text, fmt
        assert "An older summary." in response.text or fmt == "csv", fmt  # (CSV has the entries only)
    listed = (await r.organiser.get(f"/api/programmes/{r.programme_id}/transcripts")).json()
    assert listed[0]["session_title"] == {"en": "An older meeting"}


# The review of translations ------------------------------------------------------------------


async def test_facilitators_review_and_hide_words_in_translations(make_readers):
    r = await make_readers()
    room = r.room
    interpreter = await room.add_seat("Iris", community=None, role=SeatRole.interpreter)
    said = await room.say(room.people["ani"], "Spasibo.")
    made = await translate(room, interpreter, said.statement_id, "ru", "Спасибо, Нигяр, из деревни Верхняя.")
    await translate(room, interpreter, said.statement_id, "hy", "Շնորհակալություն, Նիգար։")
    await r.end()
    url = f"/api/sessions/{room.session_id}/transcript"
    headers = {"X-CSRF-Token": r.facilitator_csrf}
    draft = (await r.facilitator.get(url)).json()
    statement = next(s for s in draft["statements"] if s["id"] == said.statement_id)
    translation, armenian = statement["translations"]
    assert translation["id"] == made["translation_id"] and translation["by"] == "interpreter"
    [mark] = [m for m in translation["marks"] if m["kind"] == "name"]
    assert translation["text"][mark["start"] : mark["end"]] == "Нигяр" and mark["state"] == "pending"
    assert [m["kind"] for m in armenian["marks"]] == ["name"]
    assert draft["counts"]["pending"] >= 1 and draft["counts"]["without_suggestion"] == 0

    # A span hidden by hand in the translation (from the page, as its script sends it).
    text = translation["text"]
    start = text.index("Верхняя")
    page = await r.facilitator.post(
        f"/sessions/{room.session_id}/transcript/redactions",
        data={
            "csrf_token": r.facilitator_csrf,
            "statement_id": f"{said.statement_id}:{translation['id']}",
            "start": str(start),
            "end": str(start + len("Верхняя")),
            "words": "Верхняя",
            "reason": "A village that identifies",
        },
    )
    assert page.status_code == 303 and "error" not in page.headers["location"], page.headers["location"]
    # Rejecting the name suggestion in the translation keeps it there, and only there.
    rejected = await r.facilitator.post(
        f"{url}/decisions",
        headers=headers,
        json={
            "statement_id": said.statement_id,
            "part": translation["id"],
            "start": mark["start"],
            "end": mark["end"],
            "accept": False,
        },
    )
    assert rejected.status_code == 200, rejected.text
    document = (await r.facilitator.get(url)).json()["document"]
    [entry] = statements_of(document)
    assert entry["text"] == "Spasibo." and entry["translations"][0]["text"] == "Спасибо, Нигяр, из деревни [redacted]."
    # Not rejected in the Armenian one: the name gives way to the pseudonym, in Armenian.
    assert re.fullmatch(r"Շնորհակալություն, Մասնակից \d+։", entry["translations"][1]["text"])
    wrong = await r.facilitator.post(
        f"{url}/redactions",
        headers=headers,
        json={"statement_id": said.statement_id, "part": 999_999, "start": 0, "end": 2, "reason": "No such part"},
    )
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "unknown_translation"
    review_page = (await r.facilitator.get(f"/sessions/{room.session_id}/transcript")).text
    assert f'data-part="{translation["id"]}"' in review_page
    assert f'<option value="{said.statement_id}:{translation["id"]}">' in review_page
