"""Leak test, as a security boundary, for translations: participants' and the interpreter's
real names and display names, in Latin, Cyrillic and Armenian spellings with grammatical
endings, and their contacts, written inside translations (by the interpreter, by a
facilitator, by an author of their own words). After release, nothing an organiser can
reach — the API, every page in every language, every export in every language — holds any
of them; a withdrawn statement's translation is gone too. The translations themselves are
there, with the names replaced."""

from __future__ import annotations

import re
import uuid
from typing import Any

from app.dialogues import seats as seat_service
from app.dialogues.models import DialogueSession, Invitation, SeatRole
from app.facilitation import lobby
from app.facilitation.room import Actor
from app.transcripts.endings import ARMENIAN_SUFFIXES, AZERBAIJANI_SUFFIXES, RUSSIAN_SUFFIXES
from tests.factories import make_invitation

LANGUAGES = ("en", "ru", "az", "hy")
# Each person registered in one script (display name, real name), written by others in all three.
SPELLINGS = {
    "nigar": {"az": ("Nigar", "Əliyeva"), "ru": ("Нигяр", "Алиева"), "hy": ("Նիգար", "Ալիևա")},
    "anahit": {"az": ("Anahit", "Sərkisyan"), "ru": ("Анаит", "Саркисян"), "hy": ("Անահիտ", "Սարգսյան")},
    "svetlana": {"az": ("Svetlana", "Orlova"), "ru": ("Светлана", "Орлова"), "hy": ("Սվետլանա", "Օրլովա")},
    "tigran": {"az": ("Tiqran", "Petrosyan"), "ru": ("Тигран", "Петросян"), "hy": ("Տիգրան", "Պետրոսյան")},
}
JOINING = {  # key: (registered script, role, community, contact)
    "nigar": ("az", SeatRole.participant, "a", "nigar.aliyeva@mail.az"),
    "anahit": ("hy", SeatRole.participant, "b", "+374 91 234 567"),
    "svetlana": ("ru", SeatRole.participant, "a", "@svetlana_orlova"),
    "tigran": ("az", SeatRole.interpreter, None, "tigran.petrosyan@example.am"),
}
ABSENT = ("Leyla", "Hüseynova")  # invited, never came: people may still name her
ENDINGS = {"az": "nın", "ru": "е", "hy": "ի"}  # Nigarnın / Нигяре / Նիգարի
ANY_ENDING = frozenset(e.casefold() for e in ("", *AZERBAIJANI_SUFFIXES, *RUSSIAN_SUFFIXES, *ARMENIAN_SUFFIXES))


async def _join(app: Any, facilitator: Any, session: DialogueSession, key: str) -> Actor:
    script, role, community, contact = JOINING[key]
    first, last = SPELLINGS[key][script]
    invitation, _token = await make_invitation(
        app,
        facilitator=facilitator,
        session=session,
        community=community,
        role=role,
        real_name=f"{first} {last}",
        contact=contact,
    )
    now = app.state.clock.now()
    async with app.state.db.unit_of_work() as db:
        row = await db.get(Invitation, invitation.id)
        await seat_service.give_consent(
            db, invitation=row, session=session, rules_version=1, accept_rules=True, accept_transcript=True, now=now
        )
        seat, _cookie = await lobby.take_seat(db, invitation=row, session=session, display_name=first, now=now)
        await lobby.admit(db, seat=seat, now=now)
    return Actor(session_id=session.id, seat_id=seat.id)


def _naming(about: list[str], script: str, contacts: list[str]) -> str:
    """A translation's words in one script that name people (whole name, first name with an
    ending, surname alone) and give their contacts."""
    parts = []
    for key in about:
        first, last = SPELLINGS[key][script]
        parts.append(f"{first} {last} — {first}{ENDINGS[script]} words, {last} agreed.")
    return " ".join([*parts, f"{ABSENT[0]} {ABSENT[1]} could not come.", *contacts])


def _words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"[^\W\d_]+(?:[\u0300-\u036f\u055f]*[^\W\d_]+)*", text)}


def _secrets() -> tuple[list[str], list[str]]:
    names = [*ABSENT]
    for spellings in SPELLINGS.values():
        for first, last in spellings.values():
            names += [first, last]
    contacts = [contact for *_rest, contact in JOINING.values()]
    contacts += ["nigar.aliyeva", "234 567", "svetlana_orlova", "tigran.petrosyan"]
    return names, contacts


