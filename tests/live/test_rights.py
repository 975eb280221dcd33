"""A room connection is only as good as the right behind it: a login that ends, an account
disabled, a facilitator taken out of the programme, too many connections of one seat — each
closes the connections that relied on it, with its close code, before one more private frame."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.deps import session_policy
from app.errors import NotAuthenticated
from app.events.revocations import CLOSE_LOGIN_ENDED, CLOSE_REPLACED, CLOSE_RIGHT_ENDED
from app.facilitation.entry import facilitator_seat, room_session
from app.facilitation.room import Actor, enter
from app.security.login_sessions import end_login_session, start_login_session
from tests.backends import PG_URL, REDIS_URL
from tests.factories import Person, go_live, make_programme, make_session, seat_for
from tests.live.room_client import RoomClient, StaffBrowser, open_room


@dataclass
class Staffed:
    session_id: int
    programme_id: int
    organiser: str
    facilitator: User
    nigar: Person
    ani: Person


@pytest.fixture
async def staffed(app, make_account) -> Staffed:
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user])
    session = await make_session(app, facilitator=facilitator.user, programme=programme, capacity=6)
    await go_live(app, session)
    nigar = await seat_for(app, facilitator=facilitator.user, session=session, community="a", name="Nigar")
    ani = await seat_for(app, facilitator=facilitator.user, session=session, community="b", name="Ani")
    return Staffed(session.id, programme.id, organiser.username, facilitator.user, nigar, ani)


async def welcomed(client: RoomClient) -> RoomClient:
    await client.until(lambda f: f["type"] == "welcome")
    return client


async def closed_with(client: RoomClient, timeout: float = 3.0) -> int | None:
    """Read until the server closes; the close code it sent (None: no close frame)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        while loop.time() < deadline:
            await client.next(timeout=max(0.05, deadline - loop.time()))
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        pass
    raise AssertionError(f"still open after {timeout} s")


async def check_in(participant: RoomClient, text: str) -> None:
    await participant.send_json({"type": "check_in", "text": text, "ref": "c1"})
    await participant.until(lambda f: f["type"] in ("ok", "error") and f.get("ref") == "c1")


def private_frames(client: RoomClient) -> list[dict]:
    return [f for f in client.frames if f["type"] == "private_message"]


async def test_logout_closes_the_facilitators_connection_before_one_more_private_frame(server, staffed):
    browser = StaffBrowser(server, staffed.facilitator.username)
    cookie = browser.cookie
    console = await welcomed(await open_room(server, staffed.session_id, cookie))
    nigar = await welcomed(await open_room(server, staffed.session_id, staffed.nigar.cookie))
    await check_in(nigar, "Before the logout")
    await console.until(lambda f: f["type"] == "private_message")
    seen_before = len(private_frames(console))

    assert browser.send("POST", "/api/auth/logout").status_code == 204
    await check_in(nigar, "After the logout: for facilitators only")

    assert await closed_with(console) == CLOSE_LOGIN_ENDED
    assert len(private_frames(console)) == seen_before, "not one private frame after the logout"
    with pytest.raises(InvalidStatus) as refused:
        await open_room(server, staffed.session_id, cookie)
    assert refused.value.response.status_code == 401


async def test_a_facilitator_taken_out_of_the_programme_is_closed_with_4403(server, staffed):
    facilitator = StaffBrowser(server, staffed.facilitator.username)
    organiser = StaffBrowser(server, staffed.organiser)
    console = await welcomed(await open_room(server, staffed.session_id, facilitator.cookie))
    nigar = await welcomed(await open_room(server, staffed.session_id, staffed.nigar.cookie))

    removed = organiser.send("DELETE", f"/api/programmes/{staffed.programme_id}/members/{staffed.facilitator.id}")
    assert removed.status_code == 204, removed.text
    await check_in(nigar, "Only for the programme's facilitators")

    assert await closed_with(console) == CLOSE_RIGHT_ENDED
    assert private_frames(console) == []
    with pytest.raises(InvalidStatus) as refused:
        await open_room(server, staffed.session_id, facilitator.cookie)
    assert refused.value.response.status_code in (403, 404)  # the programme is not theirs to see


