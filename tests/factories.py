"""Builders for test scenarios, in one place: real objects made through the services
(programmes, sessions, invitations, admitted seats, a live room driven in-process)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from app.accounts.models import Role, User
from app.dialogues import invitations as invitation_service
from app.dialogues import seats as seat_service
from app.dialogues import sessions as session_service
from app.dialogues.models import DialogueSession, Invitation, Seat, SeatRole, SessionStatus
from app.dialogues.schemas import InvitationCreate, SessionCreate
from app.dialogues.seat_cookie import seat_cookie_name
from app.events.log import read_events
from app.facilitation import lobby
from app.facilitation.room import Actor
from app.facilitation.room_state import room_state
from app.facilitation.statements import post_statement
from app.facilitation.views import hydrate
from app.live.commands import COMMANDS
from app.live.dispatch import run_command
from app.live.protocol import SERVER_FRAMES
from app.programmes import service as programme_service
from app.programmes.models import MemberRole, Programme
from app.programmes.schemas import CommunityIn

DEFAULT_PASSWORD = "correct horse battery staple"

LABELS = {
    "a": {"en": "Community A", "ru": "Сообщество А", "az": "İcma A", "hy": "Համայնք Ա"},
    "b": {"en": "Community B", "ru": "Сообщество Б", "az": "İcma B", "hy": "Համայնք Բ"},
    "c": {"en": "Community C", "ru": "Сообщество В", "az": "İcma C", "hy": "Համայնք Գ"},
}


async def make_programme(
    app, *, organiser: User, facilitators: Sequence[User] = (), keys=("a", "b"), name="Programme"
) -> Programme:
    now = app.state.clock.now()
    async with app.state.db.unit_of_work() as db:
        programme = await programme_service.create_programme(
            db,
            actor=organiser,
            name=name,
            description="",
            languages=["en", "ru", "az", "hy"],
            communities=[CommunityIn(key=k, labels=LABELS[k]) for k in keys],
            now=now,
        )
        for facilitator in facilitators:
            await programme_service.add_member(
                db, programme=programme, username=facilitator.username, role=MemberRole.facilitator, now=now
            )
    return programme


async def make_session(app, *, facilitator: User, programme: Programme, **fields) -> DialogueSession:
    now = app.state.clock.now()
    data = {
        "title": "First meeting",
        "starts_at": now + timedelta(days=2),
        "capacity": 4,
        "agenda_template": "first_meeting",
        **fields,
    }
    async with app.state.db.unit_of_work() as db:
        access = await programme_service.programme_access(db, user=facilitator, programme_id=programme.id)
        return await session_service.schedule_session(
            db, actor=facilitator, access=access, data=SessionCreate(**data), now=now
        )


async def make_invitation(
    app,
    *,
    facilitator: User,
    session: DialogueSession,
    community: str | None = "a",
    role: SeatRole = SeatRole.participant,
    real_name: str | None = None,
    contact: str | None = None,
) -> tuple[Invitation, str]:
    async with app.state.db.unit_of_work() as db:
        return await invitation_service.create_invitation(
            db,
            session=session,
            actor=facilitator,
            now=app.state.clock.now(),
            data=InvitationCreate(role=role, community=community, real_name=real_name, contact=contact),
        )


@dataclass
class World:
    """An organiser, two facilitators of one programme, one facilitator of another."""

    organiser: Account
    facilitator: Account
    co_facilitator: Account
    outsider: Account
    programme: Programme
    other_programme: Programme
    session: DialogueSession


async def make_world(app, make_account) -> World:
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    co_facilitator = await make_account(Role.facilitator)
    outsider = await make_account(Role.facilitator)
    other_organiser = await make_account(Role.organiser)
    programme = await make_programme(
        app, organiser=organiser.user, facilitators=[facilitator.user, co_facilitator.user]
    )
    other = await make_programme(app, organiser=other_organiser.user, facilitators=[outsider.user], name="Other")
    session = await make_session(app, facilitator=facilitator.user, programme=programme)
    return World(organiser, facilitator, co_facilitator, outsider, programme, other, session)


async def schedule(app, session: DialogueSession) -> None:
    """Move a draft to scheduled, so that its invitations can be followed."""
    async with app.state.db.unit_of_work() as db:
        row = await db.get(DialogueSession, session.id)
        await session_service.change_status(
            db, session=row, to=SessionStatus.scheduled, reason=None, now=app.state.clock.now()
        )


@dataclass
class Person:
    name: str
    seat_id: int
    cookie: str  # "name=value" for the Cookie header


async def seat_for(
    app,
    *,
    facilitator,
    session,
    community: str | None,
    name: str,
    role: SeatRole = SeatRole.participant,
    language: str | None = None,
    admit: bool = True,
    real_name: str | None = None,
    contact: str | None = None,
) -> Person:
    invitation, _token = await make_invitation(
        app,
        facilitator=facilitator,
        session=session,
        community=community,
        role=role,
        real_name=real_name,
        contact=contact,
    )
    now = app.state.clock.now()
    async with app.state.db.unit_of_work() as db:
        row = await db.get(Invitation, invitation.id)
        if language is not None:
            seat_service.choose_language(db, invitation=row, language=language)
        await seat_service.give_consent(
            db, invitation=row, session=session, rules_version=1, accept_rules=True, accept_transcript=True, now=now
        )
        seat, cookie = await lobby.take_seat(db, invitation=row, session=session, display_name=name, now=now)
        if admit:
            await lobby.admit(db, seat=seat, now=now)
    return Person(name, seat.id, f"{seat_cookie_name(session.id)}={cookie}")


async def go_live(app, session) -> None:
    async with app.state.db.unit_of_work() as db:
        row = await db.get(DialogueSession, session.id)
        for status in (SessionStatus.scheduled, SessionStatus.open, SessionStatus.live):
            await session_service.change_status(db, session=row, to=status, reason=None, now=app.state.clock.now())


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

    async def add_seat(self, name: str, *, community: str | None, role: SeatRole, language: str | None = None) -> Actor:
        """Another admitted seat: an invited co-facilitator or an observer, say."""
        async with self.app.state.db.unit_of_work() as db:
            session = await db.get(DialogueSession, self.session_id)
        person = await seat_for(
            self.app,
            facilitator=self.facilitator_user,
            session=session,
            community=community,
            name=name,
            role=role,
            language=language,
        )
        return Actor(session_id=self.session_id, seat_id=person.seat_id)

    @property
    def clock(self):
        return self.app.state.clock

    async def act(self, actor: Actor, type: str, **fields: Any) -> Any:
        """Send one command as `actor`; returns the service's result or raises its AppError."""
        command = COMMANDS.validate_python({"type": type, **fields})
        async with self.app.state.db.unit_of_work() as db:
            return await run_command(db, actor=actor, command=command, now=self.clock.now())

    async def say(self, actor: Actor, text: str, client_id: str | None = None) -> Any:
        async with self.app.state.db.unit_of_work() as db:
            return await post_statement(
                db,
                session_id=self.session_id,
                seat_id=actor.seat_id,
                client_id=client_id or uuid.uuid4().hex,
                text=text,
                reply_to=None,
                now=self.clock.now(),
            )

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
        async with self.app.state.db.unit_of_work() as db:
            session = await db.get(DialogueSession, self.session_id)
            seat = await db.get(Seat, actor.seat_id)
            welcome = await room_state(db, session=session, seat=seat, now=self.clock.now())
        SERVER_FRAMES.validate_python(welcome)
        return welcome


@dataclass
class Account:
    user: User
    password: str

    @property
    def username(self) -> str:
        return self.user.username


CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


async def page_csrf(client: httpx.AsyncClient, path: str = "/login") -> str:
    """The CSRF token a browser would find in a page."""
    response = await client.get(path, follow_redirects=True)
    match = CSRF_META.search(response.text)
    assert match, f"no CSRF token in {path} ({response.status_code})"
    return match.group(1)


async def page_log_in(client: httpx.AsyncClient, account: Account) -> str:
    """Log in through the login page, as a browser does; return the CSRF token of its pages."""
    csrf = await page_csrf(client, "/login")
    response = await client.post(
        "/login", data={"username": account.username, "password": account.password, "csrf_token": csrf}
    )
    assert response.status_code == 303, response.text
    return await page_csrf(client, "/programmes")


async def api_login(client: httpx.AsyncClient, account: Account) -> str:
    """Log in through the JSON API; return the CSRF token for later requests."""
    response = await client.post("/api/auth/login", json={"username": account.username, "password": account.password})
    assert response.status_code == 200, response.text
    return response.json()["csrf_token"]
