"""The whole way before a session goes live, through the pages as people use them."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from app.accounts.models import Role
from app.dialogues.models import Seat, SeatStatus
from tests.factories import go_live, make_invitation, make_programme, make_world, page_csrf, schedule

CSRF_TAG = re.compile(r'<meta name="csrf-token" content="[0-9a-f]+">')
LINK = re.compile(r'value="(http://testserver/join/[A-Za-z0-9_-]{43})"')


async def log_in(browser, account) -> None:
    csrf = await page_csrf(browser, "/login")
    response = await browser.post(
        "/login", data={"username": account.username, "password": account.password, "csrf_token": csrf}
    )
    assert response.status_code == 303


async def test_from_an_empty_programme_to_four_people_admitted(app, client, new_client, make_account, clock):
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)

    # The organiser creates the programme and adds the facilitator.
    await log_in(client, organiser)
    csrf = await page_csrf(client, "/programmes")
    form = {
        "csrf_token": csrf,
        "name": "Neighbours",
        "description": "A series",
        "lang_en": "1",
        "lang_ru": "1",
        "lang_az": "1",
        "lang_hy": "1",
    }
    for slot, key in enumerate(("a", "b")):
        form[f"community_{slot}_key"] = key
        for code, label in (("en", "Community"), ("ru", "Сообщество"), ("az", "İcma"), ("hy", "Համայնք")):
            form[f"community_{slot}_{code}"] = f"{label} {key.upper()}"
    created = await client.post("/programmes", data=form)
    assert created.status_code == 303, created.text
    programme_url = created.headers["location"]
    added = await client.post(
        f"{programme_url}/members", data={"csrf_token": csrf, "username": facilitator.username, "role": "facilitator"}
    )
    assert added.status_code == 303
    page = await client.get(programme_url)
    assert "Community A" in page.text and facilitator.username in page.text

    # The facilitator schedules a session with the template agenda.
    fac = new_client()
    await log_in(fac, facilitator)
    csrf = await page_csrf(fac, f"{programme_url}/sessions/new")
    local = (clock.now() + timedelta(days=7)).astimezone(ZoneInfo("Asia/Baku"))
    scheduled = await fac.post(
        f"{programme_url}/sessions/new",
        data={
            "csrf_token": csrf,
            "title__en": "Getting to know each other",
            "title__hy": "Ծանոթանանք",
            "description__en": "",
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "time_zone": "Asia/Baku",
            "planned_minutes": "120",
            "capacity": "4",
            "speaking_mode": "queued",
            "admission": "lobby",
            "show_communities": "1",
            "keep_transcript": "1",
            "agenda_template": "1",
            "ground_rules__en": "1. Listen.\n2. Speak for yourself.",
            "ground_rules__ru": "1. Слушайте.\n2. Говорите от своего имени.",
            "ground_rules__az": "1. Dinləyin.\n2. Öz adınızdan danışın.",
            "ground_rules__hy": "1. Լսեք։\n2. Խոսեք ձեր անունից։",
        },
    )
    assert scheduled.status_code == 303, scheduled.text
    session_url = scheduled.headers["location"].split("?")[0]
    session_id = int(session_url.rsplit("/", 1)[1])
    overview = await fac.get(session_url)
    assert "Getting to know each other" in overview.text and "Welcome and check-in" in overview.text
    assert "(Asia/Baku)" in overview.text

    # Schedule it and open the lobby.
    for status in ("scheduled", "open"):
        moved = await fac.post(f"{session_url}/status", data={"csrf_token": csrf, "status": status})
        assert moved.status_code == 303

    # Four invitations in one go; the links are shown once.
    bulk = await fac.post(
        f"{session_url}/invitations/bulk",
        data={
            "csrf_token": csrf,
            "csv": "a,participant,Real A1,a1@example.org\na,participant,Real A2\nb,participant,Real B1\nb,participant,Real B2",
        },
    )
    assert bulk.status_code == 201
    links = LINK.findall(bulk.text)
    assert len(links) == 4
    again = await fac.get(f"{session_url}/invitations")
    assert not LINK.findall(again.text)  # never shown again
    assert "Real A1" in again.text and "a1@example.org" in again.text

    # Each person follows their link: language, rules and consent, a name, the lobby.
    names = ["Nigar", "Rauf", "Ani", "Tigran"]
    for link, name in zip(links, names, strict=True):
        person = new_client()
        start = await person.get(link.replace("http://testserver", ""))
        assert start.status_code == 303 and start.headers["location"] == "/join/language"
        language_page = await person.get("/join/language")
        assert "Հայերեն" in language_page.text and "Azərbaycan dili" in language_page.text
        token_field = re.search(r'name="csrf_token" value="([0-9a-f]+)"', language_page.text)
        assert token_field
        token = token_field.group(1)
        chosen = await person.post("/join/language", data={"csrf_token": token, "language": "en"})
        assert chosen.headers["location"] == "/join/rules"
        rules = await person.get("/join/rules")
        assert "1. Listen." in rules.text and "pseudonym" in rules.text and "withdraw" in rules.text
        unticked = await person.post("/join/rules", data={"csrf_token": token, "rules_version": "1"})
        assert unticked.status_code == 422 and "accept the ground rules" in unticked.text
        agreed = await person.post(
            "/join/rules",
            data={"csrf_token": token, "rules_version": "1", "accept_rules": "1", "accept_transcript": "1"},
        )
        assert agreed.headers["location"] == "/join/name"
        name_page = await person.get("/join/name")
        assert "do not use your full real name" in name_page.text
        seated = await person.post("/join/name", data={"csrf_token": token, "display_name": name})
        assert seated.status_code == 303, seated.text
        # Participants are offered the pre-session survey first; it can be skipped.
        survey_url = seated.headers["location"]
        assert survey_url.endswith("/survey/pre")
        survey = await person.get(survey_url)
        assert survey.status_code == 200 and "optional" in survey.text
        skipped = await person.post(f"{survey_url}/skip", data={"csrf_token": token})
        assert skipped.status_code == 303, skipped.text
        waiting = await person.get(skipped.headers["location"])
        assert "You are in the lobby" in waiting.text and name in waiting.text
        assert 'http-equiv="refresh"' in waiting.text

    # A taken name is refused next to the field, keeping what was typed.
    fifth = await fac.post(f"{session_url}/invitations", data={"csrf_token": csrf, "role": "observer", "community": ""})
    late = new_client()
    await late.get(LINK.findall(fifth.text)[0].replace("http://testserver", ""))
    page = await late.get("/join/language")
    token_field = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert token_field
    token = token_field.group(1)
    await late.post("/join/language", data={"csrf_token": token, "language": "ru"})
    await late.post(
        "/join/rules", data={"csrf_token": token, "rules_version": "1", "accept_rules": "1", "accept_transcript": "1"}
    )
    clash = await late.post("/join/name", data={"csrf_token": token, "display_name": "nigar"})
    assert clash.status_code == 422
    assert 'id="f-display_name-error"' in clash.text and 'value="nigar"' in clash.text

    lobby = await fac.get(f"{session_url}/lobby")
    for name in names:
        assert name in lobby.text
    admitted = await fac.post(f"{session_url}/lobby/admit-all", data={"csrf_token": csrf})
    assert admitted.status_code == 303
    lobby = await fac.get(f"{session_url}/lobby")
    assert "Nobody is waiting." in lobby.text
    me = await person.get(f"/sessions/{session_id}/waiting")  # the room is open: straight in
    assert me.status_code == 303 and me.headers["location"] == f"/sessions/{session_id}/room"
    room = await person.get(me.headers["location"])
    assert room.status_code == 200 and 'id="room-data"' in room.text and '"role": "participant"' in room.text


async def test_a_bad_invitation_link_shows_a_page_that_reveals_nothing(client):
    for link in ("/join/" + "A" * 43, "/join/short", "/join/language", "/join/rules", "/join/name"):
        response = await client.get(link)
        assert response.status_code == 404
        assert "This invitation link cannot be used" in response.text


async def test_schedule_form_errors_appear_next_to_fields_and_keep_what_was_typed(app, client, make_account, clock):
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user])
    await log_in(client, facilitator)
    csrf = await page_csrf(client, f"/programmes/{programme.id}/sessions/new")
    response = await client.post(
        f"/programmes/{programme.id}/sessions/new",
        data={
            "csrf_token": csrf,
            "title__en": "Kept title",
            "starts_at": "2020-01-01T10:00",
            "time_zone": "UTC",
            "planned_minutes": "120",
            "capacity": "4",
            "quota_a": "3",
            "quota_b": "3",
            "ground_rules__en": "Rules",
        },
    )
    assert response.status_code == 422
    assert 'value="Kept title"' in response.text
    assert 'id="f-starts_at-error"' in response.text
    assert "The start time is in the past." in response.text


async def test_the_invitation_page_keeps_real_names_for_facilitators_only(app, client, new_client, make_account):
    world = await make_world(app, make_account)
    await make_invitation(app, facilitator=world.facilitator.user, session=world.session, real_name="Secret Realname")
    await log_in(client, world.facilitator)
    assert "Secret Realname" in (await client.get(f"/sessions/{world.session.id}/invitations")).text
    organiser = new_client()
    await log_in(organiser, world.organiser)
    refused = await organiser.get(f"/sessions/{world.session.id}/invitations")
    assert refused.status_code == 403 and "Secret Realname" not in refused.text
    overview = await organiser.get(f"/sessions/{world.session.id}")
    assert overview.status_code == 200 and "Secret Realname" not in overview.text


async def test_a_failed_edit_of_a_session_already_under_way_shows_the_form_again(app, client, make_account, clock):
    world = await make_world(app, make_account)
    await go_live(app, world.session)
    clock.advance(days=3)  # the start time is now in the past
    await log_in(client, world.facilitator)
    csrf = await page_csrf(client, f"/sessions/{world.session.id}")
    rules = {f"ground_rules__{code}": f"Rules ({code})." for code in world.programme.languages}
    renamed = await client.post(
        f"/sessions/{world.session.id}/edit", data={"csrf_token": csrf, "title__en": "Renamed live", **rules}
    )
    assert renamed.status_code == 303
    refused = await client.post(
        f"/sessions/{world.session.id}/edit", data={"csrf_token": csrf, "title__en": "", **rules}
    )
    assert refused.status_code == 422 and 'id="f-title-error"' in refused.text
    # People are in the room: the rules cannot lose a language.
    only_english = await client.post(
        f"/sessions/{world.session.id}/edit",
        data={"csrf_token": csrf, "title__en": "Renamed live", "ground_rules__en": "Rules."},
    )
    assert only_english.status_code in (409, 422) and 'id="f-ground_rules-error"' in only_english.text
    assert "would leave out Russian, Azerbaijani, Armenian" in only_english.text


async def test_a_claimed_or_revoked_link_shows_the_same_page_as_a_made_up_one(app, client, new_client, make_account):
    world = await make_world(app, make_account)
    await schedule(app, world.session)
    _invitation, claimed = await make_invitation(app, facilitator=world.facilitator.user, session=world.session)
    browser = new_client()
    await browser.post(
        "/api/join/consent",
        json={"token": claimed, "rules_version": 1, "accept_rules": True, "accept_transcript": True},
    )
    seat = await browser.post("/api/join/claim", json={"token": claimed, "display_name": "Taken"})
    assert seat.status_code == 200
    # While the seat holds, the link offers to continue on a new device (web/device_pages.py) ...
    moving = await new_client().get(f"/join/{claimed}")
    assert moving.status_code == 303 and moving.headers["location"] == "/join/continue"
    # ... once a facilitator removed the seat, it is a link like any other unusable one.
    async with app.state.db.unit_of_work() as db:
        row = await db.get(Seat, seat.json()["id"])
        row.status = SeatStatus.removed
        db.add(row)
    pages = [await new_client().get(f"/join/{token}") for token in (claimed, "B" * 43)]
    assert [p.status_code for p in pages] == [404, 404]
    without_token = [CSRF_TAG.sub("", p.text) for p in pages]
    assert without_token[0] == without_token[1]  # the same page, word for word
    assert "This invitation link cannot be used" in pages[0].text and world.session.title["en"] not in pages[0].text
