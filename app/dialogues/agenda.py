"""The rules for agendas: ordered, timed items; copied between sessions; a neutral template."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.builtin_texts import FIRST_MEETING_TEXTS
from app.dialogues.content import builtin_in, edited_texts, languages_of, new_texts, required_text
from app.dialogues.models import FINISHED, AgendaItem, AgendaKind, DialogueSession
from app.dialogues.schemas import AgendaItemIn, AgendaItemUpdate, BreakoutSettings
from app.errors import Conflict, NotFound, ValidationFailed
from app.messages import Msg, status_word

MAX_ITEMS = 40

# A first meeting between people who have not met: arrive, agree how to talk, hear
# each other once, rest, reflect. Nothing in it is about either side's narrative. Its texts are
# in en, ru, az and hy (app/dialogues/builtin_texts.py); a session keeps its programme's.
FIRST_MEETING: list[AgendaItemIn] = [
    AgendaItemIn(
        kind=AgendaKind(item["kind"]),
        title=dict(item["title"]),
        prompt=dict(item["prompt"]),
        planned_minutes=item["planned_minutes"],
    )
    for item in FIRST_MEETING_TEXTS
]
TEMPLATES = {"first_meeting": FIRST_MEETING}


def _editable(session: DialogueSession) -> None:
    if session.status in FINISHED:
        raise Conflict(
            Msg("The session is {status}; its agenda is closed.", status=status_word(session.status)),
            code="session_finished",
        )


async def agenda_of(db: AsyncSession, *, session_id: int) -> list[AgendaItem]:
    rows = await db.exec(
        select(AgendaItem).where(AgendaItem.session_id == session_id).order_by(col(AgendaItem.position))
    )
    return list(rows.all())


async def _item(db: AsyncSession, *, session: DialogueSession, item_id: int) -> AgendaItem:
    item = await db.get(AgendaItem, item_id)
    if item is None or item.session_id != session.id:
        raise NotFound(Msg("There is no such agenda item in this session."))
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
        raise ValidationFailed(Msg("An agenda has at most {max_items} items.", max_items=MAX_ITEMS), code="agenda_full")
    languages = await languages_of(db, session=session)
    item = AgendaItem(
        session_id=session.id,
        position=len(items),
        kind=data.kind,
        title=required_text("title", new_texts("title", data.title, languages)),
        prompt=new_texts("prompt", data.prompt, languages),
        planned_minutes=data.planned_minutes,
        settings=_settings(data.kind, data.breakout),
    )
    db.add(item)
    await db.flush()
    return item


def _settings(kind: AgendaKind, breakout: BreakoutSettings | None) -> dict:
    """A breakout item's settings (its defaults when none are sent); other kinds have none."""
    if kind is not AgendaKind.breakout:
        if breakout is not None:
            message = Msg("Only a breakout item has breakout settings.")
            raise ValidationFailed(
                message, details=[{"field": "breakout", "type": "breakout_not_allowed", "message": message}]
            )
        return {}
    return (breakout or BreakoutSettings()).model_dump()


async def update_item(
    db: AsyncSession, *, session: DialogueSession, item_id: int, data: AgendaItemUpdate
) -> AgendaItem:
    """Change an item's kind, title, prompt or length; texts merge (the languages sent change)."""
    _editable(session)
    item = await _item(db, session=session, item_id=item_id)
    languages = await languages_of(db, session=session)
    changes: dict[str, object] = {}
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is None:
            raise ValidationFailed(Msg("'{name}' cannot be empty.", name=name), code="validation_failed")
        if name in ("title", "prompt"):
            value = edited_texts(name, getattr(item, name), value, languages, required=name == "title")
        changes[name] = value
    breakout = changes.pop("breakout", None)
    for name, value in changes.items():
        setattr(item, name, value)
    if "kind" in changes or breakout is not None:
        if breakout is not None:
            item.settings = _settings(item.kind, BreakoutSettings.model_validate(breakout))
        elif item.kind is AgendaKind.breakout:  # its settings as they were, or the defaults
            item.settings = _settings(item.kind, BreakoutSettings.model_validate(item.settings or {}))
        else:
            item.settings = {}
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


def _kept(texts: str | Mapping[str, str], languages: Sequence[str]) -> dict[str, str]:
    """A copied text in this programme's languages (the others dropped; a language it lacks
    stays missing). One that has none of them is kept whole rather than lost."""
    if isinstance(texts, str):
        texts = {languages[0]: texts}
    if not any(t.strip() for t in texts.values()):
        return {}
    kept = {language: texts[language] for language in languages if (texts.get(language) or "").strip()}
    return kept or dict(texts)


async def _replace(
    db: AsyncSession, *, session: DialogueSession, items: list[AgendaItemIn], languages: Sequence[str]
) -> list[AgendaItem]:
    for old in await agenda_of(db, session_id=session.id):
        await db.delete(old)
    await db.flush()
    created = [
        AgendaItem(
            session_id=session.id,
            position=i,
            kind=data.kind,
            title=_kept(data.title, languages),
            prompt=_kept(data.prompt, languages),
            planned_minutes=data.planned_minutes,
            settings=_settings(data.kind, data.breakout),
        )
        for i, data in enumerate(items)
    ]
    db.add_all(created)
    await db.flush()
    return created


async def copy_agenda(db: AsyncSession, *, session: DialogueSession, source: DialogueSession) -> list[AgendaItem]:
    """Replace this session's agenda with a copy of another's (the caller checked access)."""
    _editable(session)
    if source.id == session.id:
        raise ValidationFailed(Msg("Choose another session to copy from."), code="same_session")
    items = [
        AgendaItemIn(
            kind=i.kind,
            title=i.title,
            prompt=i.prompt,
            planned_minutes=i.planned_minutes,
            breakout=BreakoutSettings.model_validate(i.settings) if i.kind is AgendaKind.breakout else None,
        )
        for i in await agenda_of(db, session_id=source.id)
    ]
    return await _replace(db, session=session, items=items, languages=await languages_of(db, session=session))


async def apply_template(
    db: AsyncSession, *, session: DialogueSession, template: str, languages: Sequence[str] | None = None
) -> list[AgendaItem]:
    """Replace the agenda with a built-in template, in the programme's languages."""
    _editable(session)
    if template not in TEMPLATES:
        raise ValidationFailed(
            Msg(
                "There is no agenda template '{template}' (there is: {templates}).",
                template=template,
                templates=", ".join(TEMPLATES),
            ),
            code="unknown_template",
        )
    if languages is None:
        languages = await languages_of(db, session=session)
    items = [
        item.model_copy(update={name: _builtin(getattr(item, name), languages) for name in ("title", "prompt")})
        for item in TEMPLATES[template]
    ]
    return await _replace(db, session=session, items=items, languages=languages)


def _builtin(texts: str | Mapping[str, str], languages: Sequence[str]) -> dict[str, str]:
    texts = {"en": texts} if isinstance(texts, str) else texts
    return builtin_in(texts, languages) if texts else {}
