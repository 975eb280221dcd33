"""An interpreter is invited like anyone else: a personal link (one at a time or in a pasted
list, no community needed), consent, a name, the lobby, then the room."""

from __future__ import annotations

import pytest

from app.dialogues.models import DialogueSession, Seat
from app.facilitation.room_state import room_state
from tests.factories import api_login, make_world, schedule


@pytest.fixture
async def world(app, make_account):
    world = await make_world(app, make_account)
    await schedule(app, world.session)
    return world


@pytest.fixture
async def fac(client, world):
    return await api_login(client, world.facilitator)


async def join(browser, token: str, name: str, language: str = "ru"):
    assert (await browser.post("/api/join", json={"token": token})).status_code == 200
    await browser.post("/api/join/language", json={"token": token, "language": language})
    consent = await browser.post(
        "/api/join/consent",
        json={"token": token, "rules_version": 1, "accept_rules": True, "accept_transcript": True},
    )
    assert consent.status_code == 200, consent.text
    return await browser.post("/api/join/claim", json={"token": token, "display_name": name})


async def test_an_interpreter_follows_their_link_waits_in_the_lobby_and_enters_the_room(
    app, client, new_client, world, fac
):
    made = await client.post(
        f"/api/sessions/{world.session.id}/invitations", json={"role": "interpreter"}, headers={"X-CSRF-Token": fac}
    )
    assert made.status_code == 201, made.text
    assert made.json()["role"] == "interpreter" and made.json()["community"] is None

    claimed = await join(new_client(), made.json()["link"].rsplit("/", 1)[1], "Lena")
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["role"] == "interpreter" and claimed.json()["status"] == "lobby"
    seats = (await client.get(f"/api/sessions/{world.session.id}/seats")).json()
    assert seats[0]["pseudonym"].startswith("Interpreter ")

    admitted = await client.post(
        f"/api/sessions/{world.session.id}/seats/{seats[0]['id']}/admit", headers={"X-CSRF-Token": fac}
    )
    assert admitted.status_code == 200 and admitted.json()["status"] == "admitted"
    async with app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, world.session.id)
        seat = await db.get(Seat, seats[0]["id"])
        welcome = await room_state(db, session=session, seat=seat, now=app.state.clock.now())
    assert welcome["you"]["role"] == "interpreter"


async def test_interpreters_come_in_a_pasted_list_in_any_interface_language(client, world, fac):
    made = await client.post(
        f"/api/sessions/{world.session.id}/invitations/bulk",
        json={"csv": ",interpreter,Lena\n,Переводчик,Анна\n,tərcüməçi,Aysel\n,թարգմանիչ,Անի\na,participant,Nigar"},
        headers={"X-CSRF-Token": fac},
    )
    assert made.status_code == 201, made.text
    assert [(m["role"], m["community"]) for m in made.json()] == [
        ("interpreter", None),
        ("interpreter", None),
        ("interpreter", None),
        ("interpreter", None),
        ("participant", "a"),
    ]
    wrong = await client.post(
        f"/api/sessions/{world.session.id}/invitations/bulk",
        json={"csv": ",juggler,Lena"},
        headers={"X-CSRF-Token": fac},
    )
    assert wrong.status_code == 422
    assert "interpreter" in wrong.json()["error"]["details"][0]["message"]


async def test_the_invitations_page_offers_the_interpreter_role(client, world, fac):
    page = await client.get(f"/sessions/{world.session.id}/invitations")
    assert page.status_code == 200
    assert 'value="interpreter"' in page.text


@pytest.mark.parametrize("name", ["Interpreter 3", "Переводчик Анна", "Tərcüməçi", "Թարգմանիչ Անի"])
async def test_nobody_may_call_themselves_an_interpreter(client, new_client, world, fac, name):
    made = await client.post(
        f"/api/sessions/{world.session.id}/invitations",
        json={"role": "participant", "community": "a"},
        headers={"X-CSRF-Token": fac},
    )
    claimed = await join(new_client(), made.json()["link"].rsplit("/", 1)[1], name)
    assert claimed.status_code == 422 and claimed.json()["error"]["code"] == "reserved_display_name"
