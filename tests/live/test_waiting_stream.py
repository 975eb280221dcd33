"""The lobby page is live: its event stream tells a waiting person's page at once that it
changed (admitted, turned away, a new message), on the instance they are connected to or
another one, and ends when their seat's cookie no longer holds the seat.

Each wait below is shorter than the stream's heartbeat (web/waiting_stream.HEARTBEAT), so a
change that arrives came from the push, not from the periodic re-check.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.accounts.models import Role
from app.web.waiting_stream import HEARTBEAT
from tests.backends import PG_URL, REDIS_URL
from tests.factories import api_login, make_programme, make_session, schedule, seat_for

WAIT = HEARTBEAT * 0.75


class Stream:
    """One waiting page's stream, read event by event."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.aiter_lines()

    async def next_event(self, timeout: float = WAIT) -> tuple[str, str]:
        async def read() -> tuple[str, str]:
            event, data = "message", ""
            async for line in self.lines:
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data = line[5:].strip()
                elif line == "" and (event != "message" or data):
                    return event, data
            raise EOFError("the stream ended")

        return await asyncio.wait_for(read(), timeout)

    async def next_state(self, timeout: float = WAIT) -> str:
        """The next `state` event's fingerprint, skipping keep-alive comments."""
        event, data = await self.next_event(timeout)
        assert event == "state", (event, data)
        return data


@pytest.fixture
async def waiting(app, make_account):
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user])
    session = await make_session(app, facilitator=facilitator.user, programme=programme)
    await schedule(app, session)
    person = await seat_for(
        app, facilitator=facilitator.user, session=session, community="a", name="Ləman", admit=False
    )
    return session, facilitator, person


async def open_stream(client: httpx.AsyncClient, session_id: int, cookie: str):
    return client.stream("GET", f"/sessions/{session_id}/waiting/events", headers={"Cookie": cookie})


async def page_state(client: httpx.AsyncClient, session_id: int, cookie: str) -> str:
    page = await client.get(f"/sessions/{session_id}/waiting", headers={"Cookie": cookie})
    assert page.status_code == 200, page.text
    marker = 'data-state="'
    return page.text.split(marker, 1)[1].split('"', 1)[0]


async def test_admission_and_a_lobby_message_reach_the_waiting_page_at_once(server, waiting):
    session, facilitator, person = waiting
    async with (
        httpx.AsyncClient(base_url=server.base_url, timeout=30) as visitor,
        httpx.AsyncClient(base_url=server.base_url, timeout=30) as staff,
    ):
        shown = await page_state(visitor, session.id, person.cookie)
        csrf = await api_login(staff, facilitator)
        async with await open_stream(visitor, session.id, person.cookie) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["cache-control"] == "no-store"
            stream = Stream(response)
            assert await stream.next_state() == shown  # the page is current

            said = await staff.put(
                f"/api/sessions/{session.id}/lobby/message",
                json={"lobby_message": {"en": "We start in five minutes.", "hy": "Սկսում ենք հինգ րոպեից։"}},
                headers={"X-CSRF-Token": csrf},
            )
            assert said.status_code == 200, said.text
            assert said.json()["hy"] == "Սկսում ենք հինգ րոպեից։"
            with_message = await stream.next_state()
            assert with_message != shown
            page = await visitor.get(f"/sessions/{session.id}/waiting", headers={"Cookie": person.cookie})
            assert "We start in five minutes." in page.text
            assert with_message == await page_state(visitor, session.id, person.cookie)

            admitted = await staff.post(
                f"/api/sessions/{session.id}/seats/{person.seat_id}/admit", headers={"X-CSRF-Token": csrf}
            )
            assert admitted.status_code == 200, admitted.text
            assert await stream.next_state() not in (shown, with_message)
        page = await visitor.get(f"/sessions/{session.id}/waiting", headers={"Cookie": person.cookie})
        assert "You are admitted" in page.text


async def test_a_refusal_with_its_reason_reaches_the_page(server, waiting):
    session, facilitator, person = waiting
    async with (
        httpx.AsyncClient(base_url=server.base_url, timeout=30) as visitor,
        httpx.AsyncClient(base_url=server.base_url, timeout=30) as staff,
    ):
        csrf = await api_login(staff, facilitator)
        async with await open_stream(visitor, session.id, person.cookie) as response:
            stream = Stream(response)
            first = await stream.next_state()
            refused = await staff.post(
                f"/api/sessions/{session.id}/seats/{person.seat_id}/refuse",
                json={"reason": "Этот семинар только для приглашённых"},
                headers={"X-CSRF-Token": csrf},
            )
            assert refused.status_code == 200, refused.text
            assert await stream.next_state() != first
            assert await stream.next_event() == ("ended", "")  # nothing more to wait for: it closes
        page = await visitor.get(f"/sessions/{session.id}/waiting", headers={"Cookie": person.cookie})
        assert "Этот семинар только для приглашённых" in page.text
        assert "data-waiting-stream" not in page.text  # nothing more to wait for


async def test_without_the_seat_s_cookie_there_is_no_stream(server, waiting):
    session, _facilitator, person = waiting
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as visitor:
        for cookie in ("", person.cookie.split("=")[0] + "=" + "x" * 43, person.cookie.replace(str(session.id), "9")):
            refused = await visitor.get(f"/sessions/{session.id}/waiting/events", headers={"Cookie": cookie})
            assert refused.status_code == 404, cookie
            assert "This invitation link cannot be used" in refused.text


@pytest.mark.skipif(not (PG_URL and REDIS_URL), reason="two instances need PostgreSQL and Redis")
async def test_an_admission_on_another_instance_reaches_the_page(server_factory, waiting):
    session, facilitator, person = waiting
    one, two = server_factory().start(), server_factory().start()
    async with (
        httpx.AsyncClient(base_url=one.base_url, timeout=30) as visitor,
        httpx.AsyncClient(base_url=two.base_url, timeout=30) as staff,
    ):
        csrf = await api_login(staff, facilitator)
        async with await open_stream(visitor, session.id, person.cookie) as response:
            stream = Stream(response)
            first = await stream.next_state()
            admitted = await staff.post(
                f"/api/sessions/{session.id}/seats/{person.seat_id}/admit", headers={"X-CSRF-Token": csrf}
            )
            assert admitted.status_code == 200, admitted.text
            assert await stream.next_state() != first
