"""Facilitators are people too: their seat shows a name they choose for the programme (by
default their first name), never the account's full name; the display-name rules apply to
it. And programme names and community labels refuse control characters."""

from __future__ import annotations

import html

import pytest

from app.accounts.models import Role
from app.accounts.service import create_user
from app.facilitation.entry import facilitator_seat
from tests.factories import LABELS, api_login, make_programme, make_session, schedule, seat_for

BODY = {
    "name": "Dialogue series 2027",
    "languages": ["en", "ru", "az", "hy"],
    "communities": [{"key": "a", "labels": LABELS["a"]}, {"key": "b", "labels": LABELS["b"]}],
}


@pytest.fixture
async def setting(app, make_account):
    organiser = await make_account(Role.organiser)
    async with app.state.db.unit_of_work() as db:
        user = await create_user(
            db,
            username="lusine.k",
            full_name="Lusine Karapetyan-Aliyeva",
            role=Role.facilitator,
            password="a long enough secret",
            passwords=app.state.passwords,
            now=app.state.clock.now(),
        )
    programme = await make_programme(app, organiser=organiser.user, facilitators=[user])
    return organiser, user, programme


async def _login(client, username="lusine.k"):
    response = await client.post("/api/auth/login", json={"username": username, "password": "a long enough secret"})
    assert response.status_code == 200
    return response.json()["csrf_token"]


async def _seat_in_new_session(app, user, programme):
    session = await make_session(app, facilitator=user, programme=programme)
    async with app.state.db.unit_of_work() as db:
        return session, await facilitator_seat(db, session=session, user=user, now=app.state.clock.now())


async def test_by_default_the_seat_shows_the_first_name_never_the_full_name(app, setting):
    _, user, programme = setting
    _, seat = await _seat_in_new_session(app, user, programme)
    assert seat.display_name == "Lusine"
    assert "Karapetyan" not in seat.display_name


async def test_a_facilitator_chooses_their_room_name_and_new_rooms_show_it(app, client, setting):
    _, user, programme = setting
    csrf = await _login(client)
    response = await client.patch(
        f"/api/programmes/{programme.id}/members/me",
        json={"room_name": "  Lusine  K. "},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"room_name": "Lusine K.", "shown_as": "Lusine K."}
    _, seat = await _seat_in_new_session(app, user, programme)
    assert seat.display_name == "Lusine K."
    back = await client.patch(
        f"/api/programmes/{programme.id}/members/me", json={"room_name": None}, headers={"X-CSRF-Token": csrf}
    )
    assert back.json() == {"room_name": None, "shown_as": "Lusine"}


async def test_a_facilitator_may_choose_their_full_name_if_they_want(app, client, setting):
    _, user, programme = setting
    csrf = await _login(client)
    chosen = await client.patch(
        f"/api/programmes/{programme.id}/members/me",
        json={"room_name": "Lusine Karapetyan-Aliyeva"},
        headers={"X-CSRF-Token": csrf},
    )
    assert chosen.status_code == 200
    _, seat = await _seat_in_new_session(app, user, programme)
    assert seat.display_name == "Lusine Karapetyan-Aliyeva"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Participant 3", "reserved_display_name"),
        ("Participant3", "reserved_display_name"),
        ("Facilitator 2", "reserved_display_name"),  # the shape of a transcript pseudonym
        ("Участник 3", "reserved_display_name"),
        ("Organiser", "reserved_display_name"),
        ("Մասնակից", "reserved_display_name"),
        ("Lu\u202esine", "bad_display_name"),
        ("L", "bad_display_name"),
        ("x" * 41, "bad_display_name"),
    ],
)
async def test_the_display_name_rules_apply_to_a_room_name(client, setting, name, code):
    _, _, programme = setting
    csrf = await _login(client)
    refused = await client.patch(
        f"/api/programmes/{programme.id}/members/me", json={"room_name": name}, headers={"X-CSRF-Token": csrf}
    )
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == code and error["details"][0]["field"] == "room_name" and error["message"]


async def test_a_facilitator_may_say_they_facilitate(client, setting):
    _, _, programme = setting
    csrf = await _login(client)
    for name in ("Facilitator Lusine", "Модератор", "Fasilitator"):
        response = await client.patch(
            f"/api/programmes/{programme.id}/members/me", json={"room_name": name}, headers={"X-CSRF-Token": csrf}
        )
        assert response.status_code == 200, (name, response.text)


async def test_only_the_programmes_facilitators_have_a_room_name(client, new_client, make_account, setting):
    organiser, _, programme = setting
    theirs = await api_login(client, organiser)
    refused = await client.patch(
        f"/api/programmes/{programme.id}/members/me", json={"room_name": "Boss"}, headers={"X-CSRF-Token": theirs}
    )
    assert refused.status_code == 403
    outsider = await make_account(Role.facilitator)
    other = new_client()
    csrf = await api_login(other, outsider)
    hidden = await other.patch(
        f"/api/programmes/{programme.id}/members/me", json={"room_name": "Spy"}, headers={"X-CSRF-Token": csrf}
    )
    assert hidden.status_code == 404
    mine = new_client()
    await _login(mine)
    no_csrf = await mine.patch(f"/api/programmes/{programme.id}/members/me", json={"room_name": "Lusine"})
    assert no_csrf.status_code == 403


