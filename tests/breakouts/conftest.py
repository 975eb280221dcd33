"""Breakouts in-process: a room with a breakout item current, its groups open, and helpers to
act in a group's room as its members do (their child seats), read each room's log and welcome."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import col, select

from app.dialogues.agenda import add_item
from app.dialogues.models import AgendaKind, DialogueSession, Seat
from app.dialogues.schemas import AgendaItemIn, BreakoutSettings
from app.events.log import read_events
from app.facilitation import presence, timers
from app.facilitation.breakout_rooms import entering_seat, seat_in_room
from app.facilitation.models import AuditEntry
from app.facilitation.room import Actor
from app.facilitation.room_state import room_state
from app.facilitation.statements import Posted, post_statement
from app.facilitation.views import hydrate
from app.live.protocol import SERVER_FRAMES
from tests.factories import InRoom

# Eight people of two communities, alternating in seat order.
EIGHT = (
    ("nigar", "a"),
    ("ani", "b"),
    ("rauf", "a"),
    ("lusine", "b"),
    ("leyla", "a"),
    ("armen", "b"),
    ("elvin", "a"),
    ("gohar", "b"),
)


@dataclass
class Breakout:
    """A room whose agenda is on a breakout item; `view` is the BreakoutView it opened with
    (None before `open`)."""

    room: InRoom
    item_id: int
    opened: dict[str, Any] | None = None

    @property
    def app(self) -> Any:
        return self.room.app

    @property
    def clock(self) -> Any:
        return self.room.clock

    @property
    def view(self) -> dict[str, Any]:
        assert self.opened is not None, "open the breakout first"
        return self.opened

    @property
    def id(self) -> int:
        return int(self.view["id"])

    def seat(self, name: str) -> int:
        """The person's seat in the main room."""
        return self.room.people[name].seat_id

    async def open(self, **fields: Any) -> dict[str, Any]:
        self.opened = await self.room.act(self.room.facilitator, "breakout_open", item_id=self.item_id, **fields)
        return self.view

    async def current(self) -> Any:
        """The breakout as the main room's welcome shows it now (None once it ended)."""
        return (await self.room.welcome(self.room.facilitator))["state"]["breakout"]

    def group_of(self, name: str, view: dict[str, Any] | None = None) -> dict[str, Any]:
        """The group the person is placed in (in `view`, else the opening view)."""
        view = view or self.view
        found = [g for g in view["groups"] if self.seat(name) in g["seat_ids"]]
        assert len(found) == 1, f"{name} is in {len(found)} groups"
        return found[0]

    async def maybe_child(self, room_id: int, main_seat_id: int) -> Seat | None:
        """The seat in a group's room of a seat of the main room, if it has one."""
        async with self.app.state.db.unit_of_work() as db:
            return await seat_in_room(db, room_id=room_id, main_seat_id=main_seat_id)

    async def child(self, room_id: int, main_seat_id: int) -> Seat:
        seat = await self.maybe_child(room_id, main_seat_id)
        assert seat is not None, f"seat {main_seat_id} has no seat in room {room_id}"
        return seat

    async def member(self, name: str, group: dict[str, Any] | None = None) -> Actor:
        """The person as they act in their group's room (their child seat there)."""
        group = group or self.group_of(name)
        seat = await self.child(group["session_id"], self.seat(name))
        return Actor(session_id=group["session_id"], seat_id=seat.id)

    async def entering(self, main_seat_id: int, group: dict[str, Any], *, write: bool = True) -> Seat | None:
        """The seat someone of the main room enters a group's room with, as the room's endpoint
        asks (a visitor's seat is made on their first entry, when `write`)."""
        async with self.app.state.db.unit_of_work() as db:
            room = await db.get(DialogueSession, group["session_id"])
            main_seat = await db.get(Seat, main_seat_id)
            assert room is not None and main_seat is not None
            return await entering_seat(db, room=room, main_seat=main_seat, now=self.clock.now(), write=write)

    async def visit(self, group: dict[str, Any]) -> Actor:
        """The (first) facilitator enters a group's room."""
        seat = await self.entering(self.room.facilitator.seat_id, group)
        assert seat is not None
        return Actor(session_id=group["session_id"], seat_id=seat.id)

    async def act(self, actor: Actor, type: str, **fields: Any) -> Any:
        return await self.room.act(actor, type, **fields)

    async def say(self, actor: Actor, text: str) -> Posted:
        """A statement in the actor's room (a group's, or the main one)."""
        async with self.app.state.db.unit_of_work() as db:
            return await post_statement(
                db,
                session_id=actor.session_id,
                seat_id=actor.seat_id,
                client_id=uuid.uuid4().hex,
                text=text,
                reply_to=None,
                now=self.clock.now(),
            )

    async def arrive(self, actor: Actor) -> str:
        """The actor's connection is open in their room (present: counts for a report's agreement)."""
        connection_id = uuid.uuid4().hex
        async with self.app.state.db.unit_of_work() as db:
            await presence.arrive(
                db,
                connection_id=connection_id,
                seat_id=actor.seat_id,
                instance_id=self.app.state.instance_id,
                now=self.clock.now(),
                per_seat=3,
                per_account=3,
            )
        return connection_id

    async def depart(self, connection_id: str) -> None:
        async with self.app.state.db.unit_of_work() as db:
            await presence.depart(db, connection_id=connection_id, now=self.clock.now())

    async def events(self, session_id: int, after: int = 0) -> list[dict[str, Any]]:
        """Every event of a room's log as frames (each a protocol frame), with its audience."""
        async with self.app.state.db.unit_of_work() as db:
            events = await read_events(db, session_id=session_id, after=after)
            frames = await hydrate(db, events)
        for frame in frames:
            SERVER_FRAMES.validate_python(frame)
        return [{**frame, "audience": event.audience} for event, frame in zip(events, frames, strict=True)]

    async def texts(self, session_id: int) -> list[str]:
        """The words of the statements in a room's log, in order."""
        return [e["statement"]["text"] for e in await self.events(session_id) if e["type"] == "statement"]

    async def welcome(self, actor: Actor) -> dict[str, Any]:
        """The welcome frame of the actor's room (a group's, or the main one), from the database."""
        async with self.app.state.db.unit_of_work() as db:
            session = await db.get(DialogueSession, actor.session_id)
            seat = await db.get(Seat, actor.seat_id)
            assert session is not None and seat is not None
            welcome = await room_state(db, session=session, seat=seat, now=self.clock.now())
        SERVER_FRAMES.validate_python(welcome)
        return welcome

    async def status(self, session_id: int) -> str:
        async with self.app.state.db.unit_of_work() as db:
            session = await db.get(DialogueSession, session_id, populate_existing=True)
            assert session is not None
            return session.status.value

    async def tick(self) -> bool:
        """The main session's timers, as the server's ticker runs them."""
        async with self.app.state.db.unit_of_work() as db:
            return await timers.tick(db, session_id=self.room.session_id, now=self.clock.now())

    async def audit(self, action: str) -> list[AuditEntry]:
        async with self.app.state.db.unit_of_work() as db:
            rows = await db.exec(
                select(AuditEntry)
                .where(AuditEntry.session_id == self.room.session_id, AuditEntry.action == action)
                .order_by(col(AuditEntry.id))
            )
            return list(rows.all())


