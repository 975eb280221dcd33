"""A session's texts in every language of its programme: title, description, lobby and pause
messages, ground rules, agenda titles and prompts; the consent's language; the open check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.dialogues.builtin_texts import DEFAULT_GROUND_RULES, FIRST_MEETING_TEXTS
from app.dialogues.models import DialogueSession, Invitation, Seat, SeatRole
from app.facilitation.entry import facilitator_seat
from app.programmes import service as programme_service
from app.programmes.models import MemberRole
from app.programmes.schemas import CommunityIn
from app.web.i18n import LANGUAGE_COOKIE
from tests.factories import LABELS, api_login, make_invitation, make_world, page_csrf, schedule

ALL = ["en", "ru", "az", "hy"]


@pytest.fixture
async def world(app, make_account):
    return await make_world(app, make_account)


@pytest.fixture
async def fac(client, world):
    return await api_login(client, world.facilitator)


def plan(clock, **fields):
    return {"title": "Listening session", "starts_at": (clock.now() + timedelta(days=3)).isoformat(), **fields}


async def new_session(client, world, fac, clock, **fields):
    response = await client.post(
        f"/api/programmes/{world.programme.id}/sessions", json=plan(clock, **fields), headers={"X-CSRF-Token": fac}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def patch(client, fac, sid, **body):
    return await client.patch(f"/api/sessions/{sid}", json=body, headers={"X-CSRF-Token": fac})


async def move(client, fac, sid, status, **extra):
    return await client.post(
        f"/api/sessions/{sid}/status", json={"status": status, **extra}, headers={"X-CSRF-Token": fac}
    )


async def programme_in(app, world, languages):
    """A further programme of the world's organiser and facilitator, in these languages."""
    now = app.state.clock.now()
    async with app.state.db.unit_of_work() as db:
        programme = await programme_service.create_programme(
            db,
            actor=world.organiser.user,
            name="Two languages",
            description="",
            languages=languages,
            communities=[CommunityIn(key=k, labels=LABELS[k]) for k in ("a", "b")],
            now=now,
        )
        await programme_service.add_member(
            db, programme=programme, username=world.facilitator.username, role=MemberRole.facilitator, now=now
        )
    return programme


# --- the API: maps in, maps out ----------------------------------------------------------


async def test_texts_are_created_from_a_map_or_from_a_plain_string(client, world, fac, clock):
    from_map = await new_session(
        client,
        world,
        fac,
        clock,
        title={"en": "Listening", "hy": " Լսել ", "az": ""},
        description={"ru": "Встреча"},
        lobby_message={"az": "Tezliklə başlayırıq.", "hy": "Շուտով սկսում ենք։"},
    )
    assert from_map["languages"] == ALL
    assert from_map["title"] == {"en": "Listening", "hy": "Լսել"}  # cleaned: trimmed, empty ones left out
    assert from_map["description"] == {"ru": "Встреча"}
    assert from_map["lobby_message"] == {"az": "Tezliklə başlayırıq.", "hy": "Շուտով սկսում ենք։"}
    assert from_map["pause_message"] == {}
    plain = await new_session(client, world, fac, clock, title="Plain", description="Only one")
    assert plain["title"] == {"en": "Plain"} and plain["description"] == {"en": "Only one"}


async def test_an_update_merges_languages_and_an_empty_text_removes_one(client, world, fac):
    sid = world.session.id
    added = await patch(client, fac, sid, title={"hy": "Առաջին հանդիպում", "ru": "Первая встреча"})
    assert added.json()["title"] == {"en": "First meeting", "hy": "Առաջին հանդիպում", "ru": "Первая встреча"}
    removed = await patch(client, fac, sid, title={"ru": "", "hy": "Հանդիպում"}, description="Shorthand")
    assert removed.json()["title"] == {"en": "First meeting", "hy": "Հանդիպում"}
    assert removed.json()["description"] == {"en": "Shorthand"}
    assert (await patch(client, fac, sid, description={"en": ""})).json()["description"] == {}
    emptied = await patch(client, fac, sid, title={"en": "", "hy": ""})
    assert emptied.status_code == 422 and "title" in [d["field"] for d in emptied.json()["error"]["details"]]
    assert (await client.get(f"/api/sessions/{sid}")).json()["title"]["hy"] == "Հանդիպում"