async def test_a_room_name_that_looks_like_a_seated_participants_gets_a_number(app, client, setting):
    _, user, programme = setting
    csrf = await _login(client)
    await client.patch(
        f"/api/programmes/{programme.id}/members/me", json={"room_name": "Ani"}, headers={"X-CSRF-Token": csrf}
    )
    session = await make_session(app, facilitator=user, programme=programme)
    await schedule(app, session)
    await seat_for(app, facilitator=user, session=session, community="b", name="\u0410ni")  # a Cyrillic А
    async with app.state.db.unit_of_work() as db:
        seat = await facilitator_seat(db, session=session, user=user, now=app.state.clock.now())
    assert seat.display_name == "Ani (2)"


async def test_a_seat_made_before_keeps_its_name(app, client, setting):
    _, user, programme = setting
    session, first = await _seat_in_new_session(app, user, programme)
    csrf = await _login(client)
    await client.patch(
        f"/api/programmes/{programme.id}/members/me", json={"room_name": "Lu"}, headers={"X-CSRF-Token": csrf}
    )
    async with app.state.db.unit_of_work() as db:
        again = await facilitator_seat(db, session=session, user=user, now=app.state.clock.now())
    assert again.id == first.id and again.display_name == "Lusine"


async def test_the_programme_page_lets_a_facilitator_set_it(client, setting):
    _, _, programme = setting
    csrf = await _login(client)
    page = await client.get(f"/programmes/{programme.id}")
    assert 'name="room_name"' in page.text and "Lusine" in page.text
    saved = await client.post(
        f"/programmes/{programme.id}/room-name", data={"csrf_token": csrf, "room_name": "Lusine K."}
    )
    assert saved.status_code == 303
    assert 'value="Lusine K."' in (await client.get(saved.headers["location"])).text
    refused = await client.post(
        f"/programmes/{programme.id}/room-name", data={"csrf_token": csrf, "room_name": "Participant 1"}
    )
    assert refused.status_code == 422
    assert "That name is kept" in html.unescape(refused.text) or "pseudonym" in html.unescape(refused.text)


async def test_an_organiser_sees_no_room_name_form(client, setting):
    organiser, _, programme = setting
    await api_login(client, organiser)
    page = await client.get(f"/programmes/{programme.id}")
    assert page.status_code == 200 and 'name="room_name"' not in page.text


# Programme names and community labels ------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    ["Peace\u202eecaeP", "Series\u200b", "Tab\tname", "Nul\x00", "Private\ue000", "\u2066\u2069", "\u200d"],
)
async def test_programme_names_and_labels_refuse_control_characters(client, make_account, bad):
    organiser = await make_account(Role.organiser)
    csrf = await api_login(client, organiser)
    named = await client.post("/api/programmes", json={**BODY, "name": bad}, headers={"X-CSRF-Token": csrf})
    assert named.status_code == 422, named.text
    assert named.json()["error"]["details"][0]["field"] == "name"
    assert "The name" in named.json()["error"]["message"]
    labelled = {**BODY, "communities": [{"key": "a", "labels": {**LABELS["a"], "en": bad}}, BODY["communities"][1]]}
    refused = await client.post("/api/programmes", json=labelled, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 422, refused.text
    assert "label" in refused.json()["error"]["message"]


async def test_a_rename_and_a_new_community_are_checked_too(app, client, make_account):
    organiser = await make_account(Role.organiser)
    programme = await make_programme(app, organiser=organiser.user)
    csrf = await api_login(client, organiser)
    renamed = await client.patch(
        f"/api/programmes/{programme.id}", json={"name": "Quiet\u202d"}, headers={"X-CSRF-Token": csrf}
    )
    assert renamed.status_code == 422 and "U+202D" in renamed.json()["error"]["message"]
    community = await client.post(
        f"/api/programmes/{programme.id}/communities",
        json={"key": "c", "labels": {"en": "C\u200b", "ru": "C", "az": "C", "hy": "C"}},
        headers={"X-CSRF-Token": csrf},
    )
    assert community.status_code == 422


async def test_ordinary_names_labels_and_joiners_between_letters_pass(client, make_account):
    organiser = await make_account(Role.organiser)
    csrf = await api_login(client, organiser)
    labels = {"en": "River side", "ru": "Речная сторона", "az": "Çay tərəfi", "hy": "Գետափ«ի»"}
    body = {
        **BODY,
        "name": "Diálogo 2027 — «Սար» / Dağ 👩‍👩‍👧",
        "communities": [{"key": "a", "labels": labels}, {"key": "b", "labels": {**LABELS["b"], "en": "می\u200cخواهم"}}],
    }
    created = await client.post("/api/programmes", json=body, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201, created.text
    assert created.json()["name"] == body["name"]
