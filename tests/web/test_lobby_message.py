"""The facilitators' message to everyone waiting: written on the lobby page (or the console,
through the API) in the programme's languages, stored, announced to the facilitators' consoles
as a `lobby_message` event, audit-logged, and shown on the waiting page."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.dialogues.models import DialogueSession
from app.events.models import RoomEvent
from app.facilitation.models import AuditEntry
from tests.factories import make_world, page_log_in, schedule, seat_for


@pytest.fixture
async def world(app, make_account):
    world = await make_world(app, make_account)
    await schedule(app, world.session)
    return world


log_in = page_log_in


async def events_of(app, session_id: int) -> list[RoomEvent]:
    async with app.state.db.unit_of_work() as db:
        return list((await db.exec(select(RoomEvent).where(RoomEvent.session_id == session_id))).all())


async def test_a_message_written_on_the_lobby_page_reaches_the_waiting_page(app, client, new_client, world):
    person = await seat_for(
        app, facilitator=world.facilitator.user, session=world.session, community="a", name="Ani", admit=False
    )
    csrf = await log_in(client, world.facilitator)
    url = f"/sessions/{world.session.id}/lobby"
    page = await client.get(url)
    assert f'action="/sessions/{world.session.id}/lobby/message"' in page.text
    before = len(await events_of(app, world.session.id))
    sent = await client.post(
        f"{url}/message",
        data={"csrf_token": csrf, "lobby_message__en": "We begin at ten.", "lobby_message__hy": "Սկսում ենք տասին։"},
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("/lobby?done=message")
    shown = await client.get(sent.headers["location"])
    assert "The message is shown to everyone waiting." in shown.text and "We begin at ten." in shown.text

    events = await events_of(app, world.session.id)
    assert len(events) == before + 1
    assert events[-1].type == "lobby_message" and events[-1].audience == "facilitators"
    assert events[-1].payload["lobby_message"] == {"en": "We begin at ten.", "hy": "Սկսում ենք տասին։"}
    async with app.state.db.unit_of_work() as db:
        actions = [e.action for e in (await db.exec(select(AuditEntry))).all()]
    assert "lobby_message" in actions

    waiting = await new_client().get(f"/sessions/{world.session.id}/waiting", headers={"Cookie": person.cookie})
    assert "We begin at ten." in waiting.text
    assert "data-waiting-stream" in waiting.text and 'http-equiv="refresh"' not in waiting.text.split("<noscript>")[0]


async def test_the_same_message_again_changes_nothing_and_an_empty_one_takes_it_down(app, client, world):
    csrf = await log_in(client, world.facilitator)
    url = f"/sessions/{world.session.id}/lobby/message"
    for _ in range(2):
        await client.post(url, data={"csrf_token": csrf, "lobby_message__en": "Soon."})
    assert [e.type for e in await events_of(app, world.session.id)].count("lobby_message") == 1
    await client.post(url, data={"csrf_token": csrf, "lobby_message__en": ""})
    async with app.state.db.unit_of_work() as db:
        assert (await db.get(DialogueSession, world.session.id)).lobby_message == {}


async def test_a_message_too_long_is_refused_next_to_its_field_with_what_was_typed(app, client, world):
    csrf = await log_in(client, world.facilitator)
    typed = "Ждём " + "ж" * 1000
    refused = await client.post(
        f"/sessions/{world.session.id}/lobby/message", data={"csrf_token": csrf, "lobby_message__ru": typed}
    )
    assert refused.status_code == 422
    assert 'id="f-lobby_message-error"' in refused.text
    assert typed in refused.text
    assert "Value error" not in refused.text


async def test_through_the_api_for_the_console(app, client, world):
    csrf = await log_in(client, world.facilitator)
    url = f"/api/sessions/{world.session.id}/lobby/message"
    answer = await client.put(url, json={"lobby_message": {"az": "Tezliklə."}}, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200 and answer.json() == {"az": "Tezliklə."}
    answer = await client.put(url, json={"lobby_message": {"ru": "Скоро."}}, headers={"X-CSRF-Token": csrf})
    assert answer.json() == {"az": "Tezliklə.", "ru": "Скоро."}, "the languages sent are replaced, the others kept"
    refused = await client.put(url, json={"lobby_message": {"fr": "Bientôt"}}, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 422 and refused.json()["error"]["message"]
