"""A surveyed session: a live room whose participants answer the pre-survey, then the session
ends and they answer the post-survey, through the services (app/outcomes/answers.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from app.dialogues.models import DialogueSession, Seat
from app.outcomes import answers
from app.outcomes.models import Phase
from app.programmes import service as programme_service
from app.programmes.models import MemberRole, Programme
from tests.factories import InRoom


@dataclass
class Surveyed:
    room: InRoom
    programme_id: int

    async def answer(self, name: str, phase: Phase, values: Mapping[str, str] | None) -> None:
        """`name`'s answers to one phase (None: they skip it)."""
        app = self.room.app
        async with app.state.db.unit_of_work() as db:
            seat = await db.get(Seat, self.room.people[name].seat_id)
            session = await db.get(DialogueSession, self.room.session_id)
            now = app.state.clock.now()
            if values is None:
                await answers.skip(db, seat=seat, session=session, phase=phase, now=now)
            else:
                await answers.submit(db, seat=seat, session=session, phase=phase, values=values, now=now)

    async def end(self) -> None:
        await self.room.act(self.room.facilitator, "session_end")

    async def add_member(self, username: str, role: MemberRole) -> None:
        """Make an account a member of the surveyed session's programme."""
        app = self.room.app
        async with app.state.db.unit_of_work() as db:
            programme = await db.get(Programme, self.programme_id)
            await programme_service.add_member(
                db, programme=programme, username=username, role=role, now=app.state.clock.now()
            )

    async def programme(self) -> Programme:
        async with self.room.app.state.db.unit_of_work() as db:
            return await db.get(Programme, self.programme_id)


def people(per_community: int, keys: Sequence[str] = ("a", "b")) -> list[tuple[str, str]]:
    """Participants' names (lower-case, one word) and communities: `per_community` of each."""
    return [(f"{key}person{n}", key) for key in keys for n in range(per_community)]


@pytest.fixture
def make_surveyed(app, make_room):
    async def make(per_community: int = 5, keys: Sequence[str] = ("a", "b"), **room: Any) -> Surveyed:
        made = await make_room(people=people(per_community, keys), keys=keys, **room)
        async with app.state.db.unit_of_work() as db:
            session = await db.get(DialogueSession, made.session_id)
        return Surveyed(made, session.programme_id)

    return make
