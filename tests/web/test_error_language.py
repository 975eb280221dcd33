"""Errors in the reader's language: what a service says (a `Msg`) reaches a participant who
chose Russian, Azerbaijani or Armenian in that language, as JSON, as a page and in the room;
the error's code stays the same; and every message a service writes is in the catalogs."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from websockets.asyncio.client import connect

from app.accounts.models import Role
from app.dialogues import seats as seat_service
from app.dialogues.models import Invitation
from app.dialogues.seat_cookie import seat_cookie_name
from app.errors import ValidationFailed, describe_validation_errors
from app.facilitation import lobby
from app.messages import Msg, either, joined, sentence, status_word, translate
from app.programmes.models import UI_LANGUAGES
from app.web import i18n
from app.web.i18n import LANGUAGE_COOKIE, translations_for
from tests.factories import go_live, make_invitation, make_programme, make_session, make_world, schedule
from tests.live.room_client import RoomClient, login_cookie, open_room
from tests.servers import Server, server_env

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in UI_LANGUAGES if code != "en"]
BRACES = re.compile(r"\{[^{}]*\}")

RULES_NOT_ACCEPTED = "To take part, please accept the ground rules."
NAME_TAKEN = "Someone in this session already uses that name; choose another."
INVALID_LINK = (
    "This invitation link cannot be used. It may have expired, been replaced or been "
    "used already. Please ask your facilitator for a new link."
)
NOTHING_HERE = "There is nothing here."
NOT_JSON = "The frame is not valid JSON."
FACILITATORS_ONLY = "Only the session's facilitators can do this."


def said(language: str, msgid: str, **params: object) -> str:
    """What the catalog of `language` makes of a message; a missing translation fails here."""
    text = translations_for(language).gettext(msgid)
    assert text != msgid, f"{language}: {msgid!r} has no translation (merge the strings into the .po files)"
    return text.format(**params)


def service_messages() -> dict[str, list[str]]:
    """Every `Msg` template in app/, where it is, as `pybabel extract -F babel.cfg` finds them."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    python = [(pattern, method) for pattern, method in method_map if method == "python"]
    assert python, "babel.cfg has no [python: app/**.py] section"
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(ROOT, python, options_map):
        assert isinstance(message, str), (filename, lineno, message)
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


# --- the message type ---------------------------------------------------------------------


def a_catalog(language: str, entries: dict[str, str]) -> Translations:
    catalog = Catalog(locale=language)
    for msgid, text in entries.items():
        catalog.add(msgid, text)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def test_a_message_is_its_english_text_until_someone_reads_it_in_another_language():
    message = Msg("A {status} session cannot become {to}.", status=status_word("draft"), to=status_word("live"))
    assert message == "A draft session cannot become live." and isinstance(message, str)
    russian = a_catalog(
        "ru",
        {"A {status} session cannot become {to}.": "Встречу «{status}» нельзя сделать «{to}».", "draft": "черновик"},
    )
    # Parameters that are messages themselves are translated too; the rest fall back to English.
    assert message.localized(russian) == "Встречу «черновик» нельзя сделать «live»."
    assert translate([{"message": message, "field": "status"}], russian) == [
        {"message": "Встречу «черновик» нельзя сделать «live».", "field": "status"}
    ]


def test_a_translation_with_a_broken_placeholder_falls_back_to_english():
    broken = a_catalog("hy", {"Seat {seat_id} appears twice in the order.": "Տեղ {seat}"})
    assert Msg("Seat {seat_id} appears twice in the order.", seat_id=3).localized(broken) == (
        "Seat 3 appears twice in the order."
    )


def test_lists_and_sentences_stay_translatable():
    catalog = a_catalog("az", {"{first} or {last}": "{first} və ya {last}", "organisers": "təşkilatçılar"})
    roles = either([Msg("organisers"), Msg("facilitators")])
    assert roles == "organisers or facilitators"
    assert translate(roles, catalog) == "təşkilatçılar və ya facilitators"
    assert sentence(Msg("organisers")) == "Organisers" and translate(sentence(Msg("organisers")), catalog) == (
        "Təşkilatçılar"
    )
    assert joined([Msg("organisers"), "x"], " ") == "organisers x"


def test_an_error_keeps_its_english_message_and_its_code():
    error = ValidationFailed(Msg("Choose a name of {name_min} to {name_max} characters.", name_min=2, name_max=40))
    assert error.message == "Choose a name of 2 to 40 characters." and str(error) == error.message
    assert error.code == "validation_failed"


def test_validation_sentences_are_translatable():
    code, summary, details = describe_validation_errors(
        [{"type": "missing", "loc": ("body", "token"), "msg": "Field required"}]
    )
    assert (code, summary, details[0]["message"]) == ("validation_failed", "'token' is required.", summary)
    assert isinstance(details[0]["message"], Msg)


# --- every message in the catalogs ----------------------------------------------------------


def test_babel_finds_the_services_messages():
    found = service_messages()
    assert RULES_NOT_ACCEPTED in found and NAME_TAKEN in found and INVALID_LINK in found
    assert "A {status} session cannot become {to} (it can become: {options})." in found


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_service_message_is_translated_with_its_placeholders(code):
    with (i18n.TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=code)
    by_id = {m.id: m for m in catalog if m.id}
    missing: list[str] = []
    for msgid, where in sorted(service_messages().items()):
        entry = by_id.get(msgid)
        if entry is None or not isinstance(entry.string, str) or not entry.string.strip() or entry.fuzzy:
            missing.append(f"{msgid!r} ({where[0]})")
            continue
        assert sorted(BRACES.findall(entry.string)) == sorted(BRACES.findall(msgid)), (code, msgid, entry.string)
    assert missing == [], f"{code}: {len(missing)} service messages are not translated: {missing}"


