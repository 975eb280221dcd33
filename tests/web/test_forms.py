"""Forms that respect the person: every error at once, next to its field, in the reader's
language, with what was typed kept; the page's address answers a GET; zones from the IANA list."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.web.i18n import LANGUAGE_COOKIE
from tests.factories import make_session, make_world, page_csrf
from tests.web.test_pages import log_in

# pydantic's own English, which must never reach a page.
PYDANTIC_ENGLISH = re.compile(
    r"Value error|Input should|String should|should be a valid|Field required|unable to parse|"
    r"is not a time zone name|Europe/Tbilisi"
)
FIELD_ERROR = re.compile(r'<p class="field-error" id="[^"]*-error">([^<]+)</p>')


def _session_form(when: str, **bad: str) -> dict[str, str]:
    form = {
        "title__en": "A meeting",
        "ground_rules__en": "Be kind.",
        "starts_at": when,
        "time_zone": "Asia/Baku",
        "planned_minutes": "120",
        "capacity": "12",
        "speaking_mode": "open",
        "admission": "lobby",
        "show_communities": "1",
    }
    form.update(bad)
    return form


# Each form: who fills it in, where its page is, where it posts, and a submission with bad fields.
FORMS = {
    "schedule": ("facilitator", "/programmes/{p}/sessions/new", "/programmes/{p}/sessions/new"),
    "session edit": ("facilitator", "/sessions/{s}", "/sessions/{s}/edit"),
    "agenda item": ("facilitator", "/sessions/{s}/agenda", "/sessions/{s}/agenda"),
    "programme": ("organiser", "/programmes", "/programmes"),
    "member": ("organiser", "/programmes/{p}", "/programmes/{p}/members"),
}


def _bad_submission(name: str, when: str) -> dict[str, str]:
    if name in ("schedule", "session edit"):
        return _session_form(when, time_zone="Europe/Baku2", planned_minutes="many", capacity="1")
    if name == "agenda item":
        return {"kind": "nonsense", "title__en": "", "planned_minutes": "lots"}
    if name == "programme":
        return {"name": "", "lang_en": "1", "community_0_key": "Not A Key!", "community_0_en": "A"}
    return {"username": "", "role": "emperor"}


@pytest.fixture
async def world(app, make_account):
    return await make_world(app, make_account)


async def _signed_in(new_client, world, who):
    person = new_client()
    await log_in(person, getattr(world, who))
    return person


def _paths(name, world):
    who, page, action = FORMS[name]
    ids = {"p": world.programme.id, "s": world.session.id}
    return who, page.format(**ids), action.format(**ids)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("name", list(FORMS))
async def test_bad_input_gets_readable_errors_in_the_readers_language(name, language, world, new_client, clock):
    who, page, action = _paths(name, world)
    person = await _signed_in(new_client, world, who)
    person.cookies.set(LANGUAGE_COOKIE, language)
    csrf = await page_csrf(person, page)
    when = (clock.now() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    response = await person.post(action, data={"csrf_token": csrf, **_bad_submission(name, when)})
    assert response.status_code == 422, response.text[:500]
    errors = FIELD_ERROR.findall(response.text)
    assert errors, "the errors stand next to their fields"
    assert not PYDANTIC_ENGLISH.search(response.text), PYDANTIC_ENGLISH.search(response.text)
    if language == "ru":
        assert all(re.search("[а-яА-Я]", error) for error in errors), errors
    # The page's address answers a GET (a reload or Back), never a 405.
    assert (await person.get(action, follow_redirects=True)).status_code == 200


@pytest.mark.parametrize("name", ["schedule", "session edit"])
async def test_every_error_at_once_with_typed_values_and_ticks_kept(name, world, new_client, clock):
    who, page, action = _paths(name, world)
    person = await _signed_in(new_client, world, who)
    csrf = await page_csrf(person, page)
    when = (clock.now() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    bad = _session_form(when, time_zone="Asia/Stepanakert", planned_minutes="many", title__en="Kept title")
    bad.pop("show_communities")
    bad["keep_transcript"] = "1"
    response = await person.post(action, data={"csrf_token": csrf, **bad})
    assert response.status_code == 422
    text = response.text
    for field in ("time_zone", "planned_minutes"):
        assert f'id="f-{field}-error"' in text, field
        assert f'aria-describedby="f-{field}-error' in text, field
    assert 'value="Asia/Stepanakert"' in text and 'value="many"' in text and 'value="Kept title"' in text
    assert re.search(r'name="keep_transcript" value="1" checked', text)
    assert not re.search(r'name="show_communities" value="1" checked', text)


@pytest.mark.parametrize(
    "zone", ["Europe/Baku2", "Asia/Stepanakert", "Mars/Olympus", "utc ", "../etc", "x" * 80, "posix/Asia/Baku"]
)
async def test_a_zone_not_in_the_iana_list_gets_a_translated_error(zone, world, new_client, clock):
    person = await _signed_in(new_client, world, "facilitator")
    person.cookies.set(LANGUAGE_COOKIE, "ru")
    path = f"/programmes/{world.programme.id}/sessions/new"
    csrf = await page_csrf(person, path)
    when = (clock.now() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    response = await person.post(path, data={"csrf_token": csrf, **_session_form(when, time_zone=zone)})
    assert response.status_code == 422
    error = re.search(r'id="f-time_zone-error">([^<]+)<', response.text)
    assert error and "Нет часового пояса" in error.group(1), response.text[:300]


@pytest.mark.parametrize("zone", ["Asia/Baku", "Asia/Yerevan", "Europe/Moscow", "UTC"])
async def test_a_real_zone_is_accepted_and_becomes_the_next_default(zone, world, new_client, clock):
    person = await _signed_in(new_client, world, "facilitator")
    path = f"/programmes/{world.programme.id}/sessions/new"
    csrf = await page_csrf(person, path)
    when = (clock.now() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    response = await person.post(path, data={"csrf_token": csrf, **_session_form(when, time_zone=zone)})
    assert response.status_code == 303, FIELD_ERROR.findall(response.text)
    page = await person.get(path)
    assert re.search(rf'name="time_zone" list="f-time_zone-list" value="{zone}"', page.text)
    assert 'src="/static/js/time-zone.js"' in page.text


async def test_the_zone_defaults_to_the_programmes(app, world, new_client, clock):
    await make_session(
        app,
        facilitator=world.facilitator.user,
        programme=world.programme,
        time_zone="Asia/Yerevan",
        starts_at=clock.now() + timedelta(days=60),
    )
    person = await _signed_in(new_client, world, "facilitator")
    page = await person.get(f"/programmes/{world.programme.id}/sessions/new")
    assert 'list="f-time_zone-list" value="Asia/Yerevan"' in page.text
    assert '<option value="Asia/Baku">' in page.text and '<option value="Asia/Yerevan">' in page.text


async def test_an_agenda_items_failed_edit_comes_back_open_with_its_errors(app, world, new_client):
    person = await _signed_in(new_client, world, "facilitator")
    path = f"/sessions/{world.session.id}/agenda"
    page = await person.get(path)
    found = re.search(r"/agenda/(\d+)/edit", page.text)
    assert found, "the agenda page links each item's edit form"
    item_id = found.group(1)
    csrf = await page_csrf(person, path)
    response = await person.post(
        f"{path}/{item_id}/edit",
        data={"csrf_token": csrf, "kind": "discussion", "title__en": "", "planned_minutes": "0"},
    )
    assert response.status_code == 422
    assert '<details class="disclosure" open>' in response.text
    assert f'id="mn-{item_id}-error"' in response.text and 'value="0"' in response.text
    assert not PYDANTIC_ENGLISH.search(response.text)
    assert (await person.get(f"{path}/{item_id}/edit", follow_redirects=True)).status_code == 200


async def test_routes_that_only_post_send_a_get_to_their_page(world, new_client):
    person = await _signed_in(new_client, world, "organiser")
    response = await person.get(f"/programmes/{world.programme.id}/room-name")
    assert response.status_code == 303 and response.headers["location"] == f"/programmes/{world.programme.id}"
    assert Role.organiser  # the organiser reads the programme's page