async def add_breakout_item(
    room: InRoom,
    *,
    grouping: str = "caucus",
    group_size: int = 4,
    keep_transcript: bool = False,
    planned_minutes: int = 10,
) -> int:
    async with room.app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, room.session_id)
        assert session is not None
        item = await add_item(
            db,
            session=session,
            data=AgendaItemIn(
                kind=AgendaKind.breakout,
                title="Caucus",
                planned_minutes=planned_minutes,
                breakout=BreakoutSettings(grouping=grouping, group_size=group_size, keep_transcript=keep_transcript),  # type: ignore[arg-type]
            ),
        )
        return item.id


@pytest.fixture
def make_breakout(make_room):
    """A room (of `people`) whose agenda moved to a new breakout item; opened unless `open=False`."""

    async def make(
        *,
        grouping: str = "caucus",
        group_size: int = 4,
        keep_transcript: bool = False,
        people: Any = None,
        keys: tuple[str, ...] = ("a", "b"),
        open: bool = True,
        **open_fields: Any,
    ) -> Breakout:
        room = await (make_room(people=people, keys=keys) if people is not None else make_room(keys=keys))
        item_id = await add_breakout_item(
            room, grouping=grouping, group_size=group_size, keep_transcript=keep_transcript
        )
        await room.act(room.facilitator, "agenda_go", current_item_id=None, item_id=item_id)
        breakout = Breakout(room, item_id)
        if open:
            await breakout.open(**open_fields)
        return breakout

    return make


@pytest.fixture
async def caucus(make_breakout) -> Breakout:
    """Nigar and Rauf (community A), Ani and Lusine (community B), in their caucuses."""
    return await make_breakout(grouping="caucus")
