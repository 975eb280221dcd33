"""Agendas: ordered, timed items; edited, reordered, copied, templated."""

from __future__ import annotations

import pytest

from tests.factories import api_login, make_session, make_world
from tests.factories import make_session as new_session


@pytest.fixture
async def world(app, make_account):
    return await make_world(app, make_account)


@pytest.fixture
async def fac(client, world):
    return await api_login(client, world.facilitator)


async def titles(client, sid, language="en"):
    return [i["title"].get(language) for i in (await client.get(f"/api/sessions/{sid}/agenda")).json()]


async def test_add_edit_move_and_remove_items(client, world, fac):
    sid = world.session.id
    await client.post(
        f"/api/sessions/{sid}/agenda/template", json={"template": "first_meeting"}, headers={"X-CSRF-Token": fac}
    )
    start = await titles(client, sid)
    added = await client.post(
        f"/api/sessions/{sid}/agenda",
        json={"kind": "discussion", "title": "Open floor", "prompt": "Anything else?", "planned_minutes": 15},
        headers={"X-CSRF-Token": fac},
    )
    assert added.status_code == 201 and added.json()["position"] == len(start)
    item_id = added.json()["id"]
    moved = await client.post(
        f"/api/sessions/{sid}/agenda/{item_id}/move", json={"position": 0}, headers={"X-CSRF-Token": fac}
    )
    assert [i["title"]["en"] for i in moved.json()] == ["Open floor", *start]
    assert [i["position"] for i in moved.json()] == list(range(len(start) + 1))
    edited = await client.patch(
        f"/api/sessions/{sid}/agenda/{item_id}",
        json={"planned_minutes": 20, "title": "Open floor 2"},
        headers={"X-CSRF-Token": fac},
    )
    assert edited.json()["planned_minutes"] == 20 and edited.json()["title"] == {"en": "Open floor 2"}
    removed = await client.delete(f"/api/sessions/{sid}/agenda/{item_id}", headers={"X-CSRF-Token": fac})
    assert removed.status_code == 204
    assert await titles(client, sid) == start


async def test_an_agenda_is_copied_from_another_session(app, client, world, fac):
    other = await make_session(app, facilitator=world.facilitator.user, programme=world.programme, agenda_template=None)
    assert await titles(client, other.id) == []
    copied = await client.post(
        f"/api/sessions/{other.id}/agenda/copy",
        json={"from_session_id": world.session.id},
        headers={"X-CSRF-Token": fac},
    )
    assert copied.status_code == 200
    assert await titles(client, other.id) == await titles(client, world.session.id)


async def test_copying_from_a_session_one_does_not_facilitate_finds_nothing(app, client, world):
    theirs = await new_session(app, facilitator=world.outsider.user, programme=world.other_programme)
    fac = await api_login(client, world.facilitator)
    response = await client.post(
        f"/api/sessions/{world.session.id}/agenda/copy",
        json={"from_session_id": theirs.id},
        headers={"X-CSRF-Token": fac},
    )
    assert response.status_code == 404


async def test_the_template_is_neutral_and_complete(client, world, fac):
    items = (await client.get(f"/api/sessions/{world.session.id}/agenda")).json()
    assert [i["kind"] for i in items] == ["check_in", "round", "discussion", "break", "round", "poll", "check_out"]
    for language in ("en", "ru", "az", "hy"):
        assert all(i["title"][language] for i in items)
        assert all(i["prompt"].get(language) for i in items if i["kind"] != "break")
    text = " ".join(t for i in items for t in (*i["title"].values(), *i["prompt"].values())).lower()
    for word in (
        *("azerbaijan", "armenia", "karabakh", "artsakh", "war", "enemy", "victim"),
        *("азербайджан", "армени", "карабах", "арцах", "войн", "враг", "жертв"),
        *("azərbaycan", "erməni", "qarabağ", "müharibə", "düşmən", "qurban"),
        *("ադրբեջան", "հայաստան", "ղարաբաղ", "արցախ", "պատերազմ", "թշնամ", "զոհ"),
    ):
        assert word not in text


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "lecture", "title": "x", "planned_minutes": 5},
        {"kind": "round", "title": "", "planned_minutes": 5},
        {"kind": "round", "title": "x", "planned_minutes": 0},
        {"kind": "round", "title": "x", "planned_minutes": 5, "extra": 1},
    ],
)
async def test_bad_items_are_refused(client, world, fac, body):
    before = await titles(client, world.session.id)
    response = await client.post(f"/api/sessions/{world.session.id}/agenda", json=body, headers={"X-CSRF-Token": fac})
    assert response.status_code == 422
    assert await titles(client, world.session.id) == before


async def test_an_unknown_item_or_template_is_named(client, world, fac):
    sid = world.session.id
    assert (
        await client.patch(f"/api/sessions/{sid}/agenda/999999", json={"title": "x"}, headers={"X-CSRF-Token": fac})
    ).status_code == 404
    bad = await client.post(
        f"/api/sessions/{sid}/agenda/template", json={"template": "secret_plan"}, headers={"X-CSRF-Token": fac}
    )
    assert bad.status_code == 422 and "first_meeting" in bad.json()["error"]["message"]


async def test_a_finished_sessions_agenda_is_closed(client, world, fac):
    sid = world.session.id
    await client.post(
        f"/api/sessions/{sid}/status", json={"status": "cancelled", "reason": "r"}, headers={"X-CSRF-Token": fac}
    )
    response = await client.post(
        f"/api/sessions/{sid}/agenda",
        json={"kind": "round", "title": "x", "planned_minutes": 5},
        headers={"X-CSRF-Token": fac},
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "session_finished"
