"""Coming back on another device: the personal link, opened again on a browser that does not
hold the seat, asks "Continue as <name> on this device?"; confirming moves the seat there, the
old browser's cookie stops working, and the move is in the audit log. A removed or banned
seat cannot move, and a link reveals nothing more than before."""

from __future__ import annotations

import html

import pytest
from sqlmodel import select

from app.dialogues.models import Seat, SeatStatus
from app.facilitation.models import AuditEntry
from tests.dialogues.test_invitations_and_joining import fac, invite, join, token_of, world  # noqa: F401
from tests.factories import page_csrf

NAMES = ["Ləman", "Անահիտ", "Алексей", "O'Brien-Ñúñez"]


async def _joined(client, new_client, world, fac, name, community="a"):  # noqa: F811
    token = token_of((await invite(client, world, fac, community=community))["link"])
    phone = new_client()
    claimed = await join(phone, token, name)
    assert claimed.status_code == 200, claimed.text
    return token, phone, claimed.json()


@pytest.mark.parametrize("name", NAMES)
async def test_the_link_opened_on_a_new_device_moves_the_seat_there(app, client, new_client, world, fac, name):  # noqa: F811
    token, old, seat = await _joined(client, new_client, world, fac, name)
    me = f"/api/sessions/{world.session.id}/me"
    assert (await old.get(me)).status_code == 200

    laptop = new_client()
    opened = await laptop.get(f"/join/{token}")
    assert opened.status_code == 303 and opened.headers["location"] == "/join/continue"
    question = await laptop.get("/join/continue")
    assert question.status_code == 200
    assert name in html.unescape(question.text)  # "Continue as <name> on this device?"
    assert token not in question.text
    csrf = await page_csrf(laptop, "/join/continue")
    moved = await laptop.post("/join/continue", data={"csrf_token": csrf})
    assert moved.status_code == 303 and moved.headers["location"] == f"/sessions/{world.session.id}/waiting"

    assert (await laptop.get(me)).json()["id"] == seat["id"], "the same seat, on the new device"
    assert (await old.get(me)).status_code == 401, "the old device's cookie stopped working"
    async with app.state.db.unit_of_work() as db:
        entries = (await db.exec(select(AuditEntry).where(AuditEntry.action == "seat_moved"))).all()
    assert [e.target_seat_id for e in entries] == [seat["id"]]

    # Opened once more on the device that holds the seat: no question, straight on.
    again = await laptop.get(f"/join/{token}")
    assert again.status_code == 303
    assert (await laptop.get("/join/continue")).headers["location"] == f"/sessions/{world.session.id}/waiting"


@pytest.mark.parametrize("status", [SeatStatus.removed, SeatStatus.banned])
async def test_a_removed_or_banned_seat_cannot_move(app, client, new_client, world, fac, status):  # noqa: F811
    token, _old, seat = await _joined(client, new_client, world, fac, "Rauf")
    async with app.state.db.unit_of_work() as db:
        row = await db.get(Seat, seat["id"])
        row.status = status
        db.add(row)
    other = new_client()
    opened = await other.get(f"/join/{token}")
    assert opened.status_code == 404 and "Rauf" not in opened.text
    refused = await other.post("/join/continue", data={"csrf_token": await page_csrf(other, "/login")})
    assert refused.status_code in (403, 404) and "Rauf" not in refused.text


async def test_a_wrong_link_asks_nothing(app, client, new_client, world, fac):  # noqa: F811
    token, _old, _seat = await _joined(client, new_client, world, fac, "Nigar")
    stranger = new_client()
    for bad in ("x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), "../../etc"):
        response = await stranger.get(f"/join/{bad}")
        assert response.status_code == 404 and "Nigar" not in response.text
    assert (await stranger.get("/join/continue")).status_code == 404
