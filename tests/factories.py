"""Builders for test scenarios: real objects made through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.accounts.models import Role, User
from app.dialogues import invitations as invitation_service
from app.dialogues import sessions as session_service
from app.dialogues.models import DialogueSession, Invitation, SeatRole
from app.dialogues.schemas import InvitationCreate, SessionCreate
from app.programmes import service as programme_service
from app.programmes.models import MemberRole, Programme
from app.programmes.schemas import CommunityIn

LABELS = {
    "a": {"en": "Community A", "ru": "Сообщество А", "az": "İcma A", "hy": "Համայնք Ա"},
    "b": {"en": "Community B", "ru": "Сообщество Б", "az": "İcma B", "hy": "Համայնք Բ"},
    "c": {"en": "Community C", "ru": "Сообщество В", "az": "İcma C", "hy": "Համայնք Գ"},
}


async def make_programme(app, *, organiser: User, facilitators: list[User] = (), keys=("a", "b"), name="Programme") -> Programme:  # type: ignore[no-untyped-def]
    now = app.state.clock.now()
    async with app.state.db.unit_of_work() as db:
        programme = await programme_service.create_programme(
            db, actor=organiser, name=name, description="", languages=["en", "ru", "az", "hy"],
            communities=[CommunityIn(key=k, labels=LABELS[k]) for k in keys], now=now,
        )
        for facilitator in facilitators:
            await programme_service.add_member(db, programme=programme, username=facilitator.username,
                                               role=MemberRole.facilitator, now=now)
    return programme


async def make_session(app, *, facilitator: User, programme: Programme, **fields) -> DialogueSession:  # type: ignore[no-untyped-def]
    now = app.state.clock.now()
    data = {"title": "First meeting", "starts_at": now + timedelta(days=2), "capacity": 4,
            "agenda_template": "first_meeting", **fields}
    async with app.state.db.unit_of_work() as db:
        access = await programme_service.programme_access(db, user=facilitator, programme_id=programme.id)
        return await session_service.schedule_session(db, actor=facilitator, access=access,
                                                      data=SessionCreate(**data), now=now)


async def make_invitation(app, *, facilitator: User, session: DialogueSession, community: str | None = "a",
                          role: SeatRole = SeatRole.participant, real_name: str | None = None,
                          contact: str | None = None) -> tuple[Invitation, str]:
    async with app.state.db.unit_of_work() as db:
        return await invitation_service.create_invitation(
            db, session=session, actor=facilitator, now=app.state.clock.now(),
            data=InvitationCreate(role=role, community=community, real_name=real_name, contact=contact),
        )


@dataclass
class World:
    """An organiser, two facilitators of one programme, one facilitator of another."""

    organiser: object
    facilitator: object
    co_facilitator: object
    outsider: object
    programme: Programme
    other_programme: Programme
    session: DialogueSession


async def make_world(app, make_account) -> World:  # type: ignore[no-untyped-def]
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    co_facilitator = await make_account(Role.facilitator)
    outsider = await make_account(Role.facilitator)
    other_organiser = await make_account(Role.organiser)
    programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user, co_facilitator.user])
    other = await make_programme(app, organiser=other_organiser.user, facilitators=[outsider.user], name="Other")
    session = await make_session(app, facilitator=facilitator.user, programme=programme)
    return World(organiser, facilitator, co_facilitator, outsider, programme, other, session)


async def schedule(app, session: DialogueSession) -> None:  # type: ignore[no-untyped-def]
    """Move a draft to scheduled, so that its invitations can be followed."""
    from app.dialogues.models import SessionStatus

    async with app.state.db.unit_of_work() as db:
        row = await db.get(DialogueSession, session.id)
        await session_service.change_status(db, session=row, to=SessionStatus.scheduled, reason=None,
                                            now=app.state.clock.now())