@pytest.mark.parametrize(
    "body",
    [
        {"title": {"en": "Fine", "fr": "Bien"}},
        {"ground_rules": {"fr": "Règles"}},
        {"lobby_message": {"en": "Hi", "fr": "Salut"}},
    ],
)
async def test_a_language_the_programme_does_not_have_is_refused_by_name(client, world, fac, clock, body):
    before = (await client.get(f"/api/programmes/{world.programme.id}/sessions")).json()
    created = await client.post(
        f"/api/programmes/{world.programme.id}/sessions", json=plan(clock, **body), headers={"X-CSRF-Token": fac}
    )
    assert created.status_code == 422, created.text
    error = created.json()["error"]
    assert error["code"] == "unknown_language" and "'fr'" in error["message"]
    assert error["details"][0]["field"] == next(iter(body)) and error["details"][0]["languages"] == ["fr"]
    assert (await client.get(f"/api/programmes/{world.programme.id}/sessions")).json() == before
    edited = await patch(client, fac, world.session.id, **body)
    assert edited.status_code == 422 and edited.json()["error"]["code"] == "unknown_language"


async def test_a_badly_formed_language_or_an_overlong_text_is_a_validation_error(client, world, fac, clock):
    for body in ({"title": {"<b>": "x"}}, {"title": {"hy": "x" * 201}}, {"title": {"en": " "}}):
        response = await client.post(
            f"/api/programmes/{world.programme.id}/sessions", json=plan(clock, **body), headers={"X-CSRF-Token": fac}
        )
        assert response.status_code == 422, (body, response.text)
        assert "title" in [d["field"] for d in response.json()["error"]["details"]]


async def test_agenda_items_take_maps_and_merge_on_edit(client, world, fac):
    sid = world.session.id
    added = await client.post(
        f"/api/sessions/{sid}/agenda",
        json={
            "kind": "round",
            "title": {"en": "Hopes", "az": "Ümidlər"},
            "prompt": "What do you hope for?",
            "planned_minutes": 10,
        },
        headers={"X-CSRF-Token": fac},
    )
    assert added.status_code == 201, added.text
    item = added.json()
    assert item["title"] == {"en": "Hopes", "az": "Ümidlər"} and item["prompt"] == {"en": "What do you hope for?"}
    edited = await client.patch(
        f"/api/sessions/{sid}/agenda/{item['id']}",
        json={"title": {"hy": "Հույսեր"}, "prompt": {"en": ""}},
        headers={"X-CSRF-Token": fac},
    )
    assert edited.json()["title"] == {"en": "Hopes", "az": "Ümidlər", "hy": "Հույսեր"} and edited.json()["prompt"] == {}
    unknown = await client.patch(
        f"/api/sessions/{sid}/agenda/{item['id']}", json={"prompt": {"de": "Was?"}}, headers={"X-CSRF-Token": fac}
    )
    assert unknown.status_code == 422 and "'de'" in unknown.json()["error"]["message"]


# --- ground rules: versioned as a whole --------------------------------------------------


async def test_ground_rules_are_versioned_as_a_whole_across_languages(client, world, fac):
    sid = world.session.id
    first = (await client.get(f"/api/sessions/{sid}")).json()
    assert first["ground_rules_version"] == 1 and first["ground_rules"] == DEFAULT_GROUND_RULES
    armenian = await patch(client, fac, sid, ground_rules={"hy": "1. Լսեք միմյանց։"})
    assert armenian.json()["ground_rules_version"] == 2
    assert armenian.json()["ground_rules"] == {**DEFAULT_GROUND_RULES, "hy": "1. Լսեք միմյանց։"}
    same = await patch(client, fac, sid, ground_rules={"hy": "1. Լսեք միմյանց։", "ru": DEFAULT_GROUND_RULES["ru"]})
    assert same.json()["ground_rules_version"] == 2  # the same texts: no new version
    russian = await patch(client, fac, sid, ground_rules={"ru": "1. Слушайте друг друга."})
    assert russian.json()["ground_rules_version"] == 3
    assert russian.json()["ground_rules"]["hy"] == "1. Լսեք միմյանց։"