def _assert_nothing_leaks(outputs: dict[str, str]) -> None:
    names, contacts = _secrets()
    for where, text in outputs.items():
        folded = text.casefold()
        for contact in contacts:
            assert contact.casefold() not in folded, (where, contact)
        words = _words(text)
        for name in names:
            stem = name.casefold()
            leaked = [w for w in words if w.startswith(stem) and w[len(stem) :] in ANY_ENDING]
            assert not leaked, (where, name, leaked)


async def test_no_name_or_contact_inside_a_translation_reaches_an_organiser(make_readers):
    r = await make_readers(people=())
    room, app = r.room, r.room.app
    async with app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, room.session_id)
    await make_invitation(
        app, facilitator=room.facilitator_user, session=session, real_name=" ".join(ABSENT), contact="leyla@mail.az"
    )
    people = {key: await _join(app, room.facilitator_user, session, key) for key in JOINING}
    nigar, anahit, svetlana, tigran = (people[k] for k in ("nigar", "anahit", "svetlana", "tigran"))
    await room.act(room.facilitator, "agenda_next", current_item_id=None)

    async def translate(actor: Actor, statement_id: int, language: str, text: str) -> None:
        await room.act(
            actor, "translate", client_id=uuid.uuid4().hex, statement_id=statement_id, language=language, text=text
        )

    # The originals name nobody: every name below is inside a translation.
    said = {
        "nigar": await room.say(nigar, "Biz məktəb haqqında danışdıq."),
        "anahit": await room.say(anahit, "Մենք խոսեցինք այգու մասին։"),
        "svetlana": await room.say(svetlana, "Мы говорили о море."),
    }
    everyone = ["nigar", "anahit", "svetlana", "tigran"]
    for key, statement in said.items():
        others = [k for k in everyone if k != key]
        for script in ("az", "ru", "hy"):
            language = script if script != JOINING[key][0] else "en"
            await translate(
                tigran,
                statement.statement_id,
                language,
                _naming(others, script, [JOINING[key][3], JOINING["tigran"][3]]),
            )
    # An author's own translation of their own words, naming themself and giving a contact.
    await translate(
        nigar, said["nigar"].statement_id, "hy", _naming(["nigar", "tigran"], "hy", ["nigar.aliyeva@mail.az"])
    )
    # A facilitator's, of someone else's words, in the remaining language.
    await translate(
        room.facilitator,
        said["svetlana"].statement_id,
        "az",
        _naming(["svetlana", "anahit"], "az", ["+374 91 234 567"]),
    )
    # A statement withdrawn after its translation: its words go, and the translation's.
    taken_back = await room.say(anahit, "Words I take back.")
    await translate(tigran, taken_back.statement_id, "ru", "Слова, которые взяты обратно.")
    await room.act(anahit, "withdraw", statement_id=taken_back.statement_id)
    await r.end()
    released = await r.release()

    outputs: dict[str, str] = {}
    listed = await r.organiser.get(f"/api/programmes/{r.programme_id}/transcripts")
    outputs["list api"] = listed.text
    release_id = released["id"]
    api = await r.organiser.get(f"/api/transcripts/{release_id}")
    assert api.status_code == 200
    outputs["transcript api"] = api.text
    for language in LANGUAGES:
        r.organiser.cookies.set("rt_lang", language)
        for url in (f"/programmes/{r.programme_id}/transcripts", f"/transcripts/{release_id}"):
            page = await r.organiser.get(url)
            assert page.status_code == 200, url
            outputs[f"{url} in {language}"] = page.text
        for fmt in ("md", "json", "csv", "html"):
            url = f"/transcripts/{release_id}/export.{fmt}?language={language}"
            response = await r.organiser.get(url)
            assert response.status_code == 200, url
            outputs[url] = response.text
    _assert_nothing_leaks(outputs)
    for where, text in outputs.items():
        assert "взяты обратно" not in text and "take back" not in text, where

    # The translations are there, side by side with their originals, the names replaced.
    document = api.json()["document"]
    entries = [e for s in document["sections"] for e in s["entries"] if e["type"] == "statement"]
    assert [len(e["translations"]) for e in entries] == [3, 3, 3]
    texts = " ".join(t["text"] for e in entries for t in e["translations"])
    assert "[email]" in texts and "[phone]" in texts and "Участник " in texts and "Մասնակից " in texts
    assert "[name]" in texts, "the absent person's name is replaced too"
    assert {t["by"] for e in entries for t in e["translations"]} == {"interpreter", "author", "facilitator"}
    # The interpreter's own name, where a translation gives it, is their pseudonym (in the
    # translation's language); who translated is said by role only.
    assert re.search(r"Թարգմանիչ \d+", texts) and re.search(r"Переводчик \d+", texts)
    assert all(set(t) == {"language", "text", "by", "redactions"} for e in entries for t in e["translations"])