async def test_a_revocation_never_heard_of_is_found_by_the_periodic_check(app, make_account, server_factory, staffed):
    """The account is disabled behind the server's back (its broker never hears of it): the
    periodic revalidation closes the connection all the same."""
    server = server_factory(ROUNDTABLE_REVALIDATE_SECONDS="1").start()
    browser = StaffBrowser(server, staffed.facilitator.username)
    console = await welcomed(await open_room(server, staffed.session_id, browser.cookie))
    admin = (await make_account(Role.admin)).user
    async with app.state.db.unit_of_work() as db:  # this process's app, not the server's
        await accounts.set_active(
            db, actor=admin, user_id=staffed.facilitator.id, active=False, now=app.state.clock.now()
        )
    assert await closed_with(console, timeout=5) == CLOSE_LOGIN_ENDED


async def test_a_seat_with_too_many_connections_closes_its_oldest(server_factory, staffed):
    server = server_factory(ROUNDTABLE_CONNECTIONS_PER_SEAT="2").start()
    first = await welcomed(await open_room(server, staffed.session_id, staffed.ani.cookie))
    second = await welcomed(await open_room(server, staffed.session_id, staffed.ani.cookie))
    third = await welcomed(await open_room(server, staffed.session_id, staffed.ani.cookie))
    assert await closed_with(first) == CLOSE_REPLACED
    for client in (second, third):  # the newer ones go on
        await client.send_json({"type": "ping"})
        await client.until(lambda f: f["type"] == "pong")


async def test_a_staff_account_with_too_many_connections_closes_its_oldest(server_factory, staffed):
    """Per account, not per seat: a facilitator's seat alone would allow five here."""
    server = server_factory(ROUNDTABLE_CONNECTIONS_PER_LOGIN="2").start()
    laptop, phone = (
        StaffBrowser(server, staffed.facilitator.username),
        StaffBrowser(server, staffed.facilitator.username),
    )
    first = await welcomed(await open_room(server, staffed.session_id, laptop.cookie))
    second = await welcomed(await open_room(server, staffed.session_id, phone.cookie))
    third = await welcomed(await open_room(server, staffed.session_id, laptop.cookie))
    assert await closed_with(first) == CLOSE_REPLACED
    for client in (second, third):
        await client.send_json({"type": "ping"})
        await client.until(lambda f: f["type"] == "pong")


@pytest.mark.skipif(not (PG_URL and REDIS_URL), reason="several instances need PostgreSQL and Redis (pass 2)")
async def test_a_logout_on_one_instance_closes_the_connection_on_another_at_once(server_factory, staffed):
    one, two = server_factory().start(), server_factory().start()  # revalidation every 30 s: not it
    browser = StaffBrowser(one, staffed.facilitator.username)
    console = await welcomed(await open_room(two, staffed.session_id, browser.cookie))
    nigar = await welcomed(await open_room(two, staffed.session_id, staffed.nigar.cookie))
    assert browser.send("POST", "/api/auth/logout").status_code == 204
    await check_in(nigar, "After the logout, on the other instance")
    assert await closed_with(console, timeout=2) == CLOSE_LOGIN_ENDED
    assert private_frames(console) == []


async def test_a_command_after_the_login_ended_is_refused_in_its_own_transaction(app, staffed):
    """Between a logout's commit and the close frame a command may already be on its way: it is
    refused, not carried out (every command re-reads the login under the room's lock)."""
    now = app.state.clock.now()
    async with app.state.db.unit_of_work() as db:
        user = await db.get(User, staffed.facilitator.id)
        assert user is not None
        _token, login = await start_login_session(db, user=user, now=now, policy=session_policy(app.state.settings))
        seat = await facilitator_seat(
            db, session=await room_session(db, session_id=staffed.session_id), user=user, now=now
        )
    actor = Actor(session_id=staffed.session_id, seat_id=seat.id, login_id=login.id)
    async with app.state.db.unit_of_work() as db:
        assert (await enter(db, actor=actor, facilitator=True)).is_facilitator
    async with app.state.db.unit_of_work() as db:
        await end_login_session(db, login=login, now=now)
    with pytest.raises(NotAuthenticated) as refused:
        async with app.state.db.unit_of_work() as db:
            await enter(db, actor=actor, facilitator=True)
    assert refused.value.code == "login_ended"