async def test_a_changed_language_asks_everyone_to_consent_again(client, new_client, world, fac):
    await schedule_api(client, world, fac)
    token = await invite_token(client, world, fac)
    browser = new_client()
    await consent(browser, token, language="az")
    await patch(client, fac, world.session.id, ground_rules={"hy": "1. Նոր կանոն։"})  # another language than theirs
    stale = await browser.post("/api/join/claim", json={"token": token, "display_name": "Leyla"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "consent_required"


# --- the consent record: version and language ---------------------------------------------


async def schedule_api(client, world, fac):
    assert (await move(client, fac, world.session.id, "scheduled")).status_code == 200


async def invite_token(client, world, fac, **body):
    response = await client.post(
        f"/api/sessions/{world.session.id}/invitations",
        json={"role": "participant", "community": "a", **body},
        headers={"X-CSRF-Token": fac},
    )
    assert response.status_code == 201, response.text
    return response.json()["link"].rsplit("/", 1)[1]


async def consent(browser, token, *, language, version=None, **extra):
    info = (await browser.post("/api/join/language", json={"token": token, "language": language})).json()
    answer = await browser.post(
        "/api/join/consent",
        json={
            "token": token,
            "rules_version": version or info["rules_version"],
            "accept_rules": True,
            "accept_transcript": True,
            **extra,
        },
    )
    assert answer.status_code == 200, answer.text
    return info


async def records(app):
    async with app.state.db.unit_of_work() as db:
        seat = (await db.exec(select(Seat))).one()
        invitation = (await db.exec(select(Invitation))).one()
    return seat, invitation


async def test_joining_in_armenian_records_the_rules_version_and_language(app, client, new_client, world, fac):
    await schedule_api(client, world, fac)
    token = await invite_token(client, world, fac)
    browser = new_client()
    info = await consent(browser, token, language="hy")
    assert info["rules_language"] == "hy" and info["rules_fallback"] is False
    assert info["ground_rules"]["hy"] == DEFAULT_GROUND_RULES["hy"] and info["session_title"] == {"en": "First meeting"}
    claimed = await browser.post("/api/join/claim", json={"token": token, "display_name": "Anahit"})
    assert claimed.status_code == 200, claimed.text
    seat, invitation = await records(app)
    assert (seat.consent_rules_version, seat.consent_language, seat.language) == (1, "hy", "hy")
    assert (invitation.consent_rules_version, invitation.consent_language) == (1, "hy")


async def test_rules_missing_the_readers_language_are_read_and_recorded_in_another(app, client, new_client, world, fac):
    # The rules lose their Azerbaijani and Armenian (en and ru are left).
    await patch(client, fac, world.session.id, ground_rules={"hy": "", "az": "", "en": "1. Listen."})
    await schedule_api(client, world, fac)
    token = await invite_token(client, world, fac)
    browser = new_client()
    info = await consent(browser, token, language="hy")
    assert info["rules_language"] == "en" and info["rules_fallback"] is True
    await browser.post("/api/join/claim", json={"token": token, "display_name": "Anahit"})
    seat, invitation = await records(app)
    assert (seat.consent_rules_version, seat.consent_language) == (2, "en") and invitation.consent_language == "en"


async def test_the_consent_names_the_language_the_rules_were_read_in(app, client, new_client, world, fac):
    await schedule_api(client, world, fac)
    token = await invite_token(client, world, fac)
    browser = new_client()
    await consent(browser, token, language="hy", rules_language="ru")  # read in Russian on the page
    seat_less = (await records_invitation(app)).consent_language
    assert seat_less == "ru"
    refused = await browser.post(
        "/api/join/consent",
        json={
            "token": token,
            "rules_version": 1,
            "accept_rules": True,
            "accept_transcript": True,
            "rules_language": "de",
        },
    )
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "rules_language"


async def records_invitation(app):
    async with app.state.db.unit_of_work() as db:
        return (await db.exec(select(Invitation))).one()


async def test_a_facilitators_seat_has_a_consent_language_too(app, world):
    async with app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, world.session.id)
        seat = await facilitator_seat(db, session=session, user=world.facilitator.user, now=app.state.clock.now())
    assert seat.consent_language == "en" and seat.consent_rules_version == 0


# --- the open check -------------------------------------------------------------------


async def test_a_session_does_not_open_while_its_rules_lack_a_language(client, world, fac):
    sid = world.session.id
    await patch(client, fac, sid, ground_rules={"hy": "", "az": "", "en": "1. Listen."})
    await schedule_api(client, world, fac)
    refused = await move(client, fac, sid, "open")
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "rules_missing_language"
    assert "Azerbaijani" in error["message"] and "Armenian" in error["message"]
    assert error["details"][0]["languages"] == ["az", "hy"]
    assert (await client.get(f"/api/sessions/{sid}")).json()["status"] == "scheduled"
    await patch(client, fac, sid, ground_rules={"hy": "1. Լսեք։", "az": "1. Dinləyin."})
    opened = await move(client, fac, sid, "open")
    assert opened.status_code == 200 and opened.json()["status"] == "open"


async def test_once_the_lobby_is_open_the_rules_cannot_lose_a_language(client, world, fac):
    sid = world.session.id
    await schedule_api(client, world, fac)
    assert (await move(client, fac, sid, "open")).status_code == 200
    refused = await patch(client, fac, sid, ground_rules={"hy": "", "az": ""})
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "rules_missing_language"
    assert refused.json()["error"]["details"][0]["languages"] == ["az", "hy"]
    # A change that keeps every language is a new version, as always.
    changed = await patch(client, fac, sid, ground_rules={"az": "1. Dinləyin.", "hy": "1. Լսեք։"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["ground_rules_version"] == 2


async def test_agenda_texts_missing_a_language_warn_without_blocking(client, world, fac):
    sid = world.session.id
    item = (
        await client.post(
            f"/api/sessions/{sid}/agenda",
            json={
                "kind": "discussion",
                "title": {"en": "Open floor", "ru": "Открытый разговор"},
                "prompt": "Anything?",
                "planned_minutes": 15,
            },
            headers={"X-CSRF-Token": fac},
        )
    ).json()
    scheduled = await move(client, fac, sid, "scheduled")
    opened = await move(client, fac, sid, "open")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    warnings = opened.json()["warnings"]
    assert {"field": "agenda", "item_id": item["id"], "part": "title", "languages": ["az", "hy"]} in warnings
    assert {"field": "agenda", "item_id": item["id"], "part": "prompt", "languages": ["ru", "az", "hy"]} in warnings
    assert {"field": "title", "item_id": None, "part": None, "languages": ["ru", "az", "hy"]} in warnings
    # The template's items are complete, and the ground rules are not among the warnings.
    assert all(w.get("item_id") == item["id"] for w in warnings if w["field"] == "agenda")
    assert not [w for w in warnings if w["field"] == "ground_rules"]
    assert scheduled.json()["warnings"] == warnings


# --- built-in texts -------------------------------------------------------------------


async def test_the_first_meeting_template_and_rules_come_in_all_four_languages(client, world, fac):
    items = (await client.get(f"/api/sessions/{world.session.id}/agenda")).json()
    assert [i["title"] for i in items] == [t["title"] for t in FIRST_MEETING_TEXTS]
    assert [i["prompt"] for i in items] == [t["prompt"] for t in FIRST_MEETING_TEXTS]
    for item in items:
        assert set(item["title"]) == set(ALL)
    session = (await client.get(f"/api/sessions/{world.session.id}")).json()
    assert set(session["ground_rules"]) == set(ALL)


async def test_a_programme_keeps_only_its_own_languages_of_the_built_in_texts(app, client, world, fac, clock):
    programme = await programme_in(app, world, ["hy", "az", "ka"])
    created = await client.post(
        f"/api/programmes/{programme.id}/sessions",
        json=plan(clock, title={"hy": "Հանդիպում", "az": "Görüş"}, agenda_template="first_meeting"),
        headers={"X-CSRF-Token": fac},
    )
    assert created.status_code == 201, created.text
    session = created.json()
    assert session["languages"] == ["hy", "az", "ka"]
    assert session["ground_rules"] == {"hy": DEFAULT_GROUND_RULES["hy"], "az": DEFAULT_GROUND_RULES["az"]}
    plain = await client.post(
        f"/api/programmes/{programme.id}/sessions", json=plan(clock, title="Հանդիպում"), headers={"X-CSRF-Token": fac}
    )
    assert plain.json()["title"] == {"hy": "Հանդիպում"}  # a plain string is the programme's first language
    items = (await client.get(f"/api/sessions/{session['id']}/agenda")).json()
    assert all(set(i["title"]) == {"hy", "az"} for i in items)
    # The fifth language the built-ins lack stays missing: the open check names it.
    await move(client, fac, session["id"], "scheduled")
    refused = await move(client, fac, session["id"], "open")
    assert refused.status_code == 409 and refused.json()["error"]["details"][0]["languages"] == ["ka"]
    assert "ka" in refused.json()["error"]["message"]
    english = await client.post(
        f"/api/programmes/{programme.id}/sessions", json=plan(clock, title={"en": "x"}), headers={"X-CSRF-Token": fac}
    )
    assert english.status_code == 422 and english.json()["error"]["code"] == "unknown_language"


async def test_the_calendar_entry_is_in_the_asked_language_or_the_first(client, world, fac):
    await patch(client, fac, world.session.id, title={"hy": "Առաջին հանդիպում"})
    armenian = await client.get(f"/api/sessions/{world.session.id}/calendar.ics", params={"language": "hy"})
    assert "SUMMARY:Առաջին հանդիպում" in armenian.text
    russian = await client.get(f"/api/sessions/{world.session.id}/calendar.ics", params={"language": "ru"})
    assert "SUMMARY:First meeting" in russian.text  # not translated yet: the first language that has it
    unknown = await client.get(f"/api/sessions/{world.session.id}/calendar.ics", params={"language": "xx"})
    assert unknown.status_code == 200 and "SUMMARY:First meeting" in unknown.text


# --- pages ------------------------------------------------------------------------------


async def log_in(browser, account) -> None:
    csrf = await page_csrf(browser, "/login")
    response = await browser.post(
        "/login", data={"username": account.username, "password": account.password, "csrf_token": csrf}
    )
    assert response.status_code == 303


async def test_the_session_form_has_a_field_per_language_marking_the_missing_ones(client, world, fac):
    await patch(client, fac, world.session.id, title={"hy": "Առաջին հանդիպում"}, lobby_message={"ru": "Скоро начнём"})
    await log_in(client, world.facilitator)
    page = (await client.get(f"/sessions/{world.session.id}")).text
    for code in ALL:
        assert f'name="title__{code}"' in page and f'name="ground_rules__{code}"' in page
        assert f'name="lobby_message__{code}"' in page and f'name="pause_message__{code}"' in page
    assert 'value="Առաջին հանդիպում"' in page and "Скоро начнём" in page
    # Two titles missing (ru, az), three lobby messages (en, az, hy); the empty pause message is not "missing".
    assert page.count('<span class="badge missing">Missing</span>') == 5
    assert "Հայերեն" in page and "Azərbaycan dili" in page


async def test_the_session_page_warns_next_to_the_open_button_and_names_the_buttons(client, world, fac):
    await patch(client, fac, world.session.id, ground_rules={"hy": "", "en": "1. Listen."})
    await log_in(client, world.facilitator)
    page = (await client.get(f"/sessions/{world.session.id}")).text
    assert "Schedule the session" in page and "Make it" not in page
    assert 'id="rules-missing"' in page and "Հայերեն" in page[page.index('id="rules-missing"') :][:400]
    assert 'id="text-warnings"' in page  # the title is English only
    csrf = await page_csrf(client, f"/sessions/{world.session.id}")
    scheduled = await client.post(
        f"/sessions/{world.session.id}/status", data={"csrf_token": csrf, "status": "scheduled"}
    )
    assert scheduled.status_code == 303
    page = (await client.get(f"/sessions/{world.session.id}")).text
    assert "Open the lobby" in page and "Cancel the session" in page
    refused = await client.post(f"/sessions/{world.session.id}/status", data={"csrf_token": csrf, "status": "open"})
    assert refused.status_code == 422 and "Armenian" in refused.text


async def test_a_form_edit_in_one_language_makes_a_new_rules_version(client, world, fac):
    await log_in(client, world.facilitator)
    csrf = await page_csrf(client, f"/sessions/{world.session.id}")
    page = (await client.get(f"/sessions/{world.session.id}")).text
    assert "version 1" in page
    form = {"csrf_token": csrf, "title__en": "First meeting", "title__hy": "Առաջին հանդիպում"}
    form |= {f"ground_rules__{code}": DEFAULT_GROUND_RULES[code].replace("\n", "\r\n") for code in ALL}
    saved = await client.post(f"/sessions/{world.session.id}/edit", data=form)
    assert saved.status_code == 303, saved.text
    session = (await client.get(f"/api/sessions/{world.session.id}")).json()
    assert session["ground_rules_version"] == 1  # the same texts (a browser's line breaks): no new version
    assert session["title"] == {"en": "First meeting", "hy": "Առաջին հանդիպում"}
    form["ground_rules__az"] = "1. Bir-birimizi dinləyək."
    assert (await client.post(f"/sessions/{world.session.id}/edit", data=form)).status_code == 303
    assert (await client.get(f"/api/sessions/{world.session.id}")).json()["ground_rules_version"] == 2


async def test_a_reader_gets_a_fallback_marked_not_translated_yet(client, new_client, world, fac):
    await patch(client, fac, world.session.id, title={"hy": "Առաջին հանդիպում"}, description={"en": "Only English"})
    organiser = new_client()
    await log_in(organiser, world.organiser)
    organiser.cookies.set(LANGUAGE_COOKIE, "hy")
    page = (await organiser.get(f"/sessions/{world.session.id}")).text
    assert "Առաջին հանդիպում" in page
    description = page[page.index("Only English") - 40 :][:200]
    assert 'lang="en"' in description and "not-translated" in description
    organiser.cookies.set(LANGUAGE_COOKIE, "ru")
    page = (await organiser.get(f"/sessions/{world.session.id}")).text
    assert "First meeting" in page and "not-translated" in page


async def test_the_agenda_page_shows_items_in_the_readers_language_and_edits_each_language(client, world, fac):
    await log_in(client, world.facilitator)
    client.cookies.set(LANGUAGE_COOKIE, "az")
    page = (await client.get(f"/sessions/{world.session.id}/agenda")).text
    assert FIRST_MEETING_TEXTS[0]["title"]["az"] in page
    assert 'name="title__hy"' in page and 'name="prompt__ru"' in page
    csrf = await page_csrf(client, f"/sessions/{world.session.id}/agenda")
    added = await client.post(
        f"/sessions/{world.session.id}/agenda",
        data={
            "csrf_token": csrf,
            "kind": "discussion",
            "title__en": "",
            "title__az": "Açıq söhbət",
            "planned_minutes": "10",
        },
    )
    assert added.status_code == 303, added.text
    items = (await client.get(f"/api/sessions/{world.session.id}/agenda")).json()
    assert items[-1]["title"] == {"az": "Açıq söhbət"} and items[-1]["prompt"] == {}
    edited = await client.post(
        f"/sessions/{world.session.id}/agenda/{items[-1]['id']}/edit",
        data={"csrf_token": csrf, "title__az": "Açıq söhbət", "title__hy": "Բաց զրույց", "prompt__en": "Anything?"},
    )
    assert edited.status_code == 303, edited.text
    item = (await client.get(f"/api/sessions/{world.session.id}/agenda")).json()[-1]
    assert item["title"] == {"az": "Açıq söhbət", "hy": "Բաց զրույց"} and item["prompt"] == {"en": "Anything?"}
    empty = await client.post(
        f"/sessions/{world.session.id}/agenda",
        data={"csrf_token": csrf, "kind": "discussion", "title__en": " ", "planned_minutes": "10"},
    )
    assert empty.status_code == 422 and 'id="f-title-error"' in empty.text


async def test_the_join_pages_show_the_rules_and_the_lobby_message_in_the_chosen_language(
    app, client, new_client, world, fac
):
    await patch(client, fac, world.session.id, lobby_message={"hy": "Շուտով սկսում ենք։", "en": "We start soon."})
    await schedule(app, world.session)
    _invitation, token = await make_invitation(app, facilitator=world.facilitator.user, session=world.session)
    person = new_client()
    await person.get(f"/join/{token}")
    language_page = await person.get("/join/language")
    csrf = await page_csrf(person, "/join/language")
    assert language_page.status_code == 200
    await person.post("/join/language", data={"csrf_token": csrf, "language": "hy"})
    rules = (await person.get("/join/rules")).text
    assert DEFAULT_GROUND_RULES["hy"].splitlines()[0] in rules and 'name="rules_language" value="hy"' in rules
    assert "First meeting" in rules and "not-translated" in rules  # the title has no Armenian yet
    agreed = await person.post(
        "/join/rules",
        data={
            "csrf_token": csrf,
            "rules_version": "1",
            "rules_language": "hy",
            "accept_rules": "1",
            "accept_transcript": "1",
        },
    )
    assert agreed.status_code == 303 and agreed.headers["location"] == "/join/name"
    seated = await person.post("/join/name", data={"csrf_token": csrf, "display_name": "Anahit"})
    assert seated.headers["location"].endswith("/survey/pre")  # offered first; the lobby is next
    waiting = (await person.get(seated.headers["location"].replace("/survey/pre", "/waiting"))).text
    assert "Շուտով սկսում ենք։" in waiting and "We start soon." not in waiting
    seat, invitation = await records(app)
    assert (seat.consent_language, invitation.consent_language, seat.consent_rules_version) == ("hy", "hy", 1)


async def test_the_join_pages_do_not_break_for_an_interpreter(app, new_client, world):
    await schedule(app, world.session)
    _invitation, token = await make_invitation(
        app, facilitator=world.facilitator.user, session=world.session, community=None, role=SeatRole.interpreter
    )
    person = new_client()
    await person.get(f"/join/{token}")
    csrf = await page_csrf(person, "/join/language")
    await person.post("/join/language", data={"csrf_token": csrf, "language": "az"})
    rules = await person.get("/join/rules")
    assert rules.status_code == 200 and DEFAULT_GROUND_RULES["az"].splitlines()[0] in rules.text
    agreed = await person.post(
        "/join/rules", data={"csrf_token": csrf, "rules_version": "1", "accept_rules": "1", "accept_transcript": "1"}
    )
    assert agreed.status_code == 303
    assert (await person.get("/join/name")).status_code == 200
    seated = await person.post("/join/name", data={"csrf_token": csrf, "display_name": "Tercume"})
    assert seated.status_code == 303, seated.text
    waiting = await person.get(seated.headers["location"])
    assert waiting.status_code == 200
    seat, _ = await records(app)
    assert seat.role is SeatRole.interpreter and seat.consent_language == "az"


async def test_an_organiser_reads_the_session_in_their_language_without_the_form(new_client, world):
    organiser = new_client()
    await log_in(organiser, world.organiser)
    organiser.cookies.set(LANGUAGE_COOKIE, "az")
    page = await organiser.get(f"/sessions/{world.session.id}")
    assert page.status_code == 200 and 'name="title__en"' not in page.text and 'id="text-warnings"' not in page.text
    assert DEFAULT_GROUND_RULES["az"].splitlines()[0] in page.text
    assert DEFAULT_GROUND_RULES["hy"].splitlines()[0] not in page.text  # one language, the reader's


async def test_the_status_buttons_say_what_they_do_and_the_status_is_in_words(client, world, fac):
    sid = world.session.id
    for status in ("scheduled", "open"):
        assert (await move(client, fac, sid, status)).status_code == 200
    await log_in(client, world.facilitator)
    page = (await client.get(f"/sessions/{sid}")).text
    assert '<span class="badge status-open">lobby open</span>' in page
    assert "Start the session" in page and "Resume" not in page
    csrf = await page_csrf(client, f"/sessions/{sid}")
    for status in ("live", "paused"):
        moved = await client.post(f"/sessions/{sid}/status", data={"csrf_token": csrf, "status": status})
        assert moved.status_code == 303
    page = (await client.get(f"/sessions/{sid}")).text
    assert "Resume" in page and "End the session" in page and "Start the session" not in page