# --- the API and the pages ------------------------------------------------------------------


async def _invitation_token(app, make_account) -> str:
    world = await make_world(app, make_account)
    await schedule(app, world.session)
    _invitation, token = await make_invitation(app, facilitator=world.facilitator.user, session=world.session)
    return token


@pytest.mark.parametrize("language", TRANSLATED)
async def test_the_join_flow_refuses_in_the_readers_language(app, make_account, new_client, language):
    token = await _invitation_token(app, make_account)
    person = new_client()
    person.cookies.set(LANGUAGE_COOKIE, language)
    refused = await person.post(
        "/api/join/consent",
        json={"token": token, "rules_version": 1, "accept_rules": False, "accept_transcript": True},
    )
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "consent_required"
    assert error["message"] == said(language, RULES_NOT_ACCEPTED)
    assert error["details"][0]["message"] == said(language, RULES_NOT_ACCEPTED)
    assert RULES_NOT_ACCEPTED not in refused.text


async def test_a_name_already_taken_is_said_in_the_browsers_language(app, make_account, new_client):
    world = await make_world(app, make_account)
    await schedule(app, world.session)
    answers = []
    for accept_language in ("en", "hy-AM,hy;q=0.9"):
        _invitation, token = await make_invitation(app, facilitator=world.facilitator.user, session=world.session)
        person = new_client()
        person.headers["Accept-Language"] = accept_language
        consent = await person.post(
            "/api/join/consent",
            json={"token": token, "rules_version": 1, "accept_rules": True, "accept_transcript": True},
        )
        assert consent.status_code == 200, consent.text
        answers.append(await person.post("/api/join/claim", json={"token": token, "display_name": "Ani"}))
    assert answers[0].status_code == 200, answers[0].text
    taken = answers[1].json()["error"]
    assert answers[1].status_code == 422 and taken["code"] == "display_name_taken", taken
    assert taken["message"] == said("hy", NAME_TAKEN)


@pytest.mark.parametrize("language", TRANSLATED)
async def test_an_unusable_link_gets_its_page_in_the_readers_language(client, language):
    client.cookies.set(LANGUAGE_COOKIE, language)
    page = await client.get(f"/join/{'A' * 43}", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert f'<html lang="{language}">' in page.text
    assert said(language, INVALID_LINK) in page.text
    assert "This invitation link cannot be used" not in page.text


async def test_a_missing_page_and_its_json_answer_follow_the_language(client):
    page = await client.get("/no/such/page", headers={"Accept": "text/html", "Accept-Language": "ru"})
    assert page.status_code == 404 and '<html lang="ru">' in page.text
    assert said("ru", NOTHING_HERE) in page.text
    client.cookies.set(LANGUAGE_COOKIE, "az")
    answer = await client.get("/api/no/such/thing")
    assert answer.status_code == 404
    assert answer.json()["error"] == {"code": "not_found", "message": said("az", NOTHING_HERE)}


# --- the room -------------------------------------------------------------------------------


@pytest.fixture
def server(database_url, redis_available, tmp_path):
    running = Server(env=server_env(database_url, redis_available), workdir=tmp_path).start()
    yield running
    running.stop()


async def error_for(client: RoomClient, frame: str) -> dict:
    await client.socket.send(frame)
    return await client.until(lambda f: f["type"] == "error")


async def welcomed(client: RoomClient) -> RoomClient:
    await client.until(lambda f: f["type"] == "welcome")
    return client


async def test_room_errors_come_in_the_seats_language_and_the_staffs_own(app, make_account, server):
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user])
    session = await make_session(app, facilitator=facilitator.user, programme=programme, capacity=6)
    await go_live(app, session)
    invitation, _token = await make_invitation(app, facilitator=facilitator.user, session=session, community="b")
    now = app.state.clock.now()
    async with app.state.db.unit_of_work() as db:
        row = await db.get(Invitation, invitation.id)
        assert row is not None
        seat_service.choose_language(db, invitation=row, language="hy")
        await seat_service.give_consent(
            db, invitation=row, session=session, rules_version=1, accept_rules=True, accept_transcript=True, now=now
        )
        seat, cookie = await lobby.take_seat(db, invitation=row, session=session, display_name="Ani", now=now)
        await lobby.admit(db, seat=seat, now=now)

    ani = await welcomed(await open_room(server, session.id, f"{seat_cookie_name(session.id)}={cookie}"))
    try:
        refused = await error_for(ani, json.dumps({"type": "lock", "ref": "lock-1", "locked": True}))
        assert refused["code"] == "facilitators_only" and refused["ref"] == "lock-1"
        assert refused["message"] == said("hy", FACILITATORS_ONLY)
        garbled = await error_for(ani, "{not json")
        assert garbled["code"] == "malformed_json" and garbled["message"] == said("hy", NOT_JSON)
    finally:
        await ani.socket.close()

    # Staff read the room in the language their browser asks for.
    socket = await connect(
        f"{server.ws_url}/ws/sessions/{session.id}?after=0",
        additional_headers={
            "Cookie": login_cookie(server, facilitator.user.username),
            "Origin": server.base_url,
            "Accept-Language": "ru-RU,ru;q=0.9",
        },
        open_timeout=10,
    )
    staff = await welcomed(RoomClient(socket))
    try:
        garbled = await error_for(staff, "{not json")
        assert garbled["code"] == "malformed_json" and garbled["message"] == said("ru", NOT_JSON)
    finally:
        await socket.close()
