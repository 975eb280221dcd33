"""A programme's questionnaires: the current version of each phase (the default until someone
edits it), and edits: in place until the first answer arrives, a new version afterwards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.content import programme_languages
from app.errors import NotFound, ValidationFailed
from app.messages import Msg
from app.outcomes.instruments import default_items
from app.outcomes.models import Phase, Questionnaire, SurveyResponse
from app.outcomes.schemas import COMMUNITY_PLACEHOLDER, Item, QuestionnairePublic
from app.programmes.models import Community, Programme
from app.programmes.texts import Shown, cleaned, pick, unknown_languages

_ITEMS = TypeAdapter(list[Item])


async def communities_of(db: AsyncSession, *, programme_id: int) -> list[Community]:
    return list(
        (
            await db.exec(
                select(Community).where(Community.programme_id == programme_id).order_by(col(Community.position))
            )
        ).all()
    )


async def stored(db: AsyncSession, *, programme_id: int, phase: Phase) -> Questionnaire | None:
    """The latest stored version of a phase's questionnaire, if anyone edited or answered it."""
    return (
        await db.exec(
            select(Questionnaire)
            .where(Questionnaire.programme_id == programme_id, Questionnaire.phase == phase)
            .order_by(col(Questionnaire.version).desc())
        )
    ).first()


async def current(db: AsyncSession, *, programme: Programme, phase: Phase, now: datetime) -> Questionnaire:
    """The version people answer now: the latest stored one, or the default (not stored until
    it is edited or answered: `id` is None then)."""
    found = await stored(db, programme_id=programme.id, phase=phase)
    if found is not None:
        return found
    communities = await communities_of(db, programme_id=programme.id)
    return Questionnaire(
        programme_id=programme.id,
        phase=phase,
        version=1,
        items=default_items(phase, communities, programme_languages(programme)),
        created_at=now,
        updated_at=now,
    )


async def stored_current(db: AsyncSession, *, programme: Programme, phase: Phase, now: datetime) -> Questionnaire:
    """The current version, stored (an answer needs its id)."""
    questionnaire = await current(db, programme=programme, phase=phase, now=now)
    if questionnaire.id is None:
        try:
            async with db.begin_nested():
                db.add(questionnaire)
                await db.flush()
        except IntegrityError:
            # Another first answer stored the default at the same moment: answer that one.
            found = await stored(db, programme_id=programme.id, phase=phase)
            assert found is not None
            return found
    return questionnaire


async def answered(db: AsyncSession, *, questionnaire: Questionnaire) -> bool:
    if questionnaire.id is None:
        return False
    found = await db.exec(select(SurveyResponse.id).where(SurveyResponse.questionnaire_id == questionnaire.id))
    return found.first() is not None


def phase_of(value: str) -> Phase:
    """A phase named in an address: `pre` or `post`, else a 404 that says which there are."""
    try:
        return Phase(value)
    except ValueError:
        raise NotFound(Msg("There is no such questionnaire: use pre or post.")) from None


async def public(db: AsyncSession, *, questionnaire: Questionnaire) -> QuestionnairePublic:
    return QuestionnairePublic(
        phase=questionnaire.phase,
        version=questionnaire.version,
        answered=await answered(db, questionnaire=questionnaire),
        items=items_of(questionnaire),
    )


def items_of(questionnaire: Questionnaire) -> list[Item]:
    return _ITEMS.validate_python(questionnaire.items)


def item_words(texts: Mapping[str, str], towards: Community | None, language: str, languages: Sequence[str]) -> Shown:
    """An item's or an option's text for a reader, "{community}" read as the label of the
    community it is about, in the language of the sentence around it."""
    shown = pick(texts, language, languages)
    if towards is None or COMMUNITY_PLACEHOLDER not in shown.text:
        return shown
    labels = towards.labels or {}
    label = labels.get(shown.language) or labels.get(language) or next(iter(labels.values()), towards.key)
    return Shown(shown.text.replace(COMMUNITY_PLACEHOLDER, label), shown.language, shown.fallback)


def _invalid(message: str, field: str = "items") -> ValidationFailed:
    return ValidationFailed(
        message, code="invalid_questionnaire", details=[{"field": field, "type": "invalid", "message": message}]
    )


def check_items(items: Sequence[Item], *, communities: Sequence[Community], languages: Sequence[str]) -> list[Item]:
    """The rules a questionnaire's items keep beyond their own shape: one key each, a
    community the programme has, texts in its languages only, a text in its first language."""
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        raise _invalid(Msg("Each question needs its own key."))
    known = {c.key for c in communities}
    checked: list[Item] = []
    for item in items:
        if item.towards is not None and item.towards not in known:
            raise _invalid(Msg("This programme has no community '{key}'.", key=item.towards[:40]))
        texts = [item.text, *(o.text for o in item.options)]
        for text in texts:
            unknown = unknown_languages(text, languages)
            if unknown:
                raise _invalid(Msg("'{language}' is not a language of this programme.", language=unknown[0][:20]))
        item = item.model_copy(
            update={
                "text": cleaned(item.text),
                "options": [o.model_copy(update={"text": cleaned(o.text)}) for o in item.options],
            }
        )
        if not all(text for text in [item.text, *(o.text for o in item.options)]):
            raise _invalid(Msg("Every question and option needs a text in at least one language."))
        checked.append(item)
    return checked


def parse_items(raw: Any) -> list[Item]:
    """Items sent as JSON, or a 422 that says what is wrong in words."""
    try:
        return _ITEMS.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        number = first["loc"][0] if first["loc"] and isinstance(first["loc"][0], int) else 0
        cause = (first.get("ctx") or {}).get("error")
        reason = cause.args[0] if isinstance(cause, Exception) and cause.args else None
        if isinstance(reason, Msg):
            raise _invalid(Msg("Question {n}: {reason}.", n=number + 1, reason=reason)) from None
        raise _invalid(Msg("Question {n} is not valid.", n=number + 1)) from None


async def save(
    db: AsyncSession, *, programme: Programme, phase: Phase, items: Sequence[Item], actor_id: int | None, now: datetime
) -> Questionnaire:
    """Replace a phase's items: in place while no one has answered, else as a new version."""
    checked = check_items(
        items,
        communities=await communities_of(db, programme_id=programme.id),
        languages=programme_languages(programme),
    )
    dumped = [item.model_dump(mode="json") for item in checked]
    latest = await stored(db, programme_id=programme.id, phase=phase)
    if latest is not None and not await answered(db, questionnaire=latest):
        latest.items, latest.updated_at = dumped, now
        db.add(latest)
        await db.flush()
        return latest
    made = Questionnaire(
        programme_id=programme.id,
        phase=phase,
        version=(latest.version + 1) if latest is not None else 1,
        items=dumped,
        created_by=actor_id,
        created_at=now,
        updated_at=now,
    )
    db.add(made)
    await db.flush()
    return made
