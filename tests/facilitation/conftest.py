"""A live room in-process: a session made through the services, a facilitator's seat and
participants' seats, and `act()` to send protocol commands through the real dispatch,
each in its own transaction against the real database. The clock is the test's own."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from app.accounts.models import Role
from app.dialogues.models import DialogueSession, SeatRole
from app.events.log import hydrate, read_events
from app.facilitation.entry import facilitator_seat
from app.facilitation.room import Actor
from app.facilitation.room_state import room_state
from app.live.commands import COMMANDS
from app.live.dispatch import run_command
from app.live.protocol import SERVER_FRAMES
from tests.factories import make_programme, make_session
from tests.live.conftest import go_live, seat_for

PEOPLE = (("nigar", "a"), ("ani", "b"), ("rauf", "a"), ("lusine", "b"))


@dataclass
class InRoom:
    app: Any
    session_id: int
    facilitator: Actor
    co_facilitator: Actor  # a second facilitator account of the programme (not an invited co-facilitator seat)
    facilitator_user: Any
    people: dict[str, Actor] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)  # name → "rt_seat_N=token", the seat's browser cookie

    async def add_seat(self, name: str, *, community: str | None, role: SeatRole) -> Actor:
        """Another admitted seat: an invited co-facilitator or an observer, say."""
        async with self.app.state.db.unit_of_work() as db:
            session = await db.get(DialogueSession, self.session_id)
        person = await seat_for(self.app, facilitator=self.facilitator_user, session=session, community=community,
                                name=name, role=role)
        return Actor(session_id=self.session_id, seat_id=person.seat_id)

    @property
    def clock(self):  # type: ignore[no-untyped-def]
        return self.app.state.clock

    async def act(self, actor: Actor, type: str, **fields: Any) -> Any:
        """Send one command as `actor`; returns the service's result or raises its AppError."""
        command = COMMANDS.validate_python({"type": type, **fields})
        async with self.app.state.db.unit_of_work() as db:
            return await run_command(db, actor=actor, command=command, now=self.clock.now())

    async def say(self, actor: Actor, text: str, client_id: str | None = None) -> Any:
        import uuid

        from app.facilitation.statements import post_statement

        async with self.app.state.db.unit_of_work() as db:
            return await post_statement(db, session_id=self.session_id, seat_id=actor.seat_id,
                                        client_id=client_id or uuid.uuid4().hex, text=text, reply_to=None,
                                        now=self.clock.now())

    async def events(self, after: int = 0) -> list[dict[str, Any]]:
        """Every event of the room as frames, each with its audience."""
        async with self.app.state.db.unit_of_work() as db:
            events = await read_events(db, session_id=self.session_id, after=after)
            frames = await hydrate(db, events)
        for frame in frames:
            SERVER_FRAMES.validate_python(frame)  # every event is a defined protocol frame
        return [{**frame, "audience": event.audience} for event, frame in zip(events, frames, strict=True)]

    async def last(self, type: str) -> dict[str, Any]:
        return [e for e in await self.events() if e["type"] == type][-1]

    async def welcome(self, actor: Actor) -> dict[str, Any]:
        from app.dialogues.models import Seat

        async with self.app.state.db.unit_of_work() as db:
            session = await db.get(DialogueSession, self.session_id)
            seat = await db.get(Seat, actor.seat_id)
            welcome = await room_state(db, session=session, seat=seat, now=self.clock.now())  # type: ignore[arg-type]
        SERVER_FRAMES.validate_python(welcome)
        return welcome


@pytest.fixture
def make_room(app, make_account):  # type: ignore[no-untyped-def]
    async def make(*, speaking_mode: str = "open", people=PEOPLE, keys=("a", "b"), live: bool = True) -> InRoom:  # type: ignore[no-untyped-def]
        organiser = await make_account(Role.organiser)
        facilitator = await make_account(Role.facilitator)
        co = await make_account(Role.facilitator)
        programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user, co.user],
                                         keys=keys)
        session = await make_session(app, facilitator=facilitator.user, programme=programme, capacity=12,
                                     speaking_mode=speaking_mode)
        if live:
            await go_live(app, session)
        seats, cookies = {}, {}
        for name, community in people:
            person = await seat_for(app, facilitator=facilitator.user, session=session, community=community,
                                    name=name.title())
            seats[name] = Actor(session_id=session.id, seat_id=person.seat_id)  # type: ignore[arg-type]
            cookies[name] = person.cookie
        actors = []
        for user in (facilitator.user, co.user):
            async with app.state.db.unit_of_work() as db:
                row = await db.get(DialogueSession, session.id)
                seat = await facilitator_seat(db, session=row, user=user, now=app.state.clock.now())  # type: ignore[arg-type]
                actors.append(Actor(session_id=session.id, seat_id=seat.id))  # type: ignore[arg-type]
        return InRoom(app, session.id, actors[0], actors[1], facilitator.user, seats, cookies)  # type: ignore[arg-type]

    return make


@pytest.fixture
async def room(make_room) -> InRoom:  # type: ignore[no-untyped-def]
    return await make_room()


@pytest.fixture
async def queued_room(make_room) -> InRoom:  # type: ignore[no-untyped-def]
    return await make_room(speaking_mode="queued")
