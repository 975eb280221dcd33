"""The rules for agendas: ordered, timed items; copied between sessions; a neutral template."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import FINISHED, AgendaItem, AgendaKind, DialogueSession
from app.dialogues.schemas import AgendaItemIn, AgendaItemUpdate
from app.errors import Conflict, NotFound, ValidationFailed

MAX_ITEMS = 40

# A first meeting between people who have not met: arrive, agree how to talk, hear
# each other once, rest, reflect. Nothing in it is about either side's narrative.
FIRST_MEETING: list[AgendaItemIn] = [
    AgendaItemIn(
        kind=AgendaKind.check_in,
        title="Welcome and check-in",
        planned_minutes=10,
        prompt="Say the name you chose for today and one word for how you arrive.",
    ),
    AgendaItemIn(
        kind=AgendaKind.round,
        title="Hopes for this dialogue",
        planned_minutes=20,
        prompt="What do you hope this group can do together?",
    ),
    AgendaItemIn(
        kind=AgendaKind.discussion,
        title="Ground rules in our own words",
        planned_minutes=15,
        prompt="Which ground rule matters most to you, and why?",
    ),
    AgendaItemIn(kind=AgendaKind.break_, title="Break", planned_minutes=10, prompt=""),
    AgendaItemIn(
        kind=AgendaKind.round,
        title="Being heard",
        planned_minutes=30,
        prompt="Tell of a time you felt heard by someone you did not expect to understand you.",
    ),
    AgendaItemIn(
        kind=AgendaKind.poll,
        title="How was this for you?",
        planned_minutes=5,
        prompt="How safe did you feel speaking today?",
    ),
    AgendaItemIn(
        kind=AgendaKind.check_out,
        title="Check-out",
        planned_minutes=10,
        prompt="One word or one sentence you take with you.",
    ),
]
TEMPLATES = {"first_meeting": FIRST_MEETING}


def _editable(session: DialogueSession) -> None:
    if session.status in FINISHED:
        raise Conflict(f"The session is {session.status.value}; its agenda is closed.", code="session_finished")


async def agenda_of(db: AsyncSession, *, session_id: int) -> list[AgendaItem]:
    rows = await db.exec(
        select(AgendaItem).where(AgendaItem.session_id == session_id).order_by(col(AgendaItem.position))
    )
    return list(rows.all())


async def _item(db: AsyncSession, *, session: DialogueSession, item_id: int) -> AgendaItem:
    item = await db.get(AgendaItem, item_id)
    if item is None or item.session_id != session.id:
        raise NotFound("There is no such agenda item in this session.")
    return item


async def _renumber(db: AsyncSession, items: list[AgendaItem]) -> None:
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            db.add(item)
    await db.flush()


async def add_item(db: AsyncSession, *, session: DialogueSession, data: AgendaItemIn) -> AgendaItem:
    """Append an item to the agenda."""
    _editable(session)
    items = await agenda_of(db, session_id=session.id)
    if len(items) >= MAX_ITEMS:
        raise ValidationFailed(f"An agenda has at most {MAX_ITEMS} items.", code="agenda_full")
    item = AgendaItem(session_id=session.id, position=len(items), **data.model_dump())
    db.add(item)
    await db.flush()
    return item


async def update_item(
    db: AsyncSession, *, session: DialogueSession, item_id: int, data: AgendaItemUpdate
) -> AgendaItem:
    """Change an item's kind, title, prompt or length."""
    _editable(session)
    item = await _item(db, session=session, item_id=item_id)
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is None:
            raise ValidationFailed(f"'{name}' cannot be empty.", code="validation_failed")
        setattr(item, name, value)
    db.add(item)
    await db.flush()
    return item


async def move_item(db: AsyncSession, *, session: DialogueSession, item_id: int, position: int) -> list[AgendaItem]:
    """Put an item at a new place; the others close up around it."""
    _editable(session)
    item = await _item(db, session=session, item_id=item_id)
    items = [i for i in await agenda_of(db, session_id=session.id) if i.id != item.id]
    items.insert(min(position, len(items)), item)
    await _renumber(db, items)
    return items


async def remove_item(db: AsyncSession, *, session: DialogueSession, item_id: int) -> None:
    _editable(session)
    item = await _item(db, session=session, item_id=item_id)
    await db.delete(item)
    await db.flush()
    await _renumber(db, await agenda_of(db, session_id=session.id))


async def _replace(db: AsyncSession, *, session: DialogueSession, items: list[AgendaItemIn]) -> list[AgendaItem]:
    for old in await agenda_of(db, session_id=session.id):
        await db.delete(old)
    await db.flush()
    created = [AgendaItem(session_id=session.id, position=i, **data.model_dump()) for i, data in enumerate(items)]
    db.add_all(created)
    await db.flush()
    return created


async def copy_agenda(db: AsyncSession, *, session: DialogueSession, source: DialogueSession) -> list[AgendaItem]:
    """Replace this session's agenda with a copy of another's (the caller checked access)."""
    _editable(session)
    if source.id == session.id:
        raise ValidationFailed("Choose another session to copy from.", code="same_session")
    items = [
        AgendaItemIn(kind=i.kind, title=i.title, prompt=i.prompt, planned_minutes=i.planned_minutes)
        for i in await agenda_of(db, session_id=source.id)
    ]
    return await _replace(db, session=session, items=items)


async def apply_template(db: AsyncSession, *, session: DialogueSession, template: str) -> list[AgendaItem]:
    """Replace the agenda with a built-in template."""
    _editable(session)
    if template not in TEMPLATES:
        raise ValidationFailed(
            f"There is no agenda template '{template}' (there is: {', '.join(TEMPLATES)}).",
            code="unknown_template",
        )
    return await _replace(db, session=session, items=TEMPLATES[template])
