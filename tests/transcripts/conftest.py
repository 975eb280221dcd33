"""A session run in-process and ended, with the people who review and read its transcript:
its facilitator (logged in over HTTP), an organiser of the programme, and outsiders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from app.accounts.models import Role, User
from app.dialogues.models import DialogueSession
from app.programmes import service as programme_service
from app.programmes.models import MemberRole, Programme
from tests.factories import DEFAULT_PASSWORD, Account, InRoom, api_login


@dataclass
class Readers:
    room: InRoom
    programme_id: int
    facilitator: Any  # an HTTP client logged in as the session's facilitator
    facilitator_csrf: str
    organiser: Any
    organiser_csrf: str

    async def end(self) -> None:
        await self.room.act(self.room.facilitator, "session_end")

    async def release(self) -> dict:
        response = await self.facilitator.post(
            f"/api/sessions/{self.room.session_id}/transcript/release", headers={"X-CSRF-Token": self.facilitator_csrf}
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def make_readers(app, make_room, make_account, new_client):
    async def make(**room_options: Any) -> Readers:
        room = await make_room(**room_options)
        async with app.state.db.unit_of_work() as db:
            session = await db.get(DialogueSession, room.session_id)
            programme = await db.get(Programme, session.programme_id)
        organiser = await make_account(Role.organiser)
        async with app.state.db.unit_of_work() as db:
            await programme_service.add_member(
                db,
                programme=programme,
                username=organiser.username,
                role=MemberRole.organiser,
                now=app.state.clock.now(),
            )
        async with app.state.db.unit_of_work() as db:
            user = await db.get(User, room.facilitator_user.id)
        facilitator_client = new_client()
        facilitator_csrf = await api_login(facilitator_client, Account(user, DEFAULT_PASSWORD))
        organiser_client = new_client("198.51.100.21")
        organiser_csrf = await api_login(organiser_client, organiser)
        return Readers(room, programme.id, facilitator_client, facilitator_csrf, organiser_client, organiser_csrf)

    return make
